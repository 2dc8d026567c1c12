"""The tray being rung up: products and quantities, priced only when a level is known."""

from __future__ import annotations

from dataclasses import dataclass

from sync.records import PriceLevel, Product, SaleLine
from terminal.pricing import price_of

MAX_QUANTITY = 99


@dataclass(slots=True)
class BasketLine:
    product: Product
    quantity: int


class Basket:
    def __init__(self) -> None:
        self._lines: list[BasketLine] = []

    @property
    def lines(self) -> tuple[BasketLine, ...]:
        return tuple(self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def is_empty(self) -> bool:
        return not self._lines

    def add(self, product: Product, quantity: int = 1) -> None:
        """Add to the line of the same product, so a tray of two coffees reads '2 x Coffee'."""
        if quantity < 1:
            raise ValueError(f"quantity must be at least 1, got {quantity}")
        for line in self._lines:
            if line.product.product_id == product.product_id:
                line.quantity = min(MAX_QUANTITY, line.quantity + quantity)
                return
        self._lines.append(BasketLine(product, min(MAX_QUANTITY, quantity)))

    def set_quantity(self, index: int, quantity: int) -> None:
        if not 0 <= index < len(self._lines):
            raise IndexError(f"no basket line {index}")
        if quantity < 1:
            self.void_line(index)
            return
        self._lines[index].quantity = min(MAX_QUANTITY, quantity)

    def void_line(self, index: int) -> None:
        if not 0 <= index < len(self._lines):
            raise IndexError(f"no basket line {index}")
        del self._lines[index]

    def clear(self) -> None:
        self._lines.clear()

    def categories(self) -> set[str]:
        return {line.product.category for line in self._lines}

    def priced(self, level: PriceLevel) -> list[SaleLine]:
        """D-PAY-3: the lines a sale keeps, at the tapped card's price level."""
        return [
            SaleLine(
                product_id=line.product.product_id,
                name=line.product.name,
                category=line.product.category,
                quantity=line.quantity,
                unit_price=price_of(line.product, level),
                vat_rate_bp=line.product.vat_rate_bp,
            )
            for line in self._lines
        ]

    def total(self, level: PriceLevel) -> int:
        return sum(line.amount for line in self.priced(level))
