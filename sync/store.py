"""The till's local store: card/account cache, journal, outbox. The only code on the till that
writes SQL.

SQLite in WAL mode with synchronous=FULL, so a committed sale survives a power cut. Every write
is one `BEGIN IMMEDIATE` transaction: seq and receipt numbers are allocated inside it, so they
stay gap-free through crashes (invariant 2), and a failed write leaves nothing half-written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

import sqlite_utils

from sync.ids import new_id
from sync.migrations import UnknownMigrations, migrate
from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardSnapshot,
    CardState,
    EntryKind,
    JournalEntry,
    PriceLevel,
    Product,
    SaleLine,
    Unit,
)

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


@dataclass(frozen=True, slots=True)
class Committed:
    """What one journal write produced: its entries, the receipt number, the balance after."""

    entries: list[JournalEntry]
    receipt_no: int
    balance_after: int


@dataclass(frozen=True, slots=True)
class OutboxStats:
    count: int
    oldest_created_at: datetime | None


@dataclass(frozen=True, slots=True)
class _Head:
    """The columns the entries of one commit share."""

    created_at: str
    business_day: str
    account_id: str | None
    card_id: str | None
    currency: str
    receipt_no: int


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


def _line(i: int, line: SaleLine) -> dict[str, Any]:
    """D-PAY-3: a sale keeps its lines; each is checked before anything is written."""
    where = f"lines[{i}]"
    if not isinstance(line, SaleLine):
        raise ValueError(f"{where} must be a SaleLine, got {type(line).__name__}")
    _positive(f"{where}.quantity", line.quantity)
    for name in ("unit_price", "vat_rate_bp"):
        if _int(f"{where}.{name}", getattr(line, name)) < 0:
            raise ValueError(f"{where}.{name} must not be negative")
    return {
        "product_id": _text(f"{where}.product_id", line.product_id),
        "name": line.name,
        "category": line.category,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "vat_rate_bp": line.vat_rate_bp,
    }


def _json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _entry(row: sqlite3.Row) -> JournalEntry:
    return JournalEntry(
        entry_id=row["entry_id"],
        seq=row["seq"],
        till_id=row["till_id"],
        kind=EntryKind(row["kind"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        business_day=date.fromisoformat(row["business_day"]),
        account_id=row["account_id"],
        card_id=row["card_id"],
        amount=row["amount"],
        currency=row["currency"],
        receipt_no=row["receipt_no"],
        body=json.loads(row["body"]),
    )


def _opt_date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


_JOURNAL_COLUMNS = (
    "j.entry_id, j.seq, j.till_id, j.kind, j.created_at, j.business_day, j.account_id, "
    "j.card_id, j.amount, j.currency, j.receipt_no, j.body"
)

_LOOKUP = """
SELECT c.card_id, c.account_id, c.state, c.replaced_by,
       a.cardholder_id, a.currency, a.balance, a.price_level, a.membership_expires,
       a.payment_blocked, a.arrears, a.version, a.day, a.day_spent, a.day_autoloads,
       h.name, h.photo_sha256, h.allowed_unit_types, h.daily_limit, h.blocked_categories,
       g.threshold, g.amount AS g_amount, g.active_from, g.ended, g.collection_failed
FROM cards c
JOIN accounts a ON a.account_id = c.account_id
JOIN cardholders h ON h.cardholder_id = a.cardholder_id
LEFT JOIN autoload_agreements g ON g.account_id = a.account_id
WHERE c.card_id = ?
"""

# This till's entries for one account that the server has not applied yet (invariant 3).
_PENDING = """
SELECT COALESCE(SUM(j.amount), 0),
       COALESCE(SUM(CASE WHEN j.amount < 0 THEN -j.amount ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN j.business_day = :day AND j.kind IN ('sale', 'void')
                         THEN -j.amount ELSE 0 END), 0),
       COUNT(CASE WHEN j.business_day = :day AND j.kind = 'autoload' THEN 1 END)
