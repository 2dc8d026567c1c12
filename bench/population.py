"""A scheme of N cardholders, the size of a large campus, built in seconds: in a till store
(`build`), or in the server's database as the back office would have made it (`build_server`)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from demo import scheme
from demo.portraits import generate_portrait
from sync.photos import sha256_hex
from sync.records import Account, Card, Cardholder, CardState, PriceLevel
from sync.store import Store

if TYPE_CHECKING:
    from server.db import Database

DISTINCT_PHOTOS = 400  # far more than the UI keeps decoded (64): most taps decode a photo


def card_id(i: int) -> str:
    return f"04{i:012X}"


def build(path: Path, n: int, *, seed: int = 7) -> list[str]:
    """Demo unit and menu plus `n` cardholders with photos; returns their card ids."""
    now = datetime.now(UTC)
    data = scheme.build_demo(scheme.local_today(now))
    rng = random.Random(seed)
    with Store.open(path, till_id="till-1") as store:
        scheme.seed(store, data, now=now)
        photos = []
        for k in range(DISTINCT_PHOTOS):
            img = generate_portrait(10_000 + k, f"Person {k}")
            sha = sha256_hex(img)
            store.put_photo(sha, img)
            photos.append(sha)
        unit_type = data.unit.unit_type
        levels = list(PriceLevel)

        def holders() -> Iterator[Cardholder]:
            for i in range(n):
                yield Cardholder(
                    f"bench-h{i}",
                    f"Cardholder {i}",
                    photos[i % len(photos)],
                    frozenset({unit_type}),
                )

        def accounts() -> Iterator[Account]:
            for i in range(n):
                yield Account(
                    f"bench-a{i}",
                    f"bench-h{i}",
                    data.unit.currency,
                    rng.randrange(0, 12000),
                    levels[i % 3],
                    date(2027, 9, 30) if i % 2 else None,
                )

        def cards() -> Iterator[Card]:
            for i in range(n):
                yield Card(card_id(i), f"bench-a{i}", CardState.ACTIVE)

        store.upsert_cardholders(holders())
        store.upsert_accounts(accounts())
        store.upsert_cards(cards())
    return [card_id(i) for i in range(n)]


OTHER_UNIT_EVERY = 10  # every 10th cardholder may use their card at the library only
AGREEMENT_EVERY = 4  # every 4th account has an autoload agreement
CHUNK = 20_000  # cardholders written in one transaction
EMIT_EVERY = 500  # cardholders whose changes are emitted together


def server_holder_ids(i: int) -> tuple[str, str, str]:
    return f"bench-h{i}", f"bench-a{i}", card_id(i)


def visible_at_mensa(n: int) -> dict[str, int]:
    """What a Mensa till of `build_server`'s scheme holds after its first sync, per table."""
    seen = sum(1 for i in range(n) if i % OTHER_UNIT_EVERY != OTHER_UNIT_EVERY - 1)
    agreements = sum(
        1
        for i in range(n)
        if i % AGREEMENT_EVERY == 0 and i % OTHER_UNIT_EVERY != OTHER_UNIT_EVERY - 1
    )
    return {"cardholders": seen, "accounts": seen, "cards": seen, "autoload_agreements": agreements}


def build_server(db: Database, n: int, *, seed: int = 7) -> None:
    """The test scheme's unit and `n` cardholders, each with an account holding a deposit and
    an active card, every 4th with an agreement, every 10th for the library only; every row
    and change as the admin calls write them, but in bulk (`add_cardholder` one by one takes
    minutes for 100,000)."""
    from server import admin
    from server.feed import emit_many
    from server.ledger import cardholder_ledger, ensure_account
    from server.migrations import migrate
    from tests.terminal.till_scheme import UNIT

    migrate(db)
    admin.add_unit(db, UNIT)
    rng = random.Random(seed)
    photos = [sha256_hex(f"photo {k}".encode()) for k in range(DISTINCT_PHOTOS)]
    stamp = datetime.now(UTC).isoformat()
    with db.transaction() as tx:
        ensure_account(tx, "deposits:EUR", "deposits", "EUR")
    for first in range(0, n, CHUNK):
        span = range(first, min(n, first + CHUNK))
        ids = [server_holder_ids(i) for i in span]
        holders, accounts, ledgers, legs, cards, agreements = [], [], [], [], [], []
        for i, (holder, account, card) in zip(span, ids, strict=True):
            allowed = '["library"]' if i % OTHER_UNIT_EVERY == OTHER_UNIT_EVERY - 1 else '["mensa"]'
            holders.append(
                (holder, f"Cardholder {i}", photos[i % len(photos)], allowed, None, "[]")
            )
            expires = "2027-09-30" if i % 2 else None
            accounts.append((account, holder, "EUR", ("student", "staff", "guest")[i % 3], expires))
            ledger = cardholder_ledger(account)
            ledgers.append((ledger, "cardholder", "EUR"))
            amount = rng.randrange(100, 12_000)
            txn = f"bench-t{i}"
            legs.append((txn, ledger, amount, stamp, f"deposit:{card}"))
            legs.append((txn, "deposits:EUR", -amount, stamp, f"deposit:{card}"))
            cards.append((card, account, "active", None))
            if i % AGREEMENT_EVERY == 0:
                agreements.append((account, 500, 2000, "2026-01-01", 0, 0))
        with db.transaction() as tx:
            tx.insert_many(
                "cardholders",
                (
                    "cardholder_id",
                    "name",
                    "photo_sha256",
                    "allowed_unit_types",
                    "daily_limit",
                    "blocked_categories",
                ),
                holders,
            )
            tx.insert_many(
                "accounts",
                ("account_id", "cardholder_id", "currency", "price_level", "membership_expires"),
                accounts,
            )
            tx.insert_many("ledger_accounts", ("ledger_account", "kind", "currency"), ledgers)
            tx.insert_many(
                "ledger", ("txn_id", "ledger_account", "amount", "created_at", "source"), legs
            )
            tx.insert_many("cards", ("card_id", "account_id", "state", "replaced_by"), cards)
            tx.insert_many(
                "agreements",
                ("account_id", "threshold", "amount", "active_from", "ended", "collection_failed"),
                agreements,
            )
            # In the feed as the back office adds them: each cardholder's items close
            # together, so a till's first pages hold whole cardholders it can sell to.
            agreed = {row[0] for row in agreements}
            for at in range(0, len(ids), EMIT_EVERY):
                some = ids[at : at + EMIT_EVERY]
                emit_many(tx, "cardholder", [h for h, _, _ in some])
                emit_many(tx, "account", [a for _, a, _ in some])
                emit_many(tx, "card", [c for _, _, c in some])
                emit_many(tx, "agreement", [a for _, a, _ in some if a in agreed])


if __name__ == "__main__":
    import sys

    build(Path(sys.argv[1]), int(sys.argv[2]))
