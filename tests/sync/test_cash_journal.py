"""Cash at the counter in the till's journal (sync/journal.py): a top-up voided like a sale
(once, only while the card still holds it), and arrears paid in cash (D-AUTO-7), kept in the
journal and the outbox, shown at once and across a restart."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest

from sync import migrations
from sync.entry_body import ArrearsPaymentBody, VoidBody
from sync.protocol import EntryIn, EntryResult
from sync.records import Account, Card, Cardholder, CardState, EntryKind, PriceLevel, SaleLine
from sync.store import (
    AlreadyVoided,
    BadValue,
    Committed,
    NotPayable,
    NotVoidable,
    PageRecords,
    Store,
    TopupSpent,
    UnknownAccount,
)

DAY = date(2025, 3, 14)
NOW = datetime(2025, 3, 14, 11, 30, tzinfo=UTC)
CARD = "04579A22352680"
SOUP = SaleLine("p-soup", "Soup", "food", 1, 250, 700)


def account(balance: int = 5000, *, arrears: int = 0, blocked: bool = False) -> Account:
    return Account(
        "a1", "h1", "EUR", balance, PriceLevel.STUDENT, payment_blocked=blocked, arrears=arrears
    )


def seed(store: Store, **kw: int | bool) -> None:
    store.upsert_cardholders([Cardholder("h1", "Ann Example", None, frozenset({"mensa"}))])
    store.upsert_accounts([account(**kw)])  # type: ignore[arg-type]
    store.upsert_cards([Card(CARD, "a1", CardState.ACTIVE)])


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "till.db"


@pytest.fixture
def store(path: Path) -> Iterator[Store]:
    with Store.open(path, till_id="till-1") as opened:
        seed(opened)
        yield opened


def topup(store: Store, amount: int, tender: str = "cash") -> Committed:
    return store.commit_topup(
        card_id=CARD,
        account_id="a1",
        currency="EUR",
        amount=amount,
        tender=tender,
        created_at=NOW,
        business_day=DAY,
    )


def sale(store: Store, price: int = 250, *, autoload: int | None = None) -> Committed:
    return store.commit_sale(
        card_id=CARD,
        account_id="a1",
        currency="EUR",
        lines=[SaleLine("p-soup", "Soup", "food", 1, price, 700)],
        price_level=PriceLevel.STUDENT,
        offline=False,
        autoload_amount=autoload,
        created_at=NOW,
        business_day=DAY,
    )


def void(store: Store, entry_id: str) -> Committed:
    return store.commit_void(entry_id=entry_id, created_at=NOW, business_day=DAY)


def pay(store: Store, amount: int, tender: str = "cash") -> Committed:
    return store.commit_arrears_payment(
        card_id=CARD,
        account_id="a1",
        currency="EUR",
        amount=amount,
        tender=tender,
        created_at=NOW,
        business_day=DAY,
    )


def snapshot(store: Store) -> tuple[int, int, bool]:
    """Balance, arrears and payment block as the tap decision sees them."""
    snap = store.lookup(CARD, DAY)
    assert snap is not None
    return snap.balance, snap.account.arrears, snap.account.payment_blocked


def ack(entry_id: str, recv_no: int) -> EntryResult:
    return EntryResult(id=UUID(entry_id), seq=1, status="accepted", recv_no=recv_no)


# -- a top-up voided like a sale --------------------------------------------------------------


@pytest.mark.parametrize("tender", ["cash", "bank_card"])
def test_d_pay_4_a_top_up_is_voided_once_back_to_its_tender(store: Store, tender: str) -> None:
    """D-PAY-4: a void of a top-up takes its money off the card again and back to its tender,
    with its own receipt naming the top-up's receipt number; a second void is AlreadyVoided."""
    topped = topup(store, 1500, tender)
    (entry,) = topped.entries
    done = void(store, entry.entry_id)
    (reversal,) = done.entries
    assert (reversal.kind, reversal.amount, reversal.receipt_no) == (EntryKind.VOID, -1500, 2)
    assert reversal.typed_body() == VoidBody(
        voids=UUID(entry.entry_id),
        voided_receipt_no=topped.receipt_no,
        tender=tender,  # type: ignore[arg-type]
        balance_after=5000,
        voided_kind="topup",
    )
    assert done.balance_after == 5000
    assert snapshot(store)[0] == 5000
    snap = store.lookup(CARD, DAY)
    assert snap is not None
    assert (snap.spent_today, snap.unsent_debits) == (0, 1500)  # no spending given back
    with pytest.raises(AlreadyVoided, match=r"topup .* is already voided"):
        void(store, entry.entry_id)
    assert [e.kind for e in store.journal()] == [EntryKind.TOPUP, EntryKind.VOID]
    assert store.outbox_stats().count == 2


