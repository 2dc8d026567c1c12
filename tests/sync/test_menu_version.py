"""The store's menu version and a supervisor's sold-out marks (issue 10 item 3): the version
moves with every write to the menu, unit or policy and with nothing else; a mark greys the
product at once and waits in the store, across a restart, until the server has it."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync.records import PriceLevel
from sync.store import BadValue, PageRecords, Store
from tests.terminal.till_scheme import NOW, PRODUCTS, TODAY, UNIT, seed_scheme, sell

MEAL = PRODUCTS[0]


@pytest.fixture
def store() -> Store:
    s = Store.from_connection(sqlite3.connect(":memory:"), till_id="till-1")
    seed_scheme(s)
    return s


def test_the_menu_version_moves_with_products_unit_and_policy(store: Store) -> None:
    seen = [store.menu_version()]

    def moved() -> bool:
        seen.append(store.menu_version())
        return seen[-1] != seen[-2]

    store.upsert_products(
        [dataclasses.replace(MEAL, prices={**MEAL.prices, PriceLevel.STUDENT: 999})]
    )
    assert moved()
    store.upsert_unit(dataclasses.replace(UNIT, name="Mensa Nord II"))
    assert moved()
    store.set_policy({"print_receipts": "on_request"})
    assert moved()
    store.remove_items([("product", "choc")])
    assert moved()
    assert [p.product_id for p in store.products()] == ["coffee", "meal"]


def test_the_menu_version_stays_for_cards_balances_and_sales(store: Store) -> None:
    """A tap pays nothing for the live menu: a sale, a balance or a card leave it as it is."""
    before = store.menu_version()
    sell(store, 350, "a-anna", "AA000001")
    store.upsert_cardholders([])
    store.upsert_products([])
    store.remove_items([("card", "AA000002")])
    assert store.menu_version() == before


def test_a_snapshot_that_drops_a_product_moves_the_version(store: Store) -> None:
    """The last page of a snapshot sweeps what it did not hold: the screen must see it."""
    before = store.menu_version()
    kept = PageRecords(units=[UNIT], products=[MEAL], policy={})
    store.apply_page(kept, cursor="1-000000000001", last_recv=0, synced_at=NOW, snapshot_start=True)
    assert store.menu_version() != before
    assert [p.product_id for p in store.products()] == ["meal"]


def test_a_mark_greys_the_product_at_once_and_is_queued(store: Store) -> None:
    before = store.menu_version()
    mark_id = store.mark_sold_out("meal", True, marked_at=NOW)
    assert store.menu_version() != before
    assert next(p for p in store.products() if p.product_id == "meal").sold_out
    [mark] = store.pending_marks()
    assert (mark.mark_id, mark.product_id, mark.sold_out, mark.marked_at) == (
        mark_id,
        "meal",
        True,
        NOW,
    )


def test_a_mark_of_a_product_not_on_the_menu_is_refused_and_nothing_is_queued(
    store: Store,
) -> None:
    with pytest.raises(BadValue, match="'pasta' is not on this till's menu"):
        store.mark_sold_out("pasta", True, marked_at=NOW)
    with pytest.raises(BadValue, match="timezone-aware"):
        store.mark_sold_out("meal", True, marked_at=datetime(2026, 11, 21, 11, 30))
    assert store.pending_marks() == []
    assert not any(p.sold_out for p in store.products())


def test_sold_out_marks_survive_a_restart_until_sent(tmp_path: Path) -> None:
    """D-SYNC-2: what the till has to tell the server waits durably; a mark is sent once."""
    path = tmp_path / "till.db"
    with Store.open(path, till_id="till-1") as store:
        seed_scheme(store)
        first = store.mark_sold_out("meal", True, marked_at=NOW)
        second = store.mark_sold_out("coffee", True, marked_at=NOW)
    with Store.open(path, till_id="till-1") as store:
        assert [m.mark_id for m in store.pending_marks()] == [first, second]
        assert {p.product_id for p in store.products() if p.sold_out} == {"meal", "coffee"}
        store.mark_sent(first, sent_at=datetime.now(UTC))
    with Store.open(path, till_id="till-1") as store:
        assert [m.mark_id for m in store.pending_marks()] == [second]


def test_a_feed_page_older_than_an_unsent_mark_does_not_undo_it(store: Store) -> None:
    """The server's copy of the product (not sold out) arrives before it has the mark: the
    till keeps showing the mark; once the mark is sent, the server's word counts again."""
    mark_id = store.mark_sold_out("meal", True, marked_at=NOW)
    store.upsert_products([dataclasses.replace(MEAL, sold_out=False)])
    assert next(p for p in store.products() if p.product_id == "meal").sold_out
    store.mark_sent(mark_id, sent_at=NOW)
    store.upsert_products([dataclasses.replace(MEAL, sold_out=False)])
    assert not next(p for p in store.products() if p.product_id == "meal").sold_out


def test_a_mark_is_no_sale(store: Store) -> None:
    """A mark goes to the server on its own: the journal and the outbox stay empty."""
    store.mark_sold_out("meal", True, marked_at=NOW)
    assert store.journal() == []
    assert store.outbox_stats().count == 0
    assert store.lookup("AA000001", TODAY) is not None
