"""The till's screen at every size from 1024 x 768 to 1920 x 1080, and in portrait: nothing off
the screen, nothing cut, and nothing forces the window wider than the screen (issue 10, item 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from demo import scheme
from demo.training import TrainingServer
from drivers.cards.base import CardTap
from sync.store import Store
from terminal.app import Till
from terminal.config import PrinterConfig, ReaderConfig, ScreenConfig, TillConfig
from terminal.decide import Reason
from terminal.print_queue import PrintRecord, PrintState
from terminal.session import Panel
from terminal.ui.main_window import MainWindow
from tests.terminal.ui.layout_check import layout_problems

NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
SIZES = [(1024, 768), (1366, 768), (1920, 1080), (1080, 1920)]
LONG_PRINTER_FAULT = (
    "cover open and paper out: close the cover, load a new roll with the paper coming off"
    " the bottom, then press F5 to print the receipts that are waiting"
)


def demo_window(qtbot: QtBot, root: Path, screen: ScreenConfig) -> MainWindow:
    """A till on the demo scheme (the cardholders `canteen-till demo-cards` lists)."""
    root.mkdir(parents=True, exist_ok=True)
    with Store.open(root / "till.db", till_id="till-1") as store:
        scheme.seed(store, scheme.build_demo(scheme.local_today(NOW)), now=NOW)
    config = TillConfig(
        till_id="till-1",
        data_dir=root,
        reader=ReaderConfig("simulated"),
        printer=PrinterConfig("none"),
        screen=screen,
        source="test",
    )
    link = TrainingServer(config.store_path, till_id="till-1", online=True, interval_s=0.2)
    win = MainWindow(Till(config, link=link, clock=lambda: NOW))
    qtbot.addWidget(win)
    return win


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def tap(win: MainWindow, card: str) -> None:
    win.on_tap(CardTap(bytes.fromhex(card), "test", "simulated", 0.0))


def ring(win: MainWindow, *keys: str) -> None:
    for key in keys:
        assert win.press_shortcut(key)


def idle(win: MainWindow) -> None:
    win.cancel()


def paid_tray(win: MainWindow) -> None:
    win.cancel()
    ring(win, "1", "2", "7", "8", "9", "5")
    tap(win, "72BF9961")  # Anna: approved, auto-charged


def long_refusal(win: MainWindow) -> None:
    win.cancel()
    ring(win, "1", "7")
    tap(win, "ADBECFD0")  # Oskar: payment blocked for arrears
    card = win.till.screen().card
    assert card is not None
    assert card.verdict.reason is Reason.ARREARS


def autoload_question(win: MainWindow) -> None:
    win.cancel()
    ring(win, "1", "3")
    tap(win, "BECFD0E1")  # Clara: an autoload of 20,00 EUR offered
    assert win.till.screen().panel is Panel.CONSENT
    assert win.card_panel.consent.isVisible()


def topup_panel(win: MainWindow) -> None:
    win.cancel()
    tap(win, "72BF9961")
    win.start_topup()
    assert win.card_panel.topup.isVisible()


def printer_fault(win: MainWindow) -> None:
    real = win.till.status
    win.till.status = lambda: replace(  # type: ignore[method-assign]
        real(), printer_text=LONG_PRINTER_FAULT, printer_ok=False
    )
    ring(win, "1")
    win.refresh_status()


def held_for_cautions(win: MainWindow) -> None:
    win.cancel()
    win.cancel()
    ring(win, "1", "7")
    tap(win, "3C4D5E6F")  # Sofia: no photo on file, so the charge waits for the cashier
    assert win.till.screen().held
    assert win.card_panel.caution.isVisible()


def keypad_confirming(win: MainWindow) -> None:
    win.cancel()
    ring(win, "1")
    tap(win, "BECFD0E1")  # Clara, with a tray: top up first, then the sale
    win.answer_autoload(False)
    win.cancel()
    tap(win, "72BF9961")
    win.start_topup()
    for key in "2000":
        win.keypad_key(key)
    win.charge()
    keypad = win.till.screen().keypad
    assert keypad is not None
    assert keypad.confirming


def arrears_keypad(win: MainWindow) -> None:
    win.cancel()
    win.cancel()
    tap(win, "ADBECFD0")  # Oskar owes 18,50 €
    assert win.card_panel.arrears_button.isVisible()
    win.start_arrears()
    assert win.card_panel.topup.isVisible()


def receipt_not_printed(win: MainWindow) -> None:
    win.cancel()
    win.cancel()
    ring(win, "1")
    tap(win, "72BF9961")
    win.till.note_print(PrintRecord("till-1-000007", PrintState.FAILED, LONG_PRINTER_FAULT))
    win.refresh()
    assert win.card_panel.fault.isVisible()


STATES = [
    idle,
    paid_tray,
    long_refusal,
    autoload_question,
    topup_panel,
    printer_fault,
    held_for_cautions,
    keypad_confirming,
    arrears_keypad,
    receipt_not_printed,
]


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_state_fits_the_screen(
    make_window: Callable[..., MainWindow], width: int, height: int
) -> None:
    """Every visible control and text is inside the window and unclipped, in each state, and
    the window keeps the size of the screen: no text or fixed width forces it wider."""
    win = make_window(width, height)
    for state in STATES:
        state(win)
        settle()
        assert win.size() == QSize(width, height), f"{state.__name__}: {win.size()}"
        assert layout_problems(win) == [], state.__name__


@pytest.mark.parametrize("language", ["de", "sv", "da"])
@pytest.mark.parametrize(
    ("width", "height"), [(1024, 768), (1080, 1920)], ids=["1024x768", "1080x1920"]
)
def test_every_state_fits_in_each_language(
    make_window: Callable[..., MainWindow], width: int, height: int, language: str
) -> None:
    """German, Swedish and Danish texts are longer than English: they fit all the same, on the
    smallest landscape screen and on the narrow portrait one."""
    win = make_window(width, height, language=language)
    for state in STATES:
        state(win)
        settle()
        assert win.size() == QSize(width, height), f"{language} {state.__name__}: {win.size()}"
        assert layout_problems(win) == [], f"{language} {state.__name__}"


def test_photo_and_verdict_grow_with_the_screen(make_window: Callable[..., MainWindow]) -> None:
    """At 1920 x 1080 the photo and the verdict are larger than at 1366 x 768, and the photo is
    larger than the old fixed 340 px."""
    sizes = {}
    for width, height in [(1366, 768), (1920, 1080)]:
        win = make_window(width, height)
        paid_tray(win)
        settle()
        photo = win.card_panel.photo
        sizes[width] = (photo.shown_side(), win.card_panel.banner_text.font().pixelSize())
        win.close()
    assert sizes[1920][0] > sizes[1366][0]
    assert sizes[1920][0] > 340
    assert sizes[1920][1] > sizes[1366][1]


def test_long_refusal_takes_two_lines_in_large_type(make_window: Callable[..., MainWindow]) -> None:
    """The banner spans the card panel and a long refusal wraps onto a second line, in type of
    at least 24 px, instead of being cut or widening the panel."""
    win = make_window(1024, 768)
    long_refusal(win)
    settle()
    banner = win.card_panel.banner
    text = win.card_panel.banner_text
    assert text.font().pixelSize() >= 24
    assert text.wordWrap()
    assert text.heightForWidth(text.width()) >= 2 * text.fontMetrics().height()
    assert banner.width() >= win.card_panel.contentsRect().width() - 40


def test_status_bar_is_readable_from_a_metre(make_window: Callable[..., MainWindow]) -> None:
    """At 1366 x 768 the status bar's texts are at least 18 px high; a long printer fault is
    shortened to fit rather than widening the window, and its whole text is kept."""
    win = make_window(1366, 768)
    printer_fault(win)
    settle()
    for label in win.status.labels():
        assert label.font().pixelSize() >= 18, label.objectName()
    assert win.status.printer.full_text == f"Printer: {LONG_PRINTER_FAULT}"
    assert win.status.printer.shown_text().endswith("…")  # elided: it is too long
    assert win.status.printer.toolTip() == win.status.printer.full_text
    assert win.size() == QSize(1366, 768)


def test_portrait_puts_the_card_panel_above_grid_and_tray(
    make_window: Callable[..., MainWindow],
) -> None:
    """In portrait the three columns become rows: the card panel on top, grid and tray below."""
    win = make_window(1080, 1920)
    panel = win.card_panel.geometry()
    assert panel.bottom() < win.grid.geometry().top()
    assert panel.bottom() < win.basket.mapTo(win, win.basket.rect().topLeft()).y()
    assert panel.width() > 1000


def test_font_scale_applies_to_every_text(make_window: Callable[..., MainWindow]) -> None:
    """[screen] font_scale: a larger scale makes the texts larger, and they still fit."""
    plain = make_window(1920, 1080)
    scaled = make_window(1920, 1080, font_scale=1.4)
    for win in (plain, scaled):
        paid_tray(win)
        settle()
    assert layout_problems(scaled) == []
    pairs = [
        (plain.basket.total, scaled.basket.total),
        (plain.card_panel.name, scaled.card_panel.name),
        (plain.status.printer, scaled.status.printer),
        (plain.charge_button, scaled.charge_button),
    ]
    for a, b in pairs:
        assert b.font().pixelSize() >= round(a.font().pixelSize() * 1.3), b.objectName()


def test_fullscreen_fills_the_screen(make_window: Callable[..., MainWindow]) -> None:
    """Kiosk mode ([screen] fullscreen, --fullscreen): the window is the screen's size, with
    everything on it."""
    win = make_window(1366, 768, fullscreen=True)
    win.present()
    settle()
    paid_tray(win)
    settle()
    assert win.isFullScreen()
    assert win.size() == win.screen().geometry().size()
    assert layout_problems(win) == []


@pytest.mark.parametrize("font_scale", [0.8, 1.25])
def test_font_scale_still_fits_at_1366x768(
    make_window: Callable[..., MainWindow], font_scale: float
) -> None:
    """A cashier's larger or smaller text on the common laptop size: still nothing cut."""
    win = make_window(1366, 768, font_scale=font_scale)
    for state in STATES:
        state(win)
        settle()
        assert win.size() == QSize(1366, 768), state.__name__
        assert layout_problems(win) == [], state.__name__
