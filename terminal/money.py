"""Amounts are integer minor units (D-ACC-1), never floats; this shows them to people."""

from __future__ import annotations

# Minor units per major unit; all the schemes we serve use two decimals.
CURRENCIES: dict[str, tuple[int, str]] = {
    "EUR": (2, "€"),
    "DKK": (2, "kr."),
    "SEK": (2, "kr"),
}


def format_money(minor: int, currency: str) -> str:
    """Format the way the cardholders of our schemes read money: comma decimals, symbol after."""
    digits, symbol = CURRENCIES[currency]
    sign = "-" if minor < 0 else ""
    major, rest = divmod(abs(minor), 10**digits)
    grouped = f"{major:,}".replace(",", ".")
    return f"{sign}{grouped},{rest:0{digits}d} {symbol}"
