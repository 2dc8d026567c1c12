"""The menu's version, which the screen polls, and a supervisor's sold-out marks, kept until
the server has them.

A mark changes the cached product at once (the till's own grid greys it) and waits in
`sold_out_marks` for the sync client, which sends each once in effect: the server keeps the
mark's id and takes a mark it already holds as done (D-PAY-5's idempotency, for the menu).
Until a mark is sent, a feed page's older copy of the product does not undo it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sync.errors import BadValue
from sync.ids import new_id
from sync.store_base import StoreBase, _text, _utc


@dataclass(frozen=True, slots=True)
class SoldOutMark:
    mark_id: str  # UUIDv7, made with the mark: the server takes it once
    product_id: str
    sold_out: bool
    marked_at: datetime


class MarksMixin(StoreBase):
    def menu_version(self) -> int:
        """A number that moves whenever the cached products, the unit or the policy change
        (triggers in the same transaction as the write, whoever writes): one row, one read."""
        rows = self._rows("SELECT version FROM menu_version WHERE id = 1")
        return int(rows[0][0]) if rows else 0

    def mark_sold_out(self, product_id: str, sold_out: bool, *, marked_at: datetime) -> str:
        """Mark a cached product sold out (or back on sale) and queue the mark for the server,
        in one transaction; returns the mark's id. An unknown product is a BadValue."""
        _text("product_id", product_id)
        if not isinstance(sold_out, bool):
            raise BadValue(f"sold_out must be true or false, got {sold_out!r}")
        at = _utc(marked_at)
        mark_id = new_id()
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE products SET sold_out = ? WHERE product_id = ?",
                (int(sold_out), product_id),
            ).rowcount
            if changed == 0:
                raise BadValue(f"product_id {product_id!r} is not on this till's menu")
            conn.execute(
                "INSERT INTO sold_out_marks (mark_id, product_id, sold_out, marked_at)"
                " VALUES (?, ?, ?, ?)",
                (mark_id, product_id, int(sold_out), at),
            )
        return mark_id

    def pending_marks(self, limit: int = 100) -> list[SoldOutMark]:
        """Marks the server has not taken yet, oldest first (UUIDv7 ids sort by time)."""
        return [
            SoldOutMark(
                r["mark_id"],
                r["product_id"],
                bool(r["sold_out"]),
                datetime.fromisoformat(r["marked_at"]),
            )
            for r in self._rows(
                "SELECT * FROM sold_out_marks WHERE sent_at IS NULL ORDER BY mark_id LIMIT ?",
                (limit,),
            )
        ]

    def mark_sent(self, mark_id: str, *, sent_at: datetime, problem: str | None = None) -> None:
        """The server has the mark (or refused it for good, saying why in `problem`)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE sold_out_marks SET sent_at = ?, problem = ? WHERE mark_id = ?",
                (_utc(sent_at), problem, mark_id),
            )
