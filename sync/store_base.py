"""The till's local store, shared part: opening, migrations, transactions, error mapping.

SQLite in WAL mode with synchronous=FULL, so a committed sale survives a power cut. Every write
is one `BEGIN IMMEDIATE` transaction: seq and receipt numbers are allocated inside it, so they
stay gap-free through crashes (invariant 2), and a failed write leaves nothing half-written.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Self

import sqlite_utils

from sync.errors import AmountTypeError, BadValue, StoreCorrupt, StoreUnavailable
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
# What SQLite raises when the file itself is damaged: 11 SQLITE_CORRUPT, 26 SQLITE_NOTADB.
_DAMAGED = {11, 26}
_EMPTY = "the file is empty (0 bytes), its sales history is gone"
_NOT_A_DATABASE = "the file is not a database (its first bytes are damaged, or it is another file)"
_FINDINGS_SHOWN = 3

# Files a store in this process has open, by (device, inode): opening one of them again (the
# sync client's jobs do, next to the till's own) skips the start-up check, which the first
# opening made.
_OPEN_FILES: Counter[tuple[int, int]] = Counter()
_OPEN_FILES_LOCK = threading.Lock()


def _int(name: str, value: object) -> int:
    if type(value) is int:  # the common case first: this runs on the tap path
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise AmountTypeError(f"{name} must be an int (minor units), got {type(value).__name__}")
    return value


def _positive(name: str, value: object) -> int:
    number = _int(name, value)
    if number <= 0:
        raise BadValue(f"{name} must be positive, got {number}")
    return number


def _text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise BadValue(f"{name} must be a non-empty string, got {value!r}")
    return value


def _utc(created_at: datetime) -> str:
    if not isinstance(created_at, datetime) or created_at.utcoffset() is None:
        raise BadValue(f"created_at must be a timezone-aware datetime, got {created_at!r}")
    return created_at.astimezone(UTC).isoformat()


def _day(business_day: date) -> str:
    if isinstance(business_day, datetime) or not isinstance(business_day, date):
        raise BadValue(f"business_day must be a date, got {business_day!r}")
    return business_day.isoformat()


def _currency(currency: str) -> str:
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise BadValue(f"currency must be a 3-letter upper-case code, got {currency!r}")
    return currency


# One encoder for every write: json.dumps with options builds a new one on each call.
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def _json(data: Any) -> str:
    return _ENCODE(data)


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
        self._release: Callable[[], object] | None = None  # set by open(); close() calls it
        self._setup()
        self.db = sqlite_utils.Database(conn, execute_plugins=False)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        till_id: str,
        min_free_bytes: int = DEFAULT_MIN_FREE_BYTES,
        any_thread: bool = False,
    ) -> Self:
        """Open (creating it and its directory when missing) and migrate the store at path.

        A file that is already there is checked first (SQLite's quick_check, before anything
        writes to it): an empty or damaged one raises StoreCorrupt, and is left exactly as it
        was, so the till never sells on a store that lost its history.

        `any_thread`: the store may be used from a thread other than the one that opened it
        (a scheduler's job runs on whichever pool thread is free); the caller makes sure that
        one thread at a time uses it, since a transaction is the connection's, not a thread's.
        """
        file = Path(path)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(
                str(file), f"cannot create directory {file.parent}: {exc.strerror}"
            ) from exc
        # Openers take turns: a store being created is an empty file for a moment, and the
        # sync client's threads open the store too; none may take another's new file for a
        # damaged one.
        with _opening(file.parent):
            return cls._open_checked(file, till_id, min_free_bytes, any_thread)

    @classmethod
    def _open_checked(cls, file: Path, till_id: str, min_free_bytes: int, any_thread: bool) -> Self:
        size = _size(file)
        if size == 0:  # SQLite would take it for a new database and migrate it
            raise StoreCorrupt(str(file), _corrupt([_EMPTY]))
        check = size is not None and not _open_here(file)
        if check and _wal(file).exists():
            # A -wal left by a crash: check through a read-only connection, which never
            # checkpoints that -wal into the main file, as closing a damaged store would.
            _refuse_damaged(str(file), _readonly_findings(file, "quick_check"))
            check = False
        try:
            conn = sqlite3.connect(
                str(file), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=not any_thread
            )
        except sqlite3.Error as exc:
            _reraise(str(file), exc)
        try:
            if check:  # before journal_mode=WAL and the migrations, which write to the file
                _refuse_damaged(str(file), _findings(conn, "quick_check", str(file)))
            store = cls(
                conn,
                till_id=till_id,
                path=str(file),
                owns_connection=True,
                min_free_bytes=min_free_bytes,
            )
        except BaseException:
            conn.close()
            raise
        store._release = _hold(store, file)
        return store

    @classmethod
    def integrity_report(cls, path: str | Path) -> list[str]:
        """SQLite's full integrity_check of the store file at path: ["ok"], or what it found.

        Read-only and without migrating, so it works on a damaged file and leaves it as it is.
        An empty file or one that is not a database at all is one finding; a missing or
        unreadable file raises StoreUnavailable.
        """
        file = Path(path)
        size = _size(file)
        if size is None:
            raise StoreUnavailable(str(file), "there is no such file")
        if size == 0:
            return [_EMPTY]
        return _readonly_findings(file, "integrity_check")

    @classmethod
    def readonly_counts(cls, path: str | Path) -> tuple[int, int]:
        """(journal entries, entries the server has not yet accepted) in the file at path,
        read-only; raises sqlite3.Error when the file cannot be read that far."""
        conn = _connect_readonly(Path(path))
        try:
            (entries,) = conn.execute("SELECT COUNT(*) FROM journal").fetchone()
            (unsent,) = conn.execute(
                "SELECT COUNT(*) FROM outbox WHERE applied_at IS NULL"
            ).fetchone()
        finally:
            conn.close()
        return int(entries), int(unsent)

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
            raise BadValue("the connection has an open transaction")
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
        if self._release is not None:
            self._release()

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


@contextmanager
def _opening(folder: Path) -> Iterator[None]:
    """An exclusive lock on the store's folder while a store is opened (Linux flock)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield  # a folder that cannot be opened: SQLite says why in a moment
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class _Probe(Exception):
    """Raised inside check_writable's transaction to roll the probe write back."""


def _reraise(path: str, exc: sqlite3.Error) -> NoReturn:
    """StoreUnavailable (StoreCorrupt for a damaged file) when the error says the store cannot
    be used; else the error itself, because a constraint or SQL error is a bug to see, not an
    outage to report."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    reason = None if primary is None else _UNAVAILABLE.get(primary)
    if reason is None:
        raise exc
    if primary in _DAMAGED:
        raise StoreCorrupt(path, f"{reason} ({exc})") from exc
    raise StoreUnavailable(path, f"{reason} ({exc})") from exc


def _size(file: Path) -> int | None:
    """The file's size; None when it is not there (or cannot be looked at: opening says why)."""
    try:
        return file.stat().st_size
    except OSError:
        return None


def _wal(file: Path) -> Path:
    return Path(f"{file}-wal")


def _file_key(file: Path) -> tuple[int, int] | None:
    try:
        stat = file.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def _open_here(file: Path) -> bool:
    """A store in this process has this file open now (it was checked when that one opened)."""
    key = _file_key(file)
    with _OPEN_FILES_LOCK:
        return key is not None and _OPEN_FILES[key] > 0


def _hold(store: StoreBase, file: Path) -> Callable[[], object] | None:
    """Count the file as open until the store is closed (or collected, if nobody closed it)."""
    key = _file_key(file)
    if key is None:
        return None
    with _OPEN_FILES_LOCK:
        _OPEN_FILES[key] += 1
    return weakref.finalize(store, _let_go, key)


def _let_go(key: tuple[int, int]) -> None:
    with _OPEN_FILES_LOCK:
        _OPEN_FILES[key] -= 1
        if _OPEN_FILES[key] <= 0:
            del _OPEN_FILES[key]


def _connect_readonly(file: Path) -> sqlite3.Connection:
    """A read-only connection that creates nothing next to the file.

    With no -wal (or -journal) file there, no connection has the store open in WAL mode and
    the main file is the whole database: it is opened immutable, because a read-only
    connection would otherwise create -wal and -shm files that it cannot remove again.
    """
    uri = f"{file.absolute().as_uri()}?mode=ro"
    if not _wal(file).exists() and not Path(f"{file}-journal").exists():
        uri += "&immutable=1"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)


