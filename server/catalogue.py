"""The back office's catalogue: products and prices, the scheme policy, autoload agreements
and cardholders' photos. Each write emits its change for the tills (`server.feed`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from server.db import Database, Tx
from server.errors import Conflict, Forbidden, Invalid, NotFound, valid
from server.feed import emit
from server.policy import kept_form, scheme_policy
from sync import limits
from sync.photos import sha256_hex, validate_photo
from sync.protocol import Key, ProductText
from sync.records import AutoloadAgreement, PriceLevel, Product

LEVELS = tuple(level.value for level in PriceLevel)


def put_product(db: Database, product: Product, unit_id: str) -> None:
    """A product of a unit's menu with its price per level (minor units): a price for every
    level the scheme has, since a till must be able to sell it to anyone (D-ACC-3)."""
    valid(Key, product.product_id, "product_id")
    valid(ProductText, product.name, "name")
    valid(ProductText, product.category, "category")
    prices = {str(k): v for k, v in product.prices.items()}
    missing = [level for level in LEVELS if level not in prices]
    if missing:
        raise Invalid(f"{product.product_id}: prices: no price for {', '.join(missing)}")
    unknown = sorted(set(prices) - set(LEVELS))
    if unknown:
        raise Invalid(f"{product.product_id}: prices: unknown price level {', '.join(unknown)}")
    for level, price in prices.items():
        if (
            isinstance(price, bool)
            or not isinstance(price, int)
            or not 0 <= price <= limits.MAX_AMOUNT
        ):
            raise Invalid(
                f"{product.product_id}: prices.{level} must be whole minor units"
                f" from 0 to {limits.MAX_AMOUNT}"
            )
    if not 0 <= product.vat_rate_bp <= 10_000:
        raise Invalid(f"{product.product_id}: vat_rate_bp must be from 0 to 10000")
    if product.shortcut is not None and not 0 < len(product.shortcut) <= 8:
        raise Invalid(f"{product.product_id}: a shortcut is 1 to 8 characters")
    if not -1_000_000 <= product.position <= 1_000_000:
        raise Invalid(f"{product.product_id}: position must be within ±1000000")
    with db.transaction() as tx:
        if tx.one("SELECT 1 FROM units WHERE unit_id = ?", (unit_id,)) is None:
            raise NotFound(f"unknown unit {unit_id}")
        tx.execute(
            # sold_out is left as it is: a product saved again is not back on sale by that.
            "INSERT INTO products (product_id, unit_id, name, category, prices, vat_rate_bp,"
            " shortcut, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (product_id) DO UPDATE SET unit_id = excluded.unit_id,"
            " name = excluded.name, category = excluded.category,"
            " prices = excluded.prices, vat_rate_bp = excluded.vat_rate_bp,"
            " shortcut = excluded.shortcut, position = excluded.position",
            (
                product.product_id,
                unit_id,
                product.name,
                product.category,
                json.dumps(prices, sort_keys=True),
                product.vat_rate_bp,
                product.shortcut,
                product.position,
            ),
        )
        emit(tx, "product", product.product_id)


def remove_product(db: Database, product_id: str) -> None:
    """Take a product off its unit's menu; the tills drop it at their next sync."""
    with db.transaction() as tx:
        done = tx.rows_changed("DELETE FROM products WHERE product_id = ?", (product_id,))
        if done == 0:
            raise NotFound(f"unknown product {product_id}")
        emit(tx, "product", product_id)


def set_sold_out(db: Database, product_id: str, sold_out: bool) -> None:
    """The back office marks a product sold out, or back on sale; every till of its unit
    greys it (or brings it back) at its next page of the feed."""
    with db.transaction() as tx:
        done = tx.rows_changed(
            "UPDATE products SET sold_out = ? WHERE product_id = ?", (int(sold_out), product_id)
        )
        if done == 0:
            raise NotFound(f"unknown product {product_id}")
        emit(tx, "product", product_id)


def mark_sold_out_at_till(
    db: Database,
    till_id: str,
    product_id: str,
    *,
    mark_id: str,
    sold_out: bool,
    marked_at: datetime,
) -> bool:
    """A till's supervisor marked a product of the till's unit sold out (or back on sale).
    Taken once by its mark id: a mark the server holds already changes nothing again (its
    till lost the answer), and a different mark under a held id is a conflict. False when
    the mark was held already."""
    with db.transaction() as tx:
        row = tx.one(
            "SELECT p.unit_id, t.unit_id FROM products p, tills t"
            " WHERE p.product_id = ? AND t.till_id = ?",
            (product_id, till_id),
        )
        if row is None:
            raise NotFound(f"unknown product {product_id}")
        if row[0] != row[1]:
            raise Forbidden(f"product {product_id} is not on the menu of this till's unit")
        held = tx.one(
            "SELECT till_id, product_id, sold_out FROM sold_out_marks WHERE mark_id = ?",
            (mark_id,),
        )
        if held is not None:
            if (str(held[0]), str(held[1]), bool(held[2])) != (till_id, product_id, sold_out):
                raise Conflict(f"sold-out mark {mark_id} was taken already, with other content")
            return False
        tx.execute(
            "INSERT INTO sold_out_marks VALUES (?, ?, ?, ?, ?, ?)",
            (
                mark_id,
                till_id,
                product_id,
                int(sold_out),
                marked_at.isoformat(),  # as the till said it (its zone kept)
                datetime.now(UTC).isoformat(),
            ),
        )
        tx.execute(
            "UPDATE products SET sold_out = ? WHERE product_id = ?", (int(sold_out), product_id)
        )
        emit(tx, "product", product_id)
    return True


