"""A large feed page's personal items as rows (issue 11 item 4): a snapshot of 100,000
cardholders is 325,000 items, and a model built, checked and serialised for each of them cost
the server about 25 µs an item. Here each kind's rows are read in bulk as tuples in the wire's
row layout (`sync.protocol`, `ROWS_VERSION`), checked a block at a time by the same types the
till checks them with, and serialised in one call per block. The states are those
`server.feed_state` reads: the same queries, the same fields, the same visibility."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_json

from server.db import Tx
from server.feed_state import CHUNK, _allowed_of, _days, _keyed, _list_of, _marks
from server.ledger import cardholder_ledger
from sync.protocol import ROW_TYPES

log = logging.getLogger(__name__)
# An item's row without its seq (None: the item is gone), and the unit types that may see it.
RowState = tuple[tuple[Any, ...] | None, frozenset[str]]
_NOBODY: frozenset[str] = frozenset()
_BLOCKS: dict[str, TypeAdapter[Any]] = {
    kind: TypeAdapter(list[row])  # type: ignore[valid-type]
    for kind, row in ROW_TYPES.items()
}
_ONE: dict[str, TypeAdapter[Any]] = {kind: TypeAdapter(row) for kind, row in ROW_TYPES.items()}


def read_rows(tx: Tx, kind: str, keys: Sequence[str]) -> dict[str, RowState]:
    """The rows of many items of one of `ROW_KINDS`, a few queries per chunk of keys."""
    reader = _READERS[kind]
    out: dict[str, RowState] = {}
    for first in range(0, len(keys), CHUNK):
        out.update(reader(tx, keys[first : first + CHUNK]))
    return out


def checked(kind: str, block: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows (seq first) the wire's types take, checked in one call; a row they refuse is
    that item's problem (logged, not sent), not the page's."""
    try:
        _BLOCKS[kind].validate_python(block)
        return block
    except ValidationError:
        pass
    kept = []
    for row in block:
        try:
            _ONE[kind].validate_python(row)
        except ValidationError as exc:
            log.error(
                "%s %s cannot be sent to the tills, its data is refused: %s",
                kind,
                row[1],
                exc,
            )
            continue
        kept.append(row)
    return kept


def serialised(blocks: dict[str, list[tuple[Any, ...]]]) -> bytes:
    """The page's `rows` object: each kind's rows as one JSON array (pydantic-core's
    serialiser: a third of the stdlib encoder's time on these rows)."""
    return to_json({kind: block for kind, block in blocks.items() if block})


def _iso(value: Any) -> Any:
    """A stored date as the wire's text (PostgreSQL may hand back a date)."""
    return value.isoformat() if isinstance(value, date) else value


def _cardholders(tx: Tx, keys: Sequence[str]) -> dict[str, RowState]:
    rows = _keyed(
        tx,
        "SELECT cardholder_id, name, photo_sha256, allowed_unit_types, daily_limit,"
        " blocked_categories FROM cardholders WHERE cardholder_id IN ({keys})",
        keys,
    )
    out: dict[str, RowState] = {}
    for key in keys:
        r = rows.get(key)
        if r is None:
            out[key] = (None, _NOBODY)
        else:
            row = (key, r[1], r[2], _list_of(r[3]), r[4], _list_of(r[5]))
            out[key] = (row, _allowed_of(r[3]))
    return out


def _accounts(tx: Tx, keys: Sequence[str]) -> dict[str, RowState]:
    rows = _keyed(
        tx,
        "SELECT a.account_id, a.cardholder_id, a.currency, a.price_level,"
        " a.membership_expires, a.payment_blocked, a.arrears, h.allowed_unit_types"
        " FROM accounts a LEFT JOIN cardholders h ON h.cardholder_id = a.cardholder_id"
        " WHERE a.account_id IN ({keys})",
        keys,
    )
    ledgers = [cardholder_ledger(key) for key in rows]
    balances: dict[str, int] = {}
    if ledgers:
        balances = {
            str(r[0]): int(r[1])
            for r in tx.all(
                "SELECT ledger_account, SUM(amount) FROM ledger"
                f" WHERE ledger_account IN ({_marks(ledgers)}) GROUP BY ledger_account",
                ledgers,
            )
        }
    days = _days(tx, list(rows))
    out: dict[str, RowState] = {}
    for key in keys:
        r = rows.get(key)
        if r is None:
            out[key] = (None, _NOBODY)
            continue
        day, spent, loads = days.get(key, (None, 0, 0))
        row = (
            key,
            r[1],
            r[2],
            balances.get(cardholder_ledger(key), 0),
            r[3],
            _iso(r[4]),
            bool(r[5]),
            int(r[6]),
            None if day is None else day.isoformat(),
            spent,
            loads,
        )
        out[key] = (row, _allowed_of(r[7]))
    return out


def _cards(tx: Tx, keys: Sequence[str]) -> dict[str, RowState]:
    rows = _keyed(
        tx,
        "SELECT c.card_id, c.account_id, c.state, c.replaced_by, h.allowed_unit_types"
        " FROM cards c LEFT JOIN accounts a ON a.account_id = c.account_id"
        " LEFT JOIN cardholders h ON h.cardholder_id = a.cardholder_id"
        " WHERE c.card_id IN ({keys})",
        keys,
    )
    out: dict[str, RowState] = {}
    for key in keys:
        r = rows.get(key)
        out[key] = (None, _NOBODY) if r is None else ((key, r[1], r[2], r[3]), _allowed_of(r[4]))
    return out


def _agreements(tx: Tx, keys: Sequence[str]) -> dict[str, RowState]:
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
    out: dict[str, RowState] = {}
    for key in keys:
        r = rows.get(key)
        who = allowed.get(key, _NOBODY)
        if r is None:  # ended: the tills that could see the account drop it
            out[key] = (None, who)
        else:
            row = (key, int(r[1]), int(r[2]), _iso(r[3]), bool(r[4]), bool(r[5]))
            out[key] = (row, who)
    return out


_READERS: dict[str, Callable[[Tx, Sequence[str]], dict[str, RowState]]] = {
    "cardholder": _cardholders,
    "account": _accounts,
    "card": _cards,
    "agreement": _agreements,
}