def test_d_pay_1_a_top_up_spent_already_is_not_voidable(store: Store) -> None:
    """D-PAY-1: the till never creates money: a top-up the balance no longer covers (spent
    since) cannot be voided, and the reason names the receipt and the balance; nothing is
    journaled and no receipt number is used."""
    topped = topup(store, 1500)
    sale(store, 5200)  # 6500 - 5200 = 1300 left: less than the top-up
    with pytest.raises(TopupSpent) as raised:
        void(store, topped.entries[0].entry_id)
    assert isinstance(raised.value, NotVoidable)
    assert (raised.value.receipt_no, raised.value.amount, raised.value.balance) == (1, 1500, 1300)
    assert str(raised.value) == (
        "the top-up of receipt 1 (1500 minor units) has been spent: the balance of 1300 no"
        " longer covers it"
    )
    assert len(store.journal()) == 2
    assert store.last_receipt_no() == 2
    topup(store, 200)  # 1500 now: exactly covered
    assert void(store, topped.entries[0].entry_id).balance_after == 0


def test_d_pay_4_an_autoload_a_void_or_an_arrears_payment_is_not_voidable(path: Path) -> None:
    """D-PAY-4: only a sale or a top-up is voided; an autoload (it goes with its sale), a
    void and an arrears payment are NotVoidable, each named."""
    with Store.open(path, till_id="till-1") as store:
        seed(store, arrears=600, blocked=True)
        charged = sale(store, autoload=2000)
        reversal = void(store, charged.entries[1].entry_id)
        paid = pay(store, 600)
        for entry, kind in (
            (charged.entries[0], "autoload"),
            (reversal.entries[0], "void"),
            (paid.entries[0], "arrears_payment"),
        ):
            with pytest.raises(NotVoidable) as raised:
                void(store, entry.entry_id)
            assert str(raised.value) == (
                f"entry {entry.entry_id!r} is a {kind}, only a sale or a top-up can be voided"
            )


def test_d_pay_4_last_voidable_is_the_last_receipts_sale_or_top_up(path: Path) -> None:
    """D-PAY-4: F8 voids the last receipt whatever it was: its sale (not the autoload with
    it) or its top-up; nothing once it is voided, or when it is a void or an arrears payment."""
    with Store.open(path, till_id="till-1") as store:
        seed(store, arrears=600, blocked=True)
        assert store.last_voidable() is None
        charged = sale(store, autoload=2000)
        assert store.last_voidable() == charged.entries[1]
        topped = topup(store, 1000)
        assert store.last_voidable() == topped.entries[0]
        void(store, topped.entries[0].entry_id)
        assert store.last_voidable() is None  # the last receipt is the void
        pay(store, 100)
        assert store.last_voidable() is None


# -- arrears paid in cash (D-AUTO-7) ----------------------------------------------------------


