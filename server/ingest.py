"""Journal ingest: a till's entries become ledger transactions, exactly once, in seq order.

- Idempotent forever by entry id: a replay gets the original result back; the same id with
  different content is refused as a conflict and logged.
- Each till store numbers its entries in a series of its own (a new store, a new series), and
  seq is checked within it: an entry after a gap is not taken (the answer says which seq is
  missing); a seq another entry already has is `seq_taken`.
- Every entry the server keeps, booked or refused, gets the next receive number of its till.
  A till remembers the highest it has heard of and says so with each request: a server that is
  behind it has been restored from an older backup, answers `forgot`, and the till sends again
  what the server no longer has.
- Each entry is judged by `server.checks`: refused when it cannot have happened, booked and
  flagged when it broke a rule offline. Refusals and flags are kept for the operator.

A batch is one transaction. What it needs is read in one statement up front
(`server.ingest_reads`) and what it writes goes out in bulk with its COMMIT: nothing the
batch read can change under it (its till and accounts are locked before it reads, and every
write other than a push waits for all pushes), so the facts kept in memory in between are
exact, and a push of a few entries costs three round trips after its credential check (its
begin and locks, its reads, its writes and commit), not several per entry.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from server.checks import (
    SaleFacts,
    judge,
)
from server.db import ACCOUNT_KEY, COPY_FROM, TILL_KEY, Database, Tx
from server.feed import emit_many
from server.ingest_reads import read_batch
from server.ledger import cardholder_ledger, currency_ledger
from sync.entry_body import ArrearsPaymentBody, Body, SaleBody, TopupBody, VoidBody, line_json
from sync.ids import new_id
from sync.protocol import EntryIn, EntryResult, JournalAck

log = logging.getLogger(__name__)


def ingest(
    db: Database, till_id: str, entries: list[EntryIn], *, known_recv: int = 0
) -> JournalAck:
    """Apply a batch in one transaction; one result per entry, in (series, seq) order.

    A till that knows of a receive number this server never gave out is ahead of it: the
    server was restored from an older backup. Then nothing of the batch is taken: the answer
    says `forgot` with the server's number, the till puts back into its outbox what was
    received after it, and sends again (taking the batch would hand the forgotten numbers
    out anew, and hide the restore).
    """
    with db.transaction() as tx:
        return ingest_in(tx, till_id, entries, known_recv=known_recv)


RETRIES = 3
INGEST_COLUMNS = (
    "entry_id",
    "till_id",
    "series",
    "seq",
    "recv_no",
    "content_hash",
    "kind",
    "result",
    "received_at",
    "account_id",
    "amount",
    "business_day",
    "content",
    "flags",
)


def push(
    db: Database,
    till_id: str,
    entries: list[EntryIn],
    *,
    known_recv: int = 0,
    guard: tuple[str, str] | None = None,
) -> JournalAck:
    """`ingest` as a till's push: beside the pushes of other tills (`keyed`), so it may
    meet what one of them took meanwhile. `guard`: the credential check it begins with
    (`Database.transaction`; raises `NotGuarded`)."""
    for attempt in range(RETRIES):
        try:
            keys = _keys(till_id, entries)
            with db.transaction(keyed=True, keys=keys, guard=guard) as tx:
                return ingest_in(tx, till_id, entries, known_recv=known_recv)
        except Exception as exc:
            # Two entries with one id (another till's) may both be taken until the second's
            # insert meets the first's: rolled back whole, and taken again it sees the first
            # and answers a conflict.
            if attempt + 1 == RETRIES or not _taken_meanwhile(exc):
                raise
    raise AssertionError("unreachable")  # the last attempt returns or raises


def _keys(till_id: str, entries: list[EntryIn]) -> list[tuple[int, str]]:
    """The locks a batch takes: its till's and its accounts'."""
    # each account once: a batch's 500 entries are of a few dozen
    accounts = {e.account_id for e in entries if e.account_id is not None}
    return [(TILL_KEY, till_id)] + [(ACCOUNT_KEY, a) for a in sorted(accounts)]


def _taken_meanwhile(exc: BaseException) -> bool:
    """A unique key another push took while this one ran (PostgreSQL's SQLSTATE 23505), or
    a deadlock PostgreSQL broke (40P01: the till and account locks are taken in one order,
    but two tills sending the same two entry ids in opposite orders wait on each other's
    inserts; rare, and taken again it answers a conflict)."""
    return getattr(exc, "sqlstate", None) in ("23505", "40P01")


def ingest_in(tx: Tx, till_id: str, entries: list[EntryIn], *, known_recv: int = 0) -> JournalAck:
    """`ingest` in a write transaction the caller has open (and ends)."""
    batch = _Batch(tx, till_id, entries)
    last = batch.last_recv
    if known_recv > last:
        log.warning(
            "till %s knows of receive number %s, this server only of %s: restored from a"
            " backup? The till sends again what is missing.",
            till_id,
            known_recv,
            last,
        )
        return JournalAck(till_id=till_id, results=[], last_recv=last, forgot=True)
    # A UUID orders as its text does (fixed-width lower-case hex): no text made to sort by.
    ordered = sorted(entries, key=lambda e: (e.series, e.seq))
    if len(ordered) < COPY_FROM:
        results = [batch.one(entry) for entry in ordered]
    else:
        # A large batch's journal rows go to the database as they are made (a COPY open
        # while the entries are judged, which read nothing more): it writes them on the other
        # core while this one judges the next, where it wrote them after all were judged.
        with tx.streamed("journal_ingest", INGEST_COLUMNS) as out:
            batch.ingest_out = out
            results = [batch.one(entry) for entry in ordered]
    batch.flush()
    return JournalAck(till_id=till_id, results=results, last_recv=batch.last_recv)


class _Batch:
    def __init__(self, tx: Tx, till_id: str, entries: list[EntryIn]) -> None:
        self.tx, self.till_id = tx, till_id
        self.received_at = datetime.now(UTC)
        self.now = self.received_at.isoformat()
        # A push shares the write lock with other pushes (`Database.transaction`, `keyed`):
        # its till and accounts are locked before anything is read (a push takes them as it
        # begins), so what it reads of them stays as read until it commits.
        tx.lock_keys(_keys(till_id, entries))
        read = read_batch(tx, till_id, entries)
        self.unit_id, self.last_recv = read.unit_id, read.last_recv
        self.applied, self.new_series, self.seen = read.applied, read.new_series, read.seen
        self.facts = read.facts
        # The ledger accounts booked to, created in the flush unless they exist: no query
        # for them before it.
        self.ledgers: dict[str, tuple[str, str]] = {}
        self.ledger_rows: list[tuple[Any, ...]] = []
        self.ingest_rows: list[tuple[Any, ...]] = []
        self.ingest_out: Callable[[tuple[Any, ...]], None] = self.ingest_rows.append
        self.refusal_rows: list[tuple[Any, ...]] = []
        self.voided: list[tuple[str, str]] = []
        self.changed: set[str] = set()
        self.arrears_paid: set[str] = set()  # accounts whose arrears a payment lowered

    def one(self, entry: EntryIn) -> EntryResult:
        entry_id, digest, series = str(entry.id), entry.content_hash(), str(entry.series)
        if entry_id in self.seen:
            till, stored_digest, stored, recv_no = self.seen[entry_id]
            # The same entry, whatever series and seq it travels under now (a till that
            # moved it to a recovery series): the original answer, unchanged.
            if till == self.till_id and stored_digest in (digest, entry.legacy_hash()):
                original = EntryResult.model_validate_json(stored)
                if original.recv_no is None:  # stored before numbers
                    original = original.model_copy(update={"recv_no": recv_no})
                return original
            return self._not_taken(
                entry, "conflict", "this entry id was already received with different content"
            )
        applied = self.applied[series]
        if entry.seq <= applied:
            return self._not_taken(
                entry,
                "seq_taken",
                f"seq {entry.seq} of series {series} is already taken by another entry of this"
                " till (was its store restored from an older copy?)",
            )
        if entry.seq > applied + 1:
            # Not stored: the till sends again from the missing seq; nothing is skipped silently.
            return EntryResult(
                id=entry.id,
                seq=entry.seq,
                status="gap",
                detail=f"expected seq {applied + 1} first",
                expected=applied + 1,
            )
        judgement = judge(entry, self.facts)
        self.last_recv += 1
        if judgement.refused is not None:
            # Refused for good, but received: its seq is used so the entries behind it flow
            # on, and a replay gets the same refusal. The till keeps it in quarantine.
            self._log_refusal(entry, "refused", judgement.refused)
            result = EntryResult(
                id=entry.id,
                seq=entry.seq,
                status="refused",
                detail=judgement.refused,
                recv_no=self.last_recv,
            )
        else:
            flags = list(judgement.flags)
            assert judgement.body is not None  # booked: its body was read
            self._book(entry, entry_id, judgement.body)
            result = EntryResult(
                id=entry.id, seq=entry.seq, status="accepted", flags=flags, recv_no=self.last_recv
            )
            if flags:
                log.info("till %s entry %s booked, flagged %s", self.till_id, entry.id, flags)
        self.applied[series] = entry.seq
        booked = result.status == "accepted"
        stored = result.model_dump_json()
        self.ingest_out(
            (
                entry_id,
                self.till_id,
                series,
                entry.seq,
                self.last_recv,
                digest,
                entry.kind,
                stored,
                self.now,
                entry.account_id if booked else None,
                entry.amount,
                entry.business_day.isoformat(),
                entry.model_dump_json(),
                json.dumps(result.flags) if result.flags else "[]",
            )
        )
        self.seen[entry_id] = (self.till_id, digest, stored, self.last_recv)
        return result

    def _book(self, entry: EntryIn, entry_id: str, body: Body) -> None:
        """Ledger rows for a booked entry, and the facts the next entries are judged by."""
        account = entry.account_id
        assert account is not None
        source = f"till:{self.till_id}:{entry_id}"
        if isinstance(body, ArrearsPaymentBody):
            self._book_arrears_payment(entry, source, account, body)
            return
        facts = self.facts
        card = cardholder_ledger(account)
        voided = facts.sales.get(str(body.voids)) if isinstance(body, VoidBody) else None
        tender = body.tender if isinstance(body, TopupBody | VoidBody) else "card"
        if voided is not None and voided.revenue is not None:
            # The leg the sale or top-up went to (a unit's revenue, even if the till has moved
            # to another unit since; the till's drawer or card terminal): reversed.
            other = voided.revenue
            if voided.kind == "sale":
                kind = "revenue"
            else:
                kind = "card" if voided.tender == "bank_card" else "cash"
        elif entry.kind == "sale" or (entry.kind == "void" and tender == "card"):
            other, kind = currency_ledger(f"revenue:{self.unit_id}", entry.currency), "revenue"
        elif entry.kind == "autoload":
            other, kind = currency_ledger("autoload-receivable", entry.currency), "autoload"
        elif tender == "bank_card":
            other, kind = currency_ledger(f"card-terminal:{self.till_id}", entry.currency), "card"
        else:  # cash the till's drawer now holds for the scheme (or gave back, for a void)
            other, kind = currency_ledger(f"cash:{self.till_id}", entry.currency), "cash"
        self._ledger_account(card, "cardholder", entry.currency)
        self._ledger_account(other, kind, entry.currency)
        txn, at = new_id(), entry.created_at.isoformat()
        self.ledger_rows += [
            (txn, card, entry.amount, at, source),
            (txn, other, -entry.amount, at, source),
        ]
        facts.balances[account] += entry.amount
        self.changed.add(account)
        day = (account, entry.business_day)
        # spending: sales less their voids (a top-up's void gives back no spending)
        if entry.kind == "sale" or (entry.kind == "void" and entry.amount > 0):
            facts.day_spent[day] = facts.day_spent.get(day, 0) - entry.amount
        if entry.kind == "autoload":
            facts.day_autoloads[day] = facts.day_autoloads.get(day, 0) + 1
        if isinstance(body, SaleBody):
            lines = [line_json(line) for line in body.lines]
            facts.sales[entry_id] = SaleFacts(
                self.till_id, account, entry.amount, lines, None, other
            )
        if isinstance(body, TopupBody):
            facts.sales[entry_id] = SaleFacts(
                self.till_id, account, entry.amount, [], None, other, "topup", body.tender
            )
        if isinstance(body, VoidBody):
            voids = str(body.voids)
            facts.sales[voids] = dataclasses.replace(facts.sales[voids], voided_by=entry_id)
            self.voided.append((entry_id, voids))

    def _book_arrears_payment(
        self, entry: EntryIn, source: str, account: str, body: ArrearsPaymentBody
    ) -> None:
        """D-AUTO-7: the cash is in the till's drawer, the arrears owed are that much less
        (`arrears-receivable` collects what was paid against them); the card's stored value
        does not move. Arrears paid off lift the account's payment block, for every till."""
        cash = currency_ledger(f"cash:{self.till_id}", entry.currency)
        owed = currency_ledger("arrears-receivable", entry.currency)
        self._ledger_account(cash, "cash", entry.currency)
        self._ledger_account(owed, "arrears", entry.currency)
        txn, at = new_id(), entry.created_at.isoformat()
        self.ledger_rows += [
            (txn, cash, -body.amount, at, source),
            (txn, owed, body.amount, at, source),
        ]
        self.facts.arrears[account] -= body.amount
        self.arrears_paid.add(account)
        self.changed.add(account)

    def _ledger_account(self, name: str, kind: str, currency: str) -> None:
        self.ledgers.setdefault(name, (kind, currency))

    def _not_taken(self, entry: EntryIn, status: str, detail: str) -> EntryResult:
        if status == "conflict":  # for good: kept for the operator
            self._log_refusal(entry, status, detail)
        else:  # seq_taken: the till sends it again in a recovery series of its own
            log.warning(
                "till %s entry %s seq %s %s: %s", self.till_id, entry.id, entry.seq, status, detail
            )
        return EntryResult(id=entry.id, seq=entry.seq, status=status, detail=detail)  # type: ignore[arg-type]

    def _log_refusal(self, entry: EntryIn, status: str, detail: str) -> None:
        log.warning(
            "till %s entry %s seq %s %s: %s", self.till_id, entry.id, entry.seq, status, detail
        )
        self.refusal_rows.append(
            (
                self.till_id,
                str(entry.id),
                entry.seq,
                f"{status}: {detail}",
                entry.model_dump_json(),
                self.now,
            )
        )

    def flush(self) -> None:
        """Everything the batch writes, sent with its COMMIT (`Tx.at_commit`); a batch with
        `COPY_FROM` ledger or journal rows or more sends those rows before it (`insert_many`:
        a COPY where there are `COPY_FROM` of them), save the journal rows that went as they
        were made (`ingest_in`: a batch of `COPY_FROM` entries or more)."""
        tx = self.tx
        if max(len(self.ledger_rows), len(self.ingest_rows)) < COPY_FROM:
            with tx.at_commit():
                self._accounts_out()
                self._rows_out()
                self._rest_out()
            return
        with tx.pipeline():
            self._accounts_out()
        self._rows_out()
        with tx.at_commit():
            self._rest_out()

    def _accounts_out(self) -> None:
        # An existing one is left as it is (its kind and currency are those it was made
        # with); before the ledger rows, which must name one.
        self.tx.insert_many(
            "ledger_accounts",
            ("ledger_account", "kind", "currency"),
            [(name, kind, cur) for name, (kind, cur) in sorted(self.ledgers.items())],
            or_else="ON CONFLICT (ledger_account) DO NOTHING",
        )

    def _rows_out(self) -> None:
        tx = self.tx
        tx.insert_many(
            "ledger",
            ("txn_id", "ledger_account", "amount", "created_at", "source"),
            self.ledger_rows,
        )
        tx.insert_many("journal_ingest", INGEST_COLUMNS, self.ingest_rows)  # unless streamed

    def _rest_out(self) -> None:
        tx = self.tx
        _many(
            tx,
            "UPDATE journal_ingest SET voided_by = ? WHERE entry_id = ?",
            self.voided,
        )
        _many(
            tx,
            "INSERT INTO ingest_refusals (till_id, entry_id, seq, reason, content,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?)",
            self.refusal_rows,
        )
        _many(
            tx,
            "INSERT INTO till_series (till_id, series, applied_seq, started_at)"
            " VALUES (?, ?, ?, ?)",
            [
                (self.till_id, s, self.applied[s], self.now)
                for s in sorted(self.new_series)
                if self.applied[s] > 0
            ],
        )
        _many(
            tx,
            "UPDATE till_series SET applied_seq = ? WHERE till_id = ? AND series = ?",
            [
                (self.applied[s], self.till_id, s)
                for s in sorted(self.applied)
                if s not in self.new_series
            ],
        )
        # D-AUTO-7: arrears paid off lift the payment block.
        _many(
            tx,
            "UPDATE accounts SET arrears = ?,"
            " payment_blocked = CASE WHEN ? = 0 THEN 0 ELSE payment_blocked END"
            " WHERE account_id = ?",
            [(self.facts.arrears[a], self.facts.arrears[a], a) for a in sorted(self.arrears_paid)],
        )
        tx.execute(
            "UPDATE tills SET last_recv = ? WHERE till_id = ?", (self.last_recv, self.till_id)
        )
        # Every till learns the new balances (D-SYNC-1), in one statement, after all else
        # (the feed's lock is held from here to the commit, which follows at once).
        if self.changed:
            tx.lock_feed()
        emit_many(tx, "account", sorted(self.changed))


def _many(tx: Tx, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    rows = list(rows)
    if rows:
        tx.executemany(sql, rows)
