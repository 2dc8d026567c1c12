"""Journal ingest: a till's entries become ledger transactions, exactly once, in seq order.

- Idempotent forever by entry id: a replay gets the original result back; the same id with
  different content is refused as a conflict and logged.
- The per-till seq is checked: an entry after a gap is not taken, and the answer says which
  seq is missing. `applied_seq` is the highest seq received without a gap (accepted or
  refused: a refused entry must not hold up the entries behind it).
- A sale made offline that overdraws is accepted and flagged: it happened.
- Every refusal is kept in `ingest_refusals` for the operator, and the till keeps the entry in
  its quarantine list.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from server.db import Database, Tx
from server.feed import emit
from server.ledger import balance, cardholder_ledger, ensure_account, post
from sync.protocol import EntryIn, EntryResult, JournalAck

log = logging.getLogger(__name__)


def ingest(db: Database, till_id: str, entries: list[EntryIn]) -> JournalAck:
    """Apply a batch in one transaction; the answer has one result per entry, in seq order."""
    now = datetime.now(UTC).isoformat()
    results: list[EntryResult] = []
    with db.transaction() as tx:
        unit_id, applied = tx.one(
            "SELECT unit_id, applied_seq FROM tills WHERE till_id = ?", (till_id,)
        )
        changed: set[str] = set()
        for entry in sorted(entries, key=lambda e: e.seq):
            result = _one(tx, till_id, unit_id, applied, entry, now)
            if result.status in ("accepted", "refused") and entry.seq == applied + 1:
                applied = entry.seq
            if result.status == "accepted" and entry.account_id is not None:
                changed.add(entry.account_id)
            results.append(result)
        tx.execute("UPDATE tills SET applied_seq = ? WHERE till_id = ?", (applied, till_id))
        for account_id in sorted(changed):  # every till learns the new balance (D-SYNC-1)
            emit(tx, "account", account_id)
    return JournalAck(till_id=till_id, results=results, applied_seq=applied)


def _one(tx: Tx, till_id: str, unit_id: str, applied: int, entry: EntryIn, now: str) -> EntryResult:
    entry_id = str(entry.id)
    digest = entry.content_hash()
    row = tx.one(
        "SELECT till_id, content_hash, result FROM journal_ingest WHERE entry_id = ?", (entry_id,)
    )
    if row is not None:
        if row[0] == till_id and row[1] == digest:
            return EntryResult.model_validate_json(row[2])  # the original answer, unchanged
        return _refuse(
            tx,
            till_id,
            entry,
            "conflict",
            "this entry id was already received with different content",
            now,
        )
    if entry.seq <= applied:
        return _refuse(
            tx,
            till_id,
            entry,
            "conflict",
            f"seq {entry.seq} is already taken by another entry of this till",
            now,
        )
    if entry.seq > applied + 1:
        # Not stored: the till sends again from the missing seq; nothing is skipped silently.
        return EntryResult(
            id=entry.id, seq=entry.seq, status="gap", detail=f"expected seq {applied + 1} first"
        )
    problem = _check(tx, entry)
    if problem is not None:
        # Refused for good, but received: its seq is used, so the stream behind it flows on,
        # and a replay gets the same refusal. The till keeps it in quarantine.
        result = _refuse(tx, till_id, entry, "refused", problem, now)
    else:
        flags = _apply(tx, till_id, unit_id, entry)
        result = EntryResult(id=entry.id, seq=entry.seq, status="accepted", flags=flags)
    tx.execute(
        "INSERT INTO journal_ingest VALUES (?, ?, ?, ?, ?, ?, ?)",
        (entry_id, till_id, entry.seq, digest, entry.kind, result.model_dump_json(), now),
    )
    return result


def _check(tx: Tx, entry: EntryIn) -> str | None:
    if entry.account_id is None:
        return "entry has no account"
    row = tx.one("SELECT currency FROM accounts WHERE account_id = ?", (entry.account_id,))
    if row is None:
        return f"unknown account {entry.account_id}"
    if row[0] != entry.currency:
        return f"account {entry.account_id} is in {row[0]}, the entry in {entry.currency}"
    expected_sign = {"sale": -1, "void": 1, "autoload": 1, "topup": 1}[entry.kind]
    if entry.amount == 0 or (entry.amount > 0) != (expected_sign > 0):
        return f"a {entry.kind} cannot move {entry.amount}"
    return None


def _apply(tx: Tx, till_id: str, unit_id: str, entry: EntryIn) -> list[str]:
    assert entry.account_id is not None
    card = cardholder_ledger(entry.account_id)
    ensure_account(tx, card, "cardholder", entry.currency)
    other = {
        "sale": f"revenue:{unit_id}",
        "void": f"revenue:{unit_id}",
        "autoload": "autoload-receivable",
        "topup": f"cash:{till_id}",
    }[entry.kind]
    ensure_account(tx, other, other.split(":")[0], entry.currency)
    post(
        tx,
        [(card, entry.amount), (other, -entry.amount)],
        source=f"till:{till_id}:{entry.id}",
        at=entry.created_at,
    )
    flags = []
    if entry.amount < 0 and balance(tx, card) < 0:
        flags.append("overdraft")  # an offline sale: it happened, so it is kept and shown
    if entry.body.get("offline"):
        flags.append("offline")
    return flags


def _refuse(
    tx: Tx, till_id: str, entry: EntryIn, status: str, detail: str, now: str
) -> EntryResult:
    log.warning("till %s entry %s seq %s %s: %s", till_id, entry.id, entry.seq, status, detail)
    tx.execute(
        "INSERT INTO ingest_refusals (till_id, entry_id, seq, reason, content, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            till_id,
            str(entry.id),
            entry.seq,
            f"{status}: {detail}",
            json.dumps(entry.model_dump(mode="json")),
            now,
        ),
    )
    return EntryResult(id=entry.id, seq=entry.seq, status=status, detail=detail)  # type: ignore[arg-type]
