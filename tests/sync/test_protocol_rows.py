"""A large page's rows (issue 11 item 4) are checked exactly as the item's data model checks
it: for every field of every row kind, each of a set of awkward values is taken by the row
type if and only if the data model takes it, as the till reads them (JSON)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from sync import limits
from sync.protocol import DATA_MODELS, ROW_TYPES

SHA = "ab" * 32
FIELDS: dict[str, dict[str, Any]] = {  # a valid item, its fields in the row's order
    "cardholder": {
        "cardholder_id": "h-1",
        "name": "Ada",
        "photo_sha256": SHA,
        "allowed_unit_types": ["mensa"],
        "daily_limit": 500,
        "blocked_categories": ["Drinks"],
    },
    "account": {
        "account_id": "a-1",
        "cardholder_id": "h-1",
        "currency": "EUR",
        "balance": -20,
        "price_level": "staff",
        "membership_expires": "2027-09-30",
        "payment_blocked": False,
        "arrears": 0,
        "day": "2026-12-03",
        "day_spent": 350,
        "day_autoloads": 1,
    },
    "card": {"card_id": "04AB", "account_id": "a-1", "state": "active", "replaced_by": None},
    "agreement": {
        "account_id": "a-1",
        "threshold": 500,
        "amount": 2000,
        "active_from": "2026-01-01",
        "ended": False,
        "collection_failed": True,
    },
}
AWKWARD: list[Any] = [
    None,
    "",
    "x",
    "a\x01b",
    "x" * (limits.MAX_NAME_CHARS + 1),
    "x" * (limits.MAX_ID_CHARS + 1),
    "04ab",
    "04AB",
    SHA,
    SHA.upper(),
    "EUR",
    "USD",
    "guest",
    "closed",
    "lost",
    "2026-02-30",
    "2026-12-03",
    "2026-12-03T10:00:00Z",
    0,
    -1,
    limits.MAX_AMOUNT,
    limits.MAX_AMOUNT + 1,
    limits.INT64_MAX,
    limits.INT64_MAX + 1,
    1.0,
    1.5,
    True,
    "1",
    [],
    ["mensa"],
    ["a\x01"],
    ["x"] * (limits.MAX_LIST_ITEMS + 1),
    {"a": 1},
]


def takes(adapter: TypeAdapter[Any], value: Any) -> bool:
    try:
        adapter.validate_json(json.dumps(value))
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("kind", sorted(FIELDS))
def test_a_row_takes_what_the_data_model_takes(kind: str) -> None:
    model: TypeAdapter[Any] = TypeAdapter(DATA_MODELS[kind])
    row: TypeAdapter[Any] = TypeAdapter(ROW_TYPES[kind])
    valid = FIELDS[kind]
    assert list(valid) == [n for n in DATA_MODELS[kind].model_fields if n in valid]
    assert set(valid) == set(DATA_MODELS[kind].model_fields)
    assert takes(model, valid)
    assert takes(row, [7, *valid.values()])
    differ = []
    for name in valid:
        for value in AWKWARD:
            item = {**valid, name: value}
            if takes(model, item) != takes(row, [7, *item.values()]):
                differ.append((name, value))
    assert differ == []
    for seq in (0, -1, limits.INT64_MAX + 1, "7", None):  # a row's seq is the change's
        assert not takes(row, [seq, *valid.values()])
    assert not takes(row, [7, *valid.values(), "extra"])
    assert not takes(row, [7, *list(valid.values())[:-1]])
