"""The server's database: SQLite (embedded, zero set-up) or PostgreSQL (`postgresql://…`).

SQL is written once with `?` placeholders; the PostgreSQL side turns them into `%s`. Every
write runs in one transaction (`Database.transaction()`), so nothing is stored half-way.

Connections are kept, not opened per transaction (a PostgreSQL connect costs 2 to 19 ms
here): `open_pool` gives a serving process a pool sized for the threads that may hold one at
once (its handlers' bound, which the pushes' own threads share, and the long-polls' reads),
and SQLite keeps its idle connections. A connection is only ever held inside one thread hop,
never across an `await`, so such a pool never makes a thread wait for one. `session()`
holds one connection for several transactions: a request's credential check and its work.
"""

from __future__ import annotations

import copy
import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]


class Cursor(Protocol):
    rowcount: int  # sqlite3 and psycopg both: rows an UPDATE or DELETE changed

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Tx:
    """One transaction: `execute` with `?` placeholders on either database."""

    def __init__(
        self, conn: Any, dialect: Dialect, *, locked: Iterable[tuple[int, int]] = ()
    ) -> None:
        self._conn = conn
        self.dialect = dialect
        self._locked = set(locked)  # the (space, number) locks it holds (`lock_keys`)
        self._later: list[str] | None = None  # statements kept for the COMMIT (`at_commit`)
        self._kept: list[str] = []
        self._binder: Any = None  # a client-side cursor of the connection, to bind with

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
            if self._later is not None:
                self._later.append(self._bound(sql, params))
                return _NO_ROWS
        return self._conn.execute(sql, tuple(params))  # type: ignore[no-any-return]

    def _bound(self, sql: str, params: Sequence[Any]) -> str:
        if self._binder is None:
            import psycopg

            self._binder = psycopg.ClientCursor(self._conn)
        # The values as literals, quoted by libpq for this connection: the statement joins
        # others in one query string, which takes no parameters.
        return str(self._binder.mogrify(sql, tuple(params)))

    @contextmanager
    def at_commit(self) -> Iterator[None]:
        """Writes whose answers nobody reads, sent with the COMMIT: on PostgreSQL in the same
        query string, one statement for psycopg where each costs the client 50 to 90 µs of
        CPU here (a COPY is never kept: `insert_many` inserts instead). An error in one
        surfaces at the commit, which then rolls back whole. SQLite runs each at once."""
        if self.dialect != "postgresql" or self._later is not None:
            yield
            return
        self._later = []
        try:
            yield
        finally:
            self._kept, self._later = self._kept + self._later, None

    def sent_at_commit(self) -> str:
        """The statements `at_commit` kept, as the start of a query string ("" for none)."""
        return "".join(f"{sql}; " for sql in self._kept)

    def rows_changed(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an UPDATE or DELETE; how many rows it changed (0: nothing matched)."""
        if self._later is not None:
            raise RuntimeError("rows_changed inside at_commit: its answer comes too late")
        return int(self.execute(sql, params).rowcount)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if self._later is not None:
            for row in rows:
                self.execute(sql, row)
            return
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
            with self._conn.cursor() as cur:
                cur.executemany(sql, rows)  # psycopg pipelines these: one round trip, not many
            return
        self._conn.executemany(sql, rows)

    def insert_many(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        or_else: str = "",
    ) -> None:
        """Many rows into a table: PostgreSQL's COPY (one stream, several times faster than
        row-by-row inserts for a batch of entries and their ledger rows), SQLite's
        executemany. Fewer rows go as one INSERT of them all on PostgreSQL: a COPY is a
        round trip of its own, where an INSERT joins the statements around it in a
        `pipeline()` (which a COPY cannot be part of: callers send `COPY_FROM` rows or more
        outside one), and one statement for all rows costs the server less than one a row.
        `or_else`: what a row that conflicts does (`ON CONFLICT … DO NOTHING`), which makes
        it an INSERT whatever the number of rows."""
        if not rows:
            return
        names = ", ".join(columns)
        copy_rows = len(rows) >= COPY_FROM and not or_else and self._later is None
        if self.dialect == "postgresql" and copy_rows:
            with self._conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = f"({', '.join('?' * len(columns))})"
        if self.dialect == "postgresql":
            values = ", ".join([marks] * len(rows))
            self.execute(
                f"INSERT INTO {table} ({names}) VALUES {values} {or_else}",
                [value for row in rows for value in row],
            )
            return
        self._conn.executemany(f"INSERT INTO {table} ({names}) VALUES {marks} {or_else}", rows)

    @contextmanager
    def streamed(
        self, table: str, columns: Sequence[str]
    ) -> Iterator[Callable[[Sequence[Any]], None]]:
        """Rows into a table as they are made, by a function the block calls for each: on
        PostgreSQL one COPY open for the block, its data sent as it fills psycopg's buffer,
        so the database takes them while the caller makes the next (nothing else may use
        the transaction in the block); on SQLite, and inside `at_commit` (whose statements
        wait for the COMMIT), kept and inserted as the block ends."""
        names = ", ".join(columns)
        if self.dialect == "postgresql" and self._later is None:
            with self._conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                yield copy.write_row
            return
        rows: list[Sequence[Any]] = []
        yield rows.append
        self.insert_many(table, columns, rows)

    def lock_keys(self, keys: Iterable[tuple[int, str]]) -> None:
        """In a `keyed` write, the locks of what it reads and writes (`TILL_KEY`, `ACCOUNT_KEY`
        and a name), held to its end: taken in one fixed order (of their numbers), so two
        writers never wait for each other in a ring (which holds for one call: a writer
        takes all of its locks at once, here or as it begins, `Database.transaction`'s
        `keys`; those it holds already are not asked for again). SQLite's writers queue for
        the whole database anyway."""
        if self.dialect != "postgresql":
            return
        numbers = key_numbers(keys) - self._locked
        if numbers:
            self.execute(lock_sql(numbers))
            self._locked |= numbers

    def lock_feed(self) -> None:
        """In a `keyed` write, just before it adds changes to the feed, held to its end: the
        changes' seqs become visible in the order they are numbered (a feed reader moves its
        cursor past a seq only once everything below it is committed or never will be)."""
        if self.dialect == "postgresql":
            self.execute(f"SELECT pg_advisory_xact_lock({FEED_LOCK})")

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        """Statements sent together, their rows read after the block: on PostgreSQL one round
        trip for all of them (psycopg's pipeline mode); SQLite runs each as it comes."""
        if self.dialect == "postgresql":
            with self._conn.pipeline():
                yield
            return
        yield

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]


