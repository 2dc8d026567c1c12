"""`server.ingest.ingest`, decision by decision, on SQLite in this process: what a batch of a
till's entries becomes (results, receive numbers, ledger rows, the rows kept for the
operator, the feed's changes), compared whole.

`tests/server/test_checks.py` and the sync suites run the same code on PostgreSQL and over
HTTP; these are fast enough that `make mutate` runs them against every mutant of
`server/ingest.py` (docs/testing.md).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from server import admin, catalogue, tills
from server.db import Database, Tx
from server.ingest import ingest
from server.migrations import migrate
from sync.ids import new_id
from sync.protocol import EntryIn, EntryResult, JournalAck
from sync.records import AutoloadAgreement
from tests.server.holders import add_holders
from tests.terminal.till_scheme import UNIT

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = date(2026, 11, 21)
TILL = "till-1"
S1 = UUID("0193a1b2-0000-4000-8000-00000000000a")
S2 = UUID("0193a1b2-0000-4000-8000-00000000000b")
CAFE = "cafe-sued"
LINE: dict[str, Any] = {
    "product_id": "meal",
    "name": "Menü 1",
    "category": "Mains",
    "quantity": 1,
    "unit_price": 350,
    "vat_rate_bp": 700,
}
REVENUE = "revenue:mensa-nord:EUR"
# -- the scheme ---------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """Mensa Nord (EUR) with till-1 and till-2, and Café Süd (EUR, a mensa too); a1/C1 and
    a2/C2 holding 20,00 EUR, a3/C3 holding nothing, its ledger account not yet created."""
    db = Database(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(db)
    admin.add_unit(db, UNIT)
    admin.add_unit(db, replace(UNIT, unit_id=CAFE, name="Café Süd"))
    add_holders(db, (1, 2, 3))
    admin.deposit(db, "C1", 2000)
    admin.deposit(db, "C2", 2000)
    with db.transaction() as tx:
        tx.execute("DELETE FROM ledger_accounts WHERE ledger_account = 'card:a3'")
    tills.add_till(db, TILL, UNIT.unit_id)
    tills.add_till(db, "till-2", UNIT.unit_id)
    yield db
    db.close()


def agreement(db: Database, amount: int = 2000, *, at: datetime | None = None, **kw: Any) -> None:
    catalogue.set_agreement(
        db,
        AutoloadAgreement("a1", 1000, amount, DAY - timedelta(days=1), **kw),
        at=at or NOW - timedelta(days=1),
    )


# -- entries ------------------------------------------------------------------------------------


def entry(
    kind: str,
    amount: int,
    body: dict[str, Any],
    *,
    seq: int = 1,
    series: UUID = S1,
    account: str | None = "a1",
    card: str | None = "C1",
    at: datetime = NOW,
    day: date = DAY,
    entry_id: str | None = None,
) -> EntryIn:
    return EntryIn.model_validate(
        {
            "id": entry_id or new_id(),
            "series": series,
            "seq": seq,
            "kind": kind,
            "created_at": at,
            "business_day": day,
            "account_id": account,
            "card_id": card,
            "amount": amount,
            "currency": "EUR",
            "receipt_no": seq,
            "body": body,
        }
    )


def sale(price: int = 350, **kw: Any) -> EntryIn:
    return entry("sale", -price, {"lines": [{**LINE, "unit_price": price}], "total": price}, **kw)


def void(of: EntryIn, *, lines: list[dict[str, Any]] | None = None, **kw: Any) -> EntryIn:
    body = {"voids": str(of.id), "lines": of.body["lines"] if lines is None else lines}
    kw.setdefault("account", of.account_id)
    kw.setdefault("card", of.card_id)
    return entry("void", -of.amount, body, **kw)


def topup(amount: int, tender: str = "cash", **kw: Any) -> EntryIn:
    return entry("topup", amount, {"tender": tender}, **kw)


def autoload(amount: int = 2000, **kw: Any) -> EntryIn:
    return entry("autoload", amount, {"consent": True}, **kw)


def accepted(e: EntryIn, recv_no: int, *flags: str) -> EntryResult:
    return EntryResult(id=e.id, seq=e.seq, status="accepted", flags=list(flags), recv_no=recv_no)


def refused(e: EntryIn, recv_no: int, detail: str) -> EntryResult:
    return EntryResult(id=e.id, seq=e.seq, status="refused", detail=detail, recv_no=recv_no)


def ack(results: list[EntryResult], last_recv: int, till: str = TILL) -> JournalAck:
    return JournalAck(till_id=till, results=results, last_recv=last_recv)


# -- what the database holds afterwards ---------------------------------------------------------


def _stamp(text: str, since: datetime) -> str:
    """A receive time: an instant in UTC, taken during the test."""
    when = datetime.fromisoformat(text)
    assert when.utcoffset() == timedelta(0)
    assert since <= when <= datetime.now(UTC)
    return "<received>"


def ledger(db: Database) -> list[tuple[Any, ...]]:
    """The ledger rows tills booked, their transaction ids numbered in order of appearance."""
    with db.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT txn_id, ledger_account, amount, created_at, source FROM ledger"
            " WHERE source LIKE 'till:%' ORDER BY id"
        )
    txns: dict[str, int] = {}
    return [(txns.setdefault(t, len(txns)), a, n, c, s) for t, a, n, c, s in rows]


def legs(*pairs: tuple[EntryIn, str, str]) -> list[tuple[Any, ...]]:
    """The two rows of each booked entry: the cardholder's leg, then the other account's."""
    rows: list[tuple[Any, ...]] = []
    for n, (e, card, other) in enumerate(pairs):
        at, source = e.created_at.isoformat(), f"till:{TILL}:{e.id}"
        rows += [(n, card, e.amount, at, source), (n, other, -e.amount, at, source)]
    return rows


def journal(db: Database, since: datetime) -> list[tuple[Any, ...]]:
    with db.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT entry_id, till_id, series, seq, recv_no, content_hash, kind, result,"
            " received_at, account_id, amount, business_day, content, flags, voided_by"
            " FROM journal_ingest ORDER BY till_id, recv_no"
        )
    return [(*r[:8], _stamp(r[8], since), *r[9:]) for r in rows]


def kept(
    e: EntryIn,
    result: EntryResult,
    *,
    till: str = TILL,
    voided_by: EntryIn | None = None,
) -> tuple[Any, ...]:
    """The journal row of an entry the server received (booked or refused)."""
    assert result.recv_no is not None
    return (
        str(e.id),
        till,
        str(e.series),
        e.seq,
        result.recv_no,
        e.content_hash(),
        e.kind,
        result.model_dump_json(),
        "<received>",
        e.account_id if result.status == "accepted" else None,
        e.amount,
        DAY.isoformat(),
        e.model_dump_json(),
        json.dumps(result.flags),
        None if voided_by is None else str(voided_by.id),
    )


def refusals(db: Database, since: datetime) -> list[tuple[Any, ...]]:
    with db.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT till_id, entry_id, seq, reason, content, received_at FROM ingest_refusals"
            " ORDER BY id"
        )
    return [(*r[:5], _stamp(r[5], since)) for r in rows]


def refusal(e: EntryIn, reason: str, till: str = TILL) -> tuple[Any, ...]:
    return (till, str(e.id), e.seq, reason, e.model_dump_json(), "<received>")


def series_of(db: Database) -> list[tuple[Any, ...]]:
    with db.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT till_id, series, applied_seq, started_at FROM till_series"
            " ORDER BY till_id, series"
        )
    return [(t, s, int(n)) for t, s, n, _ in rows]


def last_recv(db: Database, till: str = TILL) -> int:
    with db.transaction(write=False) as tx:
        return int(tx.scalar("SELECT last_recv FROM tills WHERE till_id = ?", (till,)))


def change_mark(db: Database) -> int:
    with db.transaction(write=False) as tx:
        return int(tx.scalar("SELECT COALESCE(MAX(seq), 0) FROM changes"))


def changes_after(db: Database, mark: int) -> list[tuple[Any, ...]]:
    with db.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT kind, item_key, drop_for FROM changes WHERE seq > ? ORDER BY seq", (mark,)
        )
    return [tuple(r) for r in rows]


def ledger_accounts(db: Database) -> list[tuple[Any, ...]]:
    with db.transaction(write=False) as tx:
        return [tuple(r) for r in tx.all("SELECT * FROM ledger_accounts ORDER BY ledger_account")]


def balance(db: Database, account: str) -> int:
    return admin.account_balance(db, account)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of every statement run through `Tx.execute` from now on."""
    seen: list[str] = []
    original = Tx.execute

    def recording(self: Tx, sql: str, params: Any = ()) -> Any:
        seen.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(Tx, "execute", recording)
    return seen


