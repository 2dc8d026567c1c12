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


def test_a_snapshot_keeps_the_copy_of_an_item_the_till_could_not_read(tmp_path: Any) -> None:
    """The last page of a snapshot drops what the snapshot did not hold, but not an item it
    held in a form this till could not read: the till keeps the copy it has (a card stays
    known) rather than losing it to a newer server's change."""
    from datetime import UTC, date, datetime

    from sync.client import read_page_records
    from sync.store import Store
    from tests.terminal.till_scheme import seed_scheme

    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        seed_scheme(store)
        snap = store.lookup("AA000001", date(2026, 11, 21))
        assert snap is not None
        account, holder = snap.account.account_id, snap.cardholder
        raw = [
            {"seq": 7, "kind": "unit", "key": "mensa-nord", "data": None},
            {
                "seq": 8,
                "kind": "card",
                "key": "AA000001",
                "data": {"card_id": "AA000001", "account_id": account, "state": "active"},
            },
            {
                "seq": 8,
                "kind": "cardholder",
                "key": holder.cardholder_id,
                "data": {
                    "cardholder_id": holder.cardholder_id,
                    "name": holder.name,
                    "photo_sha256": None,
                    "allowed_unit_types": ["mensa"],
                },
            },
            {"seq": 9, "kind": "account", "key": account, "data": {"account_id": account}},
        ]
        records = read_page_records(raw)
        store.apply_page(
            records,
            cursor="9-0123456789ab",
            last_recv=0,
            snapshot_start=True,
            more=False,
            synced_at=datetime.now(UTC),
        )
        assert store.lookup("AA000001", date(2026, 11, 21)) is not None
        assert store.skipped_changes() == 2  # the account, and the unit's removal


def test_the_scheme_counts_as_loaded_only_when_the_first_snapshot_is_complete(
    tmp_path: Any,
) -> None:
    """An enrolled till waits on its screen until the first snapshot's last page: a unit in
    the first page is not yet the menu and the policy of the later pages."""
    from datetime import UTC, datetime

    from sync.client import read_page_records
    from sync.store import Store

    unit = {
        "unit_id": "mensa-nord",
        "name": "Mensa Nord",
        "unit_type": "mensa",
        "timezone": "Europe/Berlin",
        "currency": "EUR",
        "seller_name": "Studierendenwerk",
        "address": "Uniweg 1",
        "vat_number": "DE1",
    }
    first = [{"seq": 1, "kind": "unit", "key": "mensa-nord", "data": unit}]
    last = [{"seq": 2, "kind": "product", "key": "soup", "data": PRODUCT}]
    now = datetime.now(UTC)
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        assert not store.scheme_loaded()
        store.apply_page(
            read_page_records(first),
            cursor="1-0123456789ab",
            last_recv=0,
            snapshot_start=True,
            more=True,
            synced_at=now,
        )
        assert store.unit() is not None
        assert not store.scheme_loaded()
        store.apply_page(
            read_page_records(last), cursor="2-0123456789ab", last_recv=0, synced_at=now
        )
        assert store.scheme_loaded()
