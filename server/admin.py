"""Back-office operations, shared by the admin HTTP API and `canteen-server admin`."""

from __future__ import annotations

import json
from typing import Any

from server.db import Database, Tx
from server.feed import emit
from server.ledger import balance, cardholder_ledger, ensure_account, post
from sync.records import AutoloadAgreement, Product, Unit

DEFAULT_CAP = 12000  # D-AUTO-5, until scheme policies are administered (issue 3, item 2)


class AdminError(ValueError):
    """A back-office request that cannot be done; the message says why."""


def add_unit(db: Database, unit: Unit) -> None:
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id) DO UPDATE SET"
            " name = excluded.name, unit_type = excluded.unit_type, timezone = excluded.timezone,"
            " currency = excluded.currency, seller_name = excluded.seller_name,"
            " address = excluded.address, vat_number = excluded.vat_number",
            (
                unit.unit_id,
                unit.name,
                unit.unit_type,
                unit.timezone,
                unit.currency,
                unit.seller_name,
                unit.address,
                unit.vat_number,
            ),
        )
        emit(tx, "unit", unit.unit_id)


def add_cardholder(
    db: Database,
    *,
    cardholder_id: str,
    name: str,
    account_id: str,
    card_id: str,
    currency: str,
    price_level: str = "student",
    allowed_unit_types: list[str] | None = None,
) -> None:
    """A cardholder with their one account (D-ACC-1) and a first active card."""
    with db.transaction() as tx:
        if tx.one("SELECT 1 FROM cards WHERE card_id = ?", (card_id,)) is not None:
            raise AdminError(f"card {card_id} is already issued")
        tx.execute(
            "INSERT INTO cardholders VALUES (?, ?, NULL, ?, NULL, '[]')",
            (cardholder_id, name, json.dumps(sorted(allowed_unit_types or ["mensa"]))),
        )
        tx.execute(
            "INSERT INTO accounts (account_id, cardholder_id, currency, price_level)"
            " VALUES (?, ?, ?, ?)",
            (account_id, cardholder_id, currency, price_level),
        )
        tx.execute("INSERT INTO cards VALUES (?, ?, 'active', NULL)", (card_id, account_id))
        ensure_account(tx, cardholder_ledger(account_id), "cardholder", currency)
        emit(tx, "cardholder", cardholder_id)
        emit(tx, "account", account_id)
        emit(tx, "card", card_id)


def _account_of_card(tx: Tx, card_id: str) -> tuple[str, str, str]:
    row = tx.one(
        "SELECT c.account_id, c.state, a.currency FROM cards c"
        " JOIN accounts a ON a.account_id = c.account_id WHERE c.card_id = ?",
        (card_id,),
    )
    if row is None:
        raise AdminError(f"unknown card {card_id}")
    return row[0], row[1], row[2]


def deposit(db: Database, card_id: str, amount: int, *, cap: int = DEFAULT_CAP) -> int:
    """Money received by the back office onto a card's account; returns the new balance.

    Refused to a blocked or replaced card (D-PAY-4, D-CARD-2) and over the cap (D-AUTO-5).
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise AdminError(f"a deposit is a positive whole number of minor units, got {amount!r}")
    with db.transaction() as tx:
        account_id, state, currency = _account_of_card(tx, card_id)
        if state != "active":
            raise AdminError(f"card {card_id} is {state}: no deposit (D-PAY-4)")
        ledger = cardholder_ledger(account_id)
        current = balance(tx, ledger)
        if current + amount > cap:
            raise AdminError(
                f"deposit would take the balance to {current + amount}, over the cap of {cap}"
            )
        ensure_account(tx, "deposits", "deposits", currency)
        post(tx, [(ledger, amount), ("deposits", -amount)], source=f"deposit:{card_id}")
        emit(tx, "account", account_id)
        return current + amount


def set_card_state(db: Database, card_id: str, state: str) -> None:
    """Block or unblock a card (D-CARD-2); a replaced card stays closed."""
    if state not in ("active", "blocked"):
        raise AdminError(f"a card can be set active or blocked, not {state!r}")
    with db.transaction() as tx:
        _, current, _ = _account_of_card(tx, card_id)
        if current == "closed":
            raise AdminError(f"card {card_id} was replaced; it cannot be reopened")
        tx.execute("UPDATE cards SET state = ? WHERE card_id = ?", (state, card_id))
        emit(tx, "card", card_id)


def account_balance(db: Database, account_id: str) -> int:
    with db.transaction(write=False) as tx:
        if tx.one("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)) is None:
            raise AdminError(f"unknown account {account_id}")
        return balance(tx, cardholder_ledger(account_id))


def refusals(db: Database, till_id: str | None = None) -> list[dict[str, Any]]:
    """What the server refused from the tills, for the operator."""
    sql = "SELECT till_id, entry_id, seq, reason, received_at FROM ingest_refusals"
    params: tuple[str, ...] = ()
    if till_id is not None:
        sql += " WHERE till_id = ?"
        params = (till_id,)
    with db.transaction(write=False) as tx:
        rows = tx.all(sql + " ORDER BY id", params)
    keys = ("till_id", "entry_id", "seq", "reason", "received_at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def ledger_is_balanced(db: Database) -> bool:
    """Every transaction sums to zero, so all money is accounted for."""
    with db.transaction(write=False) as tx:
        bad = tx.scalar(
            "SELECT COUNT(*) FROM (SELECT txn_id FROM ledger GROUP BY txn_id"
            " HAVING SUM(amount) <> 0) AS unbalanced"
        )
    return int(bad) == 0


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


def set_policy(db: Database, data: dict[str, Any]) -> None:
    """The scheme policy (invariant 4); checked by the till's own Policy rules."""
    from sync.policy import Policy, PolicyError

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


