"""A small scheme (unit, menu, four cardholders) shared by the session and screen tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardState,
    PriceLevel,
    Product,
    Unit,
)
from sync.store import Store

NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
TODAY = date(2026, 11, 21)
UNIT = Unit(
    "mensa-nord",
    "Mensa Nord",
    "mensa",
    "Europe/Berlin",
    "EUR",
    "Studierendenwerk Nordstadt",
    "Uniweg 1, 12345 Nordstadt",
    "DE123456789",
)
P = {PriceLevel.STUDENT: 350, PriceLevel.STAFF: 520, PriceLevel.GUEST: 690}
PRODUCTS = [
    Product("meal", "Menü 1", "Mains", P, 700, "1", 1),
    Product(
        "coffee",
        "Kaffee",
        "Drinks",
        {PriceLevel.STUDENT: 120, PriceLevel.STAFF: 150, PriceLevel.GUEST: 180},
        1900,
        "2",
        2,
    ),
    Product(
        "choc",
        "Schokoriegel",
        "Sweets",
        {PriceLevel.STUDENT: 90, PriceLevel.STAFF: 90, PriceLevel.GUEST: 110},
        700,
        "3",
        3,
    ),
]
HERE = frozenset({"mensa"})
PHOTO_SHA = "0" * 64


def holder(hid: str, name: str, **kw: object) -> Cardholder:
    return Cardholder(hid, name, kw.pop("photo", None), kw.pop("units", HERE), **kw)  # type: ignore[arg-type]


def seed_scheme(store: Store) -> None:
    store.upsert_unit(UNIT)
    store.upsert_products(PRODUCTS)
    store.upsert_cardholders(
        [
            holder("h-anna", "Anna Berg"),
            holder("h-low", "Lars Low"),
            holder("h-block", "Bea Blocked"),
            holder("h-kid", "Kim Kid", blocked_categories=frozenset({"Sweets"})),
        ]
    )
    store.upsert_accounts(
        [
            Account("a-anna", "h-anna", "EUR", 5000, PriceLevel.STUDENT),
            Account("a-low", "h-low", "EUR", 200, PriceLevel.STUDENT),
            Account("a-block", "h-block", "EUR", 5000, PriceLevel.STAFF),
            Account("a-kid", "h-kid", "EUR", 2000, PriceLevel.STUDENT),
        ]
    )
    store.upsert_cards(
        [
            Card("AA000001", "a-anna", CardState.ACTIVE),
            Card("AA000002", "a-low", CardState.ACTIVE),
            Card("AA000003", "a-block", CardState.BLOCKED),
            Card("AA000004", "a-kid", CardState.ACTIVE),
        ]
    )
    store.upsert_agreements([AutoloadAgreement("a-low", 1000, 2000, date(2026, 1, 1))])
