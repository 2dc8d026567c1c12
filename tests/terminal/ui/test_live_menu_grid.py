"""The product grid follows the store (issue 10 item 3): a new price on its button, a sold-out
product greyed with "sold out" and not pressable, a new category as a tab."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sync.records import PriceLevel
from terminal.money import format_money
from terminal.ui.main_window import MainWindow
from tests.terminal.till_scheme import PRODUCTS

MEAL = PRODUCTS[0]


def test_a_price_written_into_the_store_is_on_the_button_at_the_next_look(
    window: MainWindow,
) -> None:
    window.grid.show_category("Mains")
    assert format_money(350, "EUR") in window.grid.buttons["meal"].text()
    window.till.store.upsert_products(
        [dataclasses.replace(MEAL, prices={**MEAL.prices, PriceLevel.STUDENT: 999})]
    )
    window.refresh_menu()
    assert format_money(999, "EUR") in window.grid.buttons["meal"].text()
    assert window.grid.current == "Mains"


def test_a_sold_out_button_is_greyed_and_adds_nothing(qtbot: QtBot, window: MainWindow) -> None:
    window.till.store.upsert_products([dataclasses.replace(MEAL, sold_out=True)])
    window.refresh_menu()
    window.grid.show_category("Mains")
    button = window.grid.buttons["meal"]
    assert not button.isEnabled()
    assert button.text().endswith("sold out")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    window.press_shortcut("1")  # the meal's key
    assert window.till.screen().lines == []
    assert window.till.screen().notice == "Menü 1 is sold out."


def test_a_product_of_a_new_category_gets_its_tab(window: MainWindow) -> None:
    soup = dataclasses.replace(MEAL, product_id="soup", name="Suppe", category="Soups", position=9)
    window.till.store.upsert_products([soup])
    window.refresh_menu()
    assert window.grid.categories[-1] == "Soups"
    window.grid.show_category("Soups")
    assert list(window.grid.buttons) == ["soup"]
