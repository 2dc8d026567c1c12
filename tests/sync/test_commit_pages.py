"""Issue 11 item 2: a sale writes fewer pages. Sync migrations 0009 and 0010 carry a store's
journal, outbox, pending figures and receipt numbering forward as they were; a sale then
writes the b-trees the migrations left it, and no more."""

from __future__ import annotations

import sqlite3
import struct
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sync import migrations
from sync.cache import _PENDING
from sync.journal import OUTBOX_PENDING
from sync.records import Account, Card, Cardholder, CardState, EntryKind, PriceLevel, SaleLine
from sync.store import AlreadyVoided, Store

AT = "2026-11-20T11:30:00+00:00"
DAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
# A page for each of four b-trees, then page 1 and the splits (4.35 measured here, 4.56 in
# bench.commit_ratio); migration 0008's schema wrote 13.16, 0009's 7.24.
PAGES_PER_SALE = 5.5
LINES = [
    SaleLine("m", "Meal", "Mains", 1, 350, 700),
    SaleLine("c", "Coffee", "Drinks", 1, 120, 1900),
]


def seed(store: Store) -> None:
    store.upsert_cardholders([Cardholder("h", "Holder", None, frozenset({"mensa"}))])
    store.upsert_accounts(
        [Account(a, "h", "EUR", 50_000, PriceLevel.STUDENT) for a in ("a1", "a2", "a3")]
    )
    store.upsert_cards([Card(f"C{a}", a, CardState.ACTIVE) for a in ("a1", "a2", "a3")])


def sell(store: Store, account: str = "a1") -> list[str]:
    done = store.commit_sale(
        card_id=f"C{account}",
        account_id=account,
        currency="EUR",
        lines=LINES,
        price_level=PriceLevel.STUDENT,
        offline=False,
        autoload_amount=None,
        created_at=NOW,
        business_day=DAY,
    )
    return [e.entry_id for e in done.entries]


# The entries both old stores hold: (id, seq, kind, account, amount, receipt, body, reverses).
OLD_ENTRIES = [
    ("e1", 1, "sale", "a1", -470, 1, '{"total":470}', None),
    ("e2", 2, "void", "a1", 470, 2, '{"total":470}', "e1"),
    ("e3", 3, "topup", "a2", 1000, 3, '{"tender":"cash"}', None),
    ("e4", 4, "sale", "a2", -350, 4, '{"total":350}', None),
    ("e5", 5, "arrears_payment", "a3", 0, 5, '{"amount":200}', None),
]


def store_of_0008(path: Path) -> sqlite3.Connection:
    """A store as migration 0008 left it, written by SQL as the till of then wrote it: an
    applied sale, its void unsent, a quarantined top-up, an entry moved to a recovery
    series, and a receipt counter ahead of the journal's numbers."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    migrations.migrate(conn, migrations.MIGRATIONS[:8])
    conn.execute("INSERT INTO till (id, till_id, series) VALUES (1, 'till-1', 's1')")
    rows = OLD_ENTRIES
    for entry_id, seq, kind, account, amount, receipt, body, reverses in rows:
        conn.execute(
            "INSERT INTO journal (entry_id, seq, till_id, kind, created_at, business_day,"
            " account_id, card_id, amount, currency, receipt_no, body, reverses)"
            " VALUES (?, ?, 'till-1', ?, ?, '2026-11-20', ?, ?, ?, 'EUR', ?, ?, ?)",
            (entry_id, seq, kind, AT, account, f"C{account}", amount, receipt, body, reverses),
        )
        conn.execute("INSERT INTO outbox (entry_id, created_at) VALUES (?, ?)", (entry_id, AT))
    conn.execute("UPDATE outbox SET applied_at = ?, recv_no = 7 WHERE entry_id = 'e1'", (AT,))
    conn.execute("UPDATE outbox SET quarantined = 'refused: x' WHERE entry_id = 'e3'")
    conn.execute("UPDATE outbox SET series = 'r1', wire_seq = 1 WHERE entry_id = 'e4'")
    conn.execute("UPDATE counters SET value = 9 WHERE name = 'receipt_no'")
    return conn


OLD_FIGURES = """
SELECT COALESCE((SELECT delta FROM pending_accounts WHERE account_id = :account), 0),
       COALESCE((SELECT debits FROM pending_accounts WHERE account_id = :account), 0),
       COALESCE((SELECT spent FROM pending_days
                 WHERE account_id = :account AND business_day = :day), 0),
       COALESCE((SELECT autoloads FROM pending_days
                 WHERE account_id = :account AND business_day = :day), 0),
       COALESCE((SELECT arrears_paid FROM pending_accounts WHERE account_id = :account), 0)