def ingest_log(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "server.ingest"]


# -- booking: legs, accounts, balances, the feed ------------------------------------------------


def test_d_acc_1_a_sale_moves_money_from_the_card_to_the_units_revenue(db: Database) -> None:
    """D-ACC-1: a booked sale is one transaction of two legs summing to zero: the cardholder's
    account pays, the revenue of the till's unit receives; the balance changes and the feed
    says so; the entry is kept with its series, seq, receive number and content."""
    since, mark = datetime.now(UTC), change_mark(db)
    s = sale(seq=1)
    assert ingest(db, TILL, [s]) == ack([accepted(s, 1)], 1)
    assert ledger(db) == legs((s, "card:a1", REVENUE))
    assert balance(db, "a1") == 1650
    assert journal(db, since) == [kept(s, accepted(s, 1))]
    assert refusals(db, since) == []
    assert series_of(db) == [(TILL, str(S1), 1)]
    assert last_recv(db) == 1
    assert changes_after(db, mark) == [("account", "a1", None)]


def test_d_pay_4_top_ups_go_to_the_tills_drawer_or_its_card_terminal(db: Database) -> None:
    """D-PAY-4: cash taken at a till is owed by that till's drawer, a bank-card payment by its
    card terminal: each a ledger account of the till and currency, created on first use with
    its kind."""
    cash, card = topup(1000, "cash", seq=1), topup(500, "bank_card", seq=2, account="a2", card="C2")
    mark = change_mark(db)
    assert ingest(db, TILL, [cash, card]) == ack([accepted(cash, 1), accepted(card, 2)], 2)
    assert ledger(db) == legs(
        (cash, "card:a1", "cash:till-1:EUR"), (card, "card:a2", "card-terminal:till-1:EUR")
    )
    assert (balance(db, "a1"), balance(db, "a2")) == (3000, 2500)
    assert ledger_accounts(db) == [
        ("card-terminal:till-1:EUR", "card", "EUR"),
        ("card:a1", "cardholder", "EUR"),
        ("card:a2", "cardholder", "EUR"),
        ("cash:till-1:EUR", "cash", "EUR"),
        ("deposits:EUR", "deposits", "EUR"),
    ]
    assert changes_after(db, mark) == [("account", "a1", None), ("account", "a2", None)]


