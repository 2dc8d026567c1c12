"""The till's local store: cache, journal, outbox, migrations (sync/store.py)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import migrations
from sync.cache import _LOOKUP, _PENDING
from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardState,
    EntryKind,
    PriceLevel,
    Product,
    SaleLine,
    Unit,
)
from sync.store import (
    AlreadyVoided,
    AmountTypeError,
    BadValue,
    Committed,
    NotVoidable,
    OutboxStats,
    PhotoMismatch,
    Store,
    StoreCorrupt,
    StoreError,
    StoreUnavailable,
    UnknownAccount,
    UnknownEntry,
)

DAY = date(2025, 3, 14)
NOW = datetime(2025, 3, 14, 11, 30, tzinfo=UTC)
SOUP = SaleLine("p-soup", "Soup", "food", 1, 250, 700)
COFFEE = SaleLine("p-coffee", "Coffee", "drinks", 2, 120, 1900)


def seed(store: Store, *, balance: int = 5000) -> None:
    store.upsert_cardholders(
        [Cardholder("h1", "Ann Example", "ab" * 32, frozenset({"mensa"}), daily_limit=2000)]
    )
    store.upsert_accounts([Account("a1", "h1", "EUR", balance, PriceLevel.STUDENT, version=3)])
    store.upsert_cards([Card("04579A22352680", "a1", CardState.ACTIVE)])
    store.upsert_agreements([AutoloadAgreement("a1", 1000, 2000, date(2025, 1, 1))])


def sale(store: Store, *lines: SaleLine, autoload: int | None = None, day: date = DAY) -> Committed:
    return store.commit_sale(
        card_id="04579A22352680",
        account_id="a1",
        currency="EUR",
        lines=list(lines) or [SOUP],
        price_level=PriceLevel.STUDENT,
        offline=False,
        autoload_amount=autoload,
        created_at=NOW,
        business_day=day,
    )


def topup(store: Store, amount: int) -> Committed:
    return store.commit_topup(
        card_id="04579A22352680",
        account_id="a1",
        currency="EUR",
        amount=amount,
        tender="cash",
        created_at=NOW,
        business_day=DAY,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data" / "till.db", till_id="till-1") as opened:
        seed(opened)
        yield opened


def test_open_creates_directories_and_sets_pragmas(tmp_path: Path) -> None:
    """Store.open creates the data directory; WAL, synchronous=FULL and foreign keys are on."""
    with Store.open(tmp_path / "a" / "b" / "till.db", till_id="till-1") as store:
        conn = store.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    assert (tmp_path / "a" / "b" / "till.db").is_file()


def test_migrations_are_recorded_and_applied_once(tmp_path: Path) -> None:
    """Every named migration is recorded in _migrations; reopening applies nothing twice."""
    path = tmp_path / "till.db"
    Store.open(path, till_id="till-1").close()
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name, applied_at FROM _migrations ORDER BY rowid").fetchall()
        assert migrations.migrate(conn) == []
    conn.close()
    assert [name for name, _ in rows] == [name for name, _ in migrations.MIGRATIONS]
    assert all(applied_at.endswith("+00:00") for _, applied_at in rows)
    Store.open(path, till_id="till-1").close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM _migrations").fetchone()[0] == len(rows)
    conn.close()


def test_unknown_newer_migration_is_reported(tmp_path: Path) -> None:
    """A database migrated by a newer till is refused, naming the unknown migration."""
    path = tmp_path / "till.db"
    Store.open(path, till_id="till-1").close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO _migrations VALUES ('9999_from_the_future', '2030-01-01')")
    conn.close()
    with pytest.raises(StoreUnavailable, match="9999_from_the_future") as info:
        Store.open(path, till_id="till-1")
    assert str(path) in str(info.value)


def test_store_refuses_another_tills_database(tmp_path: Path) -> None:
    """A data directory belongs to one till: its seq series must not be shared."""
    path = tmp_path / "till.db"
    Store.open(path, till_id="till-1").close()
    with pytest.raises(StoreUnavailable, match="till-1"):
        Store.open(path, till_id="till-2")


def test_from_connection_memory_leaves_the_connection_open() -> None:
    """An in-memory connection works and stays the caller's to close."""
    conn = sqlite3.connect(":memory:")
    try:
        with Store.from_connection(conn, till_id="till-1") as store:
            seed(store)
            assert store.path == ":memory:"
            assert sale(store).receipt_no == 1
        assert conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 1
    finally:
        conn.close()