"""
# The journal's columns before sync migration 0010 added the outbox's; `outbox` is a view
# of the journal since, with the columns the table had.
JOURNAL = (
    "entry_id, seq, till_id, kind, created_at, business_day, account_id, card_id, amount,"
    " currency, receipt_no, body, reverses"
)
# The rows each migration keeps as they were (0010 adds a counter of its own).
KEPT = {
    "journal": f"SELECT {JOURNAL} FROM journal ORDER BY seq",
    "outbox": "SELECT * FROM outbox ORDER BY entry_id",
    "counters": "SELECT * FROM counters WHERE name = 'receipt_no'",
}
FIGURES_OF = [(a, d) for a in ("a1", "a2", "a3") for d in ("2026-11-20", "2026-11-21")]


def test_migrations_0009_and_0010_keep_every_row_and_figure(tmp_path: Path) -> None:
    path = tmp_path / "till.db"
    conn = store_of_0008(path)
    before = {table: conn.execute(sql).fetchall() for table, sql in KEPT.items()}
    figures = {
        (a, d): conn.execute(OLD_FIGURES, {"account": a, "day": d}).fetchone()
        for a, d in FIGURES_OF
    }
    assert figures[("a1", "2026-11-20")] == (470, 0, -470, 0, 0)  # the void, unsent
    assert figures[("a3", "2026-11-20")] == (0, 0, 0, 0, 200)
    conn.close()
    with Store.open(path, till_id="till-1") as store:
        conn = store.db.conn
        for table, sql in KEPT.items():
            after = conn.execute(sql).fetchall()
            assert after == before[table], table
        for (account, day), kept in figures.items():
            assert conn.execute(_PENDING, {"account": account, "day": day}).fetchone() == kept
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert [e.entry_id for e in store.outbox_pending()] == ["e2", "e4", "e5"]
        assert [(e.entry_id, s, n) for e, s, n in store.outbox_wire()][1] == ("e4", "r1", 1)
        assert store.last_receipt_no() == 9  # the counter's floor, not the journal's 5
        with pytest.raises(AlreadyVoided):
            store.commit_void(entry_id="e1", created_at=NOW, business_day=DAY)
        seed(store)
        (new,) = sell(store)
        entry = store.entry(new)
        assert entry is not None
        assert (entry.seq, entry.receipt_no) == (6, 10)
        assert store.last_receipt_no() == 10
        assert [e.entry_id for e in store.outbox_pending()] == ["e2", "e4", "e5", new]
        # No outbox row without its entry: the outbox is the journal's own columns now.
        kind = "SELECT type FROM sqlite_master WHERE name = 'outbox'"
        assert conn.execute(kind).fetchall() == [("view",)]


def test_the_receipt_number_and_seq_follow_the_journal(tmp_path: Path) -> None:
    """Derived, not counted: one past the journal's last, gap-free, shared by an autoload
    and its sale (D-PAY-6)."""
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        seed(store)
        assert store.last_receipt_no() is None
        sell(store)
        done = store.commit_sale(
            card_id="Ca2",
            account_id="a2",
            currency="EUR",
            lines=LINES,
            price_level=PriceLevel.STUDENT,
            offline=True,
            autoload_amount=1000,
            created_at=NOW,
            business_day=DAY,
        )
        assert [(e.kind, e.seq, e.receipt_no) for e in done.entries] == [
            (EntryKind.AUTOLOAD, 2, 2),
            (EntryKind.SALE, 3, 2),
        ]
        assert done.entries == [store.entry(e.entry_id) for e in done.entries]
        void = store.commit_void(
            entry_id=done.entries[1].entry_id, created_at=NOW, business_day=DAY
        )
        assert (void.entries[0].seq, void.receipt_no) == (4, 3)
        assert store.last_receipt_no() == 3
        assert [e.seq for e in store.journal()] == [1, 2, 3, 4]


def _frames(path: Path) -> int:
    """mxFrame of the WAL index (the -shm file): the frames, one page each, in the WAL."""
    with open(f"{path}-shm", "rb") as shm:
        return int(struct.unpack_from("=I", shm.read(24), 16)[0])


def test_a_sale_writes_the_pages_of_its_b_trees_only(tmp_path: Path) -> None:
    """The journal row (its table, the entry id index, the index of unsent entries) and the
    pending figures: a page each, and now and then a split. Migration 0008's schema wrote 13
    a sale here, 0009's 7 (the outbox's table and the receipt index as well)."""
    path = tmp_path / "till.db"
    with Store.open(path, till_id="till-1") as store:
        seed(store)
        store.db.conn.execute("PRAGMA wal_autocheckpoint = 0")  # the WAL only grows: countable
        for _ in range(20):
            sell(store)
        start = _frames(path)
        sales = 200
        for n in range(sales):
            sell(store, ("a1", "a2", "a3")[n % 3])
        per_sale = (_frames(path) - start) / sales
    assert per_sale <= PAGES_PER_SALE


def test_the_next_batch_reads_the_unsent_rows_not_the_journal(tmp_path: Path) -> None:
    """Keyed by seq, the journal would be scanned in seq order to spare the sort: the batch
    to push reads the journal's index of unsent rows instead, in seq order (no sort)."""
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        plan = " | ".join(
            row[3] for row in store.db.conn.execute("EXPLAIN QUERY PLAN " + OUTBOX_PENDING, (5,))
        )
    assert plan == "SCAN j USING INDEX journal_unsent"


