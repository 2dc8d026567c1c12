"""The till's local store: card/account cache, journal, outbox. The only code on the till that
writes SQL.

The parts live in `store_base` (opening, transactions), `cache` and `journal`; `Store` joins
them. SQLite in WAL mode with synchronous=FULL; every write is one transaction.
"""

from __future__ import annotations

from sync.cache import CacheMixin
from sync.journal import Committed, JournalMixin, OutboxStats
from sync.store_base import AmountTypeError, StoreUnavailable

__all__ = ["AmountTypeError", "Committed", "OutboxStats", "Store", "StoreUnavailable"]


class Store(CacheMixin, JournalMixin):
    """The till's SQLite store. Open with `Store.open(path)` or `Store.from_connection(conn)`."""