def test_unit_products_policy_and_photos_roundtrip(store: Store) -> None:
    """Cache writes read back: the till's unit, products in menu order, policy, photos."""
    assert store.unit() is None
    unit = Unit("u1", "Mensa Nord", "mensa", "Europe/Berlin", "EUR", "SWU", "A 1", "DE1")
    store.upsert_unit(unit)
    assert store.unit() == unit
    store.upsert_products(
        [
            Product("p3", "Tea", "drinks", {PriceLevel.STUDENT: 90}, 1900, position=2),
            Product("p2", "Soup", "food", {PriceLevel.STUDENT: 250, PriceLevel.GUEST: 400}, 700),
            Product("p1", "Coffee", "drinks", {PriceLevel.STAFF: 150}, 1900, "c", 1),
        ]
    )
    assert [p.product_id for p in store.products()] == ["p1", "p3", "p2"]
    assert store.products()[2].prices == {PriceLevel.STUDENT: 250, PriceLevel.GUEST: 400}
    assert store.policy_data() == {}
    store.set_policy({"balance_cap": 12000, "autoloads_per_day": None})
    assert store.policy_data() == {"balance_cap": 12000, "autoloads_per_day": None}
    data = b"\x89PNG fake photo"
    digest = hashlib.sha256(data).hexdigest()
    store.put_photo(digest, data)
    store.put_photo(digest, data)  # content-addressed: a second put is harmless
    assert store.photo(digest) == data
    assert store.photo("00" * 32) is None
    with pytest.raises(PhotoMismatch, match="sha256"):
        store.put_photo("00" * 32, data)


def test_lookup_roundtrip(store: Store) -> None:
    """D-CARD-3: lookup by canonical card id returns card, account, cardholder and agreement."""
    snap = store.lookup("04579A22352680", DAY)
    assert snap is not None
    assert snap.card == Card("04579A22352680", "a1", CardState.ACTIVE)
    assert snap.account == Account("a1", "h1", "EUR", 5000, PriceLevel.STUDENT, version=3)
    assert snap.cardholder.allowed_unit_types == frozenset({"mensa"})
    assert snap.cardholder.daily_limit == 2000
    assert snap.agreement == AutoloadAgreement("a1", 1000, 2000, date(2025, 1, 1))
    assert (snap.pending_delta, snap.unsent_debits, snap.spent_today, snap.autoloads_today) == (
        0,
        0,
        0,
        0,
    )
    assert snap.balance == 5000


def test_lookup_unknown_card_is_none(store: Store) -> None:
    """D-PAY-2: an unknown or malformed card id finds nothing rather than failing."""
    assert store.lookup("DEADBEEF", DAY) is None
    assert store.lookup("", DAY) is None
    assert store.lookup("'; DROP TABLE cards; --", DAY) is None


def test_lookup_uses_indexes(store: Store) -> None:
    """D-CARD-3: the tap path is index probes, never a table scan; this till's unapplied
    entries are read as kept per account and day, not summed over the journal."""
    conn = store.db.conn
    plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + _LOOKUP, ("X",)))
    assert "SCAN" not in plan
    plan = " ".join(
        r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + _PENDING, {"day": "x", "account": "a"})
    )
    assert "SEARCH pending_days USING PRIMARY KEY (account_id=?)" in plan
    assert "journal" not in plan
    assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", "")  # a SELECT of subqueries only


def test_sale_without_autoload(store: Store) -> None:
    """D-PAY-3: a sale is one entry with its lines, an outbox row and a receipt number."""
    done = sale(store, SOUP, COFFEE)
    (entry,) = done.entries
    assert entry.kind is EntryKind.SALE
    assert entry.amount == -(250 + 2 * 120)
    assert entry.seq == 1
    assert entry.receipt_no == done.receipt_no == 1
    assert entry.created_at == NOW
    assert entry.body["lines"] == [
        {
            "product_id": "p-soup",
            "name": "Soup",
            "category": "food",
            "quantity": 1,
            "unit_price": 250,
            "vat_rate_bp": 700,
        },
        {
            "product_id": "p-coffee",
            "name": "Coffee",
            "category": "drinks",
            "quantity": 2,
            "unit_price": 120,
            "vat_rate_bp": 1900,
        },
    ]
    assert entry.body["tender"] == "card"
    assert entry.body["autoload_entry_id"] is None
    assert done.balance_after == 5000 - 490
    assert store.entry(entry.entry_id) == entry
    assert store.outbox_pending() == [entry]