class _NoRows:
    """The cursor of a statement `Tx.at_commit` kept: no rows to read yet."""

    rowcount = -1

    def fetchone(self) -> Any:
        return None

    def fetchall(self) -> list[Any]:
        return []


_NO_ROWS = _NoRows()


def key_numbers(keys: Iterable[tuple[int, str]]) -> set[tuple[int, int]]:
    """`Tx.lock_keys`' keys as the numbers of their locks."""
    return {(space, _key_number(name)) for space, name in keys}


def lock_sql(numbers: Iterable[tuple[int, int]]) -> str:
    """One statement taking these locks in the order of their numbers (numbers only: no
    value a caller chose goes into the text)."""
    calls = ", ".join(f"pg_advisory_xact_lock({int(a)}, {int(b)})" for a, b in sorted(numbers))
    return f"SELECT {calls}"


def _guarded_locks(conn: Any, numbers: set[tuple[int, int]], guard: tuple[str, str]) -> str:
    """The write lock (shared) and these locks, taken only if the guard's till holds its
    credential hash: one row when they were, none when not. The two texts are quoted by
    libpq for this connection; the till id is the path's, the hash hex of our own making."""
    from psycopg.sql import Literal

    till, digest = (Literal(value).as_string(conn) for value in guard)
    calls = ", ".join(
        [f"pg_advisory_xact_lock_shared({WRITE_LOCK})"]
        + [f"pg_advisory_xact_lock({int(a)}, {int(b)})" for a, b in sorted(numbers)]
    )
    return f"SELECT {calls} FROM tills WHERE till_id = {till} AND credential_hash = {digest}"


