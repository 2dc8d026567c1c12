"""The till's local store, shared part: opening, migrations, transactions, error mapping.

SQLite in WAL mode with synchronous=FULL, so a committed sale survives a power cut. Every write
is one `BEGIN IMMEDIATE` transaction: seq and receipt numbers are allocated inside it, so they
stay gap-free through crashes (invariant 2), and a failed write leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Self

import sqlite_utils

from sync.ids import new_id
from sync.migrations import UnknownMigrations, migrate

BUSY_TIMEOUT_MS = 5000
DEFAULT_MIN_FREE_BYTES = 5 * 1024 * 1024

# SQLite primary result codes that mean "this store cannot be written", not a bug in our SQL.
_UNAVAILABLE = {
    3: "permission denied",
    5: "locked by another process",
    6: "locked by another process",
    8: "read-only (file or directory not writable)",
    10: "disk I/O error",
    11: "corrupt (database disk image is malformed)",
    13: "disk full",
    14: "cannot open the file (missing or read-only directory?)",
    26: "corrupt (file is not a database)",
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class StoreUnavailable(Exception):
    """The store cannot be opened or written; the message names the path and the cause."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"till store {path} is unavailable: {reason}")
        self.path = path
        self.reason = reason


class AmountTypeError(TypeError, ValueError):
    """An amount or quantity is not an int (a float or bool); money is int minor units."""


def _int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AmountTypeError(f"{name} must be an int (minor units), got {type(value).__name__}")
    return value


def _positive(name: str, value: object) -> int:
    number = _int(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be positive, got {number}")
    return number


def _text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def _utc(created_at: datetime) -> str:
    if not isinstance(created_at, datetime) or created_at.utcoffset() is None:
        raise ValueError(f"created_at must be a timezone-aware datetime, got {created_at!r}")
    return created_at.astimezone(UTC).isoformat()


def _day(business_day: date) -> str:
    if isinstance(business_day, datetime) or not isinstance(business_day, date):
        raise ValueError(f"business_day must be a date, got {business_day!r}")
    return business_day.isoformat()


def _currency(currency: str) -> str:
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise ValueError(f"currency must be a 3-letter upper-case code, got {currency!r}")
    return currency


def _json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


class StoreBase:
    """Connection, migrations and transactions; `Store` adds the cache and the journal."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        till_id: str,
        path: str,
        owns_connection: bool,
        min_free_bytes: int = DEFAULT_MIN_FREE_BYTES,
    ) -> None:
        self.till_id = _text("till_id", till_id)
        self.path = path
        self.min_free_bytes = min_free_bytes
        self._conn = conn
        self._owns = owns_connection
        self._depth = 0
        self._setup()
        self.db = sqlite_utils.Database(conn, execute_plugins=False)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, *, till_id: str, min_free_bytes: int = DEFAULT_MIN_FREE_BYTES
    ) -> Self:
        """Open (creating it and its directory when missing) and migrate the store at path."""
        file = Path(path)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(
                str(file), f"cannot create directory {file.parent}: {exc.strerror}"
            ) from exc
        try:
            conn = sqlite3.connect(str(file), timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            _reraise(str(file), exc)
        try:
            return cls(
                conn,
                till_id=till_id,
                path=str(file),
                owns_connection=True,
                min_free_bytes=min_free_bytes,
            )
        except BaseException:
            conn.close()
            raise

    @classmethod
    def from_connection(
        cls,
        conn: sqlite3.Connection,
        *,
        till_id: str,
        min_free_bytes: int = DEFAULT_MIN_FREE_BYTES,
    ) -> Self:
        """Use an open connection (tests: `:memory:`); the caller keeps it and closes it."""
        if conn.in_transaction:
            raise ValueError("the connection has an open transaction")
        try:
            rows = conn.execute("PRAGMA database_list").fetchall()
        except sqlite3.Error as exc:
            _reraise("<connection>", exc)
        path = next((str(file) for _, name, file in rows if name == "main"), "") or ":memory:"
        return cls(
            conn, till_id=till_id, path=path, owns_connection=False, min_free_bytes=min_free_bytes
        )

    def _setup(self) -> None:
        conn = self._conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            migrate(conn)
            with self._write():
                row = conn.execute("SELECT till_id FROM till WHERE id = 1").fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO till (id, till_id, series) VALUES (1, ?, ?)",
                        (self.till_id, new_id()),
                    )
                elif row[0] != self.till_id:
                    raise StoreUnavailable(
                        self.path, f"it belongs to till {row[0]!r}, not {self.till_id!r}"
                    )
            self._probe_write()
        except UnknownMigrations as exc:
            raise StoreUnavailable(self.path, str(exc)) from exc
        except sqlite3.Error as exc:
            _reraise(self.path, exc)

    def close(self) -> None:
        """Close the connection if the store opened it; a caller's connection stays open."""
        if self._owns:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def check_writable(self) -> None:
        """Prove a sale could be written now; raise StoreUnavailable saying why not, so the till
        refuses a sale before taking it.

        A rolled-back write shows a read-only file or a lock; free space is checked separately
        because a small write fits in SQLite's page cache and would not hit a full disk.
        """
        self._probe_write()
        if self.path == ":memory:":
            return
        stat = os.statvfs(Path(self.path).parent)
        free = stat.f_bavail * stat.f_frsize
        if free < self.min_free_bytes:
            raise StoreUnavailable(
                self.path,
                f"disk almost full: {free} bytes free, below the {self.min_free_bytes} bytes"
                " kept in reserve",
            )

    def _probe_write(self) -> None:
        try:
            with self._write() as conn:
                conn.execute("UPDATE counters SET value = value WHERE name = 'receipt_no'")
                raise _Probe
        except _Probe:
            pass

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction; a write inside another write joins it (apply_changes uses this)."""
        conn = self._conn
        if self._depth:
            self._depth += 1
            try:
                yield conn
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            _reraise(self.path, exc)
        finally:
            self._depth = 0

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Cursor]:
        """One snapshot for several SELECTs, so a concurrent mark_applied is seen whole."""
        cur = self._conn.cursor()
        cur.row_factory = sqlite3.Row
        cur.execute("BEGIN")
        try:
            yield cur
        finally:
            cur.execute("COMMIT")
            cur.close()

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        cur = self._conn.cursor()
        cur.row_factory = sqlite3.Row
        try:
            return cur.execute(sql, params).fetchall()
        finally:
            cur.close()


class _Probe(Exception):
    """Raised inside check_writable's transaction to roll the probe write back."""


def _reraise(path: str, exc: sqlite3.Error) -> NoReturn:
    """StoreUnavailable when the error says the store cannot be used; else the error itself,
    because a constraint or SQL error is a bug to see, not an outage to report."""
    code = getattr(exc, "sqlite_errorcode", None)
    reason = _UNAVAILABLE.get(code & 0xFF) if isinstance(code, int) else None
    if reason is None:
        raise exc
    raise StoreUnavailable(path, f"{reason} ({exc})") from exc