def test_sale_with_autoload_is_one_transaction(store: Store) -> None:
    """D-AUTO-3: autoload then sale, consecutive seq, one receipt number, both in the outbox."""
    sale(store)
    done = sale(store, COFFEE, autoload=2000)
    autoload, charged = done.entries
    assert (autoload.kind, charged.kind) == (EntryKind.AUTOLOAD, EntryKind.SALE)
    assert (autoload.seq, charged.seq) == (2, 3)
    assert autoload.receipt_no == charged.receipt_no == done.receipt_no == 2
    assert autoload.amount == 2000
    assert autoload.body["consent"] is True
    assert charged.body["autoload_entry_id"] == autoload.entry_id
    assert autoload.entry_id < charged.entry_id  # UUIDv7 sort in creation order
    assert done.balance_after == 5000 - 250 + 2000 - 240
    assert store.entries_for_receipt(2) == [autoload, charged]
    assert store.last_receipt_entries() == [autoload, charged]
    assert store.outbox_stats().count == 3


def test_created_at_is_stored_as_utc(store: Store) -> None:
    """Instants are stored in UTC with '+00:00', whatever zone the caller used."""
    local = datetime(2025, 3, 14, 13, 30, tzinfo=timezone(timedelta(hours=2)))
    done = store.commit_topup(
        card_id="04579A22352680",
        account_id="a1",
        currency="EUR",
        amount=500,
        tender="cash",
        created_at=local,
        business_day=DAY,
    )
    row = store.db.conn.execute("SELECT created_at FROM journal").fetchone()
    assert row[0] == "2025-03-14T11:30:00+00:00"
    assert done.entries[0].created_at == NOW


def test_pending_balance_invariant(store: Store) -> None:
    """Invariant 3 / D-OFF-3: displayed = server + unapplied; mark_applied keeps it, pending 0."""
    sale(store, autoload=2000)
    topup(store, 700)
    snap = store.lookup("04579A22352680", DAY)
    assert snap is not None
    assert snap.pending_delta == 2000 - 250 + 700
    assert snap.unsent_debits == 250
    assert snap.spent_today == 250
    assert snap.autoloads_today == 1
    displayed = snap.balance
    assert displayed == 5000 + 2450

    store.mark_applied([e.entry_id for e in store.outbox_pending()])
    after = store.lookup("04579A22352680", DAY)
    assert after is not None
    assert after.balance == displayed
    assert (after.pending_delta, after.unsent_debits) == (0, 0)
    assert after.account.balance == displayed
    # the day's spending moved into the server-known counters, not lost
    assert (after.spent_today, after.autoloads_today) == (250, 1)
    assert store.outbox_stats() == OutboxStats(0, None)


def test_mark_applied_is_idempotent(store: Store) -> None:
    """Nothing twice: applying the same entries again changes nothing."""
    ids = [e.entry_id for e in sale(store, autoload=1000).entries]
    store.mark_applied(ids)
    store.mark_applied(ids)
    store.mark_applied(ids[:1])
    snap = store.lookup("04579A22352680", DAY)
    assert snap is not None
    assert snap.account.balance == 5000 + 1000 - 250
    assert snap.autoloads_today == 1
    rows = store.db.conn.execute("SELECT COUNT(*) FROM outbox WHERE applied_at IS NOT NULL")
    assert rows.fetchone()[0] == 2  # outbox rows are kept, marked applied
    with pytest.raises(UnknownEntry, match="no journal entry"):
        store.mark_applied(["not-an-id"])


def test_day_counters_server_known_plus_local(store: Store) -> None:
    """D-UNIT-3, D-AUTO-4: today's spending = server-known for today + local unapplied today."""
    store.set_account_day("a1", day=DAY, spent=600, autoloads=1)
    sale(store)
    sale(store, day=DAY - timedelta(days=1))  # yesterday's unsent sale is not today's spending
    snap = store.lookup("04579A22352680", DAY)
    assert snap is not None
    assert (snap.spent_today, snap.autoloads_today) == (850, 1)
    tomorrow = store.lookup("04579A22352680", DAY + timedelta(days=1))
    assert tomorrow is not None
    assert (tomorrow.spent_today, tomorrow.autoloads_today) == (0, 0)


def test_void_reverses_a_sale(store: Store) -> None:
    """A void credits the sale's total back with its own receipt; it cannot be repeated."""
    charged = sale(store, SOUP, COFFEE, autoload=2000)
    sale_entry = charged.entries[1]
    done = store.commit_void(entry_id=sale_entry.entry_id, created_at=NOW, business_day=DAY)
    (void,) = done.entries
    assert void.kind is EntryKind.VOID
    assert void.amount == 490
    assert void.body["voids"] == sale_entry.entry_id
    assert void.body["lines"] == sale_entry.body["lines"]
    assert void.receipt_no == 2
    assert void.seq == 3
    assert done.balance_after == 5000 + 2000  # the autoload stays: it was consented to
    snap = store.lookup("04579A22352680", DAY)
    assert snap is not None
    assert snap.spent_today == 0
    with pytest.raises(AlreadyVoided, match="already voided"):
        store.commit_void(entry_id=sale_entry.entry_id, created_at=NOW, business_day=DAY)
    with pytest.raises(NotVoidable, match="only a sale"):
        store.commit_void(entry_id=charged.entries[0].entry_id, created_at=NOW, business_day=DAY)
    with pytest.raises(UnknownEntry, match="no journal entry"):
        store.commit_void(entry_id="nope", created_at=NOW, business_day=DAY)
    assert len(store.journal()) == 3


