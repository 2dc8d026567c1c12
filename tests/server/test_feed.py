"""The change feed's shared pages: the serialised page a till gets over HTTP is the page
`read_page` builds, a shared page is never stale, and refusals stay the asking till's own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from server import admin, tills
from server.db import Database
from server.feed import read_page, read_page_json
from server.ingest import ingest
from server.migrations import migrate
from sync.ids import new_id
from sync.protocol import NIL_SERIES, AccountData, ChangePage, EntryIn
from tests.server.holders import add_holders
from tests.terminal.till_scheme import UNIT

NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)


def sale(seq: int, account: str, card: str, amount: int) -> EntryIn:
    line = {
        "product_id": "m",
        "name": "Menü",
        "category": "Mains",
        "quantity": 1,
        "unit_price": -amount,
        "vat_rate_bp": 700,
    }
    return EntryIn(
        id=UUID(new_id()),
        seq=seq,
        kind="sale",
        created_at=NOW,
        business_day=date(2026, 11, 21),
        account_id=account,
        card_id=card,
        amount=amount,
        currency="EUR",
        receipt_no=seq,
        body={"lines": [line], "total": -amount},
    )


@pytest.fixture
def db(database_url: str) -> Database:
    db = Database(database_url)
    migrate(db)
    admin.add_unit(db, UNIT)
    add_holders(db, range(5), deposit=2000, name="H{}")
    for till in ("till-1", "till-2"):
        tills.add_till(db, till, UNIT.unit_id)
    return db


NIL = [str(NIL_SERIES)]


def both(db: Database, till: str, since: str, known_recv: int = 0, limit: int = 3) -> ChangePage:
    page = read_page(db, till, since, known_recv=known_recv, series=NIL, limit=limit)
    body = read_page_json(db, till, since, known_recv=known_recv, series=NIL, limit=limit)
    assert ChangePage.model_validate_json(body.body) == page
    assert body.news == bool(page.changes or page.results or page.reset or page.forgot)
    assert body.more == page.more
    return page


def test_serialised_pages_equal_read_pages_through_a_snapshot_and_a_refusal(
    db: Database,
) -> None:
    cursor, pages = "0", 0
    while True:  # the first sync, in pages of 3
        page = both(db, "till-1", cursor)
        cursor, pages = page.cursor, pages + 1
        if not page.more:
            break
    assert pages > 3
    admin.set_card_state(db, "C1", "blocked")
    ack = ingest(db, "till-1", [sale(1, "a0", "C0", -300), sale(2, "a9", "C9", -300)])
    assert [r.status for r in ack.results] == ["accepted", "refused"]
    page = both(db, "till-1", cursor)
    assert [(r.seq, r.status) for r in page.results] == [(1, "accepted"), (2, "refused")]
    assert page.last_recv == 2
    assert both(db, "till-2", cursor).results == []  # the other till's results are not theirs
    assert {c.key for c in page.changes} == {"C1", "a0"}
    balance = next(c.data for c in page.changes if c.key == "a0")
    assert isinstance(balance, AccountData)
    assert balance.balance == 1700


def test_a_shared_page_is_never_stale(db: Database) -> None:
    """Tills asking with the same cursor share a page until the feed moves on; then they get
    the new state, not the page the first of them was given."""
    head = read_page(db, "till-1", "0", limit=10_000).cursor
    admin.deposit(db, "C2", 100)
    first = both(db, "till-1", head)
    again = both(db, "till-2", head)
    assert first.changes == again.changes
    admin.deposit(db, "C2", 50)
    later = both(db, "till-1", head)
    (change,) = later.changes
    assert isinstance(change.data, AccountData)
    assert change.data.balance == 2150


def test_many_tills_reading_the_same_burst_at_once_get_the_same_states(db: Database) -> None:
    """The state cache computes each state once while the others wait for it."""
    head = read_page(db, "till-1", "0", limit=10_000).cursor
    ingest(db, "till-1", [sale(n + 1, f"a{n}", f"C{n}", -(n + 1) * 10) for n in range(5)])
    with ThreadPoolExecutor(8) as pool:
        pages = list(
            pool.map(
                lambda t: read_page(db, "till-2" if t % 2 else "till-1", head, limit=100),
                range(32),
            )
        )
    balances = {c.key: c.data.balance for c in pages[0].changes if isinstance(c.data, AccountData)}
    assert balances == {f"a{n}": 2000 - (n + 1) * 10 for n in range(5)}
    assert all(p.changes == pages[0].changes for p in pages)
