"""How amounts are shown (`terminal.money`) and which price a cardholder pays
(`terminal.pricing`): exact strings, every currency, the edges of each rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sync.money import UnknownMoneyLocale
from sync.records import Account, PriceLevel, Product
from terminal.money import CURRENCIES, format_money, use_locale
from terminal.pricing import effective_level, price_of


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (0, "EUR", "0,00 €"),
        (1, "EUR", "0,01 €"),
        (10, "EUR", "0,10 €"),
        (99, "EUR", "0,99 €"),
        (100, "EUR", "1,00 €"),
        (1050, "EUR", "10,50 €"),
        (99999, "EUR", "999,99 €"),
        (100000, "EUR", "1.000,00 €"),
        (123456789, "EUR", "1.234.567,89 €"),
        (-1, "EUR", "-0,01 €"),
        (-123456, "EUR", "-1.234,56 €"),
        (2500, "DKK", "25,00 kr."),
        (-2500, "DKK", "-25,00 kr."),
        (30000, "SEK", "300,00 kr"),
        (2500000, "SEK", "25 000,00 kr"),  # Swedish groups with a space
        (123450, "DKK", "1.234,50 kr."),
        (-123450, "SEK", "-1 234,50 kr"),
    ],
)
def test_d_acc_1_minor_units_shown_with_comma_decimals_and_symbol_after(
    minor: int, currency: str, text: str
) -> None:
    """D-ACC-1: whole minor units shown as the cardholders read them: 1.234,56 €."""
    assert format_money(minor, currency) == text


def test_d_acc_1_the_three_currencies_of_our_schemes() -> None:
    """D-ACC-1: SEK, DKK and EUR, each read in its own country's locale by default; no other
    currency is shown."""
    assert CURRENCIES == {"EUR": "de_DE", "DKK": "da_DK", "SEK": "sv_SE"}
    with pytest.raises(KeyError):
        format_money(100, "USD")


@pytest.mark.parametrize(
    ("locale", "text"),
    [("de_AT", "€ 1.234,50"), ("en_IE", "€1,234.50"), ("de_DE", "1.234,50 €")],
)
def test_d_unit_1_a_unit_shows_money_in_its_own_locale(locale: str, text: str) -> None:
    """D-UNIT-1: a unit's locale (scheme data) decides how its money reads, through Babel."""
    assert format_money(123450, "EUR", locale) == text
    use_locale("EUR", locale)
    try:
        assert format_money(123450, "EUR") == text
    finally:
        use_locale("EUR", None)
    assert format_money(123450, "EUR") == "1.234,50 €"


def test_an_unknown_locale_is_named() -> None:
    with pytest.raises(UnknownMoneyLocale, match="'xx_YY'"):
        use_locale("EUR", "xx_YY")


def account(expires: date | None, level: PriceLevel = PriceLevel.STUDENT) -> Account:
    return Account("a1", "h1", "EUR", 0, level, expires)


@pytest.mark.parametrize(
    ("days_after_expiry", "level"),
    [(-1, PriceLevel.STUDENT), (0, PriceLevel.STUDENT), (1, PriceLevel.GUEST)],
)
def test_d_acc_3_guest_price_from_the_day_after_membership_expiry(
    days_after_expiry: int, level: PriceLevel
) -> None:
    """D-ACC-3: the member's level holds through the expiry date; the guest price after it."""
    expiry = date(2026, 6, 30)
    today = expiry + timedelta(days=days_after_expiry)
    assert effective_level(account(expiry), today) is level


def test_d_acc_3_no_expiry_keeps_the_level() -> None:
    """D-ACC-3: without an expiry date the account's level always applies."""
    assert effective_level(account(None, PriceLevel.STAFF), date(2099, 1, 1)) is PriceLevel.STAFF


MEAL = Product(
    "meal",
    "Menü 1",
    "Mains",
    {PriceLevel.STUDENT: 350, PriceLevel.STAFF: 520, PriceLevel.GUEST: 690},
    700,
)


@pytest.mark.parametrize(
    ("level", "price"),
    [(PriceLevel.STUDENT, 350), (PriceLevel.STAFF, 520), (PriceLevel.GUEST, 690)],
)
def test_d_acc_3_each_level_pays_its_price(level: PriceLevel, price: int) -> None:
    """D-ACC-3: a product priced for every level charges each level its own price."""
    assert price_of(MEAL, level) == price


def test_d_acc_3_a_guest_price_alone_is_charged_to_every_level() -> None:
    """D-ACC-3: a product priced only for guests charges that price to all."""
    coffee = Product("coffee", "Kaffee", "Drinks", {PriceLevel.GUEST: 180}, 700)
    assert [price_of(coffee, level) for level in PriceLevel] == [180, 180, 180]


def test_d_acc_3_no_price_for_the_level_nor_for_guests_is_an_error_naming_both() -> None:
    """D-ACC-3: a product without a price for the level and none for guests cannot be sold."""
    student_only = Product("bun", "Brötchen", "Bakery", {PriceLevel.STUDENT: 90}, 700)
    assert price_of(student_only, PriceLevel.STUDENT) == 90
    with pytest.raises(KeyError) as raised:
        price_of(student_only, PriceLevel.STAFF)
    assert raised.value.args == ("product 'bun' has no price for staff or guest",)