def test_topup(store: Store) -> None:
    """D-PAY-4: a top-up at the till is a positive entry with its tender and receipt."""
    done = topup(store, 1500)
    (entry,) = done.entries
    assert (entry.kind, entry.amount) == (EntryKind.TOPUP, 1500)
    assert entry.body == {"tender": "cash", "balance_after": 6500}
    assert store.entry(entry.entry_id) == entry  # what commit returns is what was stored
    assert done.receipt_no == 1
    assert done.balance_after == 6500
    with pytest.raises(ValueError, match="amount"):
        topup(store, 0)
    with pytest.raises(ValueError, match="amount"):
        topup(store, -5)


def test_receipt_numbers_and_seq_unbroken(store: Store) -> None:
    """Receipt numbers and seq are unbroken series, also when a write is refused midway."""
    assert store.last_receipt_no() is None
    first = sale(store, autoload=1000)
    topup(store, 100)
    with pytest.raises(NotVoidable, match="only a sale"):
        store.commit_void(entry_id=first.entries[0].entry_id, created_at=NOW, business_day=DAY)
    store.commit_void(entry_id=first.entries[1].entry_id, created_at=NOW, business_day=DAY)
    sale(store)
    entries = store.journal()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert sorted({e.receipt_no for e in entries if e.receipt_no}) == [1, 2, 3, 4]
    assert store.last_receipt_no() == 4
    assert [e.seq for e in store.journal(after_seq=3)] == [4, 5]


def test_outbox_stats_and_pending_order(store: Store) -> None:
    """The outbox counts unapplied entries, knows the oldest, and yields them in seq order."""
    assert store.outbox_stats() == OutboxStats(0, None)
    sale(store, autoload=1000)
    later = NOW + timedelta(minutes=5)
    store.commit_topup(
        card_id="04579A22352680",
        account_id="a1",
        currency="EUR",
        amount=100,
        tender="cash",
        created_at=later,
        business_day=DAY,
    )
    assert store.outbox_stats() == OutboxStats(3, NOW)
    pending = store.outbox_pending(limit=2)
    assert [e.seq for e in pending] == [1, 2]
    store.mark_applied([e.entry_id for e in pending])
    assert store.outbox_stats() == OutboxStats(1, later)
    assert [e.seq for e in store.outbox_pending()] == [3]


@pytest.mark.parametrize(
    ("lines", "match"),
    [
        ([], "lines must not be empty"),
        ([SaleLine("p", "P", "c", 0, 100, 700)], r"lines\[0\]\.quantity"),
        ([SOUP, SaleLine("p", "P", "c", -1, 100, 700)], r"lines\[1\]\.quantity"),
        ([SaleLine("p", "P", "c", 1, -100, 700)], r"lines\[0\]\.unit_price"),
    ],
)
def test_sale_validation_errors(store: Store, lines: list[SaleLine], match: str) -> None:
    """Bad input gets a clear error naming the field and writes nothing (invariant 6)."""
    with pytest.raises(ValueError, match=match):
        sale_with(store, lines=lines)
    assert store.journal() == []
    assert store.last_receipt_no() is None