def test_d_auto_3_an_autoload_is_owed_by_the_autoload_receivable(db: Database) -> None:
    """D-AUTO-3, D-AUTO-6: an autoload credits the card at once; the scheme collects it later,
    so the other leg goes to `autoload-receivable`; the sale it came with is judged on the
    balance the autoload left."""
    agreement(db)
    load, s = autoload(2000, seq=1), sale(3500, seq=2)
    assert ingest(db, TILL, [load, s]) == ack([accepted(load, 1), accepted(s, 2)], 2)
    assert ledger(db) == legs((load, "card:a1", "autoload-receivable:EUR"), (s, "card:a1", REVENUE))
    assert balance(db, "a1") == 500
    assert ("autoload-receivable:EUR", "autoload", "EUR") in ledger_accounts(db)
    assert (REVENUE, "revenue", "EUR") in ledger_accounts(db)


def test_d_acc_1_a_cardholder_ledger_account_missing_is_created_on_first_booking(
    db: Database,
) -> None:
    """D-ACC-1: every ledger account a booking names exists in its currency: one not there
    yet (a3's) is created with its kind, once, however many entries name it."""
    first, second = (
        topup(1000, seq=1, account="a3", card="C3"),
        sale(1, seq=2, account="a3", card="C3"),
    )
    assert ingest(db, TILL, [first, second]) == ack([accepted(first, 1), accepted(second, 2)], 2)
    assert ledger_accounts(db) == [
        ("card:a1", "cardholder", "EUR"),
        ("card:a2", "cardholder", "EUR"),
        ("card:a3", "cardholder", "EUR"),
        ("cash:till-1:EUR", "cash", "EUR"),
        ("deposits:EUR", "deposits", "EUR"),
        (REVENUE, "revenue", "EUR"),
    ]
    assert balance(db, "a3") == 999


def test_d_acc_1_ledger_accounts_are_made_in_the_flush_without_a_lookup(
    db: Database, statements: list[str]
) -> None:
    """D-ACC-1: the accounts a batch books to are not looked up at all (a round trip under
    the write lock each, or one for all): the flush creates the missing ones, leaving those
    that exist as they are, in one statement with the rest of its writes."""
    agreement(db)
    before = ledger_accounts(db)
    statements.clear()
    batch = [sale(seq=1), sale(seq=2), topup(1000, seq=3), topup(500, "bank_card", seq=4)]
    ingest(db, TILL, [*batch, autoload(2000, seq=5)])
    again = [sale(seq=6), topup(1000, seq=7), topup(500, "bank_card", seq=8), autoload(seq=9)]
    assert ingest(db, TILL, again).results == [
        accepted(again[0], 6),
        accepted(again[1], 7),
        accepted(again[2], 8),
        accepted(again[3], 9, "autoload_frequency"),
    ]
    assert [s for s in statements if "FROM ledger_accounts" in s] == []
    made = sorted(set(ledger_accounts(db)) - set(before))
    assert made == [
        ("autoload-receivable:EUR", "autoload", "EUR"),
        ("card-terminal:till-1:EUR", "card", "EUR"),
        ("cash:till-1:EUR", "cash", "EUR"),
        (REVENUE, "revenue", "EUR"),
    ]
    assert len(ledger_accounts(db)) == len(set(ledger_accounts(db)))