def set_agreement(db: Database, agreement: AutoloadAgreement) -> None:
    """D-AUTO-1: an autoload agreement (threshold, amount, active from) on an account."""
    if agreement.threshold < 0 or agreement.amount <= 0:
        raise AdminError("an agreement needs a threshold >= 0 and an amount > 0")
    with db.transaction() as tx:
        if tx.one("SELECT 1 FROM accounts WHERE account_id = ?", (agreement.account_id,)) is None:
            raise AdminError(f"unknown account {agreement.account_id}")
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


def update_cardholder(
    db: Database,
    cardholder_id: str,
    *,
    allowed_unit_types: list[str] | None = None,
    daily_limit: int | bool | None = False,
    blocked_categories: list[str] | None = None,
) -> None:
    """Where the card may be used (D-UNIT-2) and the guardian's restrictions (D-UNIT-3).

    `daily_limit=None` removes the limit; leaving it out (False) keeps it.
    """
    sets: list[str] = []
    params: list[Any] = []
    if allowed_unit_types is not None:
        sets.append("allowed_unit_types = ?")
        params.append(json.dumps(sorted(allowed_unit_types)))
    if daily_limit is not False:
        if daily_limit is not None and (isinstance(daily_limit, bool) or daily_limit < 0):
            raise AdminError("a daily limit is a non-negative whole number of minor units")
        sets.append("daily_limit = ?")
        params.append(daily_limit)
    if blocked_categories is not None:
        sets.append("blocked_categories = ?")
        params.append(json.dumps(sorted(blocked_categories)))
    if not sets:
        return
    with db.transaction() as tx:
        done = tx.execute(
            f"UPDATE cardholders SET {', '.join(sets)} WHERE cardholder_id = ?",
            (*params, cardholder_id),
        )
        if getattr(done, "rowcount", 1) == 0:
            raise AdminError(f"unknown cardholder {cardholder_id}")
        emit(tx, "cardholder", cardholder_id)


def update_account(
    db: Database,
    account_id: str,
    *,
    price_level: str | None = None,
    membership_expires: str | bool | None = False,
) -> None:
    """Price level and membership expiry (D-ACC-3)."""
    sets: list[str] = []
    params: list[Any] = []
    if price_level is not None:
        if price_level not in ("student", "staff", "guest"):
            raise AdminError(f"unknown price level {price_level!r}")
        sets.append("price_level = ?")
        params.append(price_level)
    if membership_expires is not False:
        sets.append("membership_expires = ?")
        params.append(membership_expires)
    if not sets:
        return
    with db.transaction() as tx:
        done = tx.execute(
            f"UPDATE accounts SET {', '.join(sets)} WHERE account_id = ?", (*params, account_id)
        )
        if getattr(done, "rowcount", 1) == 0:
            raise AdminError(f"unknown account {account_id}")
        emit(tx, "account", account_id)


def set_arrears(db: Database, account_id: str, arrears: int) -> None:
    """D-AUTO-7: a returned direct debit blocks payment until its arrears (fee included)
    are paid; arrears of 0 unblock."""
    if isinstance(arrears, bool) or not isinstance(arrears, int) or arrears < 0:
        raise AdminError("arrears are a non-negative whole number of minor units")
    with db.transaction() as tx:
        done = tx.execute(
            "UPDATE accounts SET arrears = ?, payment_blocked = ? WHERE account_id = ?",
            (arrears, int(arrears > 0), account_id),
        )
        if getattr(done, "rowcount", 1) == 0:
            raise AdminError(f"unknown account {account_id}")
        emit(tx, "account", account_id)


def replace_card(db: Database, old_card: str, new_card: str, *, fee: int) -> None:
    """D-CARD-1: a new card for the same account; the fee comes off the balance, which must
    cover it; the old card is closed and points at the new one."""
    with db.transaction() as tx:
        account_id, state, currency = _account_of_card(tx, old_card)
        if state == "closed":
            raise AdminError(f"card {old_card} was already replaced")
        if tx.one("SELECT 1 FROM cards WHERE card_id = ?", (new_card,)) is not None:
            raise AdminError(f"card {new_card} is already issued")
        ledger = cardholder_ledger(account_id)
        if fee:
            if balance(tx, ledger) < fee:
                raise AdminError(f"the balance does not cover the replacement fee of {fee}")
            ensure_account(tx, "fees", "fees", currency)
            post(tx, [(ledger, -fee), ("fees", fee)], source=f"replace:{old_card}")
        tx.execute(
            "UPDATE cards SET state = 'closed', replaced_by = ? WHERE card_id = ?",
            (new_card, old_card),
        )
        tx.execute("INSERT INTO cards VALUES (?, ?, 'active', NULL)", (new_card, account_id))
        emit(tx, "card", old_card)
        emit(tx, "card", new_card)
        emit(tx, "account", account_id)
