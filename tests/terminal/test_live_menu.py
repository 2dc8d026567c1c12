"""The live menu at the till (issue 10 item 3): what the sync client writes into the store is
what the session sells at its next look, a rung-up tray is re-priced visibly before a tap
charges it, a sold-out product is not sold, and only a supervisor marks one at the till."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sync.link import NoServer
from sync.policy import Policy, PrintPolicy
from sync.records import PriceLevel, Product
from sync.store import Store
from terminal import messages
from terminal.app import Till
from terminal.config import (
    ConfigError,
    PrinterConfig,
    ReaderConfig,
    TillConfig,
    parse_config,
    pin_hash,
)
from terminal.money import format_money
from terminal.session import Phase, SaleSession
from tests.terminal.till_scheme import NOW, PRODUCTS, UNIT

MEAL, COFFEE = PRODUCTS[0], PRODUCTS[1]
ANNA = "AA000001"  # a student card with 50,00 on it


def priced(product: Product, student: int) -> Product:
    return dataclasses.replace(product, prices={**product.prices, PriceLevel.STUDENT: student})


def session_of(store: Store) -> SaleSession:
    return SaleSession(store, policy=Policy(), online=lambda: True, clock=lambda: NOW)


def test_nothing_moved_means_nothing_to_reload(store: Store) -> None:
    session = session_of(store)
    assert session.reload_menu() is False  # the menu it read at the start
    assert session.reload_menu() is False
    store.upsert_products([MEAL])  # written again, the same
    assert session.reload_menu() is False
    assert session.menu_changes == []


def test_a_central_price_change_reprices_the_rung_up_tray_before_the_tap_charges_it(
    store: Store,
) -> None:
    """D-PAY-3: the sale keeps the price the store holds when it is charged, and the cashier
    was told of the change (the issue's Pasta-Bar: 9,99 in the store, sold at 2,90)."""
    session = session_of(store)
    session.add(MEAL)
    session.add(COFFEE)
    store.upsert_products([priced(MEAL, 999)])
    assert session.reload_menu() is True
    assert session.menu_changes == [
        f"Menü 1: {format_money(350, 'EUR')} → {format_money(999, 'EUR')}"
    ]
    assert [line.unit_price for line in session.screen(print_button=False).lines] == [999, 120]
    assert (
        next(p for p in session.products if p.product_id == "meal").prices[PriceLevel.STUDENT]
        == 999
    )
    session.tap(ANNA)
    # Warnings before money: the changed price holds the tap's charge, said on the panel.
    screen = session.screen(print_button=False)
    assert screen.held
    assert screen.cautions == (f"Menü 1: {format_money(350, 'EUR')} → {format_money(999, 'EUR')}",)
    assert store.journal() == []
    session.charge()  # the cashier read it: Enter
    assert session.phase is Phase.PAID
    assert session.last_paid is not None
    assert session.last_paid.total == 999 + 120
    [sale] = [e for e in store.journal() if e.kind == "sale"]
    assert sale.amount == -(999 + 120)


def test_the_verdict_of_a_tapped_card_is_decided_again_on_the_new_price(store: Store) -> None:
    """D-PAY-1: a tray that was covered at the old price is not at the new one."""
    session = SaleSession(
        store,
        policy=Policy(auto_charge_on_tap=False),
        online=lambda: True,
        clock=lambda: NOW,
    )
    session.tap(ANNA)
    session.add(MEAL)
    assert session.card is not None
    assert session.card.verdict.approved
    store.upsert_products([priced(MEAL, 6000)])
    session.reload_menu()
    assert session.card is not None
    assert not session.card.verdict.approved
    assert session.total == 6000
    assert session.charge() is None
    assert store.journal() == []


def test_a_paid_tray_is_history_and_is_not_repriced(store: Store) -> None:
    session = session_of(store)
    session.add(MEAL)
    session.tap(ANNA)
    assert session.phase is Phase.PAID
    store.upsert_products([priced(MEAL, 999)])
    assert session.reload_menu() is True  # the menu changed: the grid shows it
    assert session.menu_changes == []
    assert [line.unit_price for line in session.screen(print_button=False).lines] == [350]


def test_a_sold_out_product_cannot_be_added_to_a_tray(store: Store) -> None:
    session = session_of(store)
    session.add(COFFEE)
    store.upsert_products([dataclasses.replace(MEAL, sold_out=True)])
    session.reload_menu()
    session.add(MEAL)  # a button painted before the change
    assert session.notice == "Menü 1 is sold out."
    assert [line.product.product_id for line in session.basket.lines] == ["coffee"]


def test_a_line_whose_product_sold_out_or_left_the_menu_stays_flagged(store: Store) -> None:
    session = session_of(store)
    session.add(MEAL)
    session.add(COFFEE)
    store.upsert_products([dataclasses.replace(MEAL, sold_out=True)])
    store.remove_items([("product", "coffee")])
    assert session.reload_menu() is True
    assert session.menu_changes == ["Menü 1 is sold out", "Kaffee is no longer on the menu"]
    assert session.unavailable == {"meal", "coffee"}
    assert [line.product.product_id for line in session.basket.lines] == ["meal", "coffee"]
    session.tap(ANNA)
    assert not session.can_charge()  # sold-out lines on the tray: nothing is charged
    assert session.charge() is None
    assert session.screen(print_button=False).charge_hint == messages.HINT_UNAVAILABLE
    assert session.screen(print_button=False).unavailable == frozenset({"meal", "coffee"})
    session.menu_changes.clear()  # shown to the cashier
    store.upsert_products([MEAL])  # back on sale
    assert session.reload_menu() is True
    assert session.unavailable == {"coffee"}
    assert session.menu_changes == []  # the line flagged already is not said twice
    session.void_line(1)  # the cashier takes the coffee off
    assert session.unavailable == set()
    assert session.can_charge()


def test_the_till_takes_a_new_policy_with_its_own_overrides(tmp_path: Path, store: Store) -> None:
    till = make_till(tmp_path, store, policy_overrides={"duplicate_tap_window_s": 3.0})
    try:
        store.set_policy({"print_receipts": "on_request", "duplicate_tap_window_s": 0.5})
        assert till.refresh_menu() is True
        assert till.policy.print_receipts is PrintPolicy.ON_REQUEST
        assert till.policy.duplicate_tap_window_s == 3.0
        assert till.session.policy == till.policy
        assert till.prints_on_request()
    finally:
        till.close()


def make_till(
    tmp_path: Path,
    store: Store,
    *,
    pin: str = "",
    policy_overrides: dict[str, object] | None = None,
) -> Till:
    config = TillConfig(
        till_id="till-1",
        data_dir=tmp_path / "data",
        reader=ReaderConfig("simulated"),
        printer=PrinterConfig("none"),
        policy_overrides=dict(policy_overrides or {}),
        supervisor_pin_sha256=pin_hash(pin) if pin else "",
        source="test",
    )
    return Till(config, link=NoServer(), clock=lambda: NOW, store=store)


def test_a_supervisor_marks_a_product_sold_out_with_the_pin(tmp_path: Path, store: Store) -> None:
    till = make_till(tmp_path, store, pin="4711")
    try:
        assert till.mark_sold_out("meal", True, "4711") is True
        assert till.screen().notice == "Menü 1 is marked sold out."
        assert next(p for p in till.products if p.product_id == "meal").sold_out
        [mark] = store.pending_marks()
        assert (mark.product_id, mark.sold_out, mark.marked_at) == ("meal", True, NOW)
        till.add(MEAL)
        assert till.screen().lines == []
        assert till.mark_sold_out("meal", False, "4711") is True
        assert till.screen().notice == "Menü 1 is on sale again."
        assert [m.sold_out for m in store.pending_marks()] == [True, False]
    finally:
        till.close()


def test_a_wrong_pin_is_refused_and_marks_nothing(tmp_path: Path, store: Store) -> None:
    till = make_till(tmp_path, store, pin="4711")
    try:
        for wrong in ("4712", "", "47110", "４７１１"):
            assert till.mark_sold_out("meal", True, wrong) is False
            assert till.screen().notice == "Wrong supervisor PIN: nothing was marked."
        assert till.mark_sold_out("pasta", True, "4711") is False
        assert till.screen().notice == "pasta is not on this till's menu."
        assert store.pending_marks() == []
        assert not any(p.sold_out for p in store.products())
    finally:
        till.close()


def test_a_till_without_a_supervisor_pin_marks_nothing(tmp_path: Path, store: Store) -> None:
    till = make_till(tmp_path, store)
    try:
        assert till.mark_sold_out("meal", True, "") is False
        assert "No supervisor PIN is set" in (till.screen().notice or "")
        assert store.pending_marks() == []
    finally:
        till.close()


def test_the_supervisor_pin_is_read_from_the_config_and_kept_only_as_a_hash() -> None:
    config = parse_config({"till": {"supervisor_pin": "0815"}}, source="till.toml")
    assert config.supervisor_pin_matches("0815")
    assert not config.supervisor_pin_matches("815")
    assert "0815" not in repr(config)
    assert not parse_config({}, source="till.toml").supervisor_pin_matches("")
    for bad in (815, "12", "12a4", "1234567890123"):
        with pytest.raises(ConfigError, match=r"till\.toml: till\.supervisor_pin must be 4 to 12"):
            parse_config({"till": {"supervisor_pin": bad}}, source="till.toml")


def test_a_changed_unit_is_the_tills_at_the_next_look(tmp_path: Path, store: Store) -> None:
    """D-UNIT-1: what a receipt names is the unit as the store holds it now."""
    till = make_till(tmp_path, store)
    try:
        store.upsert_unit(dataclasses.replace(UNIT, name="Mensa Nord (Umbau)", locale="da_DK"))
        assert till.refresh_menu() is True
        assert till.unit.name == "Mensa Nord (Umbau)"
        assert till.status().unit_name == "Mensa Nord (Umbau)"
        assert till.receipt_language.code == "da"
    finally:
        till.close()


def test_a_flag_goes_with_its_line(store: Store) -> None:
    """A product back on the menu after the flagged tray was cancelled is not flagged."""
    session = session_of(store)
    session.add(COFFEE)
    store.remove_items([("product", "coffee")])
    session.reload_menu()
    assert session.unavailable == {"coffee"}
    session.cancel()
    session.add(MEAL)
    store.upsert_products([COFFEE])
    session.reload_menu()
    assert session.unavailable == set()
    session.add(COFFEE)
    assert [line.product.product_id for line in session.basket.lines] == ["meal", "coffee"]
