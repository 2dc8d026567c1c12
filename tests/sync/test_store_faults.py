"""The store under faults: read-only, full disk, corrupt file (invariant 6)."""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sync.records import Account, Card, Cardholder, CardState, PriceLevel, SaleLine
from sync.store import Committed, Store, StoreCorrupt, StoreUnavailable

DAY = date(2025, 3, 14)
NOW = datetime(2025, 3, 14, 11, 30, tzinfo=UTC)


def seed(store: Store) -> None:
    store.upsert_cardholders([Cardholder("h1", "Ann", None, frozenset({"mensa"}))])
    store.upsert_accounts([Account("a1", "h1", "EUR", 100_000, PriceLevel.GUEST)])
    store.upsert_cards([Card("C1", "a1", CardState.ACTIVE)])


def sale(store: Store, lines: list[SaleLine] | None = None) -> Committed:
    return store.commit_sale(
        card_id="C1",
        account_id="a1",
        currency="EUR",
        lines=lines or [SaleLine("p1", "Soup", "food", 1, 250, 700)],
        price_level=PriceLevel.GUEST,
        offline=False,
        autoload_amount=1000,
        created_at=NOW,
        business_day=DAY,
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "till.db"
    with Store.open(path, till_id="till-1") as store:
        seed(store)
        sale(store)
    return path


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(db_path)
    yield connection
    connection.close()


def test_read_only_database_is_refused_at_open(db_path: Path) -> None:
    """A store that cannot be written is refused when opened, saying read-only and where."""
    ro = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        with pytest.raises(StoreUnavailable, match="read-only") as info:
            Store.from_connection(ro, till_id="till-1")
        assert str(db_path) in str(info.value)
    finally:
        ro.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits")
def test_read_only_directory_is_refused(db_path: Path) -> None:
    """A data directory and file without write permission make the store unavailable."""
    db_path.chmod(0o444)
    db_path.parent.chmod(0o555)
    try:
        with pytest.raises(StoreUnavailable, match=str(db_path)):
            Store.open(db_path, till_id="till-1")
    finally:
        db_path.parent.chmod(0o755)
        db_path.chmod(0o644)


def test_uncreatable_directory_is_refused(tmp_path: Path) -> None:
    """A data directory that cannot be created gives a clear error naming it."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    with pytest.raises(StoreUnavailable, match="cannot create directory"):
        Store.open(blocker / "till.db", till_id="till-1")


def test_corrupt_file_is_refused_naming_the_path(tmp_path: Path) -> None:
    """A file that is not a database is reported as corrupt, naming the path."""
    path = tmp_path / "till.db"
    path.write_bytes(random.Random(7).randbytes(16_384))
    with pytest.raises(StoreUnavailable, match="not a database") as info:
        Store.open(path, till_id="till-1")
    assert str(path) in str(info.value)
    assert isinstance(info.value, StoreCorrupt)


def test_full_disk_rolls_back_the_whole_sale(conn: sqlite3.Connection) -> None:
    """Invariant 2/6: on SQLITE_FULL the sale is refused whole, nothing half-written; once
    space returns, sales continue with unbroken seq and receipt numbers."""
    store = Store.from_connection(conn, till_id="till-1")
    before = store.journal()
    receipts_before = store.last_receipt_no()
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.execute(f"PRAGMA max_page_count = {pages}")
    # Long lines need new pages, which the limit refuses, like a full disk.
    big = [SaleLine(f"p{i}", "X" * 3000, "food", 1, 100, 700) for i in range(20)]
    with pytest.raises(StoreUnavailable, match="full") as info:
        sale(store, big)
    assert str(conn.execute("PRAGMA database_list").fetchone()[2]) in str(info.value)
    assert store.journal() == before
    assert store.last_receipt_no() == receipts_before
    assert store.outbox_stats().count == len(before)
    assert not conn.in_transaction

    conn.execute("PRAGMA max_page_count = 1073741823")
    done = sale(store, big)
    assert [e.seq for e in store.journal()] == [1, 2, 3, 4]
    assert done.receipt_no == (receipts_before or 0) + 1
    assert done.entries[-1].body["lines"][0]["name"] == "X" * 3000


def test_check_writable_reports_low_disk_space(db_path: Path) -> None:
    """The till can refuse a sale before taking it when the disk is (nearly) full."""
    with Store.open(db_path, till_id="till-1", min_free_bytes=1 << 62) as store:
        with pytest.raises(StoreUnavailable, match="full") as info:
            store.check_writable()
        assert str(db_path) in str(info.value)
    with Store.open(db_path, till_id="till-1", min_free_bytes=0) as store:
        store.check_writable()
        assert len(store.journal()) == 2  # the probe wrote nothing


def test_check_writable_on_a_read_only_connection(db_path: Path, conn: sqlite3.Connection) -> None:
    """check_writable proves a write: a store that turned read-only says so."""
    store = Store.from_connection(conn, till_id="till-1")
    conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreUnavailable, match=str(db_path)):
        store.check_writable()
    with pytest.raises(StoreUnavailable):
        sale(store)
    conn.execute("PRAGMA query_only = OFF")
    store.check_writable()


def test_float_amount_is_refused(conn: sqlite3.Connection) -> None:
    """Invariant 1: a sale priced with a float is refused naming the field; nothing written."""
    store = Store.from_connection(conn, till_id="till-1")
    before = store.journal()
    with pytest.raises(TypeError, match="unit_price"):
        sale(store, [SaleLine("p1", "Soup", "food", 1, 2.5, 700)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="amount"):
        store.commit_topup(
            card_id="C1",
            account_id="a1",
            currency="EUR",
            amount=10.0,  # type: ignore[arg-type]
            tender="cash",
            created_at=NOW,
            business_day=DAY,
        )
    with pytest.raises(TypeError, match="amount"):
        store.commit_topup(
            card_id="C1",
            account_id="a1",
            currency="EUR",
            amount=True,
            tender="cash",
            created_at=NOW,
            business_day=DAY,
        )
    assert store.journal() == before
