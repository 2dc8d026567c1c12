"""Products by category as large touch buttons, each with its price at the current level.

The buttons share the panel's width: as many columns as fit buttons of a thumb's size at the
current text scale, and a product's name is wrapped (two lines at most, then "…") to the width
its button has, so a long name neither widens the panel nor is cut.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sync.records import PriceLevel, Product
from terminal.i18n import translate
from terminal.money import format_money
from terminal.pricing import price_of
from terminal.ui import theme

PRODUCT_WIDTH = 170  # px at scale 1: the narrowest a product button is made
CATEGORY_WIDTH = 130
MAX_COLUMNS = 4


def wrap_to_width(text: str, metrics: QFontMetrics, width: int, max_lines: int = 2) -> str:
    """`text` in lines no wider than `width`, at most `max_lines`; the last one elided."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = f"{lines[-1]} {' '.join(words)}"
    return "\n".join(metrics.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines)


class ShrinkingButton(QPushButton):
    """A button that accepts any width its layout gives it; its text is fitted by its owner."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(40, super().minimumSizeHint().height())


class ProductButton(ShrinkingButton):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("product")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.name = ""
        self.price_line = ""
        self.touch_height = theme.TOUCH_MIN_HEIGHT + 28

    def set_label(self, name: str, price_line: str) -> None:
        self.name, self.price_line = name, price_line
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        room = max(20, self.width() - 24)
        price = metrics.elidedText(self.price_line, Qt.TextElideMode.ElideRight, room)
        text = f"{wrap_to_width(self.name, metrics, room)}\n{price}"
        self.setFixedHeight(max(self.touch_height, metrics.height() * 3 + 28))
        if text != self.text():
            self.setText(text)


class ProductGrid(QFrame):
    product_chosen = Signal(object)

    def __init__(self, products: list[Product], currency: str) -> None:
        super().__init__()
        self.setObjectName("panel")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._products = products
        self._currency = currency
        self._level = PriceLevel.STUDENT
        self._scale = 1.0
        self.categories: list[str] = []
        self.current = ""
        self.buttons: dict[str, ProductButton] = {}

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
        outer.addLayout(self._grid)
        outer.addStretch(1)
        self._columns = (0, 0)
        self._place_tabs()
        if self.current:
            self.show_category(self.current)

    def _make_tabs(self) -> bool:
        """One tab per category, in the menu's order; False when they are the same as shown."""
        first: dict[str, int] = {}
        for p in self._products:
            first[p.category] = min(first.get(p.category, p.position), p.position)
        # The menu's own order (positions), not the alphabet: mains before drinks.
        categories = sorted(first, key=lambda c: (first[c], c))
        if self.current not in first:
            self.current = categories[0] if categories else ""
        if categories == self.categories and self.category_buttons:
            return False  # the same tabs: kept as they are, no flicker
        self.categories = categories
        for button in self.category_buttons.values():
            self._group.removeButton(button)
            self._tabs.removeWidget(button)
            button.deleteLater()
        self.category_buttons.clear()
        for category in self.categories:
            button = ShrinkingButton(category)
            button.setObjectName("category")
            button.setCheckable(True)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setFixedHeight(round(52 * self._scale))
            button.clicked.connect(lambda _=False, c=category: self.show_category(c))
            self._group.addButton(button)
            self.category_buttons[category] = button
        return True

    def set_products(self, products: list[Product], currency: str) -> None:
        """The menu changed in the store (a price, a product sold out, added or gone): show
        it, on the category shown before when it is still there."""
        self._products = products
        self._currency = currency
        if self._make_tabs():
            self._place_tabs()
        if self.current:
            self.show_category(self.current)
        else:
            self._clear_grid()

    def set_scale(self, scale: float) -> None:
        self._scale = scale
        for button in self.category_buttons.values():
            button.setFixedHeight(round(52 * scale))
        for button in self.buttons.values():
            button.touch_height = round((theme.TOUCH_MIN_HEIGHT + 28) * scale)
            button.set_label(button.name, button.price_line)
        self._reflow()

    def set_level(self, level: PriceLevel) -> None:
        if level is not self._level:
            self._level = level
            self._refresh_labels()

    def _column_counts(self) -> tuple[int, int]:
        width = self.contentsRect().width() - 24

        def fit(cell: int) -> int:
            return max(2, min(MAX_COLUMNS, width // max(1, round(cell * self._scale))))

        return fit(CATEGORY_WIDTH), fit(PRODUCT_WIDTH)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self) -> None:
        counts = self._column_counts()
        if counts != self._columns:
            self._columns = counts
            self._place_tabs()
            self._place_products()

    def _place_tabs(self) -> None:
        columns = self._columns[0] or MAX_COLUMNS
        for i, category in enumerate(self.categories):
            self._tabs.addWidget(self.category_buttons[category], i // columns, i % columns)

    def _place_products(self) -> None:
        columns = self._columns[1] or 3
        shown = [p for p in self._products if p.category == self.current]
        for i, product in enumerate(shown):
            button = self.buttons.get(product.product_id)
            if button is not None:
                self._grid.addWidget(button, i // columns, i % columns)
        for column in range(MAX_COLUMNS):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)

    def show_category(self, category: str) -> None:
        self.current = category
        self.category_buttons[category].setChecked(True)
        self._clear_grid()
        for product in self._products:
            if product.category != category:
                continue
            button = ProductButton()
            button.touch_height = round((theme.TOUCH_MIN_HEIGHT + 28) * self._scale)
            button.clicked.connect(lambda _=False, p=product: self.product_chosen.emit(p))
            self.buttons[product.product_id] = button
        self._place_products()
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
            if product.sold_out:  # greyed (the theme's disabled button) and not pressable
                button.set_label(product.name, translate("screen", "sold out"))
            else:
                button.set_label(product.name, f"{price}{key}")
            button.setEnabled(not product.sold_out)