def set_policy(db: Database, data: dict[str, Any]) -> dict[str, Any]:
    """The scheme policy (invariant 4); checked by the till's own Policy rules. Returns it as
    kept: a single amount is the scheme's one currency's (`server.policy.kept_form`)."""
    for key, value in data.items():
        for item in value.values() if isinstance(value, dict) else [value]:
            if isinstance(item, int) and not -limits.INT64_MAX <= item <= limits.INT64_MAX:
                shown = str(item)
                shown = shown if len(shown) < 24 else f"{shown[:20]}… ({len(shown)} digits)"
                raise Invalid(f"scheme policy: {key} = {shown}: more than 64 bits")
    with db.transaction() as tx:
        data = kept_form(tx, data)
        tx.execute(
            "INSERT INTO policy VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            (json.dumps(data, sort_keys=True),),
        )
        emit(tx, "policy", "scheme")
    return data


def policy_data(db: Database) -> dict[str, Any]:
    """The scheme policy as set (keys left out take the defaults)."""
    with db.transaction(write=False) as tx:
        data = tx.scalar("SELECT data FROM policy WHERE id = 1")
    return {} if data is None else dict(json.loads(data))


def set_agreement(
    db: Database, agreement: AutoloadAgreement, *, at: datetime | None = None
) -> None:
    """D-AUTO-1: an autoload agreement (threshold, amount, active from) on an account, with
    the amount inside the scheme policy's bounds. Every version is kept with when it was in
    force (`at`, now by default), so an autoload a till made offline is judged by the version
    the till had."""
    for name in ("threshold", "amount"):
        value = getattr(agreement, name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"an agreement's {name} is whole minor units")
    if not 0 <= agreement.threshold <= limits.MAX_AMOUNT or agreement.amount <= 0:
        raise Invalid("an agreement needs a threshold >= 0 and an amount > 0")
    with db.transaction() as tx:
        account = tx.one(
            "SELECT currency FROM accounts WHERE account_id = ?", (agreement.account_id,)
        )
        if account is None:
            raise NotFound(f"unknown account {agreement.account_id}")
        policy = scheme_policy(tx).for_currency(str(account[0]))
        low, high = policy.autoload_min_amount, policy.autoload_max_amount
        if not low <= agreement.amount <= high:
            raise Invalid(
                f"an autoload amount of {agreement.amount} is outside the scheme's bounds"
                f" {low}..{high} (D-AUTO-1)"
            )
        tx.execute(
            "INSERT INTO agreements VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE"
            " SET threshold = excluded.threshold, amount = excluded.amount,"
            " active_from = excluded.active_from, ended = excluded.ended,"
            " collection_failed = excluded.collection_failed",
            (
                agreement.account_id,
                agreement.threshold,
                agreement.amount,
                agreement.active_from.isoformat(),
                int(agreement.ended),
                int(agreement.collection_failed),
            ),
        )
        stamp = (at or datetime.now(UTC)).isoformat()
        _end_version(tx, agreement.account_id, stamp)
        tx.execute(
            "INSERT INTO agreement_history (account_id, threshold, amount, active_from, ended,"
            " collection_failed, valid_from) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                agreement.account_id,
                agreement.threshold,
                agreement.amount,
                agreement.active_from.isoformat(),
                int(agreement.ended),
                int(agreement.collection_failed),
                stamp,
            ),
        )
        emit(tx, "agreement", agreement.account_id)


def _end_version(tx: Tx, account_id: str, stamp: str) -> None:
    tx.execute(
        "UPDATE agreement_history SET valid_to = ? WHERE account_id = ? AND valid_to IS NULL",
        (stamp, account_id),
    )


def remove_agreement(db: Database, account_id: str) -> None:
    """D-AUTO-1: the account no longer autoloads; the tills drop the agreement."""
    with db.transaction() as tx:
        done = tx.rows_changed("DELETE FROM agreements WHERE account_id = ?", (account_id,))
        if done == 0:
            raise NotFound(f"account {account_id} has no autoload agreement")
        _end_version(tx, account_id, datetime.now(UTC).isoformat())
        emit(tx, "agreement", account_id)


def put_photo(db: Database, cardholder_id: str, data: bytes) -> str:
    """A cardholder's photo, content-addressed (D-CARD-4)."""
    media = validate_photo(data)  # sync.photos' errors: 413 or 422 (server.errors)
    sha = sha256_hex(data)
    with db.transaction() as tx:
        if tx.one("SELECT 1 FROM cardholders WHERE cardholder_id = ?", (cardholder_id,)) is None:
            raise NotFound(f"unknown cardholder {cardholder_id}")
        if tx.one("SELECT 1 FROM photos WHERE sha256 = ?", (sha,)) is None:
            tx.execute("INSERT INTO photos VALUES (?, ?, ?)", (sha, data, media))
        tx.execute(
            "UPDATE cardholders SET photo_sha256 = ? WHERE cardholder_id = ?", (sha, cardholder_id)
        )
        emit(tx, "cardholder", cardholder_id)
    return sha


def photo_for_till(db: Database, sha256: str, till_id: str) -> tuple[bytes, str] | None:
    """A photo, to a till whose unit type one of its cardholders allows (least data)."""
    with db.transaction(write=False) as tx:
        unit_type = tx.scalar(
            "SELECT u.unit_type FROM tills t JOIN units u ON u.unit_id = t.unit_id"
            " WHERE t.till_id = ?",
            (till_id,),
        )
        allowed = tx.all(
            "SELECT allowed_unit_types FROM cardholders WHERE photo_sha256 = ?", (sha256,)
        )
        if not any(unit_type in json.loads(row[0]) for row in allowed):
            return None
        row = tx.one("SELECT data, media_type FROM photos WHERE sha256 = ?", (sha256,))
    return None if row is None else (bytes(row[0]), str(row[1]))