def _readonly_findings(file: Path, pragma: str) -> list[str]:
    try:
        conn = _connect_readonly(file)
    except sqlite3.Error as exc:
        _reraise(str(file), exc)
    try:
        return _findings(conn, pragma, str(file))
    finally:
        conn.close()


def _findings(conn: sqlite3.Connection, pragma: str, path: str) -> list[str]:
    """What `PRAGMA quick_check` or `integrity_check` found: ["ok"] when the file is sound.

    A file whose header is damaged fails at the first read (SQLITE_NOTADB): one finding too.
    """
    try:
        rows = conn.execute(f"PRAGMA {pragma}").fetchall()
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if not isinstance(code, int) or code & 0xFF not in _DAMAGED:
            _reraise(path, exc)
        return [_NOT_A_DATABASE if code & 0xFF == 26 else str(exc)]
    return [str(row[0]) for row in rows] or ["no answer from SQLite's check"]


def _refuse_damaged(path: str, findings: list[str]) -> None:
    if findings != ["ok"]:
        raise StoreCorrupt(path, _corrupt(findings))


def _corrupt(findings: list[str]) -> str:
    if findings[0] in (_EMPTY, _NOT_A_DATABASE):
        found = findings[0]
    else:
        found = "SQLite's check found: " + "; ".join(findings[:_FINDINGS_SHOWN])
        if len(findings) > _FINDINGS_SHOWN:
            found += f" (and {len(findings) - _FINDINGS_SHOWN} more)"
    return (
        f"corrupt: {found}. The file was left as it is: restore it from a backup, or move it"
        " aside (with any -wal and -shm files next to it) to start a new, empty store"
    )
