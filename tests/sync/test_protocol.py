"""How a till reads a feed item on its own (issue 8 item 2): what it cannot read is a
problem to report, never an exception that stalls the feed; a newer server's additional
fields are read around."""

from __future__ import annotations

from typing import Any

import pytest

from sync.protocol import ProductChange, read_change

PRODUCT = {
    "product_id": "soup",
    "name": "Suppe",
    "category": "Mains",
    "prices": {"student": 150, "staff": 200, "guest": 250},
    "vat_rate_bp": 700,
}


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        "change",
        {"seq": 2**70, "kind": "product", "key": "soup", "data": PRODUCT},
        {"seq": 4, "kind": "voucher\x00", "key": "v\x001", "data": {}},
        {"seq": 4, "kind": "product\ud800", "key": "k", "data": PRODUCT},
        {"seq": 4, "kind": "product", "key": "soup", "data": {**PRODUCT, "vat_rate_bp": 2**64}},
        {"seq": 4, "kind": "product", "key": "soup", "data": {**PRODUCT, "prices": {}}},
        {"seq": 4, "kind": "account", "key": "a1", "data": {"account_id": "a1"}},
        {"seq": 4, "kind": "policy", "key": "scheme", "data": None},
    ],
    ids=[
        "null",
        "list",
        "text",
        "huge-seq",
        "nul",
        "surrogate",
        "huge-number",
        "no-prices",
        "missing-fields",
        "policy-removed",
    ],
)
def test_an_unreadable_item_is_a_problem_not_an_exception(raw: Any) -> None:
    """Anything the server (or a proxy) sends is read into a change or a skipped problem
    whose text a report can carry (no NUL, no lone surrogate)."""
    change, problem = read_change(raw)
    assert change is None
    assert problem is not None
    assert problem.skipped
    for text in (problem.kind, problem.key or "", problem.problem):
        assert "\x00" not in text
        text.encode("utf-8")


def test_fields_of_a_newer_server_are_ignored_and_said() -> None:
    """A product with a field this till does not know is applied, and the field named."""
    raw = {"seq": 4, "kind": "product", "key": "soup", "data": {**PRODUCT, "allergens": []}}
    change, problem = read_change(raw)
    assert isinstance(change, ProductChange)
    assert change.data is not None
    assert change.data.name == "Suppe"
    assert problem is not None
    assert not problem.skipped
    assert "allergens" in problem.problem
