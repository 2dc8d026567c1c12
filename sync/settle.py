"""What the server said it holds, applied to the till's outbox and cached balances.

Invariant 2 (nothing lost): an entry leaves the outbox only when the server has acknowledged
its id (`settle`); a server that says it forgot entries (restored from an older backup) gets
them again, and so does a series with a gap the server reports.

Invariant 3 (displayed = server + unapplied): an acknowledged entry's delta moves into the
cached balance in the same transaction that marks it applied; a feed page's balances contain
exactly this till's entries with receive numbers up to the page's `last_recv`, so a page
that is older than an acknowledgement already applied gets those entries added back
(`compensate`), and nothing is counted twice or dropped whichever answer arrives first.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sync.errors import UnknownEntry
from sync.ids import new_id
from sync.records import EntryKind
from sync.store_base import StoreBase, _int

if TYPE_CHECKING:  # the wire's models load pydantic: not on a standalone till's start-up
    from sync.protocol import EntryResult, FeedProblem

# An entry of a newer day starts the account's day counters afresh; one of an older day
# only moves the balance. An arrears payment (D-AUTO-7) moves the arrears instead, and lifts
# the payment block when it pays them off, as the server does on booking it.
APPLY = """
UPDATE accounts SET
  balance = balance + :amt,
  arrears = arrears - :arr,
  payment_blocked = CASE WHEN :arr > 0 AND arrears - :arr <= 0 THEN 0 ELSE payment_blocked END,
  day_spent = CASE WHEN day = :d THEN day_spent + :c
                   WHEN day IS NULL OR day < :d THEN :c ELSE day_spent END,
  day_autoloads = CASE WHEN day = :d THEN day_autoloads + :n
                       WHEN day IS NULL OR day < :d THEN :n ELSE day_autoloads END,
  day = CASE WHEN day IS NULL OR day < :d THEN :d ELSE day END
WHERE account_id = :a
"""
_UNAPPLY = """
UPDATE accounts SET
  balance = balance - :amt,
  arrears = arrears + :arr,
  payment_blocked = CASE WHEN :arr > 0 AND arrears + :arr > 0 THEN 1 ELSE payment_blocked END,
  day_spent = CASE WHEN day = :d THEN day_spent - :c ELSE day_spent END,
  day_autoloads = CASE WHEN day = :d THEN day_autoloads - :n ELSE day_autoloads END
