"""The server's database: SQLite (embedded, zero set-up) or PostgreSQL (`postgresql://…`).

SQL is written once with `?` placeholders; the PostgreSQL side turns them into `%s`. Every
write runs in one transaction (`Database.transaction()`), so nothing is stored half-way.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
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

    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self._conn = conn
        self.dialect = dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self._conn.execute(sql, tuple(params))  # type: ignore[no-any-return]

    def rows_changed(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an UPDATE or DELETE; how many rows it changed (0: nothing matched)."""
        return int(self.execute(sql, params).rowcount)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if self.dialect == "postgresql":
            sql = sql.replace("%", "%%").replace("?", "%s")
            with self._conn.cursor() as cur:
                cur.executemany(sql, rows)  # psycopg pipelines these: one round trip, not many
            return
        self._conn.executemany(sql, rows)

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Many rows into a table: PostgreSQL's COPY (one stream, several times faster than
        row-by-row inserts for a batch of entries and their ledger rows), SQLite's
        executemany."""
        if not rows:
            return
        names = ", ".join(columns)
        if self.dialect == "postgresql":
            with self._conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(columns))
        self._conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]


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
        self._local = threading.local()
        # SQLite's own busy handler polls with growing sleeps, so under load a writer can wait
        # far longer than the writers before it take; this process's writers queue here instead.
        self._write_lock = threading.Lock()
        self.caches: dict[str, object] = {}  # derived data that lives as long as this object

    def _sqlite(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # One connection per thread: FastAPI runs handlers on a thread pool.
            conn = sqlite3.connect(self.path or ":memory:", isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Tx]:
        if self.dialect == "sqlite":
            conn = self._sqlite()
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
            return
        import psycopg

        with psycopg.connect(self.url) as pg:
            if not write:
                # A read sees one snapshot: a page's balances and watermark must agree. Writes
                # stay READ COMMITTED: they take the lock first and must see what came before.
                pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            with pg.transaction():
                if write:
                    # One writer at a time keeps per-till sequences and balances exact.
                    pg.execute("SELECT pg_advisory_xact_lock(7331)")
                yield Tx(pg, "postgresql")

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
