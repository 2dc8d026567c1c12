"""The change feed (CouchDB `_changes` style): what changed since a cursor, as current state.

Writers record *that* an item changed (`emit`, in their own transaction). A reader gets the
items changed after its cursor with their state read now, together with its own till's entry
results and receive number, all from one snapshot: so a balance and the entries of the till it
already contains always agree (invariant 3). The first sync (cursor "0") pages through every
item the till may see: the snapshot. A change whose data is None removes the item from the
till (a product taken off the menu, an agreement ended, a cardholder no longer allowed here).

A cursor is opaque to the till: the seq of the page's last change and a token of that change.
A cursor this server never issued (it was restored from an older backup, or the till's store
is from another server) is not an error: the answer starts a new snapshot and says `reset`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from pydantic import TypeAdapter, ValidationError

from server import feed_rows
from server.db import Database, Tx
from server.errors import ServerError
from server.feed_state import ItemState, read_states
from server.tills import is_credential_of
from sync import limits
from sync.protocol import ROW_KINDS, Change, ChangePage, EntryResult, Key

PAGE = limits.MAX_PAGE_ITEMS
RESULTS = limits.MAX_PAGE_RESULTS
log = logging.getLogger(__name__)
_CURSOR = re.compile(r"^([1-9][0-9]{0,18})-([0-9a-f]{12})$")
_PERSONAL = ("cardholder", "account", "card", "agreement")
# A page of at least this many items goes as rows to a till that reads them (a snapshot, a
# large burst); a smaller one goes through the item cache, whose states tills at different
# cursors share (a snapshot's 325,000 items would only flush its 50,000 through it).
ROWS_FROM = 1_000


def emit(tx: Tx, kind: str, key: str, *, drop_for: Iterable[str] = ()) -> None:
    """Record that an item changed; `drop_for`: the unit types whose tills may hold it and
    must now drop it (least data: no other till is sent even the item's id)."""
    dropped = sorted(drop_for)
    tx.execute(
        "INSERT INTO changes (kind, item_key, created_at, drop_for) VALUES (?, ?, ?, ?)",
        (kind, key, datetime.now(UTC).isoformat(), json.dumps(dropped) if dropped else None),
    )


def emit_many(tx: Tx, kind: str, keys: Sequence[str]) -> None:
    """`emit` for several items of a kind, in one statement (each gets its own seq)."""
    if keys:
        now = datetime.now(UTC).isoformat()
        tx.executemany(
            "INSERT INTO changes (kind, item_key, created_at) VALUES (?, ?, ?)",
            [(kind, key, now) for key in keys],
        )


def _token(seq: int, kind: str, key: str, created_at: str) -> str:
    return hashlib.sha256(f"{seq}|{kind}|{key}|{created_at}".encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class TillPart:
    """The asking till's own part of a page: its receive number and new entry results."""

    last_recv: int
    forgot: bool
    results: list[EntryResult]
    capped: bool  # more results than a page carries: this page carries only results


def read_page(
    db: Database,
    till_id: str,
    since: str,
    *,
    known_recv: int = 0,
    after_recv: int | None = None,
    series: Sequence[str] = (),
    limit: int = PAGE,
) -> ChangePage:
    """Changes after `since`; this till's results after `after_recv` (default: its
    `known_recv`) in its `series`; `forgot` when it knows of more than this server gave."""
    after = known_recv if after_recv is None else after_recv
    page, head, reset, till = _read(db, till_id, since, known_recv, after, series, limit)
    if till.capped:
        return ChangePage(
            changes=[], cursor=since, more=True, last_recv=till.last_recv, results=till.results
        )
    return ChangePage(
        changes=_CHANGES.validate_json(page.json()),
        cursor=page.cursor,
        more=page.cursor_seq < head,
        reset=reset,
        last_recv=till.last_recv,
        forgot=till.forgot,
        results=till.results,
    )


@dataclass(frozen=True, slots=True)
class PageJson:
    head: bytes  # a ChangePage, serialised: head + the shared page's changes + tail
    news: bool  # it tells the till something: changes, results, a reset
    more: bool  # another page follows at once
    page: _Page | None = None
    tail: bytes = b""

    @property
    def body(self) -> bytes:
        if self.page is None:
            return self.head
        return b"".join((self.head, self.page.json(), self.tail))

    def gzip(self) -> bytes:
        """The body gzipped: the shared changes compressed once per page, the till's own
        fields around them as members of their own (a gzip stream may hold several)."""
        if self.page is None:
            return gzip.compress(self.head, GZIP_LEVEL)
        return b"".join(
            (
                gzip.compress(self.head, GZIP_LEVEL),
                self.page.gzip(),
                gzip.compress(self.tail, GZIP_LEVEL),
            )
        )


GZIP_LEVEL = 1  # JSON shrinks about 6-fold even at the fastest level; level 6 costs 3× the CPU


def read_page_json(
    db: Database,
    till_id: str,
    since: str,
    *,
    known_recv: int = 0,
    after_recv: int | None = None,
    series: Sequence[str] = (),
    limit: int = PAGE,
    rows: bool = False,
) -> PageJson:
    """`read_page`, serialised: each item's change is serialised once per state and the
    page is joined from those bytes, shared by every till that gets it; the till's own
    fields are added around them. With `rows` (the till reads `sync.protocol.Rows`), a page
    of `ROWS_FROM` items or more carries its personal items as rows."""
    after = known_recv if after_recv is None else after_recv
    ask = Ask(till_id, since, known_recv, after, tuple(series), limit, rows=rows)
    answer = read_pages_json(db, [ask])[0]
    if isinstance(answer, Exception):
        raise answer
    return answer


@dataclass(frozen=True, slots=True)
class Ask:
    """One long-poll's question: `read_page_json`'s arguments; `claim`, when given, is the
    credential checked in the same transaction (a poll then needs no thread hop of its own)."""

    till_id: str
    since: str
    known_recv: int = 0
    after_recv: int = 0
    series: tuple[str, ...] = ()
    limit: int = PAGE
    claim: Callable[[Tx], object] | None = None
    credential: str | None = None  # the claim's: checked against the tills read in bulk
    rows: bool = False  # the till reads `sync.protocol.Rows`


def read_pages_json(db: Database, asks: Sequence[Ask]) -> list[PageJson | Exception]:
    """`read_page_json` for many tills in one transaction: one read of the feed's head and of
    the tills, each cursor checked once, each page (cursor, unit) built once. An ask that
    fails on its own (a refused credential) gets its exception; a database error fails all."""
    answers: list[PageJson | Exception] = []
    capped: list[int] = []
    for n, read in enumerate(_read_many(db, asks)):
        if isinstance(read, Exception):
            answers.append(read)
            continue
        page, head, reset, till = read
        if till.capped:
            capped.append(n)
            answers.append(PageJson(b"", True, True))  # replaced below
            continue
        answers.append(_page_json(page, head, reset, till))
    for n in capped:  # more results than a page holds: rare, read on its own
        ask = asks[n]
        model = read_page(
            db,
            ask.till_id,
            ask.since,
            known_recv=ask.known_recv,
            after_recv=ask.after_recv,
            series=ask.series,
            limit=ask.limit,
        )
        answers[n] = PageJson(model.model_dump_json().encode(), True, True)
    return answers


def _page_json(page: _Page, head: int, reset: bool, till: TillPart) -> PageJson:
    more = page.cursor_seq < head
    tail = b"".join(
        (
            b',"cursor":"%s","more":%s,"reset":%s,"last_recv":%d,"forgot":%s,"results":'
            % (
                page.cursor.encode(),
                _bool(more),
                _bool(reset),
                till.last_recv,
                _bool(till.forgot),
            ),
            _RESULTS.dump_json(till.results),
            b"}",
        )
    )
    news = page.count > 0 or bool(till.results) or reset or till.forgot
    return PageJson(b'{"changes":', news, more, page, tail)


def _bool(value: bool) -> bytes:
    return b"true" if value else b"false"


_RESULTS = TypeAdapter(list[EntryResult])
_CHANGES = TypeAdapter(list[Change])
_KEY: TypeAdapter[str] = TypeAdapter(Key)


class _Page:
    """The changes after a cursor, as of one head of the feed, shared by the tills of a unit:
    joined once from each item's serialised change."""

    __slots__ = ("_gzip", "_json", "count", "cursor", "cursor_seq")

    def __init__(
        self,
        items: list[bytes],
        cursor_seq: int,
        cursor: str,
        rows: bytes = b"",
        row_count: int = 0,
    ) -> None:
        # The changes array, and after it the page's `rows` member when it has rows.
        self._json = b"[" + b",".join(items) + b"]" + (b',"rows":' + rows if row_count else b"")
        self._gzip: bytes | None = None
        self.count = len(items) + row_count
        self.cursor_seq = cursor_seq
        self.cursor = cursor

    def json(self) -> bytes:
        return self._json

    def gzip(self) -> bytes:
        if self._gzip is None:  # two threads may both compress it; the bytes are the same
            self._gzip = gzip.compress(self._json, GZIP_LEVEL)
        return self._gzip

    @property
    def size(self) -> int:
        return len(self._json)


def _read(
    db: Database,
    till_id: str,
    since: str,
    known_recv: int,
    after_recv: int,
    series: Sequence[str],
    limit: int,
    rows: bool = False,
) -> tuple[_Page, int, bool, TillPart]:
    """One snapshot: the feed's head, the till's part, and the page."""
    ask = Ask(till_id, since, known_recv, after_recv, tuple(series), limit, rows=rows)
    read = _read_many(db, [ask])[0]
    if isinstance(read, Exception):
        raise read
    return read


def feed_head(db: Database) -> int:
    """The seq of the feed's latest change (0: none yet)."""
    with db.transaction(write=False) as tx:
        return int(tx.scalar("SELECT COALESCE(MAX(seq), 0) FROM feed_latest"))


_Read = tuple[_Page, int, bool, TillPart]
_TILLS_AT_ONCE = 500  # placeholders in one IN list


def _read_many(db: Database, asks: Sequence[Ask]) -> list[_Read | Exception]:
    """One snapshot for all: the feed's head, each till's part, and each page."""
    out: list[_Read | Exception] = []
    with db.transaction(write=False) as tx:
        head = int(tx.scalar("SELECT COALESCE(MAX(seq), 0) FROM feed_latest"))
        # Only ids a caller may name: a claim's path is read in bulk when its credential
        # names that till too (any other goes through the claim's own check alone), so one
        # poll's odd path cannot fail the read of the others it was gathered with.
        tills = _tills(tx, sorted({ask.till_id for ask in asks if _plainly_own(ask)}))
        sinces: dict[str, tuple[int, bool]] = {}
        pages = _cache_of(db, "feed-pages", PageCache)
        items = _cache_of(db, "feed-items", ItemCache)
        for ask in asks:
            if ask.claim is not None and not (
                ask.credential is not None
                and ask.till_id in tills
                and is_credential_of(ask.credential, ask.till_id, tills[ask.till_id][3])
            ):
                try:  # not plainly this till's own: the claim's own check says why
                    ask.claim(tx)
                except ServerError as exc:  # refused (401, 403): this ask only
                    out.append(exc)
                    continue
            if ask.till_id not in tills:  # no such till (a caller without a claim to refuse it)
                out.append(LookupError(f"till {ask.till_id} is not enrolled"))
                continue
            last_recv, own_unit, unit_type, _ = tills[ask.till_id]
            till = _till_part(
                tx, ask.till_id, last_recv, ask.known_recv, ask.after_recv, ask.series
            )
            if ask.since not in sinces:
                sinces[ask.since] = _since(tx, ask.since)
            since_seq, reset = sinces[ask.since]
            # Every write emits a change in its own transaction, so with the feed's head
            # unchanged every state is unchanged: tills of one unit asking with the same
            # cursor share a page. The head is read from the database in this snapshot, so
            # the key holds across server processes sharing one database: a page is never
            # served after the feed moved on.
            key = (since_seq, head, own_unit, ask.limit, ask.rows)
            page = pages.get(key)
            if page is None:
                page = _changes(tx, since_seq, own_unit, unit_type, ask.limit, items, ask.rows)
                pages.put(key, page)
            out.append((page, head, reset, till))
    return out


def _plainly_own(ask: Ask) -> bool:
    """Whether the ask's till may be read with the others': no claim to check (the server's
    own callers), or a credential that names the till in the path."""
    if ask.claim is None:
        return True
    return ask.credential is not None and ask.credential.partition(".")[0] == ask.till_id


def _tills(tx: Tx, till_ids: Sequence[str]) -> dict[str, tuple[int, str, str, str | None]]:
    """Each till's receive number, unit, unit type and credential hash."""
    found: dict[str, tuple[int, str, str, str | None]] = {}
    for at in range(0, len(till_ids), _TILLS_AT_ONCE):
        part = till_ids[at : at + _TILLS_AT_ONCE]
        for till_id, last_recv, unit_id, unit_type, stored in tx.all(
            "SELECT t.till_id, t.last_recv, t.unit_id, u.unit_type, t.credential_hash FROM tills t"
            " JOIN units u ON u.unit_id = t.unit_id"
            f" WHERE t.till_id IN ({', '.join('?' * len(part))})",
            tuple(part),
        ):
            hashed = None if stored is None else str(stored)
            found[str(till_id)] = (int(last_recv), str(unit_id), str(unit_type), hashed)
    return found


def _since(tx: Tx, since: str) -> tuple[int, bool]:
    """The seq to read after, and whether the till's cursor was one this server never issued."""
    if since == "0":
        return 0, False
    match = _CURSOR.match(since)
    if match is not None and int(match.group(1)) <= limits.INT64_MAX:
        seq = int(match.group(1))
        row = tx.one("SELECT kind, item_key, created_at FROM changes WHERE seq = ?", (seq,))
        if row is not None and _token(seq, row[0], row[1], row[2]) == match.group(2):
            return seq, False
    log.warning(
        "cursor %r is not one this server issued (restored from a backup?): snapshot", since
    )
    return 0, True


def _till_part(
    tx: Tx, till_id: str, last_recv: int, known_recv: int, after_recv: int, series: Sequence[str]
) -> TillPart:
    forgot = known_recv > last_recv
    if forgot:
        log.warning(
            "till %s knows of receive number %s, this server only of %s: restored from a backup?",
            till_id,
            known_recv,
            last_recv,
        )
        return TillPart(last_recv, True, [], False)
    if not series or after_recv >= last_recv:
        return TillPart(last_recv, False, [], False)
    rows = tx.all(
        "SELECT recv_no, result FROM journal_ingest WHERE till_id = ? AND recv_no > ?"
        f" AND series IN ({', '.join('?' * len(series))}) ORDER BY recv_no LIMIT ?",
        (till_id, after_recv, *series, RESULTS + 1),
    )
    results = [_numbered(row) for row in rows[:RESULTS]]
    if len(rows) > RESULTS:
        return TillPart(int(rows[RESULTS - 1][0]), False, results, True)
    return TillPart(last_recv, False, results, False)


def _numbered(row: Any) -> EntryResult:
    """A stored result with its receive number (results stored before numbers lack it)."""
    result = EntryResult.model_validate_json(row[1])
    if result.recv_no is None:
        result = result.model_copy(update={"recv_no": int(row[0])})
    return result


def _changes(
    tx: Tx,
    since: int,
    own_unit: str,
    unit_type: str,
    limit: int,
    items: ItemCache,
    rows: bool = False,
) -> _Page:
    # Each changed item once, at its latest change (kept by a trigger, migration 0010): a
    # range scan by seq, whatever the size of the feed before the cursor.
    feed = tx.all(
        "SELECT seq, kind, item_key FROM feed_latest WHERE seq > ? ORDER BY seq LIMIT ?",
        (since, limit),
    )
    if not feed:
        return _Page([], since, _cursor_of(tx, since))
    last = int(feed[-1][0])
    read: feed_rows.Read | None = None
    if rows and len(feed) >= ROWS_FROM:
        by_kind: dict[str, list[tuple[int, str]]] = {kind: [] for kind in ROW_KINDS}
        others = []
        for seq, kind, key in feed:
            of_kind = by_kind.get(kind)
            if of_kind is None:
                others.append((int(seq), str(kind), str(key)))
            else:
                of_kind.append((int(seq), str(key)))
        read = feed_rows.read_rows(tx, unit_type, by_kind)
    else:
        others = [(int(seq), str(kind), str(key)) for seq, kind, key in feed]
    found = items.get_many(tx, others)
    parts: list[tuple[int, bytes]] = []  # by seq: the page's changes in the feed's order
    # Items it may not see now, or that are gone: (seq, kind, key, gone, visible, removal).
    unsent: list[tuple[int, str, str, bool, bool, bytes | None]] = []
    for seq, kind, key in others:
        item = found[(kind, key, seq)]
        if item is None:
            continue  # its state cannot be sent (logged): not sent, not removed
        if kind == "unit" and key != own_unit:
            continue  # a till reads its own unit's data only
        visible = _visible(kind, item.state, own_unit, unit_type)
        if item.json is not None and visible:
            parts.append((seq, item.json))
        else:
            unsent.append((seq, kind, key, item.state.data is None, visible, item.removal))
    if read is not None:
        for kind, hidden in read.others.items():
            unsent.extend((seq, kind, key, gone, seen, None) for seq, key, gone, seen in hidden)
    dropped: set[tuple[str, str]] | None = None  # read once, when the page needs it
    for seq, kind, key, gone, visible, removal in unsent:
        if since == 0 or kind in ("unit", "policy"):
            continue  # a snapshot holds only what the till may see; it keeps its unit, policy
        if kind in _PERSONAL and not (gone and visible):
            # Not one it could see now: a removal only if it may hold it, that is if its
            # cardholder took this till's unit type away since (least data, D-UNIT-2).
            if dropped is None:
                dropped = _dropped_for(tx, since, last, unit_type)
            if (kind, key) not in dropped:
                continue
        removal = removal if removal is not None else _removal(seq, kind, key)
        if removal is not None:
            parts.append((seq, removal))
    parts.sort(key=_first)
    changes = [part for _, part in parts]
    if read is None:
        return _Page(changes, last, _cursor_of(tx, last))
    sent = {kind: feed_rows.checked(kind, block) for kind, block in read.rows.items()}
    count = sum(len(block) for block in sent.values())
    packed = feed_rows.serialised(sent) if count else b""
    return _Page(changes, last, _cursor_of(tx, last), packed, count)


def _first(part: tuple[int, bytes]) -> int:
    return part[0]


def _removal(seq: int, kind: str, key: str) -> bytes | None:
    """The change that tells a till to drop an item (None: a key the wire model refuses)."""
    try:
        key = _KEY.validate_python(key)
    except ValidationError as exc:
        log.error("%s %r cannot be sent to the tills: %s", kind, key, exc)
        return None
    head = b'{"seq":%d,"kind":"%s","key":%s,' % (seq, kind.encode(), _KEY.dump_json(key))
    return head + b'"data":null}'


def _dropped_for(tx: Tx, since: int, last: int, unit_type: str) -> set[tuple[str, str]]:
    """The items whose changes in (since, last] tell tills of `unit_type` to drop them. An
    item on the page has its latest change in that range, so any such change of it is too;
    the partial index on changes with `drop_for` keeps this to those few changes."""
    return {
        (str(kind), str(key))
        for kind, key in tx.all(
            "SELECT kind, item_key FROM changes WHERE drop_for IS NOT NULL"
            " AND seq > ? AND seq <= ? AND drop_for LIKE ?",
            (since, last, f'%"{unit_type}"%'),
        )
    }


def _visible(kind: str, state: ItemState, own_unit: str, unit_type: str) -> bool:
    if kind == "product":
        return state.unit_id == own_unit
    if kind in _PERSONAL:
        return state.allowed is not None and unit_type in state.allowed  # D-UNIT-2
    return True


def _cursor_of(tx: Tx, seq: int) -> str:
    if seq == 0:
        return "0"
    kind, key, created_at = tx.one(
        "SELECT kind, item_key, created_at FROM changes WHERE seq = ?", (seq,)
    )
    return f"{seq}-{_token(seq, kind, key, created_at)}"


PageKey = tuple[int, int, str, int, bool]  # cursor, head, unit, page size, rows


class PageCache:
    """The last pages served, by (cursor, feed head, unit, page size), within a byte budget:
    a snapshot's pages are large, and only a unit's tills starting together share them."""

    MAX = 64
    MAX_BYTES = 64 << 20

    def __init__(self) -> None:
        self._pages: OrderedDict[PageKey, _Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: PageKey) -> _Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: PageKey, page: _Page) -> None:
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._pages[key] = page
            self._bytes += page.size
            while len(self._pages) > self.MAX or (
                self._bytes > self.MAX_BYTES and len(self._pages) > 1
            ):
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= dropped.size


@dataclass(frozen=True, slots=True)
class _Item:
    """An item's state at one change, with its change serialised once (None: its data is
    gone) and the removal a till that must drop it is sent."""

    state: ItemState
    json: bytes | None
    removal: bytes


def _item(seq: int, kind: str, key: str, state: ItemState) -> _Item:
    key = _KEY.validate_python(key)  # as the page's model would: a key it refuses is not sent
    head = b'{"seq":%d,"kind":"%s","key":%s,"data":' % (seq, kind.encode(), _KEY.dump_json(key))
    data = None if state.data is None else head + state.data.model_dump_json().encode() + b"}"
    return _Item(state, data, head + b"null}")


ItemKey = tuple[str, str, int]
_ITEMS_MAX = 50_000
_MISSING = object()


class ItemCache:
    """An item's state is a function of its latest change (every write emits one in its own
    transaction), so hundreds of tills reading the same burst compute and serialise each
    state once: the first to miss reads it (in bulk, with the rest of its page) while the
    others wait for it. One cache per database; its key, the change's seq, comes from the
    database, so it holds across server processes sharing one.

    A state that cannot be sent (stored data the wire model refuses) is None, and logged."""

    def __init__(self) -> None:
        self._items: OrderedDict[ItemKey, _Item | None] = OrderedDict()
        self._computing: dict[ItemKey, threading.Event] = {}
        self._lock = threading.Lock()

    def get_many(self, tx: Tx, rows: Sequence[tuple[int, str, str]]) -> dict[ItemKey, _Item | None]:
        out: dict[ItemKey, _Item | None] = {}
        mine: list[ItemKey] = []
        theirs: list[tuple[ItemKey, threading.Event]] = []
        done = threading.Event()  # one for all this reader computes: they are read together
        with self._lock:
            for seq, kind, key in rows:
                cache_key = (kind, key, seq)
                found = self._items.get(cache_key, _MISSING)
                if found is not _MISSING:
                    self._items.move_to_end(cache_key)
                    out[cache_key] = cast(_Item | None, found)
                elif cache_key in self._computing:
                    theirs.append((cache_key, self._computing[cache_key]))
                else:
                    self._computing[cache_key] = done
                    mine.append(cache_key)
        try:
            made = _read_items(tx, mine)
            out.update(made)
            with self._lock:
                for cache_key, item in made.items():
                    self._items[cache_key] = item
                while len(self._items) > _ITEMS_MAX:
                    self._items.popitem(last=False)
        finally:
            with self._lock:
                for cache_key in mine:
                    del self._computing[cache_key]
            done.set()
        missed: list[ItemKey] = []
        for cache_key, done in theirs:
            done.wait()
            with self._lock:
                found = self._items.get(cache_key, _MISSING)
            if found is _MISSING:
                missed.append(cache_key)  # the one reading it failed: read it here
            else:
                out[cache_key] = cast(_Item | None, found)
        out.update(_read_items(tx, missed))
        return out


def _read_items(tx: Tx, wanted: Sequence[ItemKey]) -> dict[ItemKey, _Item | None]:
    by_kind: dict[str, list[ItemKey]] = {}
    for cache_key in wanted:
        by_kind.setdefault(cache_key[0], []).append(cache_key)
    out: dict[ItemKey, _Item | None] = {}
    for kind, keys in by_kind.items():
        states = read_states(tx, kind, [key for _, key, _ in keys])
        for cache_key in keys:
            _, key, seq = cache_key
            state = states[key]
            if isinstance(state, ValidationError):
                log.error(
                    "%s %s cannot be sent to the tills, its stored data is refused: %s",
                    kind,
                    key,
                    state,
                )
                out[cache_key] = None
                continue
            try:
                out[cache_key] = _item(seq, kind, key, state)
            except ValidationError as exc:  # a key the wire model refuses
                log.error("%s %r cannot be sent to the tills: %s", kind, key, exc)
                out[cache_key] = None
    return out


_CACHES_LOCK = threading.Lock()
C = TypeVar("C")


def _cache_of(db: Database, name: str, factory: Callable[[], C]) -> C:
    """One cache per database, created on first use."""
    with _CACHES_LOCK:
        cache = db.caches.get(name)
        if cache is None:
            cache = db.caches[name] = factory()
        return cast(C, cache)