def test_d_sync_1_every_account_a_batch_changed_is_in_the_feed_once(db: Database) -> None:
    """D-SYNC-1: the tills learn every balance a batch changed, one change per account, in
    order of account id; a refused entry changes nothing."""
    mark = change_mark(db)
    batch = [
        sale(seq=1, account="a2", card="C2"),
        sale(seq=2),
        sale(seq=3, account="a2", card="C2"),
        entry("sale", -350, {"lines": [LINE], "total": 300}, seq=4, account="a3", card="C3"),
    ]
    ingest(db, TILL, batch)
    assert changes_after(db, mark) == [("account", "a1", None), ("account", "a2", None)]
    mark = change_mark(db)
    ingest(db, TILL, [entry("sale", -1, {"lines": [LINE], "total": 350}, seq=5)])
    assert changes_after(db, mark) == []


# -- idempotency by entry id --------------------------------------------------------------------


def test_d_pay_5_the_same_entry_twice_in_a_batch_is_booked_once(db: Database) -> None:
    """D-PAY-5: a retried upload carrying an entry twice books it once; both answers are the
    original one, and it takes one receive number."""
    since = datetime.now(UTC)
    s = sale(seq=1)
    assert ingest(db, TILL, [s, s]) == ack([accepted(s, 1), accepted(s, 1)], 1)
    assert ledger(db) == legs((s, "card:a1", REVENUE))
    assert journal(db, since) == [kept(s, accepted(s, 1))]


def test_d_pay_5_a_replay_gets_the_original_answer_and_books_nothing(db: Database) -> None:
    """D-PAY-5: an entry sent again in a later batch, even moved to a recovery series under
    another seq, gets its original answer (its seq, its receive number, its flags) back and
    nothing is booked or numbered again."""
    since = datetime.now(UTC)
    s, r = sale(2500, seq=1), entry("sale", -1, {"lines": [LINE], "total": 350}, seq=2)
    first = ingest(db, TILL, [s, r])
    over = refused(r, 2, "the sale's lines add up to 350 and its total says 350, but it moves 1")
    assert first == ack([accepted(s, 1, "overdraft"), over], 2)
    moved = EntryIn.model_validate({**s.model_dump(), "series": S2, "seq": 1})
    assert ingest(db, TILL, [s, r]) == first
    assert ingest(db, TILL, [moved]) == ack([accepted(s, 1, "overdraft")], 2)
    assert ledger(db) == legs((s, "card:a1", REVENUE))
    assert journal(db, since) == [kept(s, accepted(s, 1, "overdraft")), kept(r, over)]
    assert series_of(db) == [(TILL, str(S1), 2)]
    assert last_recv(db) == 2


