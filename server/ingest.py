"""Journal ingest: a till's entries become ledger transactions, exactly once, in seq order.

- Idempotent forever by entry id: a replay gets the original result back; the same id with
  different content is refused as a conflict and logged.
- The per-till seq is checked: an entry after a gap is not taken, and the answer says which
  seq is missing. `applied_seq` is the highest seq received without a gap (accepted or
  refused: a refused entry must not hold up the entries behind it).
- A sale made offline that overdraws is accepted and flagged: it happened.
- Every refusal is kept in `ingest_refusals` for the operator, and the till keeps the entry in
  its quarantine list.

A batch is one transaction. What it needs is read in a few queries up front and what it
writes goes out in bulk at the end: writers are serialised, so the balances kept in memory
in between are exact, and a batch costs a handful of round trips, not several per entry.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from server.db import Database, Tx
from server.feed import emit
from server.ledger import cardholder_ledger
from sync.ids import new_id
from sync.protocol import EntryIn, EntryResult, JournalAck

log = logging.getLogger(__name__)

_COUNTER = {"sale": "revenue", "void": "revenue", "autoload": "autoload", "topup": "cash"}
_SIGN = {"sale": -1, "void": 1, "autoload": 1, "topup": 1}


def ingest(db: Database, till_id: str, entries: list[EntryIn]) -> JournalAck:
    """Apply a batch in one transaction; the answer has one result per entry, in seq order."""
    with db.transaction() as tx:
        batch = _Batch(tx, till_id, entries)
        results = [batch.one(entry) for entry in sorted(entries, key=lambda e: e.seq)]
        batch.flush()
    return JournalAck(till_id=till_id, results=results, applied_seq=batch.applied)


class _Batch:
    def __init__(self, tx: Tx, till_id: str, entries: list[EntryIn]) -> None:
        self.tx, self.till_id = tx, till_id
        self.now = datetime.now(UTC).isoformat()
        self.unit_id, applied = tx.one(
            "SELECT unit_id, applied_seq FROM tills WHERE till_id = ?", (till_id,)
        )
        self.applied = int(applied)
        ids = [str(e.id) for e in entries]
        self.seen = {
            row[0]: (row[1], row[2], row[3])
            for row in _in(
                tx,
                "SELECT entry_id, till_id, content_hash, result FROM journal_ingest"
                " WHERE entry_id IN ({})",
                ids,
            )
        }
        accounts = sorted({e.account_id for e in entries if e.account_id is not None})
        self.currency = dict(
            _in(tx, "SELECT account_id, currency FROM accounts WHERE account_id IN ({})", accounts)
        )
        ledgers = [cardholder_ledger(a) for a in accounts]
        self.balance = dict.fromkeys(ledgers, 0)
        self.balance.update(
            {
                row[0]: int(row[1])
                for row in _in(
                    tx,
                    "SELECT ledger_account, SUM(amount) FROM ledger"
                    " WHERE ledger_account IN ({}) GROUP BY ledger_account",
                    ledgers,
                )
            }
        )
        self.known_ledgers: set[str] = set()
        self.new_ledgers: dict[str, tuple[str, str]] = {}
        self.ledger_rows: list[tuple[Any, ...]] = []
        self.ingest_rows: list[tuple[Any, ...]] = []
        self.refusal_rows: list[tuple[Any, ...]] = []
        self.changed: set[str] = set()

    def one(self, entry: EntryIn) -> EntryResult:
        entry_id, digest = str(entry.id), entry.content_hash()
        if entry_id in self.seen:
            till, stored_digest, stored = self.seen[entry_id]
            if till == self.till_id and stored_digest == digest:
                return EntryResult.model_validate_json(stored)  # the original answer, unchanged
            return self._refuse(
                entry, "conflict", "this entry id was already received with different content"
            )
        if entry.seq <= self.applied:
            return self._refuse(
                entry, "conflict", f"seq {entry.seq} is already taken by another entry of this till"
            )
        if entry.seq > self.applied + 1:
            # Not stored: the till sends again from the missing seq; nothing is skipped silently.
            return EntryResult(
                id=entry.id,
                seq=entry.seq,
                status="gap",
                detail=f"expected seq {self.applied + 1} first",
            )
        problem = self._check(entry)
        if problem is not None:
            # Refused for good, but received: its seq is used so the entries behind it flow
            # on, and a replay gets the same refusal. The till keeps it in quarantine.
            result = self._refuse(entry, "refused", problem)
        else:
            result = EntryResult(
                id=entry.id, seq=entry.seq, status="accepted", flags=self._apply(entry)
            )
        self.applied = entry.seq
        account = entry.account_id if result.status == "accepted" else None
        self.ingest_rows.append(
            (
                entry_id,
                self.till_id,
                entry.seq,
                digest,
                entry.kind,
                result.model_dump_json(),
                self.now,
                account,
                entry.amount,
                entry.business_day.isoformat(),
            )
        )
        self.seen[entry_id] = (self.till_id, digest, result.model_dump_json())
        return result

    def _check(self, entry: EntryIn) -> str | None:
        if entry.account_id is None:
            return "entry has no account"
        currency = self.currency.get(entry.account_id)
        if currency is None:
            return f"unknown account {entry.account_id}"
        if currency != entry.currency:
            return f"account {entry.account_id} is in {currency}, the entry in {entry.currency}"
        if entry.amount == 0 or (entry.amount > 0) != (_SIGN[entry.kind] > 0):
            return f"a {entry.kind} cannot move {entry.amount}"
        return None

    def _apply(self, entry: EntryIn) -> list[str]:
        assert entry.account_id is not None
        card = cardholder_ledger(entry.account_id)
        kind = _COUNTER[entry.kind]
        other = {
            "revenue": f"revenue:{self.unit_id}",
            "autoload": "autoload-receivable",
            "cash": f"cash:{self.till_id}",
        }[kind]
        self._ledger_account(card, "cardholder", entry.currency)
        self._ledger_account(other, kind, entry.currency)
        txn, at = new_id(), entry.created_at.isoformat()
        source = f"till:{self.till_id}:{entry.id}"
        self.ledger_rows += [
            (txn, card, entry.amount, at, source),
            (txn, other, -entry.amount, at, source),
        ]
        self.balance[card] += entry.amount
        self.changed.add(entry.account_id)
        flags = []
        if entry.amount < 0 and self.balance[card] < 0:
            flags.append("overdraft")  # an offline sale: it happened, so it is kept and shown
        if entry.body.get("offline"):
            flags.append("offline")
        return flags

    def _ledger_account(self, name: str, kind: str, currency: str) -> None:
        if name in self.known_ledgers or name in self.new_ledgers:
            return
        row = self.tx.one("SELECT currency FROM ledger_accounts WHERE ledger_account = ?", (name,))
        if row is None:
            self.new_ledgers[name] = (kind, currency)
        else:
            self.known_ledgers.add(name)

    def _refuse(self, entry: EntryIn, status: str, detail: str) -> EntryResult:
        log.warning(
            "till %s entry %s seq %s %s: %s", self.till_id, entry.id, entry.seq, status, detail
        )
        self.refusal_rows.append(
            (
                self.till_id,
                str(entry.id),
                entry.seq,
                f"{status}: {detail}",
                json.dumps(entry.model_dump(mode="json")),
                self.now,
            )
        )
        return EntryResult(id=entry.id, seq=entry.seq, status=status, detail=detail)  # type: ignore[arg-type]

    def flush(self) -> None:
        tx = self.tx
        _many(
            tx,
            "INSERT INTO ledger_accounts VALUES (?, ?, ?)",
            [(name, kind, cur) for name, (kind, cur) in self.new_ledgers.items()],
        )
        _many(
            tx,
            "INSERT INTO ledger (txn_id, ledger_account, amount, created_at, source)"
            " VALUES (?, ?, ?, ?, ?)",
            self.ledger_rows,
        )
        _many(
            tx, "INSERT INTO journal_ingest VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.ingest_rows
        )
        _many(
            tx,
            "INSERT INTO ingest_refusals (till_id, entry_id, seq, reason, content,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?)",
            self.refusal_rows,
        )
        tx.execute(
            "UPDATE tills SET applied_seq = ? WHERE till_id = ?", (self.applied, self.till_id)
        )
        for account_id in sorted(self.changed):  # every till learns the new balance (D-SYNC-1)
            emit(tx, "account", account_id)


def _in(tx: Tx, sql: str, values: list[str]) -> list[Any]:
    if not values:
        return []
    return tx.all(sql.format(", ".join("?" * len(values))), values)


def _many(tx: Tx, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    rows = list(rows)
    if rows:
        tx.executemany(sql, rows)