FROM journal j JOIN outbox o ON o.entry_id = j.entry_id
WHERE j.account_id = :account AND o.applied_at IS NULL
"""


class Store:
    """The till's SQLite store. Open with `Store.open(path)` or `Store.from_connection(conn)`."""

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
        self._setup()
        self.db = sqlite_utils.Database(conn, execute_plugins=False)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, *, till_id: str, min_free_bytes: int = DEFAULT_MIN_FREE_BYTES
    ) -> Store:
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
    ) -> Store:
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
                    conn.execute("INSERT INTO till (id, till_id) VALUES (1, ?)", (self.till_id,))
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

    def __enter__(self) -> Store:
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
        conn = self._conn
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

    # -- cache writes (demo seeding now, the sync client later) ----------------------------

    def _upsert(self, table: str, pk: str, rows: Iterable[dict[str, Any]]) -> None:
        with self._write():
            self.db.table(table).upsert_all(rows, pk=pk)

    def upsert_unit(self, unit: Unit) -> None:
        """Cache the unit and make it this till's unit (D-UNIT-1)."""
        row = dataclasses.asdict(unit)
        with self._write() as conn:
            self.db.table("units").upsert_all([row], pk="unit_id")
            conn.execute("UPDATE till SET unit_id = ? WHERE id = 1", (unit.unit_id,))

    def upsert_products(self, products: Iterable[Product]) -> None:
        self._upsert(
            "products",
            "product_id",
            (
                {
                    "product_id": p.product_id,
                    "name": p.name,
                    "category": p.category,
                    "prices": _json(
                        {
                            str(level): _int(f"{p.product_id}.prices[{level}]", v)
                            for level, v in p.prices.items()
                        }
                    ),
                    "vat_rate_bp": p.vat_rate_bp,
                    "shortcut": p.shortcut,
                    "position": p.position,
                }
                for p in products
            ),
        )

    def upsert_cardholders(self, cardholders: Iterable[Cardholder]) -> None:
        self._upsert(
            "cardholders",
            "cardholder_id",
            (
                {
                    "cardholder_id": h.cardholder_id,
                    "name": h.name,
                    "photo_sha256": h.photo_sha256,
                    "allowed_unit_types": _json(sorted(h.allowed_unit_types)),
                    "daily_limit": h.daily_limit,
                    "blocked_categories": _json(sorted(h.blocked_categories)),
                }
                for h in cardholders
            ),
        )

    def upsert_accounts(self, accounts: Iterable[Account]) -> None:
        """Cache server balances; the day counters are left alone (see set_account_day)."""
        self._upsert(
            "accounts",
            "account_id",
            (
                {
                    "account_id": a.account_id,
                    "cardholder_id": a.cardholder_id,
                    "currency": a.currency,
                    "balance": _int(f"{a.account_id}.balance", a.balance),
                    "price_level": str(a.price_level),
                    "membership_expires": (
                        None if a.membership_expires is None else a.membership_expires.isoformat()
                    ),
                    "payment_blocked": int(a.payment_blocked),
                    "arrears": _int(f"{a.account_id}.arrears", a.arrears),
                    "version": a.version,
                }
                for a in accounts
            ),
        )

    def set_account_day(self, account_id: str, *, day: date, spent: int, autoloads: int) -> None:
        """Record what the server knows of the account's spending and autoloads on `day`."""
        _int("spent", spent)
        _int("autoloads", autoloads)
        with self._write() as conn:
            conn.execute(
                "UPDATE accounts SET day = ?, day_spent = ?, day_autoloads = ?"
                " WHERE account_id = ?",
                (_day(day), spent, autoloads, account_id),
            )

    def upsert_cards(self, cards: Iterable[Card]) -> None:
        self._upsert(
            "cards",
            "card_id",
            (
                {
                    "card_id": c.card_id,
                    "account_id": c.account_id,
                    "state": str(c.state),
                    "replaced_by": c.replaced_by,
                }
                for c in cards
            ),
        )

    def upsert_agreements(self, agreements: Iterable[AutoloadAgreement]) -> None:
        self._upsert(
            "autoload_agreements",
            "account_id",
            (
                {
                    "account_id": g.account_id,
                    "threshold": _int("threshold", g.threshold),
                    "amount": _int("amount", g.amount),
                    "active_from": g.active_from.isoformat(),
                    "ended": int(g.ended),
                    "collection_failed": int(g.collection_failed),
                }
                for g in agreements
            ),
        )

    def set_policy(self, data: dict[str, Any]) -> None:
        text = _json(data)
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO policy (id, data) VALUES (1, ?)", (text,))

    def put_photo(self, sha256: str, data: bytes) -> None:
        """Cache a photo by content address (invariant 5); bytes that do not match are refused."""
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256.lower():
            raise ValueError(f"photo bytes have sha256 {actual}, not {sha256}")
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO photos (sha256, data) VALUES (?, ?)", (actual, bytes(data))
            )

    # -- cache reads -----------------------------------------------------------------------

    def unit(self) -> Unit | None:
        rows = self._rows("SELECT u.* FROM till t JOIN units u ON u.unit_id = t.unit_id")
        return Unit(**dict(rows[0])) if rows else None

    def products(self) -> list[Product]:
        return [
            Product(
                product_id=r["product_id"],
                name=r["name"],
                category=r["category"],
                prices={PriceLevel(k): v for k, v in json.loads(r["prices"]).items()},
                vat_rate_bp=r["vat_rate_bp"],
                shortcut=r["shortcut"],
                position=r["position"],
            )
            for r in self._rows("SELECT * FROM products ORDER BY category, position, name")
        ]

    def policy_data(self) -> dict[str, Any]:
        rows = self._rows("SELECT data FROM policy WHERE id = 1")
        return dict(json.loads(rows[0]["data"])) if rows else {}

    def photo(self, sha256: str) -> bytes | None:
        rows = self._rows("SELECT data FROM photos WHERE sha256 = ?", (sha256.lower(),))
        return bytes(rows[0]["data"]) if rows else None

    def lookup(self, card_id: str, business_day: date) -> CardSnapshot | None:
        """Everything the tap decision needs, by canonical card id (D-CARD-3); None if the card,
        its account or its cardholder is not in the cache (the till says "unknown card").

        Two indexed queries in one read snapshot: the card with its account, cardholder and
        agreement, then this till's unapplied entries for the account (D-OFF-3, invariant 3).
        """
        day = _day(business_day)
        with self._read() as cur:
            r = cur.execute(_LOOKUP, (card_id,)).fetchone()
            if r is None:
                return None
            pending, unsent, spent, autoloads = cur.execute(
                _PENDING, {"day": day, "account": r["account_id"]}
            ).fetchone()
        same_day = r["day"] == day
        agreement = None
        if r["threshold"] is not None:
            agreement = AutoloadAgreement(
                account_id=r["account_id"],
                threshold=r["threshold"],
                amount=r["g_amount"],
                active_from=date.fromisoformat(r["active_from"]),
                ended=bool(r["ended"]),
                collection_failed=bool(r["collection_failed"]),
            )
        return CardSnapshot(
            card=Card(r["card_id"], r["account_id"], CardState(r["state"]), r["replaced_by"]),
            account=Account(
                account_id=r["account_id"],
                cardholder_id=r["cardholder_id"],
                currency=r["currency"],
                balance=r["balance"],
                price_level=PriceLevel(r["price_level"]),
                membership_expires=_opt_date(r["membership_expires"]),
                payment_blocked=bool(r["payment_blocked"]),
                arrears=r["arrears"],
                version=r["version"],
            ),
            cardholder=Cardholder(
                cardholder_id=r["cardholder_id"],
                name=r["name"],
                photo_sha256=r["photo_sha256"],
                allowed_unit_types=frozenset(json.loads(r["allowed_unit_types"])),
                daily_limit=r["daily_limit"],
                blocked_categories=frozenset(json.loads(r["blocked_categories"])),
            ),
            agreement=agreement,
            pending_delta=pending,
            unsent_debits=unsent,
            # A void today of an earlier day's sale must not make today's spending negative.
            spent_today=max(0, (r["day_spent"] if same_day else 0) + spent),
            autoloads_today=(r["day_autoloads"] if same_day else 0) + autoloads,
        )

    # -- journal writes --------------------------------------------------------------------

    def _append(
        self,
        conn: sqlite3.Connection,
        head: _Head,
        *,
        entry_id: str,
        kind: EntryKind,
        amount: int,
        body: dict[str, Any],
        reverses: str | None = None,
    ) -> JournalEntry:
        """Journal one entry with the next seq, and its outbox row, in the caller's transaction."""
        (seq,) = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM journal WHERE till_id = ?", (self.till_id,)
        ).fetchone()
        conn.execute(
            """INSERT INTO journal (entry_id, seq, till_id, kind, created_at, business_day,
                   account_id, card_id, amount, currency, receipt_no, body, reverses)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                entry_id,
                seq,
                self.till_id,
                str(kind),
                head.created_at,
                head.business_day,
                head.account_id,
                head.card_id,
                amount,
                head.currency,
                head.receipt_no,
                _json(body),
                reverses,
            ),
        )
        conn.execute(
            "INSERT INTO outbox (entry_id, created_at) VALUES (?, ?)", (entry_id, head.created_at)
        )
        # Built from what was written rather than read back: the commit is on the tap path.
        return JournalEntry(
            entry_id=entry_id,
            seq=int(seq),
            till_id=self.till_id,
            kind=kind,
            created_at=datetime.fromisoformat(head.created_at),
            business_day=date.fromisoformat(head.business_day),
            account_id=head.account_id,
            card_id=head.card_id,
            amount=amount,
            currency=head.currency,
            receipt_no=head.receipt_no,
            body=json.loads(_json(body)),
        )

    @staticmethod
    def _next_receipt(conn: sqlite3.Connection) -> int:
        (receipt_no,) = conn.execute(
            "UPDATE counters SET value = value + 1 WHERE name = 'receipt_no' RETURNING value"
        ).fetchone()
        return int(receipt_no)

    def _account_currency(self, conn: sqlite3.Connection, account_id: str, currency: str) -> None:
        row = conn.execute(
            "SELECT currency FROM accounts WHERE account_id = ?", (account_id,)
        ).fetchone()
        if row is None:
            raise ValueError(f"unknown account {account_id!r}")
        if row[0] != currency:
            raise ValueError(f"account {account_id!r} is in {row[0]}, not {currency}")

    @staticmethod
    def _balance(conn: sqlite3.Connection, account_id: str) -> int:
        """Invariant 3 inside the write: server balance plus this till's unapplied entries."""
        (balance,) = conn.execute(
            """SELECT COALESCE((SELECT balance FROM accounts WHERE account_id = :a), 0)
                    + COALESCE((SELECT SUM(j.amount) FROM journal j
                                JOIN outbox o ON o.entry_id = j.entry_id
                                WHERE j.account_id = :a AND o.applied_at IS NULL), 0)""",
            {"a": account_id},
        ).fetchone()
        return int(balance)

    def commit_sale(
        self,
        *,
        card_id: str,
        account_id: str,
        currency: str,
        lines: Sequence[SaleLine],
        price_level: PriceLevel,
        offline: bool,
        autoload_amount: int | None,
        created_at: datetime,
        business_day: date,
        verdict: str = "",
    ) -> Committed:
        """One transaction: the autoload entry when accepted (D-AUTO-3), then the sale with its
        lines (D-PAY-3), their outbox rows and one receipt number for both (D-PAY-6)."""
        _text("card_id", card_id)
        _text("account_id", account_id)
        _currency(currency)
        if not lines:
            raise ValueError("lines must not be empty: a sale sells something")
        body_lines = [_line(i, line) for i, line in enumerate(lines)]
        total = sum(line["quantity"] * line["unit_price"] for line in body_lines)
        if autoload_amount is not None:
            _positive("autoload_amount", autoload_amount)
        at, day = _utc(created_at), _day(business_day)
        level = PriceLevel(price_level)
        autoload_id = new_id() if autoload_amount is not None else None
        sale_id = new_id()  # after the autoload's, so ids sort in seq order
        with self._write() as conn:
            self._account_currency(conn, account_id, currency)
            receipt_no = self._next_receipt(conn)
            head = _Head(at, day, account_id, card_id, currency, receipt_no)
            # The receipt (and any reprint of it) shows the balance after: keep it with the sale.
            after = self._balance(conn, account_id) + (autoload_amount or 0) - total
            entries = []
            if autoload_id is not None and autoload_amount is not None:
                entries.append(
                    self._append(
                        conn,
                        head,
                        entry_id=autoload_id,
                        kind=EntryKind.AUTOLOAD,
                        amount=autoload_amount,
                        body={"consent": True, "sale_entry_id": sale_id, "offline": bool(offline)},
                    )
                )
            entries.append(
                self._append(
                    conn,
                    head,
                    entry_id=sale_id,
                    kind=EntryKind.SALE,
                    amount=-total,
                    body={
                        "lines": body_lines,
                        "price_level": str(level),
                        "offline": bool(offline),
                        "tender": "card",
                        "autoload_entry_id": autoload_id,
                        "total": total,
                        "verdict": verdict,
                        "balance_after": after,
                    },
                )
            )
            return Committed(entries, receipt_no, after)

    def commit_topup(
        self,
        *,
        card_id: str,
        account_id: str,
        currency: str,
        amount: int,
        tender: str,
        created_at: datetime,
        business_day: date,
    ) -> Committed:
        """D-PAY-4: a top-up at the till with cash or a bank card; its own receipt."""
        _text("card_id", card_id)
        _text("account_id", account_id)
        _currency(currency)
        _positive("amount", amount)
        _text("tender", tender)
        at, day = _utc(created_at), _day(business_day)
        entry_id = new_id()
        with self._write() as conn:
            self._account_currency(conn, account_id, currency)
            receipt_no = self._next_receipt(conn)
            head = _Head(at, day, account_id, card_id, currency, receipt_no)
            after = self._balance(conn, account_id) + amount
            entry = self._append(
                conn,
                head,
                entry_id=entry_id,
                kind=EntryKind.TOPUP,
                amount=amount,
                body={"tender": tender, "balance_after": after},
            )
            return Committed([entry], receipt_no, after)

    def commit_void(self, *, entry_id: str, created_at: datetime, business_day: date) -> Committed:
        """Reverse a sale with a new entry (the journal is append-only); its own receipt."""
        at, day = _utc(created_at), _day(business_day)
        void_id = new_id()
        with self._write() as conn:
            sale = conn.execute(
                "SELECT kind, account_id, card_id, amount, currency, receipt_no, body FROM journal"
                " WHERE entry_id = ?",
                (entry_id,),
            ).fetchone()
            if sale is None:
                raise ValueError(f"no journal entry {entry_id!r} to void")
            kind, account_id, card_id, amount, currency, sale_receipt, sale_body = sale
            if kind != EntryKind.SALE:
                raise ValueError(f"entry {entry_id!r} is a {kind}, only a sale can be voided")
            if conn.execute("SELECT 1 FROM journal WHERE reverses = ?", (entry_id,)).fetchone():
                raise ValueError(f"sale {entry_id!r} is already voided")
            receipt_no = self._next_receipt(conn)
            head = _Head(at, day, account_id, card_id, currency, receipt_no)
            after = self._balance(conn, account_id) - amount
            entry = self._append(
                conn,
                head,
                entry_id=void_id,
                kind=EntryKind.VOID,
                amount=-amount,
                reverses=entry_id,
                body={
                    "voids": entry_id,
                    "voided_receipt_no": sale_receipt,
                    # the void receipt lists what is given back (D-PAY-3)
                    "lines": json.loads(sale_body).get("lines", []),
                    "tender": "card",
                    "balance_after": after,
                },
            )
            return Committed([entry], receipt_no, after)

    # -- journal reads ---------------------------------------------------------------------

    def _entries(self, where: str, params: Sequence[Any] = ()) -> list[JournalEntry]:
        sql = f"SELECT {_JOURNAL_COLUMNS} FROM journal j {where}"
        return [_entry(r) for r in self._rows(sql, params)]

    def journal(self, after_seq: int = 0) -> list[JournalEntry]:
        return self._entries("WHERE j.seq > ? ORDER BY j.seq", (after_seq,))

    def entry(self, entry_id: str) -> JournalEntry | None:
        found = self._entries("WHERE j.entry_id = ?", (entry_id,))
        return found[0] if found else None

    def entries_for_receipt(self, receipt_no: int) -> list[JournalEntry]:
        return self._entries("WHERE j.receipt_no = ? ORDER BY j.seq", (receipt_no,))

    def last_receipt_no(self) -> int | None:
        (value,) = self._rows("SELECT value FROM counters WHERE name = 'receipt_no'")[0]
        return int(value) or None

    def last_receipt_entries(self) -> list[JournalEntry]:
        """The entries of the most recent receipt (for a reprint); empty when none yet."""
        last = self.last_receipt_no()
        return [] if last is None else self.entries_for_receipt(last)

    # -- outbox ----------------------------------------------------------------------------

    def outbox_stats(self) -> OutboxStats:
        (count, oldest) = self._rows(
            "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE applied_at IS NULL"
        )[0]
        return OutboxStats(int(count), None if oldest is None else datetime.fromisoformat(oldest))

    def outbox_pending(self, limit: int = 500) -> list[JournalEntry]:
        """Unapplied entries in seq order: the next batch to push."""
        return self._entries(
            "JOIN outbox o ON o.entry_id = j.entry_id WHERE o.applied_at IS NULL"
            " ORDER BY j.seq LIMIT ?",
            (_positive("limit", limit),),
        )

    def mark_applied(self, entry_ids: Iterable[str]) -> None:
        """The server has applied these entries: in one transaction, move their deltas (and
        their share of the day's spending and autoloads) into the cached account, so the
        displayed balance neither counts them twice nor drops them (invariant 3). Idempotent."""
        ids = list(dict.fromkeys(entry_ids))
        now = datetime.now(UTC).isoformat()
        with self._write() as conn:
            for entry_id in ids:
                row = conn.execute(
                    "SELECT j.kind, j.account_id, j.amount, j.business_day, o.applied_at"
                    " FROM journal j JOIN outbox o ON o.entry_id = j.entry_id"
                    " WHERE j.entry_id = ?",
                    (entry_id,),
                ).fetchone()
                if row is None:
                    raise ValueError(f"no journal entry {entry_id!r} to mark applied")
                kind, account_id, amount, day, applied_at = row
                if applied_at is not None:
                    continue
                spent = -amount if kind in (EntryKind.SALE, EntryKind.VOID) else 0
                loads = 1 if kind == EntryKind.AUTOLOAD else 0
                conn.execute(
                    _APPLY, {"a": account_id, "amt": amount, "d": day, "c": spent, "n": loads}
                )
                conn.execute("UPDATE outbox SET applied_at = ? WHERE entry_id = ?", (now, entry_id))


# An entry of a newer day starts the account's day counters afresh; one of an older day
# only moves the balance.
_APPLY = """
UPDATE accounts SET
  balance = balance + :amt,
  day_spent = CASE WHEN day = :d THEN day_spent + :c
                   WHEN day IS NULL OR day < :d THEN :c ELSE day_spent END,
  day_autoloads = CASE WHEN day = :d THEN day_autoloads + :n
                       WHEN day IS NULL OR day < :d THEN :n ELSE day_autoloads END,
  day = CASE WHEN day IS NULL OR day < :d THEN :d ELSE day END
WHERE account_id = :a
"""


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