def test_d_auto_7_an_arrears_payment_is_journaled_and_shown_at_once(path: Path) -> None:
    """D-AUTO-7: cash paid against the arrears is a journal entry of its own (outbox, receipt
    number) that moves no stored value; the arrears the till shows drop at once, the payment
    stays blocked while some are left."""
    with Store.open(path, till_id="till-1") as store:
        seed(store, arrears=1600, blocked=True)
        sale(store)
        done = pay(store, 1000)
        (entry,) = done.entries
        assert (entry.kind, entry.amount, entry.receipt_no) == (EntryKind.ARREARS_PAYMENT, 0, 2)
        assert entry.typed_body() == ArrearsPaymentBody(1000, "cash", 1600, 600, 4750)
        assert (done.balance_after, done.arrears_after) == (4750, 600)
        assert store.entry(entry.entry_id) == entry
        assert store.outbox_stats().count == 2
        assert snapshot(store) == (4750, 600, True)
        assert store.account_arrears("a1") == 600


def test_d_auto_7_arrears_paid_off_lift_the_block_and_a_restart_keeps_it(path: Path) -> None:
    """D-AUTO-7: paid off at the till, the card is unblocked at once ("wird dann wieder
    entsperrt"), before the server has the payment, and still after the till restarts."""
    with Store.open(path, till_id="till-1") as store:
        seed(store, arrears=600, blocked=True)
        pay(store, 200)
        assert pay(store, 400).arrears_after == 0
        assert snapshot(store) == (5000, 0, False)
    with Store.open(path, till_id="till-1") as store:
        assert snapshot(store) == (5000, 0, False)
        assert [e.kind for e in store.outbox_pending()] == [EntryKind.ARREARS_PAYMENT] * 2


def test_d_auto_7_a_block_without_arrears_this_till_paid_stays(path: Path) -> None:
    """D-AUTO-7: a block the server keeps with no arrears known to the till is not lifted:
    only arrears paid off here lift it."""
    with Store.open(path, till_id="till-1") as store:
        seed(store, arrears=0, blocked=True)
        assert snapshot(store) == (5000, 0, True)
        with pytest.raises(NotPayable, match="has no arrears to pay"):
            pay(store, 100)


def test_d_auto_7_more_than_the_arrears_or_not_in_cash_is_refused(path: Path) -> None:
    """D-AUTO-7: the till takes no more than the arrears it knows (less what it was paid
    already), in cash only; nothing is journaled."""
    with Store.open(path, till_id="till-1") as store:
        seed(store, arrears=600, blocked=True)
        pay(store, 500)
        with pytest.raises(NotPayable) as raised:
            pay(store, 101)
        assert str(raised.value) == (
            "101 minor units is more than the arrears of 100 that account 'a1' owes"
        )
        assert (raised.value.amount, raised.value.owed) == (101, 100)
        with pytest.raises(BadValue, match="tender must be cash"):
            pay(store, 100, "bank_card")
        with pytest.raises(BadValue, match="amount"):
            pay(store, 0)
        with pytest.raises(UnknownAccount):
            store.account_arrears("nobody")
        assert len(store.journal()) == 1


def test_d_auto_7_the_servers_acknowledgement_moves_the_payment_into_the_cache(
    path: Path,
) -> None:
    """D-AUTO-7 with invariant 3: acknowledged, the payment leaves the outbox and its amount
    leaves the cached arrears in the same transaction (block lifted when paid off); a feed
    page read before the server had it gets it added back; one read after it shows it once."""
    with Store.open(path, till_id="till-1") as store:
        seed(store, arrears=600, blocked=True)
        (entry,) = pay(store, 600).entries
        store.settle([ack(entry.entry_id, 7)], last_recv=7)
        assert store.outbox_stats().count == 0
        assert snapshot(store) == (5000, 0, False)
        stale = PageRecords(accounts=[account(arrears=600, blocked=True)])
        store.apply_page(stale, cursor="5", last_recv=6, synced_at=NOW)
        assert snapshot(store) == (5000, 0, False)
        fresh = PageRecords(accounts=[account(arrears=0)])
        store.apply_page(fresh, cursor="8", last_recv=7, synced_at=NOW)
        assert snapshot(store) == (5000, 0, False)


