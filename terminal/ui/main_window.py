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
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from drivers.cards.base import BadRead, CardTap, ReaderStatus
from sync.records import Product
from terminal.app import Till
from terminal.i18n import translate
from terminal.print_queue import PrintRecord
from terminal.session import Panel
from terminal.ui import theme
from terminal.ui.basket_view import BasketView
from terminal.ui.card_panel import CardPanel, PhotoCache
from terminal.ui.customer_display import CustomerDisplay
from terminal.ui.product_grid import ProductGrid
from terminal.ui.status_bar import TillStatusBar
from terminal.ui.texts import wrapping_label

MENU_REFRESH_MS = 250


class Bridge(QObject):
    """Carries events from reader, printer and sync threads onto the UI thread."""

    tapped = Signal(object)
    bad_read = Signal(object)
    reader_status = Signal(object)
    print_changed = Signal(object)
    typed = Signal(str, str)  # ("ring", product id) or ("key", key name): the demo's counter


class MainWindow(QMainWindow):
    """Three columns (products, card panel, tray) on a landscape screen; on a portrait one the
    card panel on top and products and tray side by side below it. Text sizes follow the
    window's size and the till's `[screen] font_scale`; nothing in it has a fixed width."""

    def __init__(self, till: Till) -> None:
        super().__init__()
        self.till = till
        self.screen_config = till.config.screen
        self.bridge = Bridge()
        self.photos = PhotoCache()
        self.setWindowTitle(f"canteen-till · {till.unit.name} · {till.config.till_id}")
        self.scale = 0.0
        self.portrait: bool | None = None

        root = QWidget()
        root.setObjectName("root")
        self.columns = QGridLayout(root)
        self.columns.setContentsMargins(10, 10, 10, 10)
        self.columns.setSpacing(10)
        self.grid = ProductGrid(till.products, till.unit.currency)
        self.card_panel = CardPanel()
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        self.basket = BasketView()
        right.addWidget(self.basket, 1)
        quantity = QHBoxLayout()
        self.minus_button = self._button("−", lambda: self.change_quantity(-1))
        self.plus_button = self._button("+", lambda: self.change_quantity(+1))
        for button in (self.minus_button, self.plus_button):
            button.setObjectName("key")
            quantity.addWidget(button)
        right.addLayout(quantity)
        buttons = QHBoxLayout()
        self.cancel_button = self._button(translate("screen", "Cancel sale\nEsc"), self.cancel)
        self.void_button = self._button(translate("screen", "Void line\nDel"), self.void_line)
        self.reprint_button = self._button(translate("screen", "Reprint\nF5"), self.reprint)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.void_button)
        buttons.addWidget(self.reprint_button)
        right.addLayout(buttons)
        more = QHBoxLayout()
        self.topup_button = self._button(translate("screen", "Cash top-up\nF7"), self.start_topup)
        self.void_sale_button = self._button(
            translate("screen", "Void last sale\nF8"), self.void_last_sale
        )
        more.addWidget(self.topup_button)
        more.addWidget(self.void_sale_button)
        right.addLayout(more)
        self.print_button = self._button(
            translate("screen", "Print receipt  F6"), self.print_on_request
        )
        right.addWidget(self.print_button)
        # Why Charge waits, or what Enter does now, written right on top of the button.
        self.charge_hint = wrapping_label("", "chargeHint")
        right.addWidget(self.charge_hint)
        self.charge_button = self._button(translate("screen", "Charge card  ⏎"), self.charge)
        self.charge_button.setObjectName("charge")
        right.addWidget(self.charge_button)
        self.right = QWidget()
        self.right.setLayout(right)
        self.setCentralWidget(root)
        self.status = TillStatusBar()
        self.setStatusBar(self.status)
        self.customer: CustomerDisplay | None = None
        if self.screen_config.customer_display != "off":
            self.customer = CustomerDisplay(till.unit.currency, font_scale=self._font_scale())
        self.resize(*theme.WINDOW_SIZE)
        self._fit_to(self.width(), self.height())

        self.grid.product_chosen.connect(self.add_product)
        self.card_panel.autoload_answered.connect(self.answer_autoload)
        self.card_panel.topup_chosen.connect(self.keypad_preset)
        self.card_panel.keypad_key.connect(self.keypad_key)
        self.card_panel.keypad_enter.connect(self.charge)
        self.card_panel.keypad_cancel.connect(self.cancel)
        self.card_panel.arrears_requested.connect(self.start_arrears)
        self.card_panel.reprint_requested.connect(self.reprint)
        self.bridge.tapped.connect(self.on_tap)
        self.bridge.bad_read.connect(self.on_bad_read)
        self.bridge.reader_status.connect(lambda _s: self.refresh_status())
        self.bridge.print_changed.connect(self.on_print_changed)
        self.bridge.typed.connect(self.on_typed)
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

    def present(self, size: tuple[int, int] | None = None) -> None:
        """Show the till: full screen in kiosk mode, else a window of `size` (or its own);
        and the customer display, if the till has one."""
        if self.screen_config.fullscreen:
            self.showFullScreen()
        else:
            if size is not None:
                self.resize(*size)
            self.show()
        if self.customer is not None:
            self.customer.present(
                full_screen=self.screen_config.customer_display == "screen",
                beside=self.screen(),
            )

    def _font_scale(self) -> float:
        return self.screen_config.font_scale or 1.0

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_to(event.size().width(), event.size().height())

    def _fit_to(self, width: int, height: int) -> None:
        """Arrange the columns for the window's shape and size the texts for its size."""
        portrait = height > width
        if portrait != self.portrait:
            self.portrait = portrait
            self._arrange(portrait)
        scale = theme.screen_scale(width, height, self._font_scale())
        if scale != self.scale:
            self.scale = scale
            self.setStyleSheet(theme.style(scale))
            for button in (self.cancel_button, self.void_button, self.reprint_button):
                button.setMinimumHeight(round((theme.TOUCH_MIN_HEIGHT - 8) * scale))
            for button in (self.minus_button, self.plus_button):
                button.setMinimumHeight(round((theme.TOUCH_MIN_HEIGHT - 24) * scale))
            for button in (self.topup_button, self.void_sale_button, self.print_button):
                button.setMinimumHeight(round((theme.TOUCH_MIN_HEIGHT - 8) * scale))
            self.charge_button.setMinimumHeight(round((theme.TOUCH_MIN_HEIGHT + 8) * scale))
            self.card_panel.set_scale(scale)
            self.grid.set_scale(scale)
            self.basket.set_scale(scale)
        self.status.set_rows(2 if portrait else 1)

    def _arrange(self, portrait: bool) -> None:
        grid = self.columns
        for widget in (self.grid, self.card_panel, self.right):
            grid.removeWidget(widget)
        for i in range(3):
            grid.setColumnStretch(i, 0)
            grid.setRowStretch(i, 0)
        if portrait:
            grid.addWidget(self.card_panel, 0, 0, 1, 2)
            grid.addWidget(self.grid, 1, 0)
            grid.addWidget(self.right, 1, 1)
            grid.setRowStretch(0, 5)
            grid.setRowStretch(1, 6)
            grid.setColumnStretch(0, 1)
            grid.setColumnStretch(1, 1)
        else:
            grid.addWidget(self.grid, 0, 0)
            grid.addWidget(self.card_panel, 0, 1)
            grid.addWidget(self.right, 0, 2)
            grid.setRowStretch(0, 1)
            for column, stretch in enumerate((9, 10, 9)):
                grid.setColumnStretch(column, stretch)

    def _button(self, text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
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
            "Backspace": self.backspace,
            "+": lambda: self.change_quantity(+1),
            "-": lambda: self.change_quantity(-1),
            "F1": lambda: self.answer_autoload(True),
            "F2": lambda: self.answer_autoload(False),
            "F5": self.reprint,
            "F6": self.print_on_request,
            "F4": self.start_arrears,
            "F7": self.start_topup,
            "F8": self.void_last_sale,
            "F9": self.toggle_network,
        }
        self.key_actions = keys
        for key, slot in keys.items():
            QShortcut(QKeySequence(key), self, slot)
        if wedge:
            self.wedge_timer = QTimer(self)
            self.wedge_timer.timeout.connect(lambda: self.till.flush_keys(time.monotonic()))
            self.wedge_timer.start(50)
            return
        for digit in "0123456789":
            QShortcut(QKeySequence(digit), self, partial(self.press_shortcut, digit))
        for product in self.till.products:
            if product.shortcut and not product.shortcut.isdigit():
                QShortcut(
                    QKeySequence(product.shortcut),
                    self,
                    partial(self.press_shortcut, product.shortcut),
                )

    # -- cashier actions: each goes to the till, then the screen is painted again ----------
    def _do(self, action: object, *args: object) -> None:
        assert callable(action)
        action(*args)
        self.refresh()

    def add_product(self, product: Product) -> None:
        self._do(self.till.add, product)

    def press_shortcut(self, key: str) -> bool:
        """A product's key; with the cash keypad open, a digit is typed into it instead."""
        if key.isdigit() and self.till.keypad_open():
            self.keypad_key(key)
            return True
        product = self.till.product_for_key(key)
        if product is not None:
            self.add_product(product)
        return product is not None

    def change_quantity(self, delta: int) -> None:
        row = self.basket.selected_row()
        if row is not None:
            self._do(self.till.change_quantity, row, delta)

    def backspace(self) -> None:
        if self.till.keypad_open():
            self.keypad_key("back")
        else:
            self.void_line()

    def keypad_key(self, key: str) -> None:
        self._do(self.till.keypad_key, key)

    def keypad_preset(self, amount: int) -> None:
        self._do(self.till.keypad_preset, amount)

    def start_arrears(self) -> None:
        self._do(self.till.start_arrears)

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

    def on_typed(self, kind: str, value: str) -> None:
        """A product rung up or a key pressed from another shell (the demo's counter socket)."""
        if kind == "ring":
            product = next((p for p in self.till.products if p.product_id == value), None)
            if product is not None:
                self.add_product(product)
        elif value in self.key_actions:
            self.key_actions[value]()
        elif value in ("Return", "Enter"):
            if not self.till.feed_enter(time.monotonic()):
                self.charge()
        else:
            self.press_shortcut(value)

    # -- rendering ---------------------------------------------------------------------------
    def refresh(self) -> None:
        screen = self.till.screen()
        self.grid.set_level(screen.level)
        currency = self.till.unit.currency
        self.basket.show_lines(
            screen.lines, screen.total, currency, screen.level.value, screen.unavailable
        )
        panel, view, paid = screen.panel, screen.card, screen.last_paid
        if panel is Panel.IDLE:
            self.card_panel.show_idle(screen.problem)
        elif view is not None:
            sha = screen.photo_sha256
            source = None
            if sha is not None:
                side = self.card_panel.photo.side()
                if self.photos.get(sha, self.till.photo, side) is not None:
                    source = partial(self._photo, sha)
            self.card_panel.show_card(view, source, photo_broken=sha is not None and source is None)
        if panel is Panel.CONSENT and screen.autoload is not None:
            self.card_panel.ask_autoload(screen.autoload, currency)
        elif panel is Panel.TOPUP and screen.keypad is not None:
            self.card_panel.ask_topup(screen.keypad, currency)
        elif panel is Panel.PAID and paid is not None:
            self.card_panel.show_paid(paid)
        self.card_panel.show_extras(screen, currency)
        if screen.notice:
            self.card_panel.message.setText(screen.notice)
        self.charge_hint.setText(screen.charge_hint or "")
        self.charge_hint.setVisible(screen.charge_hint is not None)
        self.charge_button.setEnabled(screen.can_charge)
        self.minus_button.setEnabled(screen.can_void_line)
        self.plus_button.setEnabled(screen.can_void_line)
        self.void_button.setEnabled(screen.can_void_line)
        self.print_button.setVisible(screen.print_button)
        self.print_button.setEnabled(screen.can_print)
        if self.customer is not None:
            self.customer.show_screen(screen)

    def _photo(self, sha256: str, side: int) -> QPixmap | None:
        return self.photos.get(sha256, self.till.photo, side)

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
        if self.customer is not None:
            self.customer.close()
        self.till.close()
        super().closeEvent(event)
