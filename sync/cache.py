"""The till's cache of the scheme: units, products, cardholders, accounts, cards, agreements,
policy and photos, the card lookup on the tap path, and the menu's version and sold-out marks
for the live menu."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sync.errors import BadValue, PhotoMismatch
from sync.ids import new_id
from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardSnapshot,
    CardState,
    PriceLevel,
    Product,
    Unit,
)
from sync.store_base import StoreBase, _day, _int, _json, _text, _utc


def _holder(r: Any) -> Cardholder:
    return Cardholder(
        cardholder_id=r["cardholder_id"],
        name=r["name"],
        photo_sha256=r["photo_sha256"],
        allowed_unit_types=frozenset(json.loads(r["allowed_unit_types"])),
        daily_limit=r["daily_limit"],
        blocked_categories=frozenset(json.loads(r["blocked_categories"])),
    )


@functools.lru_cache(maxsize=1024)
def _names(names: frozenset[str] | tuple[str, ...]) -> str:
    """A set of names as stored (a sorted JSON list, no name twice), made once per distinct
    set: a scheme's cardholders share a handful of them."""
    return _json(sorted(set(names)))


def _opt_date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


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

# This till's entries for one account that the server has not applied yet (invariant 3), as
# the journal's triggers keep them (sync/migrations.py, 0008 to 0010): one
# row per account and business day with unsent entries, so a tap reads the same whatever the
# backlog. Spending is sales less their voids: a void of a top-up (it takes money, amount < 0)
# is no spending given back. Arrears payments move no balance; what they paid is kept apart.
_PENDING = """
SELECT COALESCE(SUM(delta), 0), COALESCE(SUM(debits), 0),
       COALESCE(SUM(CASE WHEN business_day = :day THEN spent END), 0),
       COALESCE(SUM(CASE WHEN business_day = :day THEN autoloads END), 0),
       COALESCE(SUM(arrears_paid), 0)
FROM pending_days WHERE account_id = :account
"""


@dataclass(frozen=True, slots=True)
class SoldOutMark:
    mark_id: str  # UUIDv7, made with the mark: the server takes it once
    product_id: str
    sold_out: bool
    marked_at: datetime


