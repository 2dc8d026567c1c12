"""The change feed (CouchDB `_changes` style): what changed since a cursor, as current state.

Writers record *that* an item changed (`emit`, in their own transaction). A reader gets the
items changed after its cursor with their state read now, together with its own till's
`applied_seq`, all from one snapshot: so a balance and the watermark of the till's entries it
already contains always agree (invariant 3). The first sync (cursor 0) pages through every
item: the snapshot. A change whose data is None removes the item
(a product taken off the menu, an agreement ended).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from pydantic import TypeAdapter

from server.db import Database, Tx
from server.ledger import balance, cardholder_ledger
from sync.protocol import Change, ChangePage, EntryResult
from sync.records import UNIT_FIELDS

PAGE = 1000


def emit(tx: Tx, kind: str, key: str) -> None:
    tx.execute(
        "INSERT INTO changes (kind, item_key, created_at) VALUES (?, ?, ?)",
        (kind, key, datetime.now(UTC).isoformat()),
    )


def read_page(
    db: Database, till_id: str, since: int, *, after_seq: int = 0, limit: int = PAGE
) -> ChangePage:
    """Changes after `since`, and this till's refusals after `after_seq` (what it last knew)."""
    page, head, applied, refused = _read(db, till_id, since, after_seq, limit)
    return ChangePage(
        changes=page.changes,
        cursor=page.cursor,
        more=page.cursor < head,
        applied_seq=applied,
        refused=refused,
    )


@dataclass(frozen=True, slots=True)
class PageJson:
    body: bytes  # a ChangePage, serialised
    changed: bool  # it has changes
    more: bool  # another page follows at once


def read_page_json(
    db: Database, till_id: str, since: int, *, after_seq: int = 0, limit: int = PAGE
) -> PageJson:
    """`read_page`, serialised: the changes are serialised once per page and shared by every
    till that gets it, the till's own fields are added around them."""
    page, head, applied, refused = _read(db, till_id, since, after_seq, limit)
    more = page.cursor < head
    body = b"".join(
        (
            b'{"changes":',
            page.json(),
            b',"cursor":%d,"more":%s,"applied_seq":%d,"refused":'
            % (page.cursor, b"true" if more else b"false", applied),
            _REFUSALS.dump_json(refused),
            b"}",
        )
    )
    return PageJson(body, bool(page.changes), more)


_REFUSALS = TypeAdapter(list[EntryResult])
_CHANGES = TypeAdapter(list[Change])


class _Page:
    """The changes after a cursor, as of one head of the feed, shared by the tills of a unit."""

    __slots__ = ("_json", "changes", "cursor")

    def __init__(self, changes: list[Change], cursor: int) -> None:
        self.changes = changes
        self.cursor = cursor
        self._json: bytes | None = None

    def json(self) -> bytes:
        if self._json is None:  # two threads may both compute it; the bytes are the same
            self._json = _CHANGES.dump_json(self.changes)
        return self._json


def _read(
    db: Database, till_id: str, since: int, after_seq: int, limit: int
) -> tuple[_Page, int, int, list[EntryResult]]:
    """One snapshot: the feed's head, the till's watermark and refusals, and the page."""
    with db.transaction(write=False) as tx:
        head = int(tx.scalar("SELECT COALESCE(MAX(seq), 0) FROM changes"))
        if since > head:
            raise ValueError(f"cursor {since} is from the future: the feed ends at {head}")
        applied, own_unit = tx.one(
            "SELECT applied_seq, unit_id FROM tills WHERE till_id = ?", (till_id,)
        )
        applied = int(applied)
        refused = [
            EntryResult(
                id=row[0],
                seq=int(row[1]),
                status="refused",
                detail=str(row[2]).removeprefix("refused: "),
            )
            for row in tx.all(
                "SELECT entry_id, seq, reason FROM ingest_refusals WHERE till_id = ? AND seq > ?"
                " AND seq <= ? AND reason LIKE 'refused:%' ORDER BY seq",
                (till_id, after_seq, applied),
            )
        ]
        # Every write emits a change in its own transaction, so with the feed's head unchanged
        # every state is unchanged: tills of one unit asking with the same cursor share a page.
        key = (since, head, own_unit, limit)
        pages = _cache_of(db, "feed-pages", PageCache)
        page = pages.get(key)
        if page is None:
            states = _cache_of(db, "feed-states", StateCache)
            page = _Page(*_changes(tx, since, own_unit, limit, states))
            pages.put(key, page)
    return page, head, applied, refused


