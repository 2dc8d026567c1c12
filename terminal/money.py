"""Money as integer minor units with a currency (D-ACC-1): no float ever touches an amount."""

from __future__ import annotations

from dataclasses import dataclass

# Minor units per major unit; all the schemes we serve use two decimals.
CURRENCIES: dict[str, tuple[int, str]] = {
    "EUR": (2, "€"),
    "DKK": (2, "kr."),
    "SEK": (2, "kr"),
}


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


@dataclass(frozen=True, slots=True, order=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError(f"Money.minor must be int minor units, got {type(self.minor).__name__}")
        if self.currency not in CURRENCIES:
            raise ValueError(
                f"unknown currency {self.currency!r}; expected one of {sorted(CURRENCIES)}"
            )

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} cannot be combined")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.minor * quantity, self.currency)

    def __str__(self) -> str:
        return format_money(self.minor, self.currency)


def format_money(minor: int, currency: str) -> str:
    """Format the way the cardholders of our schemes read money: comma decimals, symbol after."""
    digits, symbol = CURRENCIES[currency]
    sign = "-" if minor < 0 else ""
    major, rest = divmod(abs(minor), 10**digits)
    grouped = f"{major:,}".replace(",", ".")
    return f"{sign}{grouped},{rest:0{digits}d} {symbol}"


def parse_money(text: str, currency: str) -> Money:
    """Parse '12,50', '12.50' or '12' into minor units; refuse anything with more decimals."""
    digits, _ = CURRENCIES[currency]
    raw = text.strip().replace(" ", "")
    negative = raw.startswith("-")
    raw = raw.lstrip("+-")
    sep = "," if "," in raw else "."
    major_s, _, minor_s = raw.partition(sep)
    if not major_s.isdigit() or (minor_s and not minor_s.isdigit()) or len(minor_s) > digits:
        raise ValueError(f"not an amount in {currency}: {text!r}")
    minor = int(major_s) * 10**digits + int(minor_s.ljust(digits, "0") or "0")
    return Money(-minor if negative else minor, currency)
