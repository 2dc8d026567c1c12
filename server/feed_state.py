"""An item's state as the change feed sends it, typed by `sync.protocol`, and who may see it.

Least data on each till (D-UNIT-2, D-ACC-4): a cardholder, their account, cards and agreement
reach only the tills of units whose type the cardholder allows; a till gets names and photo
addresses, never anything else about a person.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

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


Read = ItemState | ValidationError  # a state, or why its stored data cannot be sent
CHUNK = 500  # keys in one IN (...) list: well under either database's bound on parameters


def read_states(tx: Tx, kind: str, keys: Sequence[str]) -> dict[str, Read]:
    """The states of many items of one kind, a few queries per chunk of keys instead of a
    few per item: a snapshot page of thousands of items costs a handful of range reads."""
    bulk = _BULK.get(kind)
    out: dict[str, Read] = {}
    if bulk is None:  # units and the policy: a few items, one by one
        for key in keys:
            try:
                out[key] = read_state(tx, kind, key)
            except ValidationError as exc:
                out[key] = exc
        return out
    for first in range(0, len(keys), CHUNK):
        part = list(keys[first : first + CHUNK])
        out.update(bulk(tx, part))
    return out


def _marks(keys: Sequence[str]) -> str:
    return ", ".join("?" * len(keys))


def _keyed(tx: Tx, sql: str, keys: Sequence[str]) -> dict[str, Any]:
    """The rows of `sql` (its `{keys}` the placeholders of `keys`), by their first column."""
    return {str(r[0]): r for r in tx.all(sql.format(keys=_marks(keys)), keys)}


def _each(
    keys: Sequence[str], rows: dict[str, Any], make: Callable[[str, Any], ItemState]
) -> dict[str, Read]:
    """`make` for every key (its row, or None when the item is gone); a row the wire model
    refuses is that item's error, not the page's."""
    out: dict[str, Read] = {}
    for key in keys:
        try:
            out[key] = make(key, rows.get(key))
        except ValidationError as exc:
            out[key] = exc
    return out


@functools.lru_cache(maxsize=1024)
def _allowed_of(text: str | None) -> frozenset[str]:
    """A stored list of unit types, read once per distinct text: a scheme has a handful."""
    return frozenset() if text is None else frozenset(json.loads(text))


@functools.lru_cache(maxsize=1024)
def _list_of(text: str) -> tuple[str, ...]:
    """A stored JSON list of names, read once per distinct text (a snapshot has few)."""
    return tuple(json.loads(text))


def _cardholders(tx: Tx, keys: Sequence[str]) -> dict[str, Read]:
    rows = _keyed(
        tx,
        "SELECT cardholder_id, name, photo_sha256, allowed_unit_types, daily_limit,"
        " blocked_categories FROM cardholders WHERE cardholder_id IN ({keys})",
        keys,
    )
    return _each(keys, rows, lambda key, row: _cardholder_of(key, None if row is None else row[1:]))


def _accounts(tx: Tx, keys: Sequence[str]) -> dict[str, Read]:
    rows = _keyed(
        tx,
        "SELECT a.account_id, a.cardholder_id, a.currency, a.price_level,"
        " a.membership_expires, a.payment_blocked, a.arrears, h.allowed_unit_types"
        " FROM accounts a LEFT JOIN cardholders h ON h.cardholder_id = a.cardholder_id"
        " WHERE a.account_id IN ({keys})",
        keys,
    )
    balances = _balances(tx, list(rows))
    days = _days(tx, list(rows))

    def make(key: str, row: Any) -> ItemState:
        if row is None:
            return ItemState(None, frozenset())
        day, spent, loads = days.get(key, (None, 0, 0))
        data = AccountData(
            account_id=key,
            cardholder_id=row[1],
            currency=row[2],
            price_level=row[3],
            membership_expires=row[4],
            payment_blocked=bool(row[5]),
            arrears=int(row[6]),
            balance=balances.get(cardholder_ledger(key), 0),
            day=day,
            day_spent=spent,
            day_autoloads=loads,
        )
        return ItemState(data, _allowed_of(row[7]))

    return _each(keys, rows, make)


def _balances(tx: Tx, account_ids: Sequence[str]) -> dict[str, int]:
    """Each account's balance, by its cardholder ledger account: the sum of its ledger rows,
    as the database keeps it (`card_balances`)."""
    ledgers = [cardholder_ledger(key) for key in account_ids]
    if not ledgers:
        return {}
    return {
        str(r[0]): int(r[1])
        for r in tx.all(
            "SELECT ledger_account, balance FROM card_balances"
            f" WHERE ledger_account IN ({_marks(ledgers)})",
            ledgers,
        )
    }


def _days(tx: Tx, accounts: Sequence[str]) -> dict[str, tuple[date | None, int, int]]:
    """`_day` of many accounts in one query."""
    if not accounts:
        return {}
    return {
        str(r[0]): (date.fromisoformat(str(r[1])), int(r[2]), int(r[3]))
        for r in tx.all(
            "SELECT d.account_id, d.business_day, d.spent, d.autoloads FROM account_days d"
            f" WHERE d.account_id IN ({_marks(accounts)}) AND d.business_day ="
            " (SELECT MAX(m.business_day) FROM account_days m WHERE m.account_id = d.account_id)",
            accounts,
        )
    }


def _cards(tx: Tx, keys: Sequence[str]) -> dict[str, Read]:
    rows = _keyed(
        tx,
        "SELECT c.card_id, c.account_id, c.state, c.replaced_by, h.allowed_unit_types"
        " FROM cards c LEFT JOIN accounts a ON a.account_id = c.account_id"
        " LEFT JOIN cardholders h ON h.cardholder_id = a.cardholder_id"
        " WHERE c.card_id IN ({keys})",
        keys,
    )

    def make(key: str, row: Any) -> ItemState:
        if row is None:
            return ItemState(None, frozenset())
        data = CardData(card_id=key, account_id=row[1], state=row[2], replaced_by=row[3])
        return ItemState(data, _allowed_of(row[4]))

    return _each(keys, rows, make)


def _agreements(tx: Tx, keys: Sequence[str]) -> dict[str, Read]:
    rows = _keyed(
        tx,
        "SELECT account_id, threshold, amount, active_from, ended, collection_failed"
        " FROM agreements WHERE account_id IN ({keys})",
        keys,
    )
    allowed = {
        key: _allowed_of(row[1])
        for key, row in _keyed(
            tx,
            "SELECT a.account_id, h.allowed_unit_types FROM accounts a"
            " JOIN cardholders h ON h.cardholder_id = a.cardholder_id"
            " WHERE a.account_id IN ({keys})",
            keys,
        ).items()
    }

    def make(key: str, row: Any) -> ItemState:
        return _agreement_of(key, None if row is None else row[1:], allowed.get(key, frozenset()))

    return _each(keys, rows, make)


def _products(tx: Tx, keys: Sequence[str]) -> dict[str, Read]:
    rows = _keyed(
        tx,
        "SELECT product_id, name, category, prices, vat_rate_bp, shortcut, position,"
        " unit_id, sold_out FROM products WHERE product_id IN ({keys})",
        keys,
    )
    return _each(keys, rows, lambda key, row: _product_of(key, None if row is None else row[1:]))


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
    return _cardholder_of(key, row)


def _cardholder_of(key: str, row: Any) -> ItemState:
    if row is None:
        return ItemState(None, frozenset())
    data = CardholderData(
        cardholder_id=key,
        name=row[0],
        photo_sha256=row[1],
        allowed_unit_types=list(_list_of(row[2])),
        daily_limit=row[3],
        blocked_categories=list(_list_of(row[4])),
    )
    return ItemState(data, _allowed_of(row[2]))


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
    return _product_of(key, row)


def _product_of(key: str, row: Any) -> ItemState:
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
    return _agreement_of(key, row, _allowed_of_account(tx, key))


def _agreement_of(key: str, row: Any, allowed: frozenset[str]) -> ItemState:
    if row is None:  # ended: the tills that could see the account drop it
        return ItemState(None, allowed)
    data = AgreementData(
        account_id=key,
        threshold=int(row[0]),
        amount=int(row[1]),
        active_from=row[2],
        ended=bool(row[3]),
        collection_failed=bool(row[4]),
    )
    return ItemState(data, allowed)


def _day(tx: Tx, account_id: str) -> tuple[date | None, int, int]:
    """The account's latest business day with till entries: spending and autoloads then
    (D-UNIT-3 daily limit, D-AUTO-4 once a day), across every till."""
    return _days(tx, [account_id]).get(account_id, (None, 0, 0))


_READERS = {
    "unit": _unit,
    "cardholder": _cardholder,
    "account": _account,
    "card": _card,
    "product": _product,
    "policy": _policy,
    "agreement": _agreement,
}

_BULK: dict[str, Callable[[Tx, Sequence[str]], dict[str, Read]]] = {
    "cardholder": _cardholders,
    "account": _accounts,
    "card": _cards,
    "agreement": _agreements,
    "product": _products,
}