def _changes(
    tx: Tx, since: int, own_unit: str, limit: int, states: StateCache
) -> tuple[list[Change], int]:
    # Each changed item once, at its latest change: an item changed twice is sent once.
    rows = tx.all(
        "SELECT MAX(seq), kind, item_key FROM changes WHERE seq > ?"
        " GROUP BY kind, item_key ORDER BY MAX(seq) LIMIT ?",
        (since, limit),
    )
    changes = []
    for seq, kind, key in rows:
        if kind == "unit" and key != own_unit:
            continue  # a till reads its own unit's data only
        if kind == "product" and not _of_unit(tx, key, own_unit):
            if since > 0:  # taken off this unit's menu (or moved): the till drops it
                changes.append(Change(seq=seq, kind=kind, key=key, data=None))
            continue
        data = states.get(tx, kind, key, int(seq))
        changes.append(Change(seq=seq, kind=kind, key=key, data=data))
    return changes, (int(rows[-1][0]) if rows else since)


class PageCache:
    """The last few pages served, by (cursor, feed head, unit, page size)."""

    MAX = 64

    def __init__(self) -> None:
        self._pages: OrderedDict[tuple[int, int, str, int], _Page] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, int, str, int]) -> _Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[int, int, str, int], page: _Page) -> None:
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self.MAX:
                self._pages.popitem(last=False)


_STATES_MAX = 20_000


