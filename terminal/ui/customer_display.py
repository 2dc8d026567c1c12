"""The customer's display: a second window facing the cardholder, rendered from the same
`Screen` as the cashier's on every refresh. It shows the tray, the total, the verdict (word,
icon and colour) and the balance after the sale, large; no cashier controls and none of the
cashier's notes (why a card is refused beyond its headline, what to check).

`[screen] customer_display = "window"`: a window of its own; `"screen"`: full screen on a
second screen when there is one (else a window).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QResizeEvent, QScreen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QSizePolicy,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from terminal import messages
from terminal.decide import Outcome
from terminal.i18n import translate
from terminal.money import format_money
from terminal.session import Panel, Screen
from terminal.ui import theme
from terminal.ui.basket_view import fill_row
from terminal.ui.texts import wrapping_label
from terminal.ui.verdict_banner import VerdictBanner

WINDOW_SIZE = (800, 480)  # a small customer-facing panel (a 7" to 10" screen)
CUSTOMER_SCALE = 1.25  # read from across the counter: larger than the cashier's text


class CustomerDisplay(QWidget):
    def __init__(self, currency: str, *, font_scale: float = 1.0) -> None:
        super().__init__()
        self.setObjectName("customer")
        self.setWindowTitle(translate("screen", "canteen-till · customer display"))
        self.currency = currency
        self.font_scale = font_scale
        self.scale = 0.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(10)
        panel = QFrame()
        panel.setObjectName("panel")
        inner = QVBoxLayout(panel)
        self.welcome = wrapping_label(translate("screen", "Welcome"), "customerWelcome")
        inner.addWidget(self.welcome)
        self.table = QTableWidget(0, 3)
        self.table.horizontalHeader().setVisible(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        inner.addWidget(self.table, 1)
        self.total = wrapping_label("", "customerTotal", centred=False)
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight)
        inner.addWidget(self.total)
        layout.addWidget(panel, 1)
        self.banner = VerdictBanner()
        layout.addWidget(self.banner)
        self.balance = wrapping_label("", "customerBalance")
        layout.addWidget(self.balance)
        self.resize(*WINDOW_SIZE)
        self._fit(*WINDOW_SIZE)

    def present(self, *, full_screen: bool, beside: QScreen | None) -> None:
        """Full screen on a screen other than the cashier's, if asked and there is one."""
        other = _other_screen(beside) if full_screen else None
        if other is None:
            self.show()
            return
        self.setScreen(other)
        self.setGeometry(other.geometry())
        self.showFullScreen()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit(event.size().width(), event.size().height())

    def _fit(self, width: int, height: int) -> None:
        # A small panel is read from a metre or two: its text is sized for 1366 x 768 at least.
        base = max(theme.screen_scale(width, height), 1.0)
        scale = round(base * CUSTOMER_SCALE * self.font_scale, 2)
        if scale == self.scale:
            return
        self.scale = scale
        table = theme.px("name", scale)
        self.setStyleSheet(
            theme.style(scale)
            + f"""
QTableWidget {{ font-size: {table}px; }}
QLabel#customerWelcome {{ font-size: {theme.px("name", scale * 1.2)}px; font-weight: 700; }}
QLabel#customerTotal {{ font-size: {theme.px("total", scale * 1.2)}px; font-weight: 800; }}
QLabel#customerBalance {{ font-size: {theme.px("name", scale)}px; font-weight: 700; }}
"""
        )
        self.table.verticalHeader().setDefaultSectionSize(round(table * 1.6))

    def show_screen(self, screen: Screen) -> None:
        lines = screen.lines
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            fill_row(self.table, row, line, self.currency)
        if lines:
            self.table.scrollToBottom()
        paid = screen.last_paid if screen.panel is Panel.PAID else None
        total = paid.total if paid is not None else screen.total
        self.welcome.setVisible(not lines and paid is None)
        self.table.setVisible(bool(lines) or paid is not None)
        self.total.setText(
            translate("screen", "Total {amount}").format(amount=format_money(total, self.currency))
        )
        self.total.setVisible(bool(lines) or paid is not None)
        self._verdict(screen)

    def _verdict(self, screen: Screen) -> None:
        paid = screen.last_paid if screen.panel is Panel.PAID else None
        if paid is not None:
            verdict = paid.verdict
            offline = verdict.outcome is Outcome.APPROVED_OFFLINE
            total = format_money(paid.total, self.currency)
            tone = "neutral" if paid.kind == "void" else theme.OUTCOME_TONE[verdict.outcome]
            self.banner.show_verdict(messages.paid_banner(paid.kind, offline, total), tone)
            after = format_money(paid.committed.balance_after, self.currency)
            self.balance.setText(
                translate("screen", "Balance after: {amount}").format(amount=after)
            )
            return
        view = screen.card
        if view is None:
            self.banner.show_verdict("", "")
            self.balance.setText("")
            return
        verdict = view.verdict
        self.banner.show_verdict(verdict.headline, theme.OUTCOME_TONE[verdict.outcome])
        if verdict.approved and verdict.balance_after is not None and screen.lines:
            after = format_money(verdict.balance_after, self.currency)
            self.balance.setText(
                translate("screen", "Balance after: {amount}").format(amount=after)
            )
        elif verdict.balance is not None:
            balance = format_money(verdict.balance, self.currency)
            self.balance.setText(translate("screen", "Balance: {amount}").format(amount=balance))
        else:
            self.balance.setText("")


def _other_screen(beside: QScreen | None) -> QScreen | None:
    for screen in QGuiApplication.screens():
        if screen is not beside and (beside is None or screen.name() != beside.name()):
            return screen
    return None
