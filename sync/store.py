"""The till's local store: card/account cache, journal, outbox. The only code on the till that
writes SQL.

The parts live in `store_base` (opening, transactions), `cache`, `journal` and `settle`;
`Store` joins them. SQLite in WAL mode with synchronous=FULL; every write is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sync.cache import CacheMixin, SoldOutMark
from sync.errors import (
    AlreadyVoided,
    AmountTypeError,
    BadValue,
    NotPayable,
    NotVoidable,
    PhotoMismatch,
    StoreCorrupt,
    StoreError,
    StoreUnavailable,
    TopupSpent,
    UnknownAccount,
    UnknownEntry,
)
from sync.journal import Committed, JournalMixin, OutboxStats
from sync.records import Account, AutoloadAgreement, Card, Cardholder, Product, Unit
from sync.settle import SettleMixin

if TYPE_CHECKING:  # the wire's models load pydantic: not on a standalone till's start-up
    from sync.protocol import EntryResult, FeedProblem

__all__ = [  # what the store raises is in sync.errors, and here with the store
    "AlreadyVoided",
    "AmountTypeError",
    "BadValue",
    "Committed",
    "NotPayable",
    "NotVoidable",
    "OutboxStats",
    "PageRecords",
    "PhotoMismatch",
    "SoldOutMark",
    "Store",
    "StoreCorrupt",
    "StoreError",
    "StoreUnavailable",
    "TopupSpent",
    "UnknownAccount",
    "UnknownEntry",
]

_SWEEP = [
    ("product", "products", "product_id"),
    ("cardholder", "cardholders", "cardholder_id"),
    ("account", "accounts", "account_id"),
    ("card", "cards", "card_id"),
    ("agreement", "autoload_agreements", "account_id"),
]


# sync_state.snapshot: 0 no snapshot paging; 1 one is, noting what it holds to drop the rest at
# its end; 2 one is, into a store that held none of the scheme at its start (nothing to drop).
_SWEEPING = 1
_FRESH = 2


@dataclass
class PageRecords:
    """One feed page as records: what changed, what was removed, what could not be read."""

    units: list[Unit] = field(default_factory=list)
    cardholders: list[Cardholder] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    agreements: list[AutoloadAgreement] = field(default_factory=list)
    policy: dict[str, Any] | None = None
    days: list[tuple[str, date, int, int]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    problems: list[FeedProblem] = field(default_factory=list)
    # A large page's items as tuples in their record's field order (`Cardholder`, `Account`,
    # `Card`, `AutoloadAgreement`), checked on the wire a page at a time: no dataclass each.
    cardholder_rows: list[tuple[Any, ...]] = field(default_factory=list)
    account_rows: list[tuple[Any, ...]] = field(default_factory=list)
    card_rows: list[tuple[Any, ...]] = field(default_factory=list)
    agreement_rows: list[tuple[Any, ...]] = field(default_factory=list)

    def keys(self) -> list[tuple[str, str]]:
        return [
            *(("unit", u.unit_id) for u in self.units),
            *(("cardholder", h.cardholder_id) for h in self.cardholders),
            *(("cardholder", r[0]) for r in self.cardholder_rows),
            *(("account", a.account_id) for a in self.accounts),
            *(("account", r[0]) for r in self.account_rows),
            *(("card", c.card_id) for c in self.cards),
            *(("card", r[0]) for r in self.card_rows),
            *(("product", p.product_id) for p in self.products),
            *(("agreement", g.account_id) for g in self.agreements),
            *(("agreement", r[0]) for r in self.agreement_rows),
            *([("policy", "scheme")] if self.policy is not None else []),
        ]

    def account_ids(self) -> list[str]:
        return [*(a.account_id for a in self.accounts), *(r[0] for r in self.account_rows)]


class Store(CacheMixin, JournalMixin, SettleMixin):
    """The till's SQLite store. Open with `Store.open(path)` or `Store.from_connection(conn)`."""

    def apply_page(
        self,
        records: PageRecords,
        *,
        cursor: str,
        last_recv: int,
        synced_at: datetime,
        results: Iterable[EntryResult] = (),
        forgot: bool = False,
        snapshot_start: bool = False,
        more: bool = False,
    ) -> bool:
        """One page of the server's change feed, with its cursor, in one transaction; True
        when another page should be read at once (the page said so, or a snapshot restarts).

        First the entries the server holds are settled, then the server's balances replace
        the cached ones (plus this till's entries acknowledged after the page was read): so
        nothing is counted twice or lost (invariant 3). A snapshot (`snapshot_start`: the
        first sync, or a server that no longer knew the cursor) notes what it holds, and its
        last page drops what it did not hold. A snapshot into a store that holds none of the
        scheme yet (a new till) has nothing to drop: it notes nothing (`snapshot` = 2).
        """
        if len(cursor) > 64:
            raise BadValue("a feed cursor is at most 64 characters")
        with self._write() as conn:
            known_before = self.known_recv()
            listed = list(results)
            self.settle(listed, last_recv=last_recv, forgot=forgot)
            numbers = [r.recv_no for r in listed if r.recv_no is not None]
            if numbers and not forgot:
                # Results this store cannot match (a lost copy's entries) are not listed again.
                conn.execute(
                    "UPDATE sync_state SET results_after = MAX(results_after, ?) WHERE id = 1",
                    (max(numbers),),
                )
            if snapshot_start:
                conn.execute("DELETE FROM snapshot_seen")
                conn.execute(
                    "UPDATE sync_state SET snapshot = ? WHERE id = 1",
                    (_FRESH if self._holds_no_scheme(conn) else _SWEEPING,),
                )
            for unit in records.units:
                self.upsert_unit(unit)
            self.upsert_cardholders(records.cardholders)
            self.upsert_cardholder_rows(records.cardholder_rows)
            self.upsert_accounts(records.accounts)
            self.upsert_account_rows(records.account_rows)
            self.upsert_cards(records.cards)
            self.upsert_card_rows(records.card_rows)
            self.upsert_products(records.products)
            self.upsert_agreements(records.agreements)
            self.upsert_agreement_rows(records.agreement_rows)
            self.remove_items(records.removed)
            if records.policy is not None:
                self.set_policy(records.policy)
            self.set_account_days(records.days)
            self.compensate(conn, records.account_ids(), last_recv, known_before)
            # Only the few items with an open problem are marked, not every item of the page
            # (a snapshot's page has thousands, and feed_problems has no index to find them).
            open_problems = {
                (str(kind), str(key))
                for kind, key in conn.execute(
                    "SELECT kind, item_key FROM feed_problems WHERE resolved = 0"
                ).fetchall()
            }
            if open_problems:
                conn.executemany(
                    "UPDATE feed_problems SET resolved = 1 WHERE kind = ? AND item_key = ?",
                    [item for item in (*records.keys(), *records.removed) if item in open_problems],
                )
            self.note_feed_problems(conn, records.problems)
            (snapshot,) = conn.execute("SELECT snapshot FROM sync_state WHERE id = 1").fetchone()
            if snapshot and not (forgot and not snapshot_start):  # else a new one starts
                if snapshot == _SWEEPING:
                    # An item the till could not read keeps the copy it has: not swept.
                    unreadable = [
                        (p.kind, p.key) for p in records.problems if p.skipped and p.key is not None
                    ]
                    conn.executemany(
                        "INSERT OR IGNORE INTO snapshot_seen (kind, item_key) VALUES (?, ?)",
                        [*records.keys(), *unreadable],
                    )
                if not more and snapshot == _SWEEPING:
                    self._sweep(conn)
                elif not more:
                    conn.execute("UPDATE sync_state SET snapshot = 0 WHERE id = 1")
            restart = forgot and not snapshot_start
            if restart:
                cursor = "0"  # settle() asked for a fresh snapshot: this page is not one
            conn.execute(
                "UPDATE sync_state SET feed_cursor = ?, last_sync = ? WHERE id = 1",
                (cursor, synced_at.isoformat()),
            )
        return more or restart

    def _holds_no_scheme(self, conn: Any) -> bool:
        """Nothing a snapshot sweeps is held yet: every item the store will hold when this
        snapshot ends came with it (or with a change after it), so there is nothing to drop."""
        return all(
            conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None
            for table in (*(table for _, table, _ in _SWEEP), "policy")
        )

    def _sweep(self, conn: Any) -> None:
        """The snapshot is complete: what it did not hold is no longer the scheme's (or no
        longer for this till), and goes; so do photos nobody cached uses."""
        for kind, table, pk in _SWEEP:
            conn.execute(
                f"DELETE FROM {table} WHERE {pk} NOT IN"
                " (SELECT item_key FROM snapshot_seen WHERE kind = ?)",
                (kind,),
            )
        if conn.execute("SELECT 1 FROM snapshot_seen WHERE kind = 'policy'").fetchone() is None:
            conn.execute("DELETE FROM policy")
        conn.execute(
            "DELETE FROM photos WHERE sha256 NOT IN"
            " (SELECT photo_sha256 FROM cardholders WHERE photo_sha256 IS NOT NULL)"
        )
        conn.execute("DELETE FROM snapshot_seen")
        conn.execute("UPDATE sync_state SET snapshot = 0 WHERE id = 1")

    def scheme_loaded(self) -> bool:
        """The first snapshot has been read to its end: unit, menu, cardholders, policy."""
        (cursor, snapshot) = self._rows("SELECT feed_cursor, snapshot FROM sync_state")[0]
        return self.unit() is not None and cursor != "0" and not snapshot
