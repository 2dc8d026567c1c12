"""The card panel: the cardholder's photo, large, and the verdict in words, icon and colour.

The photo is the card's only security (D-CARD-4): it takes all the height the panel has left
once the texts have theirs, and a missing or unreadable photo is said in red where the photo
would be. Under the verdict, `action_area` holds what the cashier must do now (the autoload
question, the top-up amounts); new questions go there too, one shown at a time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from terminal import messages
from terminal.decide import Outcome, Verdict
from terminal.i18n import translate
from terminal.money import format_money
from terminal.session import (
    AutoloadView,
    CardView,
    KeypadPurpose,
    KeypadView,
    Paid,
    Panel,
    Screen,
)
from terminal.ui import theme
from terminal.ui.texts import wrapping_label
from terminal.ui.verdict_banner import VerdictBanner

PHOTO_MIN = 120  # px: below this a face cannot be compared with the person at the till

PhotoSource = Callable[[int], QPixmap | None]  # the picture at a side length, in px


class PhotoCache:
    """Decoded photos by content address, scaled to the side the panel shows them at; a tap of
    a regular customer decodes nothing. A new side (the window was resized) starts afresh."""

    # 32 photos at 600 px ARGB are about 45 MB; at 64 the till used 217 MB at 1920 x 1080
    def __init__(self, capacity: int = 32) -> None:
        self._items: OrderedDict[str, QPixmap | None] = OrderedDict()
        self._capacity = capacity
        self.side = 0
        self.decoded = 0  # how many photos were decoded: the cache's work, for tests

    def get(self, sha256: str, load: Callable[[str], bytes | None], side: int) -> QPixmap | None:
        if side != self.side:
            self._items.clear()
            self.side = side
        if sha256 in self._items:
            self._items.move_to_end(sha256)
            return self._items[sha256]
        data = load(sha256)
        pixmap: QPixmap | None = None
        if data:
            self.decoded += 1
            candidate = QPixmap()
            if candidate.loadFromData(data) and not candidate.isNull():
                pixmap = candidate.scaled(
                    side,
                    side,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
        self._items[sha256] = pixmap
        if len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return pixmap


def placeholder(text: str, colour: str, side: int) -> QPixmap:
    pixmap = QPixmap(side, side)
    pixmap.fill(QColor(theme.PLACEHOLDER))
    painter = QPainter(pixmap)
    painter.setPen(QColor(colour))
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(14, side // 15))
    font.setBold(True)
    painter.setFont(font)
    margin = side // 16
    painter.drawText(
        pixmap.rect().adjusted(margin, margin, -margin, -margin),
        Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
        text,
    )
    painter.end()
    return pixmap


class PhotoView(QWidget):
    """A square picture as large as the room it is given; asks its source again for each new
    side rather than stretching a small picture."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(PHOTO_MIN, PHOTO_MIN)
        self._source: PhotoSource | None = None
        self._pixmap: QPixmap | None = None
        self._side = 0

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(340, 340)

    def side(self) -> int:
        return max(PHOTO_MIN, min(self.width(), self.height()))

    def shown_side(self) -> int:
        """The side of the picture on screen now."""
        self._ensure()
        return 0 if self._pixmap is None else max(self._pixmap.width(), self._pixmap.height())

    def set_source(self, source: PhotoSource) -> None:
        self._source = source
        self._pixmap = None
        self._side = 0
        self.update()

    def _ensure(self) -> None:
        side = self.side()
        if self._source is not None and (self._pixmap is None or side != self._side):
            self._pixmap = self._source(side)
            self._side = side

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        self._ensure()
        if self._pixmap is None:
            return
        painter = QPainter(self)
        target = QRect(0, 0, self._pixmap.width(), self._pixmap.height())
        target.moveCenter(self.rect().center())
        painter.drawPixmap(target, self._pixmap)
        painter.setPen(QColor("#d5dbe1"))
        painter.drawRect(target.adjusted(0, 0, -1, -1))
        painter.end()


def _placeholder_source(text: str, colour: str) -> PhotoSource:
    return lambda side: placeholder(text, colour, side)


KEYPAD_ROWS = (("7", "8", "9"), ("4", "5", "6"), ("1", "2", "3"), ("00", "0", "back"))
# Minor units one touch puts on the keypad (D-PAY-4), per currency, inside each one's default
# top-up bounds (sync.policy: 10 kr is under a krona scheme's smallest load).
TOPUP_AMOUNTS: dict[str, tuple[int, ...]] = {
    "EUR": (1000, 2000, 5000),
    "DKK": (10_000, 20_000, 30_000),
    "SEK": (30_000, 50_000, 100_000),  # Chalmers' loads (000)
}


