"""The card panel's one-touch top-ups are in the unit's currency, inside its default bounds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sync.policy import CURRENCIES, DEFAULTS
from terminal.session import KeypadPurpose, KeypadView
from terminal.ui.card_panel import TOPUP_AMOUNTS, CardPanel


@pytest.mark.parametrize("currency", CURRENCIES)
def test_d_pay_4_each_currencys_one_touch_top_ups_are_inside_its_default_bounds(
    currency: str,
) -> None:
    """D-PAY-4: not 10, 20 and 50 kr in a scheme whose smallest load is 300 kr."""
    policy = DEFAULTS.for_currency(currency)
    assert len(TOPUP_AMOUNTS[currency]) == len(TOPUP_AMOUNTS["EUR"])
    for amount in TOPUP_AMOUNTS[currency]:
        assert policy.topup_min_amount <= amount <= policy.topup_max_amount


def test_d_pay_4_a_krona_panel_offers_and_gives_krona_amounts(qtbot: QtBot) -> None:
    """D-PAY-4: the buttons show and give the unit's currency's amounts."""
    panel = CardPanel()
    qtbot.addWidget(panel)
    chosen: list[int] = []
    panel.topup_chosen.connect(chosen.append)
    keypad = KeypadView(KeypadPurpose.TOPUP, 0, False, None, "Type the amount.")
    panel.ask_topup(keypad, "SEK")
    assert "500" in panel.topup_buttons[1].text()
    qtbot.mouseClick(panel.topup_buttons[1], Qt.MouseButton.LeftButton)
    panel.ask_topup(keypad, "EUR")
    qtbot.mouseClick(panel.topup_buttons[1], Qt.MouseButton.LeftButton)
    assert chosen == [50_000, 2000]