def sale_with(store: Store, **overrides: object) -> Committed:
    args: dict[str, object] = {
        "card_id": "04579A22352680",
        "account_id": "a1",
        "currency": "EUR",
        "lines": [SOUP],
        "price_level": PriceLevel.STUDENT,
        "offline": True,
        "autoload_amount": None,
        "created_at": NOW,
        "business_day": DAY,
    }
    args.update(overrides)
    return store.commit_sale(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "error", "match"),
    [
        ({"lines": [SaleLine("p", "P", "c", 1, 2.5, 700)]}, TypeError, "unit_price"),  # type: ignore[arg-type]
        ({"lines": [SaleLine("p", "P", "c", 1.0, 250, 700)]}, TypeError, "quantity"),  # type: ignore[arg-type]
        ({"lines": [SaleLine("p", "P", "c", True, 250, 700)]}, TypeError, "quantity"),
        ({"autoload_amount": 10.0}, TypeError, "autoload_amount"),
        ({"autoload_amount": 0}, ValueError, "autoload_amount"),
        ({"created_at": datetime(2025, 3, 14, 11, 30)}, ValueError, "timezone-aware"),
        ({"business_day": NOW}, ValueError, "business_day"),
        ({"currency": "eur"}, ValueError, "currency"),
        ({"account_id": "unknown"}, UnknownAccount, "unknown account"),
        ({"currency": "DKK"}, ValueError, "in EUR, not DKK"),
        ({"card_id": ""}, ValueError, "card_id"),
    ],
)
def test_sale_refuses_bad_values(
    store: Store, overrides: dict[str, object], error: type[Exception], match: str
) -> None:
    """Invariant 1: money and quantities are ints; a refused sale leaves no trace."""
    with pytest.raises(error, match=match):
        sale_with(store, **overrides)
    assert store.journal() == []
    assert store.outbox_stats().count == 0


def test_float_amount_errors_are_also_value_errors(store: Store) -> None:
    """A float amount is a TypeError that callers catching ValueError also see."""
    with pytest.raises(ValueError, match="amount"):
        topup(store, 12.5)  # type: ignore[arg-type]


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("sale"), st.integers(1, 3), st.integers(0, 900), st.booleans()),
        st.tuples(st.just("topup"), st.integers(1, 5000)),
        st.tuples(st.just("void"), st.integers(0, 50)),
        st.tuples(st.just("apply"), st.integers(0, 10)),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS, initial=st.integers(0, 100_000))
def test_property_seq_gap_free_and_balance(ops: list[tuple[object, ...]], initial: int) -> None:
    """Invariant 3: any mix of sales, top-ups, voids and mark_applied keeps seq 1..n gap-free,
    receipts unbroken, and displayed balance == initial + sum of journal amounts."""
    conn = sqlite3.connect(":memory:")
    try:
        store = Store.from_connection(conn, till_id="till-p")
        seed(store, balance=initial)
        voidable: list[str] = []
        for op in ops:
            match op:
                case ("sale", int(qty), int(price), bool(autoload)):
                    done = sale(
                        store,
                        SaleLine("p", "P", "c", qty, price, 700),
                        autoload=1000 if autoload else None,
                    )
                    voidable.append(done.entries[-1].entry_id)
                case ("topup", int(amount)):
                    topup(store, amount)
                case ("void", int(pick)) if voidable:
                    entry_id = voidable.pop(pick % len(voidable))
                    store.commit_void(entry_id=entry_id, created_at=NOW, business_day=DAY)
                case ("apply", int(count)):
                    pending = store.outbox_pending(limit=count + 1)
                    store.mark_applied([e.entry_id for e in pending])
        entries = store.journal()
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        receipts = sorted({e.receipt_no for e in entries if e.receipt_no is not None})
        assert receipts == list(range(1, len(receipts) + 1))
        snap = store.lookup("04579A22352680", DAY)
        assert snap is not None
        total = sum(e.amount for e in entries)
        assert snap.balance == initial + total
        unapplied = sum(e.amount for e in store.outbox_pending(limit=10_000))
        assert snap.pending_delta == unapplied
        assert snap.account.balance == initial + total - unapplied
    finally:
        conn.close()


def test_what_the_store_raises_is_one_tree_and_not_value_errors(store: Store) -> None:
    """Every refusal is a StoreError; only a value of the wrong form is also a ValueError, so
    a caller catching ValueError never takes an already voided sale for bad input."""
    charged = sale(store)
    entry_id = charged.entries[-1].entry_id
    store.commit_void(entry_id=entry_id, created_at=NOW, business_day=DAY)
    refusals: list[tuple[Callable[[], object], type[StoreError]]] = [
        (
            lambda: store.commit_void(entry_id=entry_id, created_at=NOW, business_day=DAY),
            AlreadyVoided,
        ),
        (
            lambda: store.commit_void(entry_id="nope", created_at=NOW, business_day=DAY),
            UnknownEntry,
        ),
        (lambda: store.quarantine("nope", "refused"), UnknownEntry),
        (lambda: sale_with(store, account_id="unknown"), UnknownAccount),
    ]
    for refuse, error in refusals:
        with pytest.raises(error) as caught:
            refuse()
        assert not isinstance(caught.value, ValueError)
    with pytest.raises(BadValue) as bad:
        sale_with(store, currency="eur")
    assert isinstance(bad.value, StoreError)
    assert issubclass(StoreCorrupt, StoreUnavailable)
    assert issubclass(AmountTypeError, BadValue)
    assert issubclass(PhotoMismatch, BadValue)