WHERE account_id = :a
"""
_ENTRY = (
    "SELECT j.kind, j.account_id, j.amount, j.business_day, COALESCE(j.wire_seq, j.seq),"
    " j.applied_at, j.quarantined, COALESCE(j.series, t.series), j.body"
    " FROM journal j JOIN till t ON t.id = 1 WHERE j.entry_id = ?"
)


def _deltas(kind: str, account_id: str, amount: int, day: str, body: str) -> dict[str, object]:
    # Spending is sales less their voids; a top-up's void (amount < 0) gives back none.
    spent = -amount if kind == EntryKind.SALE or (kind == EntryKind.VOID and amount > 0) else 0
    loads = 1 if kind == EntryKind.AUTOLOAD else 0
    paid = int(json.loads(body)["amount"]) if kind == EntryKind.ARREARS_PAYMENT else 0
    return {"a": account_id, "amt": amount, "d": day, "c": spent, "n": loads, "arr": paid}


class SettleMixin(StoreBase):
    def series(self) -> str:
        """This store's numbering series (a UUID): the server counts seq within it."""
        return str(self._rows("SELECT series FROM till WHERE id = 1")[0][0])

    def all_series(self) -> list[str]:
        """The series whose results the till asks the feed for: the store's own, and the
        recovery series with entries not settled yet (at most 8 in all, as the feed takes)."""
        rows = self._rows(
            "SELECT DISTINCT series FROM journal WHERE series IS NOT NULL"
            " AND applied_at IS NULL ORDER BY series DESC LIMIT 7"
        )
        return [self.series(), *sorted(str(r[0]) for r in rows)]

    def feed_cursor(self) -> str:
        return str(self._rows("SELECT feed_cursor FROM sync_state WHERE id = 1")[0][0])

    def known_recv(self) -> int:
        """The highest receive number the server gave one of this store's entries: only what
        the server said of an entry by its id counts, never a page's word alone."""
        (value,) = self._rows(  # the condition lets the partial index `journal_recv` answer
            "SELECT COALESCE(MAX(recv_no), 0) FROM journal WHERE recv_no IS NOT NULL"
        )[0]
        return int(value)

    def results_after(self) -> int:
        """Feed pages list the entry results after this receive number."""
        (listed,) = self._rows("SELECT results_after FROM sync_state WHERE id = 1")[0]
        return max(int(listed), self.known_recv())

    def mark_applied(self, entry_ids: Iterable[str]) -> None:
        """The server holds these entries (tests, the standalone demo's stand-in): move their
        deltas into the cached account in one transaction. Idempotent."""
        with self._write() as conn:
            for entry_id in dict.fromkeys(entry_ids):
                if not self._apply_one(conn, entry_id):
                    raise UnknownEntry(f"no journal entry {entry_id!r} to mark applied")

    def _apply_one(
        self,
        conn: sqlite3.Connection,
        entry_id: str,
        row: tuple[Any, ...] | None = None,
        recv_no: int | None = None,
    ) -> bool:
        """Mark it applied, its delta moved into the cached balance (once); `row` is its
        `_ENTRY` row when the caller has read it already."""
        row = row or conn.execute(_ENTRY, (entry_id,)).fetchone()
        if row is None:
            return False
        kind, account_id, amount, day, _, applied_at, _, _, body = row
        if applied_at is None:
            conn.execute(APPLY, _deltas(kind, account_id, amount, day, body))
            conn.execute(
                "UPDATE journal SET applied_at = ?, quarantined = NULL,"
                " recv_no = COALESCE(?, recv_no) WHERE entry_id = ?",
                (datetime.now(UTC).isoformat(), recv_no, entry_id),
            )
        elif recv_no is not None:
            conn.execute("UPDATE journal SET recv_no = ? WHERE entry_id = ?", (recv_no, entry_id))
        return True

    def _requeue(self, conn: sqlite3.Connection, entry_id: str) -> None:
        """Back into the outbox: the server does not hold it after all."""
        row = conn.execute(_ENTRY, (entry_id,)).fetchone()
        kind, account_id, amount, day, _, applied_at, _, _, body = row
        if applied_at is not None:
            conn.execute(_UNAPPLY, _deltas(kind, account_id, amount, day, body))
        conn.execute(
            "UPDATE journal SET applied_at = NULL, quarantined = NULL, recv_no = NULL"
            " WHERE entry_id = ?",
            (entry_id,),
        )

    def settle(
        self, results: Iterable[EntryResult], *, last_recv: int, forgot: bool = False
    ) -> None:
        """The server's word on this till's entries, in one transaction: acknowledged ids
        leave the outbox (their deltas move into the balances), refused ones go to the
        quarantine, a gap or a server that forgot gets entries again."""
        _int("last_recv", last_recv)
        with self._write() as conn:
            if forgot:
                # Restored from an older backup: what it received after `last_recv` is lost.
                # Those entries go back into the outbox, and the cached balances are read
                # afresh with the next pull: a new snapshot.
                for (entry_id,) in conn.execute(
                    "SELECT entry_id FROM journal WHERE recv_no > ?", (last_recv,)
                ).fetchall():
                    self._requeue(conn, entry_id)
                conn.execute(
                    "UPDATE sync_state SET feed_cursor = '0', snapshot = 0,"
                    " results_after = MIN(results_after, ?) WHERE id = 1",
                    (last_recv,),
                )
            for result in results:
                self._settle_one(conn, result)

    def _settle_one(self, conn: sqlite3.Connection, result: EntryResult) -> None:
        entry_id = str(result.id)
        row = conn.execute(_ENTRY, (entry_id,)).fetchone()
        if row is None:
            return  # not this store's entry (an earlier store of this till)
        if result.status in ("seq_taken", "gap") and row[4] != result.seq:
            return  # about a numbering the entry no longer travels under: a stale answer
        applied_at = row[5]
        if result.status in ("accepted", "duplicate"):
            self._apply_one(conn, entry_id, row, result.recv_no)
        elif result.status == "refused":
            conn.execute(
                "UPDATE journal SET recv_no = ?, quarantined = ? WHERE entry_id = ?"
                " AND applied_at IS NULL",
                (result.recv_no, f"refused: {result.detail}", entry_id),
            )
        elif result.status == "seq_taken" and applied_at is None:
            self._move_to_recovery(conn, entry_id, str(row[7]))
        elif result.status == "conflict" and applied_at is None:
            conn.execute(
                "UPDATE journal SET quarantined = ? WHERE entry_id = ?",
                (f"{result.status}: {result.detail}", entry_id),
            )
        elif result.status == "gap" and result.expected is not None:
            # The server is missing earlier entries of this series: send them again. When
            # this store holds none of them (they moved to a recovery series, or were made
            # by the copy of this store that was lost), nobody can fill the gap: this entry
            # then travels on in a recovery series, as for a seq already taken.
            earlier = conn.execute(
                "SELECT j.entry_id, j.applied_at IS NULL AND j.quarantined IS NULL"
                " FROM journal j JOIN till t ON t.id = 1 WHERE COALESCE(j.series, t.series) = ?"
                " AND COALESCE(j.wire_seq, j.seq) >= ? AND COALESCE(j.wire_seq, j.seq) < ?",
                (row[7], result.expected, result.seq),
            ).fetchall()
            if not earlier and applied_at is None:
                self._move_to_recovery(conn, entry_id, str(row[7]))
            for other, pending in earlier:
                if not pending:
                    self._requeue(conn, other)

    def _move_to_recovery(self, conn: sqlite3.Connection, entry_id: str, series: str) -> None:
        """The server has another entry of this till at this entry's seq: this store is an
        older copy of itself (restored from a backup) and numbered on where the lost copy had
        numbered already. The server does not have this entry by its id, so it travels on in
        a recovery series of its own: sent again, received once, never quarantined."""
        (recovery,) = conn.execute("SELECT recovery_series FROM till WHERE id = 1").fetchone()
        if recovery is None or recovery == series:  # none yet, or the recovery series clashed
            recovery = new_id()
            conn.execute("UPDATE till SET recovery_series = ? WHERE id = 1", (recovery,))
        (last,) = conn.execute(
            "SELECT COALESCE(MAX(wire_seq), 0) FROM journal WHERE series = ?", (recovery,)
        ).fetchone()
        conn.execute(
            "UPDATE journal SET series = ?, wire_seq = ?, quarantined = NULL WHERE entry_id = ?",
            (recovery, int(last) + 1, entry_id),
        )

    def compensate(
        self, conn: sqlite3.Connection, account_ids: list[str], page_recv: int, known_before: int
    ) -> None:
        """A page older than acknowledgements already applied: its balances lack this till's
        entries received after the page was read; add them back to what the page says."""
        if page_recv >= known_before or not account_ids:
            return
        marks = ", ".join("?" * len(account_ids))
        for kind, account_id, amount, day, body in conn.execute(
            "SELECT j.kind, j.account_id, j.amount, j.business_day, j.body FROM journal j"
            " WHERE j.recv_no > ? AND j.recv_no <= ? AND j.applied_at IS NOT NULL"
            f" AND j.account_id IN ({marks})",
            (page_recv, known_before, *account_ids),
        ).fetchall():
            conn.execute(APPLY, _deltas(kind, account_id, amount, day, body))

    # -- feed problems ---------------------------------------------------------------------

    def note_feed_problems(self, conn: sqlite3.Connection, problems: Iterable[FeedProblem]) -> None:
        now = datetime.now(UTC).isoformat()
        conn.executemany(
            "INSERT INTO feed_problems (seen_at, seq, kind, item_key, problem, skipped)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(now, p.seq, p.kind, p.key, p.problem, int(p.skipped)) for p in problems],
        )

    def unreported_problems(self, limit: int = 100) -> list[tuple[int, FeedProblem]]:
        from sync.protocol import FeedProblem

        rows = self._rows(
            "SELECT id, seq, kind, item_key, problem, skipped FROM feed_problems"
            " WHERE reported = 0 ORDER BY id LIMIT ?",
            (limit,),
        )
        return [
            (
                int(r[0]),
                FeedProblem(seq=r[1], kind=r[2], key=r[3], problem=r[4], skipped=bool(r[5])),
            )
            for r in rows
        ]

    def mark_reported(self, ids: Iterable[int]) -> None:
        with self._write() as conn:
            conn.executemany(
                "UPDATE feed_problems SET reported = 1 WHERE id = ?", [(i,) for i in ids]
            )

    def skipped_changes(self) -> int:
        """Feed items this till could not read and skipped, and has not read since in a
        newer change: shown in the status bar."""
        return int(
            self._rows(
                "SELECT COUNT(DISTINCT kind || ':' || COALESCE(item_key, id)) FROM feed_problems"
                " WHERE skipped = 1 AND resolved = 0"
            )[0][0]
        )

    def missing_photos(self) -> list[str]:
        """Photos of cached cardholders this till has not got yet (still to download)."""
        rows = self._rows(
            "SELECT DISTINCT photo_sha256 FROM cardholders WHERE photo_sha256 IS NOT NULL"
            " AND photo_sha256 NOT IN (SELECT sha256 FROM photos) ORDER BY photo_sha256"
        )
        return [str(r[0]) for r in rows]
