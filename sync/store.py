"""The till's local store: card/account cache, journal, outbox. The only code on the till that
writes SQL.

The parts live in `store_base` (opening, transactions), `cache` and `journal`; `Store` joins
them. SQLite in WAL mode with synchronous=FULL; every write is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sync.cache import CacheMixin
from sync.journal import Committed, JournalMixin, OutboxStats
from sync.records import Account, AutoloadAgreement, Card, Cardholder, Product, Unit
from sync.store_base import AmountTypeError, StoreUnavailable, _int

__all__ = ["AmountTypeError", "Committed", "OutboxStats", "Store", "StoreUnavailable"]


class Store(CacheMixin, JournalMixin):
    """The till's SQLite store. Open with `Store.open(path)` or `Store.from_connection(conn)`."""

    def apply_changes(
        self,
        *,
        cursor: int,
        applied_seq: int,
        synced_at: datetime,
        units: Iterable[Unit] = (),
        cardholders: Iterable[Cardholder] = (),
        accounts: Iterable[Account] = (),
        cards: Iterable[Card] = (),
        products: Iterable[Product] = (),
        agreements: Iterable[AutoloadAgreement] = (),
        policy: dict[str, Any] | None = None,
        days: Iterable[tuple[str, date, int, int]] = (),
        refused: Iterable[tuple[str, str]] = (),
        removed: Iterable[tuple[str, str]] = (),
    ) -> None:
        """One page of the server's change feed, with its cursor, in one transaction.

        First the entries the server already holds (up to `applied_seq`) are marked applied,
        then the server's balances replace the cached ones: those balances contain exactly
        those entries, so nothing is counted twice or lost (invariant 3).
        """
        with self._write() as conn:
            self.settle(applied_seq, refused)
            for unit in units:
                self.upsert_unit(unit)
            self.upsert_cardholders(cardholders)
            self.upsert_accounts(accounts)
            self.upsert_cards(cards)
            self.upsert_products(products)
            self.upsert_agreements(agreements)
            self.remove_items(removed)
            if policy is not None:
                self.set_policy(policy)
            for account_id, day, spent, autoloads in days:
                self.set_account_day(account_id, day=day, spent=spent, autoloads=autoloads)
            conn.execute(
                "UPDATE sync_state SET cursor = ?, last_sync = ? WHERE id = 1",
                (_int("cursor", cursor), synced_at.isoformat()),
            )

    def server_applied_seq(self) -> int:
        return int(self._rows("SELECT server_applied_seq FROM sync_state WHERE id = 1")[0][0])

    def settle(self, applied_seq: int, refused: Iterable[tuple[str, str]] = ()) -> None:
        """The server holds this till's entries up to `applied_seq`; the `refused` ones
        (entry id, reason) it will never apply: quarantine those, mark the rest applied."""
        with self._write() as conn:
            for entry_id, reason in refused:
                conn.execute(
                    "UPDATE outbox SET quarantined = ? WHERE entry_id = ? AND applied_at IS NULL",
                    (reason, entry_id),
                )
            self.mark_applied_through(applied_seq)
            conn.execute(
                "UPDATE sync_state SET server_applied_seq = MAX(server_applied_seq, ?)"
                " WHERE id = 1",
                (_int("applied_seq", applied_seq),),
            )