def test_d_auto_7_a_server_that_forgot_the_payment_gets_it_again(path: Path) -> None:
    """D-AUTO-7 with invariant 2: a server restored from before the payment: the payment goes
    back into the outbox and the arrears it paid are still shown paid (not twice, not lost)."""
    with Store.open(path, till_id="till-1") as store:
        seed(store, arrears=600, blocked=True)
        (entry,) = pay(store, 600).entries
        store.settle([ack(entry.entry_id, 3)], last_recv=3)
        store.settle([], last_recv=2, forgot=True)
        assert [e.entry_id for e in store.outbox_pending()] == [entry.entry_id]
        assert snapshot(store) == (5000, 0, False)
        assert EntryIn.from_entry(entry).typed_body() == entry.typed_body()


# -- the journal's schema ---------------------------------------------------------------------


def test_d_auto_7_a_store_of_the_version_before_keeps_its_journal(path: Path) -> None:
    """D-AUTO-7: a store journaled before arrears payments gets the new kind by a rebuilt
    journal: every entry and its outbox row are kept as they were, a void still reverses its
    sale once, and an outbox row still needs its entry."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    migrations.migrate(conn, migrations.MIGRATIONS[:5])
    at = "2025-03-14T11:30:00+00:00"
    conn.execute("INSERT INTO till (id, till_id, series) VALUES (1, 'till-1', 's1')")
    for entry_id, seq, kind, amount, reverses in (
        ("e1", 1, "sale", -250, None),
        ("e2", 2, "void", 250, "e1"),
    ):
        conn.execute(
            "INSERT INTO journal (entry_id, seq, till_id, kind, created_at, business_day,"
            " account_id, card_id, amount, currency, receipt_no, body, reverses)"
            " VALUES (?, ?, 'till-1', ?, ?, '2025-03-14', 'a1', ?, ?, 'EUR', ?, '{}', ?)",
            (entry_id, seq, kind, at, CARD, amount, seq, reverses),
        )
    conn.execute(
        "INSERT INTO outbox (entry_id, created_at, applied_at, recv_no) VALUES ('e1', ?, ?, 4)",
        (at, at),
    )
    conn.execute("INSERT INTO outbox (entry_id, created_at) VALUES ('e2', ?)", (at,))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute(
            "INSERT INTO journal (entry_id, seq, till_id, kind, created_at, business_day,"
            " amount, currency, body) VALUES ('x', 3, 'till-1', 'arrears_payment', ?,"
            " '2025-03-14', 0, 'EUR', '{}')",
            (at,),
        )
    columns = (  # the journal's own (migration 0010 added the outbox's)
        "entry_id, seq, till_id, kind, created_at, business_day, account_id, card_id, amount,"
        " currency, receipt_no, body, reverses"
    )
    journal_before = conn.execute(f"SELECT {columns} FROM journal ORDER BY seq").fetchall()
    outbox_before = conn.execute("SELECT * FROM outbox ORDER BY entry_id").fetchall()
    conn.close()
    with Store.open(path, till_id="till-1") as store:
        conn = store.db.conn
        journal_after = conn.execute(f"SELECT {columns} FROM journal ORDER BY seq").fetchall()
        assert journal_after == journal_before
        assert conn.execute("SELECT * FROM outbox ORDER BY entry_id").fetchall() == outbox_before
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        indexes = {r[1] for r in conn.execute("PRAGMA index_list(journal)").fetchall()}
        # journal_account went with migration 0009 (nothing reads the journal by account)
        assert {"journal_receipt", "journal_reverses"} <= indexes
        with pytest.raises(AlreadyVoided):
            void(store, "e1")
        seed(store, arrears=600, blocked=True)
        assert pay(store, 600).entries[0].seq == 3
        # No outbox row without its entry: since migration 0010 the outbox is the journal's.
        kind = "SELECT type FROM sqlite_master WHERE name = 'outbox'"
        assert conn.execute(kind).fetchall() == [("view",)]
