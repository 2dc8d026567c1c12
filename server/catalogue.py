"""The back office's catalogue: products and prices, the scheme policy, autoload agreements
and cardholders' photos. Each write emits its change for the tills (`server.feed`)."""

from __future__ import annotations

import json
from typing import Any

from server.admin import AdminError, scheme_policy
from server.db import Database
from server.feed import emit
from sync.policy import Policy, PolicyError
from sync.records import AutoloadAgreement, Product


def put_product(db: Database, product: Product, unit_id: str) -> None:
    """A product of a unit's menu with its price per level (minor units)."""
    for level, price in product.prices.items():
        if isinstance(price, bool) or not isinstance(price, int) or price < 0:
            raise AdminError(f"{product.product_id}: price for {level} must be whole minor units")
    with db.transaction() as tx:
        if tx.one("SELECT 1 FROM units WHERE unit_id = ?", (unit_id,)) is None:
            raise AdminError(f"unknown unit {unit_id}")
        tx.execute(
            "INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (product_id) DO UPDATE SET unit_id = excluded.unit_id,"
            " name = excluded.name, category = excluded.category,"
            " prices = excluded.prices, vat_rate_bp = excluded.vat_rate_bp,"
            " shortcut = excluded.shortcut, position = excluded.position",
            (
                product.product_id,
                unit_id,
                product.name,
                product.category,
                json.dumps({str(k): v for k, v in product.prices.items()}, sort_keys=True),
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
            raise AdminError(f"unknown product {product_id}")
        emit(tx, "product", product_id)


def set_policy(db: Database, data: dict[str, Any]) -> None:
    """The scheme policy (invariant 4); checked by the till's own Policy rules."""
    try:
        Policy.from_mapping(data, source="scheme policy")
    except PolicyError as exc:
        raise AdminError(str(exc)) from None
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO policy VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            (json.dumps(data, sort_keys=True),),
        )
        emit(tx, "policy", "scheme")


def policy_data(db: Database) -> dict[str, Any]:
    """The scheme policy as set (keys left out take the defaults)."""
    with db.transaction(write=False) as tx:
        data = tx.scalar("SELECT data FROM policy WHERE id = 1")
    return {} if data is None else dict(json.loads(data))


def set_agreement(db: Database, agreement: AutoloadAgreement) -> None:
    """D-AUTO-1: an autoload agreement (threshold, amount, active from) on an account, with
    the amount inside the scheme policy's bounds."""
    if agreement.threshold < 0 or agreement.amount <= 0:
        raise AdminError("an agreement needs a threshold >= 0 and an amount > 0")
    with db.transaction() as tx:
        if tx.one("SELECT 1 FROM accounts WHERE account_id = ?", (agreement.account_id,)) is None:
            raise AdminError(f"unknown account {agreement.account_id}")
        policy = scheme_policy(tx)
        low, high = policy.autoload_min_amount, policy.autoload_max_amount
        if not low <= agreement.amount <= high:
            raise AdminError(
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
        emit(tx, "agreement", agreement.account_id)


def remove_agreement(db: Database, account_id: str) -> None:
    """D-AUTO-1: the account no longer autoloads; the tills drop the agreement."""
    with db.transaction() as tx:
        done = tx.rows_changed("DELETE FROM agreements WHERE account_id = ?", (account_id,))
        if done == 0:
            raise AdminError(f"account {account_id} has no autoload agreement")
        emit(tx, "agreement", account_id)


def put_photo(db: Database, cardholder_id: str, data: bytes) -> str:
    """A cardholder's photo, content-addressed; refused when it is not an image (D-CARD-4)."""
    import hashlib
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            media = Image.MIME.get(image.format or "", "application/octet-stream")
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise AdminError(f"the photo is not an image: {exc}") from None
    sha = hashlib.sha256(data).hexdigest()
    with db.transaction() as tx:
        if tx.one("SELECT 1 FROM cardholders WHERE cardholder_id = ?", (cardholder_id,)) is None:
            raise AdminError(f"unknown cardholder {cardholder_id}")
        if tx.one("SELECT 1 FROM photos WHERE sha256 = ?", (sha,)) is None:
            tx.execute("INSERT INTO photos VALUES (?, ?, ?)", (sha, data, media))
        tx.execute(
            "UPDATE cardholders SET photo_sha256 = ? WHERE cardholder_id = ?", (sha, cardholder_id)
        )
        emit(tx, "cardholder", cardholder_id)
    return sha


def photo(db: Database, sha256: str) -> tuple[bytes, str] | None:
    with db.transaction(write=False) as tx:
        row = tx.one("SELECT data, media_type FROM photos WHERE sha256 = ?", (sha256,))
    return None if row is None else (bytes(row[0]), str(row[1]))