class CardPanel(QFrame):
    autoload_answered = Signal(bool)
    topup_chosen = Signal(int)  # a preset amount onto the keypad
    keypad_key = Signal(str)  # a digit, "00" or "back"
    keypad_enter = Signal()
    keypad_cancel = Signal()
    arrears_requested = Signal()
    reprint_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.setSpacing(8)

        self.photo_note = ""  # what stands where the photo should be, if anything
        self.photo = PhotoView()
        layout.addWidget(self.photo, 1)

        self.name = wrapping_label(messages.RING_UP_THEN_TAP, "name")
        layout.addWidget(self.name)
        self.details = wrapping_label("", "details")
        layout.addWidget(self.details)
        self.banner = VerdictBanner()
        self.banner_text = self.banner.label
        layout.addWidget(self.banner)
        self.message = wrapping_label("", "message")
        layout.addWidget(self.message)

        # What the cashier must do now: one question at a time, under the verdict.
        self.action_area = QVBoxLayout()
        self.action_area.setSpacing(8)
        layout.addLayout(self.action_area)

        # A receipt that did not print is said here, in the cashier's eye line (D-PAY-6).
        self.fault = QFrame()
        self.fault.setObjectName("fault")
        fault_row = QHBoxLayout(self.fault)
        self.fault_text = wrapping_label("", "faultText", centred=False)
        fault_row.addWidget(self.fault_text, 1)
        self.fault_button = QPushButton(translate("screen", "Reprint\nF5"))
        self.fault_button.clicked.connect(self.reprint_requested.emit)
        fault_row.addWidget(self.fault_button)
        self.action_area.addWidget(self.fault)

        # Warnings before money: what the cashier checks before Enter charges.
        self.caution = QFrame()
        self.caution.setObjectName("caution")
        caution_layout = QVBoxLayout(self.caution)
        self.caution_text = wrapping_label("", "question", centred=False)
        caution_layout.addWidget(self.caution_text)
        self.action_area.addWidget(self.caution)

        self.arrears_button = QPushButton("")
        self.arrears_button.clicked.connect(self.arrears_requested.emit)
        self.action_area.addWidget(self.arrears_button)

        self.consent = QFrame()
        self.consent.setObjectName("consent")
        consent_layout = QVBoxLayout(self.consent)
        self.consent_text = wrapping_label("", "question", centred=False)
        consent_layout.addWidget(self.consent_text)
        buttons = QHBoxLayout()
        self.yes = QPushButton(messages.YES_LOAD)
        self.yes.setObjectName("yes")
        self.no = QPushButton(messages.NO_KEY)
        self.no.setObjectName("no")
        for button in (self.yes, self.no):
            buttons.addWidget(button)
        consent_layout.addLayout(buttons)
        self.yes.clicked.connect(lambda: self.autoload_answered.emit(True))
        self.no.clicked.connect(lambda: self.autoload_answered.emit(False))
        self.action_area.addWidget(self.consent)

        self.topup = QFrame()
        self.topup.setObjectName("topup")
        topup_layout = QVBoxLayout(self.topup)
        self.topup_text = wrapping_label(messages.TOPUP_HOW, "question", centred=False)
        topup_layout.addWidget(self.topup_text)
        self.keypad_amount = wrapping_label("", "keypadAmount")
        topup_layout.addWidget(self.keypad_amount)
        # Digits in three columns, the presets in a fourth: one row less on a small screen.
        keys = QGridLayout()
        self.key_buttons: dict[str, QPushButton] = {}
        for row, names in enumerate(KEYPAD_ROWS):
            for column, name in enumerate(names):
                button = QPushButton("⌫" if name == "back" else name)
                button.setObjectName("key")
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.clicked.connect(lambda _=False, k=name: self.keypad_key.emit(k))
                keys.addWidget(button, row, column)
                self.key_buttons[name] = button
        self.topup_buttons: list[QPushButton] = []
        self._topup_amounts = TOPUP_AMOUNTS["EUR"]  # the unit's, set by ask_topup
        for index in range(len(self._topup_amounts)):
            button = QPushButton()
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(
                lambda _=False, i=index: self.topup_chosen.emit(self._topup_amounts[i])
            )
            keys.addWidget(button, index, 3)
            self.topup_buttons.append(button)
        self.keypad_back = QPushButton(translate("screen", "Back  Esc"))
        self.keypad_back.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keypad_back.clicked.connect(self.keypad_cancel.emit)
        keys.addWidget(self.keypad_back, 3, 3)
        topup_layout.addLayout(keys)
        self.keypad_ok = QPushButton(translate("screen", "OK  ⏎"))
        self.keypad_ok.setObjectName("yes")
        self.keypad_ok.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keypad_ok.clicked.connect(self.keypad_enter.emit)
        topup_layout.addWidget(self.keypad_ok)
        self.action_area.addWidget(self.topup)
        layout.addStretch(0)  # what the photo, once as high as it is wide, leaves over
        self.set_scale(1.0)
        self.show_idle()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        # Square: a photo no higher than the panel is wide, the texts right under it.
        self.photo.setMaximumHeight(max(PHOTO_MIN, self.contentsRect().width() - 28))

    def set_scale(self, scale: float) -> None:
        """Touch targets grow and shrink with the text."""
        for button in (self.yes, self.no):
            button.setMinimumHeight(round((theme.TOUCH_MIN_HEIGHT - 12) * scale))
        keypad = (*self.key_buttons.values(), *self.topup_buttons, self.keypad_back, self.keypad_ok)
        for button in keypad:
            button.setMinimumHeight(round((theme.TOUCH_MIN_HEIGHT - 28) * scale))
        self.arrears_button.setMinimumHeight(round((theme.TOUCH_MIN_HEIGHT - 16) * scale))
        self.fault_button.setMinimumHeight(round((theme.TOUCH_MIN_HEIGHT - 16) * scale))

    # -- states --------------------------------------------------------------------------------
    def show_idle(self, problem: str | None = None) -> None:
        self.message.show()
        self.photo_note = ""
        self.photo.set_source(_placeholder_source(messages.TAP_A_CARD, theme.NEUTRAL))
        self.name.setText(messages.RING_UP_THEN_TAP)
        self.details.setText(messages.OR_TAP_FIRST)
        if problem:
            self.banner.show_verdict(messages.CANNOT_SELL, "refused")
            self.message.setText(problem)
        else:
            self.banner.show_verdict("", "")
            self.message.setText("")
        self.consent.hide()
        self.topup.hide()  # it asks for a card's top-up only: no card, no amounts to offer
        self.caution.hide()
        self.arrears_button.hide()

    def show_card(self, view: CardView, photo: PhotoSource | None, *, photo_broken: bool) -> None:
        verdict = view.verdict
        snap = view.snapshot
        self.photo_note = ""
        if snap is None:
            self.photo.set_source(_placeholder_source(messages.UNKNOWN_CARD, theme.REFUSED))
            self.name.setText(messages.card_label(view.card_id))
            self.details.setText("")
        else:
            if photo is not None:
                self.photo.set_source(photo)
            else:
                self.photo_note = messages.PHOTO_UNREADABLE if photo_broken else messages.NO_PHOTO
                text = f"{self.photo_note}\n\n{messages.CHECK_IDENTITY}"
                self.photo.set_source(_placeholder_source(text, theme.REFUSED))
            self.name.setText(snap.cardholder.name)
            # The details line (price level and why, balance) is `show_extras`'s.
        self.banner.show_verdict(verdict.headline, theme.OUTCOME_TONE[verdict.outcome])
        self.message.setText(_message(verdict))
        self.message.show()
        self.consent.hide()
        self.topup.hide()

    def ask_autoload(self, view: AutoloadView, currency: str) -> None:
        """D-AUTO-3: amber until answered; one offer, with every balance it touches."""

        def money(minor: int) -> str:
            return format_money(minor, currency)

        self.banner.show_verdict(messages.AUTOLOAD_QUESTION, "attention")
        self.consent_text.setText(messages.AUTOLOAD_AGREE)
        without = (
            messages.autoload_needed()
            if view.after_without is None
            else messages.without_autoload(money(view.after_without))
        )
        balances = messages.autoload_balances(money(view.balance), money(view.after_with), without)
        self.message.setText(f"{messages.offer_autoload(money(view.amount))} {balances}")
        self.consent.show()
        self.yes.setFocus()

    def ask_topup(self, keypad: KeypadView, currency: str) -> None:
        """The cash keypad: the amount typed, what it does, and the second Enter to take it."""

        def money(minor: int) -> str:
            return format_money(minor, currency)

        arrears = keypad.purpose is KeypadPurpose.ARREARS
        self._topup_amounts = TOPUP_AMOUNTS.get(currency, TOPUP_AMOUNTS["EUR"])
        for button, amount in zip(self.topup_buttons, self._topup_amounts, strict=True):
            button.setText(money(amount))
            button.setVisible(not arrears)
        self.keypad_amount.setText(money(keypad.amount))
        if keypad.problem is not None:
            text = keypad.problem
        elif arrears:
            assert keypad.after is not None
            text = messages.keypad_arrears(money(keypad.amount), money(keypad.after))
        else:
            assert keypad.after is not None
            text = messages.keypad_topup(money(keypad.amount), money(keypad.after))
        if keypad.confirming:
            text = f"{text}\n{messages.KEYPAD_CONFIRM}"
        self.message.hide()  # the keypad says what the amount does: room for its keys
        title = messages.ARREARS_HOW if arrears else messages.TOPUP_HOW
        self.topup_text.setText(f"{title}\n{text}")
        self.keypad_ok.setText(
            translate("screen", "Take the cash  ⏎")
            if keypad.confirming
            else translate("screen", "OK  ⏎")
        )
        self.topup.show()

    def show_extras(self, screen: Screen, currency: str) -> None:
        """What comes on top of the card's state: the printer fault, the cautions before
        the charge, the price reason, arrears payable here."""
        self.fault.setVisible(screen.print_fault is not None)
        self.fault_text.setText(screen.print_fault or "")
        card_shown = screen.panel is Panel.CARD
        cautions = screen.cautions if card_shown else ()
        if cautions:
            title = messages.HINT_CONFIRM if screen.held else messages.CHECK_FIRST
            self.caution_text.setText("\n".join([title, *(f"! {c}" for c in cautions)]))
        self.caution.setVisible(bool(cautions))
        if card_shown and screen.held:
            self.banner.show_verdict(messages.HELD, "attention")
        if screen.price_reason and screen.card is not None and screen.card.snapshot is not None:
            balance = screen.card.snapshot.balance
            if screen.panel is Panel.PAID and screen.last_paid is not None:
                balance = screen.last_paid.committed.balance_after
            self.details.setText(
                messages.level_and_balance(screen.price_reason, format_money(balance, currency))
            )
        owed = screen.arrears if card_shown else 0
        self.arrears_button.setVisible(owed > 0)
        if owed:
            self.arrears_button.setText(messages.pay_arrears_button(format_money(owed, currency)))
        if screen.panel is Panel.IDLE and screen.menu_empty and screen.problem is None:
            self.name.setText(messages.NO_MENU)
            self.details.setText("")

    def show_paid(self, paid: Paid) -> None:
        self.message.show()
        verdict = paid.verdict
        cur = verdict.currency
        total = format_money(paid.total, cur)
        after = format_money(paid.committed.balance_after, cur)
        tone = theme.OUTCOME_TONE[verdict.outcome]
        if paid.kind == "void":
            tone = "neutral"
            self.photo_note = ""
            self.photo.set_source(_placeholder_source(messages.SALE_VOIDED_PHOTO, theme.NEUTRAL))
            self.name.setText(messages.LAST_SALE_VOIDED)
            self.details.setText("")
        offline = verdict.outcome is Outcome.APPROVED_OFFLINE
        self.banner.show_verdict(messages.paid_banner(paid.kind, offline, total), tone)
        lines = [messages.balance_now(after, paid.committed.receipt_no)]
        if paid.autoload_amount:
            lines.insert(0, messages.autoload_credited(format_money(paid.autoload_amount, cur)))
        if paid.kind == "sale" and verdict.autoload_note:  # D-AUTO-4/5/8: why none was offered
            lines.append(verdict.autoload_note)
        self.message.setText("  ".join(lines) if paid.kind != "void" else lines[0])
        self.consent.hide()
        self.topup.hide()


def _message(verdict: Verdict) -> str:
    parts = [verdict.message]
    if verdict.autoload_note:
        parts.append(verdict.autoload_note)
    elif verdict.autoload is not None and not verdict.autoload.needed:
        parts.append(messages.AUTOLOAD_AT_PAYMENT)
    return "  ".join(parts)
