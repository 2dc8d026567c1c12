"""An item's state as the change feed sends it, typed by `sync.protocol`, and who may see it.

Least data on each till (D-UNIT-2, D-ACC-4): a cardholder, their account, cards and agreement
reach only the tills of units whose type the cardholder allows; a till gets names and photo
addresses, never anything else about a person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from server.db import Tx
from server.ledger import balance, cardholder_ledger
from server.policy import scheme_policy
from sync.protocol import (
    AccountData,
    AgreementData,
    CardData,
    CardholderData,
    FeedData,
    PolicyData,
    ProductData,
    UnitData,
)
from sync.records import UNIT_FIELDS


@dataclass(frozen=True, slots=True)
class ItemState:
    """An item's data (None: gone), and where it may go: the unit types its cardholder allows
    (None: every till of the scheme; products and units are filtered by unit instead)."""

    data: FeedData | None
    allowed: frozenset[str] | None = None
    unit_id: str | None = None  # a product's unit


def read_state(tx: Tx, kind: str, key: str) -> ItemState:
    reader = _READERS.get(kind)
    if reader is None:
        raise ValueError(f"unknown change kind {kind!r}")
    return reader(tx, key)


def _unit(tx: Tx, key: str) -> ItemState:
    row = tx.one(f"SELECT {', '.join(UNIT_FIELDS)} FROM units WHERE unit_id = ?", (key,))
    data = (
        None if row is None else UnitData.model_validate(dict(zip(UNIT_FIELDS, row, strict=True)))
    )
    return ItemState(data, unit_id=key)


def _allowed_of_holder(tx: Tx, cardholder_id: str) -> frozenset[str]:
    text = tx.scalar(
        "SELECT allowed_unit_types FROM cardholders WHERE cardholder_id = ?", (cardholder_id,)
    )
    return frozenset() if text is None else frozenset(json.loads(text))


def _allowed_of_account(tx: Tx, account_id: str) -> frozenset[str]:
    text = tx.scalar(
        "SELECT h.allowed_unit_types FROM accounts a"
        " JOIN cardholders h ON h.cardholder_id = a.cardholder_id WHERE a.account_id = ?",
        (account_id,),
    )
    return frozenset() if text is None else frozenset(json.loads(text))


def _cardholder(tx: Tx, key: str) -> ItemState:
    row = tx.one(
        "SELECT name, photo_sha256, allowed_unit_types, daily_limit, blocked_categories"
        " FROM cardholders WHERE cardholder_id = ?",
        (key,),
    )
    if row is None:
        return ItemState(None, frozenset())
    allowed = json.loads(row[2])
    data = CardholderData(
        cardholder_id=key,
        name=row[0],
        photo_sha256=row[1],
        allowed_unit_types=allowed,
        daily_limit=row[3],
        blocked_categories=json.loads(row[4]),
    )
    return ItemState(data, frozenset(allowed))


def _account(tx: Tx, key: str) -> ItemState:
    row = tx.one(
        "SELECT cardholder_id, currency, price_level, membership_expires,"
        " payment_blocked, arrears FROM accounts WHERE account_id = ?",
        (key,),
    )
    if row is None:
        return ItemState(None, frozenset())
    day, spent, loads = _day(tx, key)
    data = AccountData(
        account_id=key,
        cardholder_id=row[0],
        currency=row[1],
        price_level=row[2],
        membership_expires=row[3],
        payment_blocked=bool(row[4]),
        arrears=int(row[5]),
        balance=balance(tx, cardholder_ledger(key)),
        day=day,
        day_spent=spent,
        day_autoloads=loads,
    )
    return ItemState(data, _allowed_of_holder(tx, row[0]))


def _card(tx: Tx, key: str) -> ItemState:
    row = tx.one("SELECT account_id, state, replaced_by FROM cards WHERE card_id = ?", (key,))
    if row is None:
        return ItemState(None, frozenset())
    data = CardData(card_id=key, account_id=row[0], state=row[1], replaced_by=row[2])
    return ItemState(data, _allowed_of_account(tx, row[0]))


def _product(tx: Tx, key: str) -> ItemState:
    row = tx.one(
        "SELECT name, category, prices, vat_rate_bp, shortcut, position, unit_id, sold_out"
        " FROM products WHERE product_id = ?",
        (key,),
    )
    if row is None:
        return ItemState(None)
    data = ProductData(
        product_id=key,
        name=row[0],
        category=row[1],
        prices=json.loads(row[2]),
        vat_rate_bp=int(row[3]),
        shortcut=row[4],
        position=int(row[5]),
        sold_out=bool(row[7]),
    )
    return ItemState(data, unit_id=str(row[6]))


def _policy(tx: Tx, key: str) -> ItemState:
    return ItemState(PolicyData.model_validate(scheme_policy(tx).to_mapping()))


def _agreement(tx: Tx, key: str) -> ItemState:
    row = tx.one(
        "SELECT threshold, amount, active_from, ended, collection_failed"
        " FROM agreements WHERE account_id = ?",
        (key,),
    )
    if row is None:  # ended: the tills that could see the account drop it
        return ItemState(None, _allowed_of_account(tx, key))
    data = AgreementData(
        account_id=key,
        threshold=int(row[0]),
        amount=int(row[1]),
        active_from=row[2],
        ended=bool(row[3]),
        collection_failed=bool(row[4]),
    )
    return ItemState(data, _allowed_of_account(tx, key))


def _day(tx: Tx, account_id: str) -> tuple[date | None, int, int]:
    """The account's latest business day with till entries: spending and autoloads then
    (D-UNIT-3 daily limit, D-AUTO-4 once a day), across every till."""
    day = tx.scalar(
        "SELECT MAX(business_day) FROM journal_ingest WHERE account_id = ?", (account_id,)
    )
    if day is None:
        return None, 0, 0
    spent, loads = tx.one(
        # spending: sales less their voids (a top-up's void, amount < 0, is none)
        "SELECT COALESCE(SUM(CASE WHEN kind = 'sale' OR (kind = 'void' AND amount > 0)"
        " THEN -amount ELSE 0 END), 0),"
        " COUNT(CASE WHEN kind = 'autoload' THEN 1 END)"
        " FROM journal_ingest WHERE account_id = ? AND business_day = ?",
        (account_id, day),
    )
    return date.fromisoformat(str(day)), int(spent), int(loads)


_READERS = {
    "unit": _unit,
    "cardholder": _cardholder,
    "account": _account,
    "card": _card,
    "product": _product,
    "policy": _policy,
    "agreement": _agreement,
}
