"""A large feed page's personal items as rows (issue 11 item 4): a snapshot of 100,000
cardholders is 325,000 items, and a model built, checked and serialised for each of them cost
the server about 25 µs an item. Here each kind's rows are read in bulk as tuples in the wire's
row layout (`sync.protocol`, `ROWS_VERSION`), checked a block at a time by the same types the
till checks them with, and serialised in one call per block. The states are those
`server.feed_state` reads: the same fields, the same visibility (who may see a card, an account,
an agreement is its cardholder's unit types, taken from the page's own cardholders and accounts
where it has them: one b-tree probe a row instead of three)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_json

from server.db import Tx
from server.feed_state import (
    CHUNK,
    _allowed_of,
    _balances,
    _days,
    _keyed,
    _list_of,
)
from server.ledger import cardholder_ledger
from sync.protocol import ROW_TYPES

log = logging.getLogger(__name__)
Row = tuple[Any, ...]  # seq first, then the fields in the wire's row layout
_NOBODY: frozenset[str] = frozenset()
_BLOCKS: dict[str, TypeAdapter[Any]] = {
    kind: TypeAdapter(list[row])  # type: ignore[valid-type]
    for kind, row in ROW_TYPES.items()
}
_ONE: dict[str, TypeAdapter[Any]] = {kind: TypeAdapter(row) for kind, row in ROW_TYPES.items()}


@dataclass
class Read:
    """What a page's rows read: by kind, the rows the till may see, and the items it may not
    see or that are gone (seq, key, gone, visible: for the page to decide on a removal)."""

    unit_type: str
    rows: dict[str, list[Row]] = field(default_factory=dict)
    others: dict[str, list[tuple[int, str, bool, bool]]] = field(default_factory=dict)
    holders: dict[str, frozenset[str]] = field(default_factory=dict)  # who may see, by holder
    accounts: dict[str, frozenset[str]] = field(default_factory=dict)  # and by account

    def sort(self, kind: str, seq: int, key: str, row: Row | None, allowed: frozenset[str]) -> None:
        visible = self.unit_type in allowed  # D-UNIT-2
        if row is not None and visible:
            self.rows[kind].append(row)
        else:
            self.others[kind].append((seq, key, row is None, visible))


def read_rows(tx: Tx, unit_type: str, by_kind: dict[str, list[tuple[int, str]]]) -> Read:
    """The rows of a page's items of `ROW_KINDS`, (seq, key) by kind, a few queries per chunk
    of keys; cardholders first, then accounts, cards, agreements (each learns who may see it
    from those read before it)."""
    read = Read(unit_type)
    for kind in ("cardholder", "account", "card", "agreement"):
        read.rows[kind], read.others[kind] = [], []
        wanted = by_kind.get(kind, [])
        for first in range(0, len(wanted), CHUNK):
            _READERS[kind](tx, wanted[first : first + CHUNK], read)
    return read


def checked(kind: str, block: list[Row]) -> list[Row]:
    """The rows the wire's types take, checked in one call; a row they refuse is that item's
    problem (logged, not sent, not removed), not the page's."""
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


def serialised(blocks: dict[str, list[Row]]) -> bytes:
    """The page's `rows` object: each kind's rows as one JSON array (pydantic-core's
    serialiser: a third of the stdlib encoder's time on these rows)."""
    return to_json({kind: block for kind, block in blocks.items() if block})


def _iso(value: Any) -> Any:
    """A stored date as the wire's text (PostgreSQL may hand back a date)."""
    return value.isoformat() if isinstance(value, date) else value


def _holders_allowed(tx: Tx, holders: Sequence[str], read: Read) -> None:
    """Who may see the items of cardholders the page has not read."""
    _allowed_of_missing(
        tx,
        holders,
        read.holders,
        "SELECT cardholder_id, allowed_unit_types FROM cardholders WHERE cardholder_id IN ({keys})",
    )