def _last_has_rows(cursor: Any, check: bool) -> bool:
    """Whether the last statement of a query string answered a row (if asked: `check`)."""
    if not check:
        return False
    while cursor.nextset():
        pass
    return bool(cursor.rowcount > 0)


class NotGuarded(Exception):
    """A transaction's guard refused it: the till does not hold that credential."""


COPY_FROM = 64  # rows from which `Tx.insert_many` streams a COPY (measured: bench.ingest)
WRITE_LOCK = 7331  # the advisory lock every PostgreSQL write transaction takes first
FEED_LOCK = 7332  # a keyed write's, from its first change to the feed to its commit
TILL_KEY, ACCOUNT_KEY = 1, 2  # the spaces of `Tx.lock_keys`
WAKE_CHANNEL = "canteen_wake"  # every PostgreSQL write NOTIFYs it once durable (server.notify)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith(("postgresql://", "postgres://")):
            self.dialect: Dialect = "postgresql"
            self.path: Path | None = None
        else:
            self.dialect = "sqlite"
            raw = url.removeprefix("sqlite:///").removeprefix("sqlite://")
            self.path = Path(raw)
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._pool: Any = None  # psycopg_pool.ConnectionPool once `open_pool` ran
        self._idle: list[sqlite3.Connection] = []  # SQLite connections no thread is using
        self._idle_lock = threading.Lock()
        # SQLite's own busy handler polls with growing sleeps, so under load a writer can wait
        # far longer than the writers before it take; this process's writers queue here instead.
        self._write_lock = threading.Lock()
        self.caches: dict[str, object] = {}  # derived data that lives as long as this object
        self._held: _Held | None = None  # set on a session: the connection it keeps
        # Whether this handle's writes wake the long-polls at once (the back office) or
        # gathered (a till's sales and reports): `for_writes` sets it per request.
        self.urgent = True
        # SQLite: called after each write commits (this process's long-polls look again);
        # PostgreSQL tells every process through NOTIFY instead.
        self.on_commit: Callable[[bool], None] | None = None
        self._depth = threading.local()  # open transactions of this database, per thread

    def open_pool(self, size: int) -> None:
        """Keep up to `size` PostgreSQL connections (as many as a serving process's threads
        may hold at once: each holds at most one, so none waits for another). SQLite keeps
        its own anyway."""
        if self.dialect != "postgresql" or self._pool is not None:
            return
        from psycopg_pool import ConnectionPool

        self._pool = ConnectionPool(
            self.url,
            min_size=min(2, size),
            max_size=size,
            kwargs={"autocommit": True},  # transactions are begun here, explicitly
            name="canteen",
            open=True,
        )

    def for_writes(self, *, urgent: bool) -> Database:
        """This database, its writes waking the long-polls at once or gathered."""
        view = copy.copy(self)
        view.urgent = urgent
        return view

    @contextmanager
    def session(self) -> Iterator[Database]:
        """This database, holding one connection from its first transaction to the end of
        the block: one thread's several transactions (a request's check, then its work).
        Never held across an `await`: the thread pool could then run out of connections."""
        view = copy.copy(self)
        view._held = _Held()
        try:
            yield view
        finally:
            view.release()

    def release(self) -> None:
        """A session gives its connection back (nothing to do for anything else)."""
        held = self._held
        if held is None or held.conn is None:
            return
        conn, held.conn = held.conn, None
        self._give(conn)

    def _take(self) -> Any:
        held = self._held
        if held is not None and held.conn is not None:
            return held.conn
        conn: Any
        if self.dialect == "sqlite":
            with self._idle_lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = self._sqlite_connect()
        elif self._pool is not None:
            conn = self._pool.getconn()
        else:  # a one-off process (the admin CLI, a migration): no pool to keep
            import psycopg

            conn = psycopg.connect(self.url, autocommit=True)
        if held is not None:
            held.conn = conn
        return conn

    def _give(self, conn: Any) -> None:
        if self.dialect == "sqlite":
            with self._idle_lock:
                self._idle.append(conn)
        elif self._pool is not None:
            self._pool.putconn(conn)  # one that broke is dropped and replaced by the pool
        else:
            conn.close()

    def _sqlite_connect(self) -> sqlite3.Connection:
        # Used by one thread at a time, though not always the same one (a session's check
        # and its work may run on two threads of the pool, one after the other).
        conn = sqlite3.connect(
            self.path or ":memory:", isolation_level=None, timeout=30, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def transaction(
        self,
        *,
        write: bool = True,
        keyed: bool = False,
        keys: Iterable[tuple[int, str]] = (),
        guard: tuple[str, str] | None = None,
    ) -> Iterator[Tx]:
        """A transaction. A PostgreSQL write takes the write lock first, alone; a `keyed`
        one (a push) shares it with other keyed writes and takes the locks of the tills and
        accounts it touches (`Tx.lock_keys`) and the feed's (`Tx.lock_feed`) itself: pushes
        of other tills on other accounts run side by side, and any other write still waits
        for all of them and they for it (what it changes, a push may read: cards, policy,
        agreements, deposits). `keys`: the keyed locks it takes as it begins (in the same
        round trip), as `Tx.lock_keys` would. `guard` (a keyed PostgreSQL write's): a till
        and a credential hash; the transaction takes its locks, the write lock among them,
        only if that till holds that hash, checked in the same statement, and otherwise
        ends at once and raises `NotGuarded`."""
        if guard is not None and not (keyed and write and self.dialect == "postgresql"):
            raise ValueError("only a keyed PostgreSQL write begins with a guard")
        if getattr(self._depth, "open", False):
            # A second connection while holding one: enough threads doing it at once would
            # wait for each other's connections forever.
            raise RuntimeError("a transaction inside another transaction of the same database")
        self._depth.open = True
        try:
            locks = key_numbers(keys) if keyed and write and self.dialect == "postgresql" else set()
            with self._transaction(write, keyed and write, locks, guard) as tx:
                yield tx
        finally:
            self._depth.open = False
        if write and self.on_commit is not None and self.dialect == "sqlite":
            self.on_commit(self.urgent)

    @contextmanager
    def _transaction(
        self,
        write: bool,
        keyed: bool = False,
        locks: set[tuple[int, int]] | None = None,
        guard: tuple[str, str] | None = None,
    ) -> Iterator[Tx]:
        kept = self._held is not None and self._held.conn is not None
        conn = self._take()
        try:
            if self.dialect == "sqlite":
                with self._sqlite_transaction(conn, write) as tx:
                    yield tx
                return
            # One round trip opens it. A write takes the lock first: alone, so what it reads
            # stays put; a push shares it with other pushes and locks its till and accounts
            # and, from its first change, the feed (`Tx.lock_keys`, `Tx.lock_feed`), which keeps
            # per-till sequences, balances and the feed's order (changes commit in seq order)
            # exact. A read sees one snapshot: a page's balances and watermark must agree;
            # writes stay READ COMMITTED: they take their locks first and must see what came
            # before.
            shared = "_shared" if keyed else ""
            begin = (
                f"BEGIN; SELECT pg_advisory_xact_lock{shared}({WRITE_LOCK})"
                if write
                else "BEGIN ISOLATION LEVEL REPEATABLE READ"
            )
            if guard is not None:
                begin = f"BEGIN; {_guarded_locks(conn, locks or set(), guard)}"
            elif locks:
                begin += f"; {lock_sql(locks)}"
            # `_pg_begin` owns the connection until it returns one: it gives back what it
            # cannot use, so the `finally` below must not give that one again.
            owned, conn = conn, None
            conn, guarded = self._pg_begin(owned, begin, retry=not kept, check=guard is not None)
            if guard is not None and not guarded:
                refused, conn = conn, None  # given back here, not by the `finally`
                self._pg_end_unguarded(refused)
                raise NotGuarded(guard[0])
            # A write commits without waiting for the disk, so the lock is free for the next
            # writer at once, and then waits for the disk outside the lock (`_durable`):
            # writers queue for the lock, not for each other's fsyncs, and concurrent ones
            # share a flush. Nothing returns before its commit is on disk, and the NOTIFY
            # that wakes every process's long-polls goes with that flush, not before it.
            # The COMMIT and the flush that follows it (`_durable`) go in one round trip: the
            # lock is released at the COMMIT, before the flush, as with two.
            end = (
                f"SET LOCAL synchronous_commit = off; COMMIT; {_durable(self.urgent)}"
                if write
                else "COMMIT"
            )
            with self._pg_transaction(conn, end, locks or set()) as tx:
                yield tx
        finally:
            if self._held is None and conn is not None:
                self._give(conn)

    def _pg_begin(self, conn: Any, begin: str, *, retry: bool, check: bool) -> tuple[Any, bool]:
        """`begin` on `conn`, or on a fresh connection if the database ended that one (a
        restart, a restore: nothing was done on it yet, so a fresh one does the same), and
        (if `check`) whether its last statement answered a row: a guard held. The
        connection it returns is the caller's to give back; any other it gives back itself
        (a session's stays held, for the session to give back)."""
        import psycopg

        try:
            return conn, _last_has_rows(conn.execute(begin), check)
        except psycopg.OperationalError:
            if not retry:
                self._give_unless_held(conn)
                raise
        except BaseException:
            self._give_unless_held(conn)
            raise
        fresh = self._replace(conn)
        try:
            return fresh, _last_has_rows(fresh.execute(begin), check)
        except BaseException:
            self._give_unless_held(fresh)
            raise

    def _pg_end_unguarded(self, conn: Any) -> None:
        """End a transaction its guard refused (it holds no lock and did nothing) and give
        back its connection, as `_transaction`'s `finally` would."""
        import psycopg

        try:
            conn.execute("ROLLBACK")
        except psycopg.Error:
            conn.close()  # the pool drops it
        finally:
            if self._held is None:
                self._give(conn)

    def _replace(self, conn: Any) -> Any:
        """A fresh connection for one the database ended (held in its place by a session)."""
        conn.close()
        if self._held is not None:
            self._held.conn = None
        self._give(conn)  # the pool drops a closed connection
        if self._pool is not None:
            self._pool.check()  # after a restart every idle one is as stale as this one
        return self._take()

    @contextmanager
    def lone(self) -> Iterator[Tx]:
        """Statements outside any transaction, each a transaction of its own: for a caller
        that reads one row (a push's credential check: one round trip, where a transaction
        adds a BEGIN and a COMMIT). A connection the database ended since it was pooled is
        replaced at the first statement, which is sent again: it only reads."""
        kept = self._held is not None and self._held.conn is not None
        tx = _Lone(self, self._take(), retry=not kept and self.dialect == "postgresql")
        try:
            yield tx
        finally:
            if self._held is None and tx.conn is not None:
                self._give(tx.conn)

    def _give_unless_held(self, conn: Any) -> None:
        if self._held is None:
            self._give(conn)

    @contextmanager
    def _sqlite_transaction(self, conn: sqlite3.Connection, write: bool) -> Iterator[Tx]:
        with self._write_lock if write else nullcontext():
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Tx(conn, "sqlite")
                conn.execute("COMMIT")
            except BaseException:
                # A full disk may have rolled the transaction back already, or left it
                # open after a failed COMMIT: end it either way, and let the error that
                # says what went wrong through (not "no transaction is active").
                if conn.in_transaction:
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _pg_transaction(self, conn: Any, end: str, locks: set[tuple[int, int]]) -> Iterator[Tx]:
        import psycopg

        try:
            tx = Tx(conn, "postgresql", locked=locks)
            yield tx
            # What the transaction kept for its commit goes with it; an error there (a key
            # another push took meanwhile) rolls back whole, as one before it would.
            conn.execute(tx.sent_at_commit() + end)
        except BaseException as exc:
            if not conn.closed:
                with suppress(psycopg.Error):
                    conn.execute("ROLLBACK")
                if isinstance(exc, psycopg.Error):
                    # A statement psycopg prepares in a pipeline that the error aborted was
                    # never prepared on the server, yet psycopg keeps it as prepared: the next
                    # transaction on this connection would fail with "prepared statement
                    # _pg3_N does not exist". A connection that met a database error is closed
                    # (the pool replaces it; a session takes a fresh one): such errors are rare
                    # (an entry id two tills pushed at once, a deadlock), a wrong one is not.
                    conn.close()
                    if self._held is not None and self._held.conn is conn:
                        self._held.conn = None
                        self._give(conn)  # the pool drops it; unheld, the caller gives it
            raise

    def close(self) -> None:
        """Close every kept connection (the pool, SQLite's idle ones)."""
        self.release()
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _durable(urgent: bool) -> str:
    """What waits until everything committed so far is on disk, then wakes the long-polls,
    sent right after a write's COMMIT in the same query string (a transaction of its own,
    implicit: it follows the COMMIT): a transaction that writes to the WAL (a message only,
    no table) and commits synchronously flushes the WAL up to its own commit record, after
    every commit before it; its NOTIFY is delivered only once it has committed. Flushes of
    concurrent callers are shared (PostgreSQL's group commit). The query string answers
    only when all of it has run, so no push is answered before its commit is on disk.

    Until the flush, other transactions may already read what was committed (a till's poll
    that was going to read anyway, not one this write woke). A crash in that window loses it
    together with all that came after it in the WAL: no push was answered for it, and a till
    that read its result from the feed meanwhile knows of a receive number the server no
    longer has, which the feed answers with `forgot` (the till sends its entries again), and
    a cursor into the lost part is one the server never issued (`reset`)."""
    wake = "urgent" if urgent else "routine"
    return f"SELECT pg_logical_emit_message(true, 'canteen', ''); NOTIFY {WAKE_CHANNEL}, '{wake}'"


def _key_number(name: str) -> int:
    """A name as a lock number (int4): stable across processes, unlike `hash`; two names
    with one number only share a lock."""
    digest = hashlib.blake2b(name.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


class _Lone(Tx):
    """`Database.lone`'s statements: the first one again on a fresh connection if the kept
    one turns out to be ended (nothing was done on it yet)."""

    def __init__(self, db: Database, conn: Any, *, retry: bool) -> None:
        super().__init__(conn, db.dialect)
        self._db, self._retry = db, retry

    @property
    def conn(self) -> Any:
        return self._conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        retry, self._retry = self._retry, False
        if not retry:
            return super().execute(sql, params)
        import psycopg

        try:
            return super().execute(sql, params)
        except psycopg.OperationalError:
            # `_replace` gives the ended one back itself: if no fresh one comes (the pool
            # times out), `lone` must not give it back again.
            ended, self._conn = self._conn, None
            self._conn = self._db._replace(ended)
            return super().execute(sql, params)


class _Held:
    __slots__ = ("conn",)

    def __init__(self) -> None:
        self.conn: Any = None
