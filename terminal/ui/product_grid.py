"""Products by category as large touch buttons, each with its price at the current level."""

from __future__ import annotations

import textwrap

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
)

from sync.records import PriceLevel, Product
from terminal.i18n import translate
from terminal.money import format_money
from terminal.pricing import price_of
from terminal.ui import theme

COLUMNS = 3


class ProductGrid(QFrame):
    product_chosen = Signal(object)

    def __init__(self, products: list[Product], currency: str) -> None:
        super().__init__()
        self.setObjectName("panel")
        self._products = products
        self._currency = currency
        self._level = PriceLevel.STUDENT
        self.categories: list[str] = []
        self.current = ""
        self.buttons: dict[str, QPushButton] = {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        self._tabs = QGridLayout()
        self._tabs.setSpacing(6)
        self._group = QButtonGroup(self)
        self.category_buttons: dict[str, QPushButton] = {}
        self._make_tabs()
        outer.addLayout(self._tabs)
        self._grid = QGridLayout()
        self._grid.setSpacing(10)
        grid_holder = QHBoxLayout()
        grid_holder.addLayout(self._grid)
        grid_holder.addStretch(1)
        outer.addLayout(grid_holder)
        outer.addStretch(1)
        if self.current:
            self.show_category(self.current)

    def _make_tabs(self) -> None:
        first: dict[str, int] = {}
        for p in self._products:
            first[p.category] = min(first.get(p.category, p.position), p.position)
        # The menu's own order (positions), not the alphabet: mains before drinks.
        categories = sorted(first, key=lambda c: (first[c], c))
        if self.current not in first:
            self.current = categories[0] if categories else ""
        if categories == self.categories and self.category_buttons:
            return  # the same tabs: kept as they are, no flicker
        self.categories = categories
        for button in self.category_buttons.values():
            self._group.removeButton(button)
            button.deleteLater()
        self.category_buttons.clear()
        for i, category in enumerate(self.categories):
            button = QPushButton(category)
            button.setObjectName("category")
            button.setCheckable(True)
            button.setMinimumHeight(52)
            button.clicked.connect(lambda _=False, c=category: self.show_category(c))
            self._group.addButton(button)
            self.category_buttons[category] = button
            self._tabs.addWidget(button, i // 4, i % 4)

    def set_products(self, products: list[Product], currency: str) -> None:
        """The menu changed in the store (a price, a product sold out, added or gone): show
        it, on the category shown before when it is still there."""
        self._products = products
        self._currency = currency
        self._make_tabs()
        if self.current:
            self.show_category(self.current)
        else:
            self._clear_grid()

    def set_level(self, level: PriceLevel) -> None:
        if level is not self._level:
            self._level = level
            self._refresh_labels()

    def show_category(self, category: str) -> None:
        self.current = category
        self.category_buttons[category].setChecked(True)
        self._clear_grid()
        shown = [p for p in self._products if p.category == category]
        for i, product in enumerate(shown):
            button = QPushButton()
            button.setObjectName("product")
            button.setFixedSize(172, theme.TOUCH_MIN_HEIGHT + 28)
            button.clicked.connect(lambda _=False, p=product: self.product_chosen.emit(p))
            self.buttons[product.product_id] = button
            self._grid.addWidget(button, i // COLUMNS, i % COLUMNS)
        self._refresh_labels()

    def _clear_grid(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.buttons.clear()

    def _refresh_labels(self) -> None:
        for product in self._products:
            button = self.buttons.get(product.product_id)
            if button is None:
                continue
            price = format_money(price_of(product, self._level), self._currency)
            key = f"  [{product.shortcut}]" if product.shortcut else ""
            # Buttons do not wrap text themselves; a long name must not be cut off.
            name = textwrap.fill(product.name, 16, max_lines=2, placeholder="…")
            if product.sold_out:  # greyed (the theme's disabled button) and not pressable
                sold_out = translate("screen", "sold out")
                button.setText(f"{name}\n{sold_out}")
            else:
                button.setText(f"{name}\n{price}{key}")
            button.setEnabled(not product.sold_out)