class CacheMixin(StoreBase):
    # -- cache writes (demo seeding now, the sync client later) ----------------------------

    def upsert_unit(self, unit: Unit) -> None:
        """Cache the unit and make it this till's unit (D-UNIT-1)."""
        row = dataclasses.asdict(unit)
        with self._write() as conn:
            self.db.table("units").upsert_all([row], pk="unit_id")
            conn.execute("UPDATE till SET unit_id = ? WHERE id = 1", (unit.unit_id,))

    def upsert_products(self, products: Iterable[Product]) -> None:
        """Cache products; a product with a sold-out mark the server does not have yet keeps
        the mark's word, so a feed page read before the mark arrived does not undo it."""
        with self._write() as conn:
            marks = {
                str(product_id): bool(sold_out)
                for product_id, sold_out in conn.execute(
                    "SELECT product_id, sold_out FROM sold_out_marks WHERE sent_at IS NULL"
                    " ORDER BY mark_id"
                ).fetchall()
            }
            self.db.table("products").upsert_all(
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
                        "sold_out": int(marks.get(p.product_id, p.sold_out)),
                    }
                    for p in products
                ),
                pk="product_id",
            )

    def _upsert_rows(
        self, table: str, pk: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
    ) -> None:
        """Insert or update rows in one statement run over all of them (a feed page's
        thousands of items in one executemany); columns not named keep their values."""
        names = ", ".join(columns)
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != pk)
        with self._write() as conn:
            conn.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
                f" ON CONFLICT ({pk}) DO UPDATE SET {updates}",
                rows,
            )

    def upsert_cardholders(self, cardholders: Iterable[Cardholder]) -> None:
        self.upsert_cardholder_rows(
            (
                h.cardholder_id,
                h.name,
                h.photo_sha256,
                h.allowed_unit_types,
                h.daily_limit,
                h.blocked_categories,
            )
            for h in cardholders
        )

    # The *_rows writes take records as tuples in their record's field order: a snapshot's
    # thousands of items, checked on the wire a page at a time, without a dataclass each.
    def upsert_cardholder_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Cardholders as tuples in `Cardholder`'s field order (its sets as tuples or sets)."""
        self._upsert_rows(
            "cardholders",
            "cardholder_id",
            (
                "cardholder_id",
                "name",
                "photo_sha256",
                "allowed_unit_types",
                "daily_limit",
                "blocked_categories",
            ),
            ((r[0], r[1], r[2], _names(r[3]), r[4], _names(r[5])) for r in rows),
        )

    def upsert_accounts(self, accounts: Iterable[Account]) -> None:
        """Cache server balances; the day counters are left alone (see set_account_day)."""
        self.upsert_account_rows(
            (
                a.account_id,
                a.cardholder_id,
                a.currency,
                a.balance,
                a.price_level,
                a.membership_expires,
                a.payment_blocked,
                a.arrears,
                a.version,
            )
            for a in accounts
        )

    def upsert_account_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Accounts as tuples in `Account`'s field order; the day counters are left alone."""
        self._upsert_rows(
            "accounts",
            "account_id",
            (
                "account_id",
                "cardholder_id",
                "currency",
                "balance",
                "price_level",
                "membership_expires",
                "payment_blocked",
                "arrears",
                "version",
            ),
            (
                (
                    r[0],
                    r[1],
                    r[2],
                    _int(f"{r[0]}.balance", r[3]),
                    str(r[4]),
                    None if r[5] is None else r[5].isoformat(),
                    int(r[6]),
                    _int(f"{r[0]}.arrears", r[7]),
                    r[8],
                )
                for r in rows
            ),
        )

    def set_account_day(self, account_id: str, *, day: date, spent: int, autoloads: int) -> None:
        """Record what the server knows of the account's spending and autoloads on `day`."""
        self.set_account_days([(account_id, day, spent, autoloads)])

    def set_account_days(self, days: Iterable[tuple[str, date, int, int]]) -> None:
        """`set_account_day` for many accounts: (account_id, day, spent, autoloads)."""
        with self._write() as conn:
            conn.executemany(
                "UPDATE accounts SET day = ?, day_spent = ?, day_autoloads = ?"
                " WHERE account_id = ?",
                (
                    (_day(day), _int("spent", spent), _int("autoloads", autoloads), account_id)
                    for account_id, day, spent, autoloads in days
                ),
            )

    def upsert_cards(self, cards: Iterable[Card]) -> None:
        self.upsert_card_rows((c.card_id, c.account_id, c.state, c.replaced_by) for c in cards)

    def upsert_card_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Cards as tuples in `Card`'s field order."""
        self._upsert_rows(
            "cards",
            "card_id",
            ("card_id", "account_id", "state", "replaced_by"),
            ((r[0], r[1], str(r[2]), r[3]) for r in rows),
        )

    def upsert_agreements(self, agreements: Iterable[AutoloadAgreement]) -> None:
        self.upsert_agreement_rows(
            (g.account_id, g.threshold, g.amount, g.active_from, g.ended, g.collection_failed)
            for g in agreements
        )

    def upsert_agreement_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Agreements as tuples in `AutoloadAgreement`'s field order."""
        self._upsert_rows(
            "autoload_agreements",
            "account_id",
            ("account_id", "threshold", "amount", "active_from", "ended", "collection_failed"),
            (
                (
                    r[0],
                    _int("threshold", r[1]),
                    _int("amount", r[2]),
                    r[3].isoformat(),
                    int(r[4]),
                    int(r[5]),
                )
                for r in rows
            ),
        )

    def remove_items(self, items: Iterable[tuple[str, str]]) -> None:
        """Items the server removed, as (kind, key): products taken off the menu, agreements
        ended, and cardholders (with their accounts, cards, photos) no longer allowed at this
        till's unit (D-UNIT-2: least data)."""
        tables = {
            "product": ("products", "product_id"),
            "agreement": ("autoload_agreements", "account_id"),
            "cardholder": ("cardholders", "cardholder_id"),
            "account": ("accounts", "account_id"),
            "card": ("cards", "card_id"),
        }
        with self._write() as conn:
            for kind, key in items:
                if kind not in tables:
                    raise BadValue(f"a {kind} cannot be removed from the till's cache")
                table, pk = tables[kind]
                conn.execute(f"DELETE FROM {table} WHERE {pk} = ?", (key,))
            conn.execute(
                "DELETE FROM photos WHERE sha256 NOT IN"
                " (SELECT photo_sha256 FROM cardholders WHERE photo_sha256 IS NOT NULL)"
            )

    def set_policy(self, data: dict[str, Any]) -> None:
        text = _json(data)
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO policy (id, data) VALUES (1, ?)", (text,))

    def put_photo(self, sha256: str, data: bytes) -> None:
        """Cache a photo by content address (invariant 5); bytes that do not match are refused."""
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256.lower():
            raise PhotoMismatch(f"photo bytes have sha256 {actual}, not {sha256}")
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
                sold_out=bool(r["sold_out"]),
            )
            for r in self._rows("SELECT * FROM products ORDER BY category, position, name")
        ]

    def cardholders(self) -> list[Cardholder]:
        """Every cardholder this till holds (least data: only those allowed at its unit)."""
        return [_holder(r) for r in self._rows("SELECT * FROM cardholders ORDER BY cardholder_id")]

    def policy_data(self) -> dict[str, Any]:
        rows = self._rows("SELECT data FROM policy WHERE id = 1")
        return dict(json.loads(rows[0]["data"])) if rows else {}

    def has_photo(self, sha256: str) -> bool:
        """Whether the photo is on this till, without reading it (a tap asks this)."""
        return bool(self._rows("SELECT 1 FROM photos WHERE sha256 = ?", (sha256.lower(),)))

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
            pending, unsent, spent, autoloads, arrears_paid = cur.execute(
                _PENDING, {"day": day, "account": r["account_id"]}
            ).fetchone()
        # D-AUTO-7: arrears paid here show at once; paid in full here, the block is lifted at
        # once (the server lifts it for every till when the payment reaches it).
        arrears = max(0, r["arrears"] - arrears_paid)
        blocked = bool(r["payment_blocked"]) and not (arrears_paid > 0 and arrears == 0)
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
                payment_blocked=blocked,
                arrears=arrears,
                version=r["version"],
            ),
            cardholder=_holder(r),
            agreement=agreement,
            pending_delta=pending,
            unsent_debits=unsent,
            # A void today of an earlier day's sale must not make today's spending negative.
            spent_today=max(0, (r["day_spent"] if same_day else 0) + spent),
            autoloads_today=(r["day_autoloads"] if same_day else 0) + autoloads,
        )

    # -- the menu's version, which the screen polls, and a supervisor's sold-out marks -----
    # A mark changes the cached product at once (the till's own grid greys it) and waits in
    # `sold_out_marks` for the sync client, which sends each once in effect: the server keeps
    # the mark's id and takes a mark it holds already as done. Until a mark is sent, a feed
    # page's older copy of the product does not undo it (upsert_products).

    def menu_version(self) -> int:
        """A number that moves whenever the cached products, the unit or the policy change
        (triggers in the same transaction as the write, whoever writes): one row, one read."""
        rows = self._rows("SELECT version FROM menu_version WHERE id = 1")
        return int(rows[0][0]) if rows else 0

    def mark_sold_out(self, product_id: str, sold_out: bool, *, marked_at: datetime) -> str:
        """Mark a cached product sold out (or back on sale) and queue the mark for the server,
        in one transaction; returns the mark's id. An unknown product is a BadValue."""
        _text("product_id", product_id)
        if not isinstance(sold_out, bool):
            raise BadValue(f"sold_out must be true or false, got {sold_out!r}")
        at = _utc(marked_at)
        mark_id = new_id()
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE products SET sold_out = ? WHERE product_id = ?",
                (int(sold_out), product_id),
            ).rowcount
            if changed == 0:
                raise BadValue(f"product_id {product_id!r} is not on this till's menu")
            conn.execute(
                "INSERT INTO sold_out_marks (mark_id, product_id, sold_out, marked_at)"
                " VALUES (?, ?, ?, ?)",
                (mark_id, product_id, int(sold_out), at),
            )
        return mark_id

    def pending_marks(self, limit: int = 100) -> list[SoldOutMark]:
        """Marks the server has not taken yet, oldest first (UUIDv7 ids sort by time)."""
        return [
            SoldOutMark(
                r["mark_id"],
                r["product_id"],
                bool(r["sold_out"]),
                datetime.fromisoformat(r["marked_at"]),
            )
            for r in self._rows(
                "SELECT * FROM sold_out_marks WHERE sent_at IS NULL ORDER BY mark_id LIMIT ?",
                (limit,),
            )
        ]

    def mark_sent(self, mark_id: str, *, sent_at: datetime, problem: str | None = None) -> None:
        """The server has the mark (or refused it for good, saying why in `problem`)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE sold_out_marks SET sent_at = ?, problem = ? WHERE mark_id = ?",
                (_utc(sent_at), problem, mark_id),
            )

    # -- sync ------------------------------------------------------------------------------

    def last_sync(self) -> datetime | None:
        (text,) = self._rows("SELECT last_sync FROM sync_state WHERE id = 1")[0]
        return None if text is None else datetime.fromisoformat(text)
