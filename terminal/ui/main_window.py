"""The cashier's screen: products, tray, card panel, status bar. It renders a `Till`'s `Screen`.

The window holds one handle, the `Till`: every key, button and device event goes to it, and
after each the window paints the `Screen` the till answers with. Device and network events
arrive as Qt signals from their own threads; nothing here waits on a device.
"""

from __future__ import annotations

import time
from functools import partial
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QPushButton, QVBoxLayout, QWidget

from drivers.cards.base import BadRead, CardTap, ReaderStatus
from sync.records import Product
from terminal.app import Till
from terminal.print_queue import PrintRecord
from terminal.session import Panel
from terminal.ui import theme
from terminal.ui.basket_view import BasketView
from terminal.ui.card_panel import CardPanel, PhotoCache
from terminal.ui.product_grid import ProductGrid
from terminal.ui.status_bar import TillStatusBar

MENU_REFRESH_MS = 250


class Bridge(QObject):
    """Carries events from reader, printer and sync threads onto the UI thread."""

    tapped = Signal(object)
    bad_read = Signal(object)
    reader_status = Signal(object)
    print_changed = Signal(object)


class MainWindow(QMainWindow):
    def __init__(self, till: Till) -> None:
        super().__init__()
        self.till = till
        self.bridge = Bridge()
        self.photos = PhotoCache()
        self.setWindowTitle(f"canteen-till · {till.unit.name} · {till.config.till_id}")
        self.setStyleSheet(theme.STYLE)
        self.resize(*theme.WINDOW_SIZE)

        root = QWidget()
        root.setObjectName("root")
        row = QHBoxLayout(root)
        row.setContentsMargins(10, 10, 10, 10)
        row.setSpacing(10)
        self.grid = ProductGrid(till.products, till.unit.currency)
        self.card_panel = CardPanel()
        self.card_panel.setFixedWidth(380)
        right = QVBoxLayout()
        self.basket = BasketView()
        right.addWidget(self.basket, 1)
        buttons = QHBoxLayout()
        self.cancel_button = self._button("Cancel sale\nEsc", self.cancel)
        self.void_button = self._button("Void line\nDel", self.void_line)
        self.reprint_button = self._button("Reprint\nF5", self.reprint)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.void_button)
        buttons.addWidget(self.reprint_button)
        right.addLayout(buttons)
        more = QHBoxLayout()
        self.topup_button = self._button("Cash top-up  F7", self.start_topup)
        self.void_sale_button = self._button("Void last sale  F8", self.void_last_sale)
        more.addWidget(self.topup_button)
        more.addWidget(self.void_sale_button)
        right.addLayout(more)
        self.print_button = self._button("Print receipt  F6", self.print_on_request)
        right.addWidget(self.print_button)
        self.charge_button = self._button("Charge card  ⏎", self.charge)
        self.charge_button.setObjectName("charge")
        self.charge_button.setMinimumHeight(theme.TOUCH_MIN_HEIGHT + 8)
        right.addWidget(self.charge_button)
        row.addWidget(self.grid, 1)
        row.addWidget(self.card_panel)
        right_holder = QWidget()
        right_holder.setLayout(right)
        right_holder.setFixedWidth(390)
        row.addWidget(right_holder)
        self.setCentralWidget(root)
        self.status = TillStatusBar()
        self.setStatusBar(self.status)

        self.grid.product_chosen.connect(self.add_product)
        self.card_panel.autoload_answered.connect(self.answer_autoload)
        self.card_panel.topup_chosen.connect(self.topup)
        self.bridge.tapped.connect(self.on_tap)
        self.bridge.bad_read.connect(self.on_bad_read)
        self.bridge.reader_status.connect(lambda _s: self.refresh_status())
        self.bridge.print_changed.connect(self.on_print_changed)
        self._shortcuts()

        self.status_timer = QTimer(self)
        self.status_timer.timeout.connect(self.refresh_status)
        self.status_timer.start(1000)
        # What the sync client wrote into the store (prices, sold out) is on screen within this.
        self.menu_timer = QTimer(self)
        self.menu_timer.timeout.connect(self.refresh_menu)
        self.menu_timer.start(MENU_REFRESH_MS)
        self.refresh()
        self.refresh_status()

    # -- wiring --------------------------------------------------------------------------------
    def attach_devices(self) -> None:
        """Start the reader with callbacks that hop onto the UI thread."""
        self.till.start_devices(
            on_tap=self.bridge.tapped.emit,
            on_bad_read=self.bridge.bad_read.emit,
            on_reader_status=self.bridge.reader_status.emit,
            on_print=self.bridge.print_changed.emit,
        )

    def _button(self, text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumHeight(theme.TOUCH_MIN_HEIGHT - 8)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(slot)
        return button

    def _shortcuts(self) -> None:
        wedge = self.till.uses_keyboard_reader()
        # With a keyboard-wedge reader, Enter and the product keys may belong to a card number:
        # keyPressEvent asks the reader first.
        keys = {} if wedge else {"Return": self.charge, "Enter": self.charge}
        keys |= {
            "Escape": self.cancel,
            "Delete": self.void_line,
            "Backspace": self.void_line,
            "+": lambda: self.change_quantity(+1),
            "-": lambda: self.change_quantity(-1),
            "F1": lambda: self.answer_autoload(True),
            "F2": lambda: self.answer_autoload(False),
            "F5": self.reprint,
            "F6": self.print_on_request,
            "F7": self.start_topup,
            "F8": self.void_last_sale,
            "F9": self.toggle_network,
        }
        for key, slot in keys.items():
            QShortcut(QKeySequence(key), self, slot)
        if wedge:
            self.wedge_timer = QTimer(self)
            self.wedge_timer.timeout.connect(lambda: self.till.flush_keys(time.monotonic()))
            self.wedge_timer.start(50)
            return
        for product in self.till.products:
            if product.shortcut:
                QShortcut(QKeySequence(product.shortcut), self, partial(self.add_product, product))

    # -- cashier actions: each goes to the till, then the screen is painted again ----------
    def _do(self, action: object, *args: object) -> None:
        assert callable(action)
        action(*args)
        self.refresh()

    def add_product(self, product: Product) -> None:
        self._do(self.till.add, product)

    def press_shortcut(self, key: str) -> bool:
        product = self.till.product_for_key(key)
        if product is not None:
            self.add_product(product)
        return product is not None

    def change_quantity(self, delta: int) -> None:
        row = self.basket.selected_row()
        if row is not None:
            self._do(self.till.change_quantity, row, delta)

    def void_line(self) -> None:
        row = self.basket.selected_row()
        if row is not None:
            self._do(self.till.void_line, row)

    def cancel(self) -> None:
        self._do(self.till.cancel)

    def charge(self) -> None:
        self._do(self.till.charge)

    def answer_autoload(self, accepted: bool) -> None:
        self._do(self.till.answer_autoload, accepted)

    def reprint(self) -> None:
        self._do(self.till.reprint)

    def print_on_request(self) -> None:
        self._do(self.till.print_on_request)

    def start_topup(self) -> None:
        self._do(self.till.start_topup)

    def topup(self, amount: int) -> None:
        self._do(self.till.topup, amount)

    def void_last_sale(self) -> None:
        """F8 twice: give the last sale back to its card, with a void receipt."""
        self._do(self.till.void_pressed)

    def toggle_network(self) -> None:
        self.till.toggle_network()
        self.refresh_status()

    # -- device events -----------------------------------------------------------------------
    def on_tap(self, tap: CardTap) -> None:
        """The tap path: the till normalises, looks up and decides; the window paints."""
        self._do(self.till.tap, tap)

    def on_bad_read(self, bad: BadRead) -> None:
        if bad.typing:
            # A person typed, not a reader: the keys were product shortcuts after all.
            for char in bad.raw:
                self.press_shortcut(char)
            return
        self._do(self.till.bad_read, bad)

    def on_print_changed(self, record: PrintRecord) -> None:
        if self.till.closed:
            return  # a late event from a device thread after the till shut down
        self.till.note_print(record)
        self.refresh_status()

    # -- rendering ---------------------------------------------------------------------------
    def refresh(self) -> None:
        screen = self.till.screen()
        self.grid.set_level(screen.level)
        currency = self.till.unit.currency
        self.basket.show_lines(screen.lines, screen.total, currency, screen.level.value)
        panel, view, paid = screen.panel, screen.card, screen.last_paid
        if panel is Panel.IDLE:
            self.card_panel.show_idle(screen.problem)
        elif view is not None:
            sha = screen.photo_sha256
            photo = self.photos.get(sha, self.till.photo) if sha else None
            self.card_panel.show_card(view, photo, photo_broken=sha is not None and photo is None)
        if panel is Panel.CONSENT and view is not None:
            self.card_panel.ask_autoload(view.verdict)
        elif panel is Panel.TOPUP:
            self.card_panel.ask_topup(currency)
        elif panel is Panel.PAID and paid is not None:
            self.card_panel.show_paid(paid)
        if screen.notice:
            self.card_panel.message.setText(screen.notice)
        self.charge_button.setEnabled(screen.can_charge)
        self.void_button.setEnabled(screen.can_void_line)
        self.print_button.setVisible(screen.print_button)
        self.print_button.setEnabled(screen.can_print)

    def refresh_menu(self) -> None:
        if not self.till.closed and self.till.refresh_menu():
            self.grid.set_products(self.till.products, self.till.unit.currency)
            self.refresh()

    def refresh_status(self) -> None:
        if self.till.closed:
            return
        status = self.till.status()
        local = status.now.astimezone(ZoneInfo(self.till.unit.timezone))
        self.status.show_status(status, f"{local:%H:%M}")

    def reader_status(self) -> ReaderStatus:
        return self.till.reader_status()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """Only reached for keys no shortcut took: with a keyboard-wedge reader, all of them."""
        now = time.monotonic()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if not self.till.feed_enter(now):
                self.charge()
            return
        if self.till.feed_key(event.text(), now):
            return
        if self.press_shortcut(event.text()):
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.status_timer.stop()
        self.menu_timer.stop()
        self.till.close()
        super().closeEvent(event)
