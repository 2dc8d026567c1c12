"""Amounts are integer minor units (D-ACC-1), never floats; this shows them to people.

Through Babel, in the unit's locale: sv_SE writes 25 000,00 kr, da_DK 1.234,50 kr., de_DE
1.234,50 €. In `sync/` because the till, its receipts and the server's command line all show
money the same way.
"""

from __future__ import annotations

from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency

# The locale each currency of our schemes is read in when a unit names none.
CURRENCIES: dict[str, str] = {"EUR": "de_DE", "DKK": "da_DK", "SEK": "sv_SE"}
MINOR_DIGITS = 2  # all three have two decimals

# Babel separates groups and the symbol with no-break spaces; a receipt printer's code page
# has no such character and the tests read what a person reads, so they become plain spaces.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})
_unit_locales: dict[str, str] = {}


class UnknownMoneyLocale(ValueError):
    """A locale name Babel does not know (from scheme data or a till's config)."""


def check_locale(name: str) -> str:
    """The locale name, if Babel knows it; else an error that names it."""
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError) as exc:
        raise UnknownMoneyLocale(
            f"unknown locale {name!r} (expected e.g. de_DE, sv_SE, da_DK)"
        ) from exc
    return name


def use_locale(currency: str, locale: str | None) -> None:
    """Show `currency` in `locale` from now on (the unit's); None: back to the default."""
    if currency not in CURRENCIES:
        raise KeyError(currency)
    if locale:
        _unit_locales[currency] = check_locale(locale)
    else:
        _unit_locales.pop(currency, None)


def locale_for(currency: str) -> str:
    return _unit_locales.get(currency) or CURRENCIES[currency]


def format_money(minor: int, currency: str, locale: str | None = None) -> str:
    """`minor` minor units of `currency` as its readers write them; KeyError for a currency
    none of our schemes uses."""
    where = locale or locale_for(currency)  # KeyError for an unknown currency
    amount = Decimal(minor).scaleb(-MINOR_DIGITS)
    return format_currency(amount, currency, locale=where).translate(_SPACES)