def test_d_pay_5_the_same_id_with_other_content_is_a_conflict_kept_for_the_operator(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """D-PAY-5: an id is one entry forever: the same id with different content is refused as
    a conflict, listed for the operator and logged; it is not booked, takes no receive number
    and leaves its seq free for the entry that is really next."""
    caplog.set_level(logging.INFO, logger="server.ingest")
    since = datetime.now(UTC)
    s = sale(seq=1)
    ingest(db, TILL, [s])
    other = EntryIn.model_validate({**s.model_dump(), "amount": -360, "seq": 2})
    detail = "this entry id was already received with different content"
    conflict = EntryResult(id=s.id, seq=2, status="conflict", detail=detail)
    assert ingest(db, TILL, [other]) == ack([conflict], 1)
    assert refusals(db, since) == [refusal(other, f"conflict: {detail}")]
    assert ledger(db) == legs((s, "card:a1", REVENUE))
    assert series_of(db) == [(TILL, str(S1), 1)]
    assert ingest_log(caplog) == [
        (logging.WARNING, f"till {TILL} entry {s.id} seq 2 conflict: {detail}")
    ]


def test_d_pay_5_another_tills_entry_id_is_a_conflict(db: Database) -> None:
    """D-PAY-5: an id received from one till, sent by another with the very same content, is
    not that till's entry: a conflict, not the first till's answer."""
    since = datetime.now(UTC)
    s = sale(seq=1)
    ingest(db, TILL, [s])
    detail = "this entry id was already received with different content"
    conflict = EntryResult(id=s.id, seq=1, status="conflict", detail=detail)
    assert ingest(db, "till-2", [s]) == ack([conflict], 0, "till-2")
    assert refusals(db, since) == [refusal(s, f"conflict: {detail}", "till-2")]


def test_d_pay_5_an_entry_received_before_series_and_numbers_replays_with_its_number(
    db: Database,
) -> None:
    """D-PAY-5: an entry the server took before series existed was hashed with its seq and
    answered without a receive number (migration 0005 numbered it): its replay is recognised
    by that hash and answered with the number."""
    s = sale(seq=1)
    old = EntryResult(id=s.id, seq=1, status="accepted")
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO journal_ingest (entry_id, till_id, series, seq, recv_no, content_hash,"
            " kind, result, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (str(s.id), TILL, str(S1), 1, 7, s.legacy_hash(), "sale", old.model_dump_json(), "x"),
        )
    replayed = EntryResult(id=s.id, seq=1, status="accepted", recv_no=7)
    assert ingest(db, TILL, [s]) == ack([replayed], 0)
    assert ledger(db) == []


# -- seq within a series ------------------------------------------------------------------------


def test_d_sync_2_a_gap_is_not_taken_and_names_the_missing_seq(db: Database) -> None:
    """D-SYNC-2: nothing is skipped silently: an entry after a missing seq is not stored, and
    the answer says which seq to send first; a series with nothing taken is not recorded."""
    since = datetime.now(UTC)
    late = sale(seq=2)
    gap = EntryResult(id=late.id, seq=2, status="gap", detail="expected seq 1 first", expected=1)
    assert ingest(db, TILL, [late]) == ack([gap], 0)
    assert (journal(db, since), series_of(db), last_recv(db), ledger(db)) == ([], [], 0, [])
    first, third = sale(seq=1), sale(seq=3)
    gap3 = EntryResult(id=third.id, seq=3, status="gap", detail="expected seq 2 first", expected=2)
    assert ingest(db, TILL, [first, third]) == ack([accepted(first, 1), gap3], 1)
    assert series_of(db) == [(TILL, str(S1), 1)]


def test_d_sync_2_seq_goes_on_across_batches(db: Database) -> None:
    """D-SYNC-2: a series goes on where the last batch left it."""
    first, second, third = sale(seq=1), sale(seq=2), sale(seq=3)
    ingest(db, TILL, [first])
    assert ingest(db, TILL, [second, third]) == ack([accepted(second, 2), accepted(third, 3)], 3)
    assert series_of(db) == [(TILL, str(S1), 3)]
    assert last_recv(db) == 3


def test_d_sync_2_a_batch_is_taken_in_series_then_seq_order(db: Database) -> None:
    """D-SYNC-2: entries sent out of order are taken by (series, seq), and so answered."""
    a1, a2, b1 = sale(seq=1, series=S1), sale(seq=2, series=S1), sale(seq=1, series=S2)
    assert ingest(db, TILL, [b1, a2, a1]) == ack(
        [accepted(a1, 1), accepted(a2, 2), accepted(b1, 3)], 3
    )
    assert series_of(db) == [(TILL, str(S1), 2), (TILL, str(S2), 1)]


def test_d_sync_2_a_seq_already_taken_is_seq_taken_and_the_recovery_series_takes_it(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """D-SYNC-2: another entry at a seq this series already used (a store restored from an
    older copy) is `seq_taken`, logged, not stored; the till sends it again in a recovery
    series of its own, where it is booked."""
    caplog.set_level(logging.INFO, logger="server.ingest")
    since = datetime.now(UTC)
    first, second = sale(seq=1), sale(seq=2)
    ingest(db, TILL, [first, second])
    again = sale(400, seq=2)
    detail = (
        f"seq 2 of series {S1} is already taken by another entry of this till (was its store"
        " restored from an older copy?)"
    )
    taken = EntryResult(id=again.id, seq=2, status="seq_taken", detail=detail)
    assert ingest(db, TILL, [again]) == ack([taken], 2)
    assert ingest_log(caplog) == [
        (logging.WARNING, f"till {TILL} entry {again.id} seq 2 seq_taken: {detail}")
    ]
    assert refusals(db, since) == []
    moved = EntryIn.model_validate({**again.model_dump(), "series": S2, "seq": 1})
    assert ingest(db, TILL, [moved]) == ack([accepted(moved, 3)], 3)
    assert series_of(db) == [(TILL, str(S1), 2), (TILL, str(S2), 1)]
    assert [row[0] for row in journal(db, since)] == [str(first.id), str(second.id), str(again.id)]


# -- receive numbers and `forgot` ---------------------------------------------------------------


def test_d_sync_2_every_entry_kept_gets_the_next_receive_number(db: Database) -> None:
    """D-SYNC-2: booked and refused entries alike are numbered, per till, one after the other;
    the other till has numbers of its own."""
    ok1, bad, ok2 = sale(seq=1), entry("topup", -5, {"tender": "cash"}, seq=2), sale(seq=3)
    assert ingest(db, TILL, [ok1, bad, ok2]) == ack(
        [accepted(ok1, 1), refused(bad, 2, "a topup cannot move -5"), accepted(ok2, 3)], 3
    )
    other = sale(seq=1, account="a2", card="C2")
    assert ingest(db, "till-2", [other]) == ack([accepted(other, 1)], 1, "till-2")
    assert (last_recv(db), last_recv(db, "till-2")) == (3, 1)


def test_d_sync_2_a_server_behind_the_till_says_forgot_and_takes_nothing(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """D-SYNC-2: a till that knows of a receive number this server never gave (restored from
    an older backup) is told `forgot` with the server's number, and nothing of its batch is
    taken; a till that knows exactly the server's number is served."""
    caplog.set_level(logging.INFO, logger="server.ingest")
    ingest(db, TILL, [sale(seq=1)])
    late = sale(seq=2)
    forgot = JournalAck(till_id=TILL, results=[], last_recv=1, forgot=True)
    assert ingest(db, TILL, [late], known_recv=2) == forgot
    assert ingest_log(caplog) == [
        (
            logging.WARNING,
            f"till {TILL} knows of receive number 2, this server only of 1: restored from a"
            " backup? The till sends again what is missing.",
        )
    ]
    assert last_recv(db) == 1
    assert ingest(db, TILL, [late], known_recv=1) == ack([accepted(late, 2)], 2)


# -- refusals and flags -------------------------------------------------------------------------


def test_d_pay_3_a_refused_entry_is_kept_with_its_reason_and_its_seq_used(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """D-PAY-3: a sale whose lines do not add up cannot have happened: refused with the
    reason, kept for the operator with its content, never booked, logged; its seq is used so
    that the entry behind it is taken."""
    caplog.set_level(logging.INFO, logger="server.ingest")
    since = datetime.now(UTC)
    bad = entry("sale", -360, {"lines": [LINE], "total": 350}, seq=1)
    ok = sale(seq=2)
    why = "the sale's lines add up to 350 and its total says 350, but it moves 360"
    assert ingest(db, TILL, [bad, ok]) == ack([refused(bad, 1, why), accepted(ok, 2)], 2)
    assert refusals(db, since) == [refusal(bad, f"refused: {why}")]
    assert journal(db, since) == [kept(bad, refused(bad, 1, why)), kept(ok, accepted(ok, 2))]
    assert ledger(db) == legs((ok, "card:a1", REVENUE))
    assert ingest_log(caplog) == [
        (logging.WARNING, f"till {TILL} entry {bad.id} seq 1 refused: {why}")
    ]


def test_d_pay_1_an_overdraft_is_booked_flagged_and_the_flag_kept(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """D-PAY-1, D-OFF-3: an offline sale that overdraws happened: booked, flagged, the flags
    kept with the entry and logged."""
    caplog.set_level(logging.INFO, logger="server.ingest")
    since = datetime.now(UTC)
    body = {"lines": [{**LINE, "unit_price": 2500}], "total": 2500, "offline": True}
    s = entry("sale", -2500, body, seq=1)
    result = accepted(s, 1, "overdraft", "offline")
    assert ingest(db, TILL, [s]) == ack([result], 1)
    assert journal(db, since) == [kept(s, result)]
    assert balance(db, "a1") == -500
    assert ingest_log(caplog) == [
        (logging.INFO, f"till {TILL} entry {s.id} booked, flagged ['overdraft', 'offline']")
    ]


@pytest.mark.parametrize(("price", "flags"), [(1650, []), (1651, ["overdraft"])])
def test_d_pay_1_each_entry_is_judged_on_the_balance_the_ones_before_left(
    db: Database, price: int, flags: list[str]
) -> None:
    """D-PAY-1: within a batch, a sale is judged on the balance after the entries before it:
    20,00 less 3,50 leaves 16,50, which the second sale may take exactly, and not a cent more."""
    first, second = sale(seq=1), sale(price, seq=2)
    assert ingest(db, TILL, [first, second]) == ack(
        [accepted(first, 1), accepted(second, 2, *flags)], 2
    )


def test_d_pay_1_an_account_with_no_ledger_rows_has_a_balance_of_zero(db: Database) -> None:
    """D-PAY-1: an account nothing was ever booked to holds 0: a sale of one cent overdraws."""
    s = sale(1, account="a3", card="C3")
    assert ingest(db, TILL, [s]) == ack([accepted(s, 1, "overdraft")], 1)


@pytest.mark.parametrize(("price", "flags"), [(100, []), (101, ["daily_limit"])])
@pytest.mark.parametrize("split", [False, True])
def test_d_unit_3_the_days_spending_counts_the_batch_and_what_came_before(
    db: Database, price: int, flags: list[str], split: bool
) -> None:
    """D-UNIT-3: spending toward the daily limit (5,00 here) is the day's sales less its
    voids, from earlier batches and from this one: 3,50 spent and given back, 2,00 and 2,00
    spent, 1,00 more is exactly the limit."""
    admin.update_cardholder(db, "h1", daily_limit=500)
    s = sale(seq=1)
    back = void(s, seq=2)
    s2, s3, last = sale(200, seq=3), sale(200, seq=4), sale(price, seq=5)
    if split:
        ingest(db, TILL, [s, back, s2, s3])
        assert ingest(db, TILL, [last]) == ack([accepted(last, 5, *flags)], 5)
    else:
        assert ingest(db, TILL, [s, back, s2, s3, last]).results == [
            accepted(s, 1),
            accepted(back, 2),
            accepted(s2, 3),
            accepted(s3, 4),
            accepted(last, 5, *flags),
        ]


def test_d_unit_3_spending_is_counted_per_business_day(db: Database) -> None:
    """D-UNIT-3: a till offline overnight sends two business days in one batch: each day's
    spending is its own, toward the same daily limit."""
    admin.update_cardholder(db, "h1", daily_limit=500)
    before = DAY - timedelta(days=1)
    ingest(db, TILL, [sale(400, seq=1, day=before), sale(400, seq=2)])
    batch = [
        sale(100, seq=3, day=before),
        sale(101, seq=4),
        sale(600, seq=5, account="a2", card="C2", day=before),
    ]
    assert ingest(db, TILL, batch).results == [
        accepted(batch[0], 3),
        accepted(batch[1], 4, "daily_limit"),
        accepted(batch[2], 5),
    ]


def test_d_card_2_the_cards_state_and_the_accounts_facts_are_read(db: Database) -> None:
    """D-CARD-2, D-AUTO-7, D-UNIT-2: what the server holds about the card and the account
    (blocked card, payment blocked for arrears, the unit types allowed) is what an entry is
    judged by."""
    admin.set_card_state(db, "C2", "blocked")
    admin.set_arrears(db, "a1", 600)
    admin.update_cardholder(db, "h1", allowed_unit_types=["cafeteria"])
    s1, s2 = sale(seq=1), sale(seq=2, account="a2", card="C2")
    assert ingest(db, TILL, [s1, s2]) == ack(
        [
            accepted(s1, 1, "unit_not_allowed", "payment_blocked"),
            accepted(s2, 2, "card_not_active"),
        ],
        2,
    )


# -- autoloads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("split", [False, True])
def test_d_auto_4_autoloads_of_the_day_count_across_a_batch_and_before_it(
    db: Database, split: bool
) -> None:
    """D-AUTO-4: once a day (the default): the second autoload of the day is flagged, whether
    the first came in an earlier batch or in this one; a top-up is no autoload."""
    agreement(db)
    first, cash, second = autoload(seq=1), topup(1000, seq=2), autoload(seq=3)
    if split:
        ingest(db, TILL, [first])
        assert ingest(db, TILL, [cash, second]).results == [
            accepted(cash, 2),
            accepted(second, 3, "autoload_frequency"),
        ]
    else:
        assert ingest(db, TILL, [first, cash, second]).results == [
            accepted(first, 1),
            accepted(cash, 2),
            accepted(second, 3, "autoload_frequency"),
        ]


def test_d_auto_4_twice_a_day_allows_two_in_one_batch(db: Database) -> None:
    """D-AUTO-4: with `autoloads_per_day` 2, two autoloads of one batch are not flagged, the
    third is."""
    catalogue.set_policy(db, {"autoloads_per_day": 2})
    agreement(db)
    loads = [autoload(seq=1), autoload(seq=2), autoload(seq=3)]
    assert ingest(db, TILL, loads).results == [
        accepted(loads[0], 1),
        accepted(loads[1], 2),
        accepted(loads[2], 3, "autoload_frequency"),
    ]


@pytest.mark.parametrize(
    ("kw", "flags"),
    [
        ({}, []),
        ({"ended": True}, ["agreement_inactive"]),
        ({"collection_failed": True}, ["agreement_inactive"]),
    ],
)
def test_d_auto_8_the_agreements_state_is_read(
    db: Database, kw: dict[str, Any], flags: list[str]
) -> None:
    """D-AUTO-6, D-AUTO-8: an autoload on an ended agreement, or one whose collection failed,
    is booked (the till's copy was stale) and flagged; on a live one, not."""
    agreement(db, **kw)
    load = autoload()
    assert ingest(db, TILL, [load]) == ack([accepted(load, 1, *flags)], 1)


def test_d_auto_1_an_autoload_by_a_version_that_had_ended_is_flagged(db: Database) -> None:
    """D-AUTO-1, D-AUTO-8: an autoload for the amount of an earlier version of the agreement,
    made well after that version was replaced, is flagged; one for the current amount is not;
    one for an amount no version had is refused."""
    agreement(db, 2000, at=NOW - timedelta(hours=2))
    agreement(db, 3000, at=NOW - timedelta(hours=1))
    old, new, none = autoload(2000, seq=1), autoload(3000, seq=2), autoload(4000, seq=3)
    why = "an autoload of 4000, but the agreement's amount is 2000 or 3000 (D-AUTO-1)"
    assert ingest(db, TILL, [old, new, none]).results == [
        accepted(old, 1, "agreement_inactive"),
        accepted(new, 2, "autoload_frequency"),
        refused(none, 3, why),
    ]


# -- voids --------------------------------------------------------------------------------------


@pytest.mark.parametrize("split", [False, True])
def test_d_pay_3_a_void_gives_the_sale_back_and_marks_it_voided(db: Database, split: bool) -> None:
    """D-PAY-3: a void reverses its sale: the revenue gives the amount back to the card, and
    the sale is marked voided by it, whether it came in the sale's batch or a later one."""
    since = datetime.now(UTC)
    s = sale(seq=1)
    back = void(s, seq=2)
    if split:
        ingest(db, TILL, [s])
        assert ingest(db, TILL, [back]) == ack([accepted(back, 2)], 2)
    else:
        assert ingest(db, TILL, [s, back]) == ack([accepted(s, 1), accepted(back, 2)], 2)
    assert ledger(db) == legs((s, "card:a1", REVENUE), (back, "card:a1", REVENUE))
    assert balance(db, "a1") == 2000
    assert journal(db, since) == [
        kept(s, accepted(s, 1), voided_by=back),
        kept(back, accepted(back, 2)),
    ]


@pytest.mark.parametrize("split", [False, True])
def test_d_pay_3_a_sale_is_voided_once(db: Database, split: bool) -> None:
    """D-PAY-3: a second void of a sale is refused, naming the void that reversed it."""
    s = sale(seq=1)
    back, again = void(s, seq=2), void(s, seq=3)
    why = f"sale {s.id} was already voided by {back.id}"
    if split:
        ingest(db, TILL, [s, back])
        assert ingest(db, TILL, [again]) == ack([refused(again, 3, why)], 3)
    else:
        assert ingest(db, TILL, [s, back, again]).results[2] == refused(again, 3, why)


@pytest.mark.parametrize("split", [False, True])
def test_d_pay_3_a_void_gives_back_the_sales_lines_or_is_refused(db: Database, split: bool) -> None:
    """D-PAY-3: the server keeps a sale's lines; a void whose lines differ is refused."""
    s = sale(seq=1)
    wrong = void(s, lines=[{**LINE, "name": "Menü 2"}], seq=2)
    why = f"the void's lines differ from those of sale {s.id}"
    if split:
        ingest(db, TILL, [s])
        assert ingest(db, TILL, [wrong]) == ack([refused(wrong, 2, why)], 2)
    else:
        assert ingest(db, TILL, [s, wrong]).results[1] == refused(wrong, 2, why)


def test_d_pay_3_a_void_names_the_sale_of_another_till_and_is_refused(db: Database) -> None:
    """D-PAY-3: a till reverses its own sales: a void of till-2's sale is refused."""
    s = sale(seq=1)
    ingest(db, "till-2", [s])
    back = void(s, seq=1)
    why = f"sale {s.id} was made at till till-2, not this one"
    assert ingest(db, TILL, [back]) == ack([refused(back, 1, why)], 1)


def test_d_unit_1_a_void_reverses_the_revenue_of_the_sales_unit(
    db: Database, statements: list[str]
) -> None:
    """D-UNIT-1: a till moved to another unit since the sale: its voids take the money back
    from the revenue the sales went to (looked up once), not from the new unit's."""
    s1, s2 = sale(seq=1), sale(300, seq=2)
    ingest(db, TILL, [s1, s2])
    tills.add_till(db, TILL, CAFE)
    v1, v2, s3 = void(s1, seq=3), void(s2, seq=4), sale(seq=5)
    statements.clear()
    assert ingest(db, TILL, [v1, v2, s3]) == ack(
        [accepted(v1, 3), accepted(v2, 4), accepted(s3, 5)], 5
    )
    assert ledger(db) == legs(
        (s1, "card:a1", REVENUE),
        (s2, "card:a1", REVENUE),
        (v1, "card:a1", REVENUE),
        (v2, "card:a1", REVENUE),
        (s3, "card:a1", f"revenue:{CAFE}:EUR"),
    )
    assert [s for s in statements if "FROM ledger_accounts" in s] == []  # made in the flush