class StateCache:
    """An item's state is a function of its latest change (every write emits one in its own
    transaction), so hundreds of tills reading the same burst compute each state once: the
    first to miss computes it while the others wait for it. One cache per database."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, str, int], dict[str, Any] | None] = OrderedDict()
        self._computing: dict[tuple[str, str, int], threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, tx: Tx, kind: str, key: str, seq: int) -> dict[str, Any] | None:
        cache_key = (kind, key, seq)
        with self._lock:
            if cache_key in self._items:
                self._items.move_to_end(cache_key)
                return self._items[cache_key]
            done = self._computing.get(cache_key)
            if done is None:
                done = self._computing[cache_key] = threading.Event()
                mine = True
            else:
                mine = False
        if not mine:
            done.wait()
            with self._lock:
                if cache_key in self._items:
                    return self._items[cache_key]
            return _state(tx, kind, key)  # the one computing it failed: read it here
        try:
            state = _state(tx, kind, key)
            with self._lock:
                self._items[cache_key] = state
                while len(self._items) > _STATES_MAX:
                    self._items.popitem(last=False)
        finally:
            with self._lock:
                del self._computing[cache_key]
            done.set()
        return state


_CACHES_LOCK = threading.Lock()
C = TypeVar("C")


def _cache_of(db: Database, name: str, factory: Callable[[], C]) -> C:
    """One cache per database, created on first use."""
    with _CACHES_LOCK:
        cache = db.caches.get(name)
        if cache is None:
            cache = db.caches[name] = factory()
        return cast(C, cache)


def _of_unit(tx: Tx, product_id: str, unit_id: str) -> bool:
    return (
        tx.one("SELECT 1 FROM products WHERE product_id = ? AND unit_id = ?", (product_id, unit_id))
        is not None
    )


def _state(tx: Tx, kind: str, key: str) -> dict[str, Any] | None:
    if kind == "unit":
        row = tx.one(f"SELECT {', '.join(UNIT_FIELDS)} FROM units WHERE unit_id = ?", (key,))
        return None if row is None else dict(zip(UNIT_FIELDS, row, strict=True))
    if kind == "cardholder":
        row = tx.one(
            "SELECT name, photo_sha256, allowed_unit_types, daily_limit,"
            " blocked_categories FROM cardholders WHERE cardholder_id = ?",
            (key,),
        )
        if row is None:
            return None
        return {
            "cardholder_id": key,
            "name": row[0],
            "photo_sha256": row[1],
            "allowed_unit_types": json.loads(row[2]),
            "daily_limit": row[3],
            "blocked_categories": json.loads(row[4]),
        }
    if kind == "account":
        row = tx.one(
            "SELECT cardholder_id, currency, price_level, membership_expires,"
            " payment_blocked, arrears FROM accounts WHERE account_id = ?",
            (key,),
        )
        if row is None:
            return None
        return {
            "account_id": key,
            "cardholder_id": row[0],
            "currency": row[1],
            "price_level": row[2],
            "membership_expires": row[3],
            "payment_blocked": bool(row[4]),
            "arrears": int(row[5]),
            "balance": balance(tx, cardholder_ledger(key)),
            **_day(tx, key),
        }
    if kind == "card":
        row = tx.one("SELECT account_id, state, replaced_by FROM cards WHERE card_id = ?", (key,))
        if row is None:
            return None
        return {"card_id": key, "account_id": row[0], "state": row[1], "replaced_by": row[2]}
    if kind == "product":
        row = tx.one(
            "SELECT name, category, prices, vat_rate_bp, shortcut, position FROM products"
            " WHERE product_id = ?",
            (key,),
        )
        if row is None:
            return None
        return {
            "product_id": key,
            "name": row[0],
            "category": row[1],
            "prices": json.loads(row[2]),
            "vat_rate_bp": int(row[3]),
            "shortcut": row[4],
            "position": int(row[5]),
        }
    if kind == "policy":
        data = tx.scalar("SELECT data FROM policy WHERE id = 1")
        return None if data is None else dict(json.loads(data))
    if kind == "agreement":
        row = tx.one(
            "SELECT threshold, amount, active_from, ended, collection_failed"
            " FROM agreements WHERE account_id = ?",
            (key,),
        )
        if row is None:
            return None
        return {
            "account_id": key,
            "threshold": int(row[0]),
            "amount": int(row[1]),
            "active_from": row[2],
            "ended": bool(row[3]),
            "collection_failed": bool(row[4]),
        }
    raise ValueError(f"unknown change kind {kind!r}")


def _day(tx: Tx, account_id: str) -> dict[str, Any]:
    """The account's latest business day with till entries: spending and autoloads then
    (D-UNIT-3 daily limit, D-AUTO-4 once a day), across every till."""
    day = tx.scalar(
        "SELECT MAX(business_day) FROM journal_ingest WHERE account_id = ?", (account_id,)
    )
    if day is None:
        return {"day": None, "day_spent": 0, "day_autoloads": 0}
    spent, loads = tx.one(
        "SELECT COALESCE(SUM(CASE WHEN kind IN ('sale', 'void') THEN -amount ELSE 0 END), 0),"
        " COUNT(CASE WHEN kind = 'autoload' THEN 1 END)"
        " FROM journal_ingest WHERE account_id = ? AND business_day = ?",
        (account_id, day),
    )
    return {"day": day, "day_spent": int(spent), "day_autoloads": int(loads)}


class Notifier:
    """Wakes long-polls when something was written, from whichever thread wrote it.

    A write is urgent (the back office: a deposit, a block) or routine (a till's sales). A
    long-poll that is calming down after its last answer wakes for urgent writes only.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event, bool]] = set()
        self.last_urgent = float("-inf")  # time.monotonic() of the last urgent write

    def notify(self, *, urgent: bool = True) -> None:
        with self._lock:
            if urgent:
                self.last_urgent = time.monotonic()
            waiters = [(loop, event) for loop, event, only in self._waiters if urgent or not only]
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    async def wait(self, timeout: float, *, urgent_only: bool = False) -> bool:
        """True when woken, False when the timeout passed."""
        event = asyncio.Event()
        entry = (asyncio.get_running_loop(), event, urgent_only)
        with self._lock:
            self._waiters.add(entry)
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        finally:
            with self._lock:
                self._waiters.discard(entry)
        return True
