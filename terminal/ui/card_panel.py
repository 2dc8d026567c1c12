"""The card panel: the cardholder's photo, large, and the verdict in words and colour.

The photo is the card's only security (D-CARD-4): it fills most of the panel, and a missing or
unreadable photo is said in red where the photo would be.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from terminal import messages
from terminal.decide import Outcome, Verdict
from terminal.money import format_money
from terminal.session import CardView, Paid
from terminal.ui import theme

PHOTO_W, PHOTO_H = 340, 340


class PhotoCache:
    """Decoded photos by content address; a tap of a regular customer decodes nothing."""

    def __init__(self, capacity: int = 64) -> None:  # 64 x 340 px ARGB is about 30 MB
        self._items: OrderedDict[str, QPixmap | None] = OrderedDict()
        self._capacity = capacity

    def get(self, sha256: str, load: Callable[[str], bytes | None]) -> QPixmap | None:
        if sha256 in self._items:
            self._items.move_to_end(sha256)
            return self._items[sha256]
        data = load(sha256)
        pixmap: QPixmap | None = None
        if data:
            candidate = QPixmap()
            if candidate.loadFromData(data) and not candidate.isNull():
                pixmap = candidate.scaled(
                    PHOTO_W,
                    PHOTO_H,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
        self._items[sha256] = pixmap
        if len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return pixmap


def _placeholder(text: str, colour: str) -> QPixmap:
    pixmap = QPixmap(PHOTO_W, PHOTO_H)
    pixmap.fill(QColor("#f4f6f8"))
    painter = QPainter(pixmap)
    painter.setPen(QColor(colour))
    font = QFont("DejaVu Sans", 17)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(
        pixmap.rect().adjusted(16, 16, -16, -16),
        Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
        text,
    )
    painter.end()
    return pixmap


# Minor units offered as one-touch cash top-ups (D-PAY-4), per currency, inside each one's
# default top-up bounds (sync.policy: 10 kr is under a krona scheme's smallest load).
TOPUP_AMOUNTS: dict[str, tuple[int, ...]] = {
    "EUR": (1000, 2000, 5000),
    "DKK": (10_000, 20_000, 30_000),
    "SEK": (30_000, 50_000, 100_000),  # Chalmers' loads (000)
}


class CardPanel(QFrame):
    autoload_answered = Signal(bool)
    topup_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.setSpacing(8)

        self.photo_note = ""  # what stands where the photo should be, if anything
        self.photo = QLabel()
        self.photo.setFixedSize(PHOTO_W, PHOTO_H)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setStyleSheet("border: 1px solid #d5dbe1; border-radius: 6px;")
        layout.addWidget(self.photo, alignment=Qt.AlignmentFlag.AlignHCenter)

        self.name = QLabel(messages.RING_UP_THEN_TAP)
        self.name.setWordWrap(True)
        self.name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name.setStyleSheet("font-size: 24px; font-weight: 700;")
        layout.addWidget(self.name)

        self.details = QLabel("")
        self.details.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details.setStyleSheet("font-size: 17px;")
        layout.addWidget(self.details)

        self.banner = QLabel("")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setWordWrap(True)
        self.banner.setMinimumHeight(56)
        layout.addWidget(self.banner)

        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("font-size: 16px;")
        layout.addWidget(self.message)

        self.consent = QFrame()
        self.consent.setObjectName("consent")
        self.consent.setStyleSheet("#consent { background: #fff6db; border-radius: 8px; }")
        consent_layout = QVBoxLayout(self.consent)
        self.consent_text = QLabel("")
        self.consent_text.setWordWrap(True)
        self.consent_text.setStyleSheet("font-size: 17px; font-weight: 600; background: none;")
        consent_layout.addWidget(self.consent_text)
        buttons = QHBoxLayout()
        self.yes = QPushButton(messages.YES_LOAD)
        self.yes.setObjectName("yes")
        self.no = QPushButton(messages.NO_KEY)
        self.no.setObjectName("no")
        for button in (self.yes, self.no):
            button.setMinimumHeight(theme.TOUCH_MIN_HEIGHT - 12)
            buttons.addWidget(button)
        consent_layout.addLayout(buttons)
        self.yes.clicked.connect(lambda: self.autoload_answered.emit(True))
        self.no.clicked.connect(lambda: self.autoload_answered.emit(False))
        layout.addWidget(self.consent)

        self.topup = QFrame()
        self.topup.setObjectName("topup")
        self.topup.setStyleSheet("#topup { background: #e8f0fa; border-radius: 8px; }")
        topup_layout = QVBoxLayout(self.topup)
        self.topup_text = QLabel(messages.TOPUP_HOW)
        self.topup_text.setWordWrap(True)
        self.topup_text.setStyleSheet("font-size: 16px; font-weight: 600; background: none;")
        topup_layout.addWidget(self.topup_text)
        amounts = QHBoxLayout()
        self.topup_buttons: list[QPushButton] = []
        self._topup_amounts = TOPUP_AMOUNTS["EUR"]  # the unit's, set by ask_topup
        for index in range(len(self._topup_amounts)):
            button = QPushButton()
            button.setMinimumHeight(theme.TOUCH_MIN_HEIGHT - 16)
            button.clicked.connect(
                lambda _=False, i=index: self.topup_chosen.emit(self._topup_amounts[i])
            )
            amounts.addWidget(button)
            self.topup_buttons.append(button)
        topup_layout.addLayout(amounts)
        layout.addWidget(self.topup)
        layout.addStretch(1)
        self.show_idle()

    # -- states --------------------------------------------------------------------------------
    def show_idle(self, problem: str | None = None) -> None:
        self.photo_note = ""
        self.photo.setPixmap(_placeholder(messages.TAP_A_CARD, theme.NEUTRAL))
        self.name.setText(messages.RING_UP_THEN_TAP)
        self.details.setText(messages.OR_TAP_FIRST)
        if problem:
            self._banner(messages.CANNOT_SELL, theme.REFUSED)
            self.message.setText(problem)
        else:
            self._banner("", None)
            self.message.setText("")
        self.consent.hide()
        self.topup.hide()  # it asks for a card's top-up only: no card, no amounts to offer

    def show_card(self, view: CardView, photo: QPixmap | None, *, photo_broken: bool) -> None:
        verdict = view.verdict
        snap = view.snapshot
        self.photo_note = ""
        if snap is None:
            self.photo.setPixmap(_placeholder(messages.UNKNOWN_CARD, theme.REFUSED))
            self.name.setText(messages.card_label(view.card_id))
            self.details.setText("")
        else:
            if photo is not None:
                self.photo.setPixmap(photo)
            else:
                self.photo_note = messages.PHOTO_UNREADABLE if photo_broken else messages.NO_PHOTO
                text = f"{self.photo_note}\n\n{messages.CHECK_IDENTITY}"
                self.photo.setPixmap(_placeholder(text, theme.REFUSED))
            self.name.setText(snap.cardholder.name)
            level = (verdict.level or snap.account.price_level).value.capitalize()
            balance = format_money(snap.balance, snap.account.currency)
            self.details.setText(messages.level_and_balance(level, balance))
        self._banner(verdict.headline, theme.OUTCOME_COLOUR[verdict.outcome])
        self.message.setText(_message(verdict))
        self.consent.hide()
        self.topup.hide()

    def ask_autoload(self, verdict: Verdict) -> None:
        offer = verdict.autoload
        if offer is None:
            return
        amount = format_money(offer.amount, verdict.currency)
        new_balance = format_money(offer.new_balance, verdict.currency)
        self.consent_text.setText(messages.offer_autoload(amount, new_balance))
        self.message.setText(verdict.message)
        self.consent.show()
        self.yes.setFocus()

    def ask_topup(self, currency: str) -> None:
        self._topup_amounts = TOPUP_AMOUNTS.get(currency, TOPUP_AMOUNTS["EUR"])
        for button, amount in zip(self.topup_buttons, self._topup_amounts, strict=True):
            button.setText(f"+{format_money(amount, currency)}")
        self.topup.show()

    def show_paid(self, paid: Paid) -> None:
        verdict = paid.verdict
        cur = verdict.currency
        total = format_money(paid.total, cur)
        after = format_money(paid.committed.balance_after, cur)
        colour = theme.OUTCOME_COLOUR[verdict.outcome]
        if paid.kind == "void":
            colour = theme.NEUTRAL
            self.photo_note = ""
            self.photo.setPixmap(_placeholder(messages.SALE_VOIDED_PHOTO, theme.NEUTRAL))
            self.name.setText(messages.LAST_SALE_VOIDED)
            self.details.setText("")
        offline = verdict.outcome is Outcome.APPROVED_OFFLINE
        self._banner(messages.paid_banner(paid.kind, offline, total), colour)
        lines = [messages.balance_now(after, paid.committed.receipt_no)]
        if paid.autoload_amount:
            lines.insert(0, messages.autoload_credited(format_money(paid.autoload_amount, cur)))
        self.message.setText("  ".join(lines) if paid.kind != "void" else lines[0])
        level = self.details.text().split("  ·  ")[0]
        self.details.setText(messages.level_and_balance(level, after))
        self.consent.hide()

    def _banner(self, text: str, colour: str | None) -> None:
        self.banner.setText(text)
        if colour is None:
            self.banner.setStyleSheet("font-size: 26px;")
        else:
            self.banner.setStyleSheet(
                f"background: {colour}; color: white; font-size: 26px; font-weight: 800;"
                "border-radius: 8px; padding: 6px;"
            )


def _message(verdict: Verdict) -> str:
    parts = [verdict.message]
    if verdict.autoload_note:
        parts.append(verdict.autoload_note)
    elif verdict.autoload is not None and not verdict.autoload.needed:
        parts.append(messages.AUTOLOAD_AT_PAYMENT)
    return "  ".join(parts)