def test_migration_0009_numbers_again_a_store_of_two_till_ids(tmp_path: Path) -> None:
    """A store that journaled under two till ids (possible before migration 0004 tied a store
    to one till) repeats its seqs: 0009 must still open it, number it in the order it wrote,
    and send each unsent entry under the number it had."""
    path = tmp_path / "till.db"
    conn = store_of_0008(path)
    later = "2026-11-20T12:00:00+00:00"
    for entry_id, seq in (("f1", 1), ("f2", 2)):
        conn.execute(
            "INSERT INTO journal (entry_id, seq, till_id, kind, created_at, business_day,"
            " account_id, card_id, amount, currency, receipt_no, body, reverses)"
            " VALUES (?, ?, 'till-2', 'sale', ?, '2026-11-20', 'a1', 'Ca1', -100, 'EUR',"
            " ?, '{\"total\":100}', NULL)",
            (entry_id, seq, later, 9 + seq),
        )
        conn.execute("INSERT INTO outbox (entry_id, created_at) VALUES (?, ?)", (entry_id, later))
    conn.close()
    with Store.open(path, till_id="till-1") as store:
        conn = store.db.conn
        rows = conn.execute("SELECT entry_id, seq FROM journal ORDER BY seq").fetchall()
        assert [e for e, _ in rows] == ["e1", "e2", "e3", "e4", "e5", "f1", "f2"]
        assert [s for _, s in rows] == [1, 2, 3, 4, 5, 6, 7]
        wire = {e.entry_id: (series, n) for e, series, n in store.outbox_wire()}
        assert wire["f1"][1] == 1  # the numbers they go out under
        assert wire["f2"][1] == 2
        assert wire["e2"][1] == 2
        assert wire["e4"] == ("r1", 1)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        seed(store)
        (new,) = sell(store)
        entry = store.entry(new)
        assert entry is not None
        assert entry.seq == 8


WIRE_OF_0009 = """
SELECT j.entry_id, COALESCE(o.series, t.series), COALESCE(o.wire_seq, j.seq)
FROM outbox o JOIN journal j ON j.entry_id = o.entry_id JOIN till t ON t.id = 1
WHERE o.applied_at IS NULL AND o.quarantined IS NULL ORDER BY j.seq
"""