def _accounts_allowed(tx: Tx, accounts: Sequence[str], read: Read) -> None:
    """Who may see the items of accounts the page has not read (an account with no cardholder
    row, or none at all: nobody)."""
    _allowed_of_missing(
        tx,
        accounts,
        read.accounts,
        "SELECT a.account_id, h.allowed_unit_types FROM accounts a"
        " JOIN cardholders h ON h.cardholder_id = a.cardholder_id"
        " WHERE a.account_id IN ({keys})",
    )


def _allowed_of_missing(
    tx: Tx, keys: Sequence[str], known: dict[str, frozenset[str]], sql: str
) -> None:
    """Into `known`, who may see each key not yet in it: `sql` reads (key, allowed unit
    types) a chunk at a time; a key it does not find: nobody."""
    missing = [k for k in set(keys) if k not in known]
    for first in range(0, len(missing), CHUNK):
        part = missing[first : first + CHUNK]
        found = _keyed(tx, sql, part)
        for key in part:
            row = found.get(key)
            known[key] = _NOBODY if row is None else _allowed_of(row[1])


def _cardholders(tx: Tx, wanted: Sequence[tuple[int, str]], read: Read) -> None:
    rows = _keyed(
        tx,
        "SELECT cardholder_id, name, photo_sha256, allowed_unit_types, daily_limit,"
        " blocked_categories FROM cardholders WHERE cardholder_id IN ({keys})",
        [key for _, key in wanted],
    )
    for seq, key in wanted:
        r = rows.get(key)
        if r is None:
            read.sort("cardholder", seq, key, None, _NOBODY)
            continue
        allowed = read.holders[key] = _allowed_of(r[3])
        row = (seq, key, r[1], r[2], _list_of(r[3]), r[4], _list_of(r[5]))
        read.sort("cardholder", seq, key, row, allowed)


def _accounts(tx: Tx, wanted: Sequence[tuple[int, str]], read: Read) -> None:
    rows = _keyed(
        tx,
        "SELECT account_id, cardholder_id, currency, price_level, membership_expires,"
        " payment_blocked, arrears FROM accounts WHERE account_id IN ({keys})",
        [key for _, key in wanted],
    )
    _holders_allowed(tx, [str(r[1]) for r in rows.values()], read)
    balances = _balances(tx, list(rows))
    days = _days(tx, list(rows))
    for seq, key in wanted:
        r = rows.get(key)
        if r is None:
            read.accounts[key] = _NOBODY
            read.sort("account", seq, key, None, _NOBODY)
            continue
        day, spent, loads = days.get(key, (None, 0, 0))
        row = (
            seq,
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
        allowed = read.accounts[key] = read.holders[str(r[1])]
        read.sort("account", seq, key, row, allowed)


def _cards(tx: Tx, wanted: Sequence[tuple[int, str]], read: Read) -> None:
    rows = _keyed(
        tx,
        "SELECT card_id, account_id, state, replaced_by FROM cards WHERE card_id IN ({keys})",
        [key for _, key in wanted],
    )
    _accounts_allowed(tx, [str(r[1]) for r in rows.values()], read)
    for seq, key in wanted:
        r = rows.get(key)
        if r is None:
            read.sort("card", seq, key, None, _NOBODY)
        else:
            read.sort("card", seq, key, (seq, key, r[1], r[2], r[3]), read.accounts[str(r[1])])


def _agreements(tx: Tx, wanted: Sequence[tuple[int, str]], read: Read) -> None:
    keys = [key for _, key in wanted]
    rows = _keyed(
        tx,
        "SELECT account_id, threshold, amount, active_from, ended, collection_failed"
        " FROM agreements WHERE account_id IN ({keys})",
        keys,
    )
    _accounts_allowed(tx, keys, read)
    for seq, key in wanted:
        r = rows.get(key)
        allowed = read.accounts[key]
        if r is None:  # ended: the tills that could see the account drop it
            read.sort("agreement", seq, key, None, allowed)
        else:
            row = (seq, key, int(r[1]), int(r[2]), _iso(r[3]), bool(r[4]), bool(r[5]))
            read.sort("agreement", seq, key, row, allowed)


_READERS: dict[str, Callable[[Tx, Sequence[tuple[int, str]], Read], None]] = {
    "cardholder": _cardholders,
    "account": _accounts,
    "card": _cards,
    "agreement": _agreements,
}
