"""A shift's worth of screen updates must not wear out the interpreter (a PySide6 6.12 bug)."""

from __future__ import annotations

import sys

from drivers.cards.base import CardTap
from terminal.ui.main_window import MainWindow


def test_screen_updates_keep_none_alive(window: MainWindow) -> None:
    """PySide6 6.12 dropped a reference to None on each void call under Python 3.11: a till died
    with 'deallocating None' after a few thousand updates. Guard the pin in pyproject.toml."""
    meal = window.till.session.products[0]
    before = sys.getrefcount(None)
    for _ in range(500):
        window.cancel()
        window.add_product(meal)
        window.on_tap(CardTap(bytes.fromhex("AA000003"), "test", "simulated", 0.0))
        window.card_panel.repaint()
    assert sys.getrefcount(None) >= before