def store_of_0009(path: Path) -> sqlite3.Connection:
    """A store as migration 0009 left it, written by SQL as the till of then wrote it (the
    journal's trigger adds each outbox row and its figures): an applied sale, its void unsent
    and travelling under another seq, a quarantined top-up, an entry moved to a recovery
    series, an unsent arrears payment, and an entry whose outbox row is gone."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    migrations.migrate(conn, migrations.MIGRATIONS[:9])
    conn.execute("INSERT INTO till (id, till_id, series) VALUES (1, 'till-1', 's1')")
    rows = [
        *OLD_ENTRIES,
        ("e6", 6, "sale", "a3", -120, 6, '{"total":120}', None),
    ]
    for entry_id, seq, kind, account, amount, receipt, body, reverses in rows:
        conn.execute(
            "INSERT INTO journal (entry_id, seq, till_id, kind, created_at, business_day,"
            " account_id, card_id, amount, currency, receipt_no, body, reverses)"
            " VALUES (?, ?, 'till-1', ?, ?, '2026-11-20', ?, ?, ?, 'EUR', ?, ?, ?)",
            (entry_id, seq, kind, AT, account, f"C{account}", amount, receipt, body, reverses),
        )
    conn.execute("UPDATE outbox SET applied_at = ?, recv_no = 7 WHERE entry_id = 'e1'", (AT,))
    conn.execute("UPDATE outbox SET wire_seq = 12 WHERE entry_id = 'e2'")
    conn.execute("UPDATE outbox SET quarantined = 'refused: x', recv_no = 8 WHERE entry_id = 'e3'")
    conn.execute("UPDATE outbox SET series = 'r1', wire_seq = 1 WHERE entry_id = 'e4'")
    conn.execute("DELETE FROM outbox WHERE entry_id = 'e6'")
    return conn


def test_migration_0010_sends_every_unsent_entry_once_more_and_no_other(tmp_path: Path) -> None:
    """The outbox's columns move into the journal: every unsent entry goes out as it would
    have, under the same series and seq; the applied one is not sent again, the quarantined
    one stays quarantined, the pending figures are the same rows; then an acknowledgement
    and a new sale move them as before."""
    path = tmp_path / "till.db"
    conn = store_of_0009(path)
    wire = conn.execute(WIRE_OF_0009).fetchall()
    assert [entry for entry, _, _ in wire] == ["e2", "e4", "e5"]
    outbox = conn.execute("SELECT * FROM outbox ORDER BY entry_id").fetchall()
    figures = conn.execute("SELECT * FROM pending_days ORDER BY 1, 2").fetchall()
    assert ("a3", "2026-11-20", 0, 0, 200, 0, 0) in figures  # e6 left with its outbox row
    conn.close()
    with Store.open(path, till_id="till-1") as store:
        conn = store.db.conn
        assert [(e.entry_id, s, n) for e, s, n in store.outbox_wire()] == wire
        assert [e.entry_id for e in store.outbox_pending()] == ["e2", "e4", "e5"]
        after = conn.execute("SELECT * FROM outbox ORDER BY entry_id").fetchall()
        assert after[:5] == outbox
        assert after[5] == ("e6", AT, AT, None, None, None, None)  # not sent, not counted
        assert conn.execute("SELECT * FROM pending_days ORDER BY 1, 2").fetchall() == figures
        assert [(e.entry_id, why) for e, why in store.quarantined()] == [("e3", "refused: x")]
        assert store.known_recv() == 8
        assert store.all_series() == ["s1", "r1"]
        assert store.outbox_stats().count == 3
        assert Store.readonly_counts(path) == (6, 4)  # through the view, as a diagnosis reads
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        store.mark_applied(["e2"])  # the void's figures leave a1's day, and the day goes
        assert conn.execute("SELECT * FROM pending_days ORDER BY 1, 2").fetchall() == [
            f for f in figures if f[0] != "a1"
        ]
        seed(store)
        (new,) = sell(store)
        assert [e.entry_id for e in store.outbox_pending()] == ["e4", "e5", new]
        assert [e.entry_id for e in store.last_receipt_entries()] == [new]  # receipt 7
        assert conn.execute(_PENDING, {"account": "a1", "day": DAY.isoformat()}).fetchone() == (
            -470,
            470,
            470,
            0,
            0,
        )


def test_receipts_are_found_by_seq_after_0010_and_by_index_before(tmp_path: Path) -> None:
    """Since 0010 a sale writes no receipt index entry: numbers rise with seq from there, so
    a receipt's entries are found by seq. Entries journaled before keep their index, whatever
    order their numbers were in. Every number's entries are what a scan of the journal finds."""
    path = tmp_path / "till.db"
    conn = store_of_0009(path)
    conn.execute("UPDATE journal SET receipt_no = 9 WHERE entry_id = 'e2'")  # out of order
    conn.execute("UPDATE journal SET receipt_no = NULL WHERE entry_id = 'e3'")
    conn.close()
    with Store.open(path, till_id="till-1") as store:
        seed(store)
        assert store.last_receipt_no() == 9
        assert store.last_voidable() is None  # receipt 9 is the void e2
        for n in range(12):
            account = ("a1", "a2", "a3")[n % 3]
            done = store.commit_sale(
                card_id=f"C{account}",
                account_id=account,
                currency="EUR",
                lines=LINES,
                price_level=PriceLevel.STUDENT,
                offline=False,
                autoload_amount=1000 if n % 4 == 1 else None,  # two entries, one receipt
                created_at=NOW,
                business_day=DAY,
            )
            assert done.receipt_no == 10 + n
            voidable = store.last_voidable()
            assert voidable is not None
            assert voidable.entry_id == done.entries[-1].entry_id
        store.commit_void(entry_id=done.entries[-1].entry_id, created_at=NOW, business_day=DAY)
        assert store.last_voidable() is None  # the last receipt is the void
        journal = store.journal()
        for n in range(25):
            scanned = [e for e in journal if e.receipt_no == n]
            assert store.entries_for_receipt(n) == scanned, n
        assert [e.entry_id for e in store.entries_for_receipt(9)] == ["e2"]
        assert len(store.entries_for_receipt(11)) == 2  # the autoload and its sale
        assert store.last_receipt_entries() == [journal[-1]]
        plan = store.db.conn.execute(
            "EXPLAIN QUERY PLAN SELECT 1 FROM journal WHERE receipt_no = 4 AND seq <= 6"
        ).fetchall()
        assert "journal_receipt" in plan[0][3]
