"""A small scheme (unit, menu, four cardholders) and helpers shared by the tests."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardState,
    EntryKind,
    JournalEntry,
    PriceLevel,
    Product,
    SaleLine,
    Unit,
)
from sync.store import Committed, Store

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


def _portrait() -> bytes:
    image = Image.new("RGB", (60, 80), (120, 140, 160))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# Every cardholder of this scheme has a photo on file, as most do: a test of a missing photo
# says so (photo=None), and the till's caution for it (D-CARD-4) stays out of other tests.
PORTRAIT = _portrait()
PORTRAIT_SHA = hashlib.sha256(PORTRAIT).hexdigest()


def holder(hid: str, name: str, **kw: object) -> Cardholder:
    return Cardholder(hid, name, kw.pop("photo", PORTRAIT_SHA), kw.pop("units", HERE), **kw)  # type: ignore[arg-type]


def seed_scheme(store: Store) -> None:
    store.upsert_unit(UNIT)
    store.upsert_products(PRODUCTS)
    store.put_photo(PORTRAIT_SHA, PORTRAIT)
    store.upsert_cardholders(
        [
            holder("h-anna", "Anna Berg"),
            holder("h-low", "Lars Low"),
            holder("h-block", "Bea Blocked"),
            holder("h-kid", "Kim Kid", photo=None, blocked_categories=frozenset({"Sweets"})),
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


def sell(
    store: Store,
    amount: int,
    account: str = "a1",
    card: str = "C1",
    *,
    offline: bool = False,
    at: datetime = NOW,
) -> Committed:
    """One single-line sale of `amount` minor units, as a till commits it."""
    return store.commit_sale(
        card_id=card,
        account_id=account,
        currency="EUR",
        lines=[SaleLine("m", "Menü", "Mains", 1, amount, 700)],
        price_level=PriceLevel.STUDENT,
        offline=offline,
        autoload_amount=None,
        created_at=at,
        business_day=TODAY,
    )


def journal_entry(
    kind: EntryKind,
    amount: int,
    body: dict[str, Any],
    *,
    seq: int = 1,
    receipt_no: int | None = 7,
    card_id: str = "72BF9961",
) -> JournalEntry:
    """A journal entry made by hand, for the receipt model without a store."""
    return JournalEntry(
        entry_id=f"0190a1b2-0000-7000-8000-00000000000{seq}",
        seq=seq,
        till_id="till-1",
        kind=kind,
        created_at=NOW,
        business_day=TODAY,
        account_id="a-anna",
        card_id=card_id,
        amount=amount,
        currency="EUR",
        receipt_no=receipt_no,
        body=body,
    )


def run_till_cli(config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`canteen-till --config FILE run` in its own process, offscreen, for a second."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "terminal.cli",
            "--config",
            str(config),
            "run",
            "--exit-after",
            "1",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def wait_for_photo(db: Path) -> None:
    """A till's photos follow the scheme data on their own job: until the cardholder's is on
    the till, the till holds a charge for an identity check (D-CARD-4)."""
    import contextlib
    import sqlite3
    import time

    for _ in range(600):
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            if conn.execute("SELECT count(*) FROM photos").fetchone()[0]:
                return
        time.sleep(0.1)
    raise AssertionError(f"no photo reached the till's store {db}")
