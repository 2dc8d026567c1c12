"""The cashier's screen driven by qtbot: ring up, tap, verdict, autoload, refusal, receipts."""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from drivers.cards.simulated import TapRefused, reader_socket_path, send_tap
from sync.records import EntryKind
from terminal import messages
from terminal.print_queue import PrintState
from terminal.session import Phase
from terminal.ui import theme
from terminal.ui.main_window import MainWindow


def tap(win: MainWindow, card: str) -> None:
    """Tap through the simulated reader's real socket, as `canteen-till tap` does."""
    send_tap(reader_socket_path(win.till.config.data_dir), card)


def click(qtbot: QtBot, win: MainWindow, product_id: str) -> None:
    for category in win.grid.categories:
        win.grid.show_category(category)
        if product_id in win.grid.buttons:
            qtbot.mouseClick(win.grid.buttons[product_id], Qt.MouseButton.LeftButton)
            return
    raise AssertionError(f"no button for {product_id}")


def receipts(win: MainWindow) -> list[Path]:
    return sorted((win.till.config.data_dir / "receipts").glob("*.txt"))


def test_ring_up_then_tap_shows_photo_verdict_and_prints(qtbot: QtBot, window: MainWindow) -> None:
    """Ring up two items, tap: PAID in green, balance after, receipt printed."""
    click(qtbot, window, "meal")
    click(qtbot, window, "coffee")
    assert window.basket.table.rowCount() == 2
    assert window.basket.total.text() == "Total 4,70 €"
    tap(window, "AA000001")
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.PAID)
    assert window.card_panel.name.text() == "Anna Berg"
    assert window.card_panel.banner.text() == "PAID 4,70 €"
    assert theme.APPROVED in window.card_panel.banner.styleSheet()
    assert "45,30 €" in window.card_panel.message.text()
    qtbot.waitUntil(lambda: len(receipts(window)) == 1)
    text = receipts(window)[0].read_text(encoding="utf-8")
    assert "Menü 1" in text
    assert "Kaffee" in text


def test_tap_then_ring_up_then_enter(qtbot: QtBot, window: MainWindow) -> None:
    """Tap first: the card panel shows APPROVED; ring up; Enter charges."""
    tap(window, "AA000001")
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.CARD)
    assert window.card_panel.banner.text() == "APPROVED"
    assert not window.charge_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_1)
    assert window.charge_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.till.session.phase is Phase.PAID
    assert window.card_panel.banner.text() == "PAID 3,50 €"


def test_d_auto_3_autoload_accepted_on_screen(qtbot: QtBot, window: MainWindow) -> None:
    """D-AUTO-3: an amber AUTOLOAD? with the amount and the balance after the sale with it;
    Charge waits for the answer, with the reason on it; Yes credits and charges."""
    click(qtbot, window, "meal")
    tap(window, "AA000002")
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.CONSENT)
    assert window.card_panel.consent.isVisible()
    assert window.card_panel.banner.text() == "AUTOLOAD?"
    assert window.card_panel.banner.tone == "attention"
    text = window.card_panel.message.text()
    assert "autoload of 20,00 €" in text
    assert "18,50 € with the autoload" in text  # 2,00 + 20,00 - 3,50
    assert "APPROVED" not in window.card_panel.banner.text()
    assert not window.charge_button.isEnabled()
    assert window.charge_hint.text() == messages.HINT_ANSWER_AUTOLOAD
    qtbot.mouseClick(window.card_panel.yes, Qt.MouseButton.LeftButton)
    assert window.till.session.phase is Phase.PAID
    assert "Autoload +20,00 €" in window.card_panel.message.text()
    qtbot.waitUntil(lambda: len(receipts(window)) == 1)
    assert "Autoload" in receipts(window)[0].read_text(encoding="utf-8")


def test_d_auto_3_autoload_declined_on_screen(qtbot: QtBot, window: MainWindow) -> None:
    """D-AUTO-3: No (F2) leaves the balance; the meal it cannot cover is refused."""
    click(qtbot, window, "meal")
    tap(window, "AA000002")
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.CONSENT)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    assert not window.card_panel.consent.isVisible()
    assert window.card_panel.banner.text() == "REFUSED: insufficient balance"
    assert theme.REFUSED in window.card_panel.banner.styleSheet()
    assert window.till.store.journal() == []


def test_d_card_2_refused_card_in_red(qtbot: QtBot, window: MainWindow) -> None:
    """D-CARD-2 / D-PAY-2: a blocked card is refused in red with the reason in words."""
    click(qtbot, window, "meal")
    tap(window, "AA000003")
    qtbot.waitUntil(lambda: window.till.session.card is not None)
    assert window.card_panel.banner.text() == "REFUSED: card blocked"
    assert theme.REFUSED in window.card_panel.banner.styleSheet()
    assert "Do not accept" in window.card_panel.message.text()
    assert not window.charge_button.isEnabled()


def test_reprint_last_receipt(qtbot: QtBot, window: MainWindow) -> None:
    """F5 reprints the last receipt as a copy; the queue records it as reprinted."""
    click(qtbot, window, "meal")
    tap(window, "AA000001")
    qtbot.waitUntil(lambda: len(receipts(window)) == 1)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: len(receipts(window)) == 2)
    copy = next(p for p in receipts(window) if ".copy" in p.name)
    assert "COPY" in copy.read_text(encoding="utf-8")
    queue = window.till.queue
    assert queue is not None

    def reprinted() -> bool:
        last = queue.last()
        return last is not None and last.state is PrintState.REPRINTED

    qtbot.waitUntil(reprinted)


def test_printer_fault_never_undoes_a_sale(qtbot: QtBot, window: MainWindow) -> None:
    """A printer out of paper: the sale stands, the status bar says so, F5 prints it later."""
    from drivers.printers.base import PrinterState
    from drivers.printers.simulated import FolderPrinter

    printer = window.till.printer
    assert isinstance(printer, FolderPrinter)
    printer.set_state(PrinterState.PAPER_OUT)
    click(qtbot, window, "meal")
    tap(window, "AA000001")
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.PAID)
    qtbot.waitUntil(lambda: "paper" in window.status.printer.text())
    assert [e.kind for e in window.till.store.journal()] == [EntryKind.SALE]
    printer.set_state(PrinterState.READY)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: len(receipts(window)) == 1)


def test_malformed_card_id_from_reader(qtbot: QtBot, window: MainWindow) -> None:
    """A malformed card number from the reader is refused by the reader and shown; no sale."""
    click(qtbot, window, "meal")
    with contextlib.suppress(TapRefused):
        tap(window, "XYZ")
    qtbot.waitUntil(lambda: "Card not read" in window.card_panel.message.text())
    assert window.till.session.phase is Phase.IDLE


def test_unknown_card_on_screen(qtbot: QtBot, window: MainWindow) -> None:
    """D-PAY-2: an unknown card shows 'REFUSED: unknown card'."""
    tap(window, "0102030405060708")
    qtbot.waitUntil(lambda: window.till.session.card is not None)
    assert window.card_panel.banner.text() == "REFUSED: unknown card"


def test_d_card_4_missing_and_corrupt_photo_flagged(qtbot: QtBot, window: MainWindow) -> None:
    """D-CARD-4: no photo, or photo bytes that are no image, are flagged where the photo goes."""
    import hashlib

    from sync.records import Cardholder

    store = window.till.store
    junk = b"this is not a jpeg"
    sha = hashlib.sha256(junk).hexdigest()
    store.put_photo(sha, junk)
    store.upsert_cardholders([Cardholder("h-anna", "Anna Berg", sha, frozenset({"mensa"}))])
    tap(window, "AA000001")
    qtbot.waitUntil(lambda: window.till.session.card is not None)
    assert window.card_panel.photo_note == "PHOTO UNREADABLE"
    window.cancel()
    tap(window, "AA000004")  # Kim has no photo on file
    qtbot.waitUntil(lambda: window.till.session.card is not None)
    assert window.card_panel.photo_note == "NO PHOTO ON FILE"


def test_status_bar_counts_unsent_and_goes_offline(qtbot: QtBot, window: MainWindow) -> None:
    """The status bar shows online/offline and the unsent entries; F9 takes the demo offline."""
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert "Offline" in window.status.network.text()
    click(qtbot, window, "meal")
    tap(window, "AA000001")
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.PAID)
    assert window.card_panel.banner.text() == "PAID OFFLINE 3,50 €"
    window.refresh_status()
    assert window.status.unsent.text().startswith("Unsent 1")
    assert "Mensa Nord · till-1" in window.status.place.text()
    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.till.store.outbox_stats().count == 0, timeout=5000)
    window.refresh_status()
    assert window.status.unsent.text() == "All entries sent"


def test_d_pay_6_receipt_on_request(qtbot: QtBot, window: MainWindow) -> None:
    """D-PAY-6: with 'on request' nothing prints by itself; F6 prints the receipt."""
    from dataclasses import replace

    from sync.policy import PrintPolicy

    window.till.policy = replace(window.till.policy, print_receipts=PrintPolicy.ON_REQUEST)
    window.refresh()
    assert window.print_button.isVisibleTo(window)
    click(qtbot, window, "meal")
    tap(window, "AA000001")
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.PAID)
    qtbot.wait(300)
    assert receipts(window) == []
    qtbot.keyClick(window, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: len(receipts(window)) == 1)
    assert "COPY" not in receipts(window)[0].read_text(encoding="utf-8")
    qtbot.keyClick(window, Qt.Key.Key_F6)  # asked again: a copy, never a second original
    qtbot.waitUntil(lambda: len(receipts(window)) == 2)
    assert sum("COPY" in r.read_text(encoding="utf-8") for r in receipts(window)) == 1
    assert "copy of receipt" in window.card_panel.message.text()


def test_d_pay_6_f6_when_receipts_print_anyway(qtbot: QtBot, window: MainWindow) -> None:
    """'Always': the receipt printed by itself; F6 prints no second original."""
    click(qtbot, window, "meal")
    tap(window, "AA000001")
    qtbot.waitUntil(lambda: len(receipts(window)) == 1)
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert "F5 reprints a copy" in window.card_panel.message.text()
    qtbot.wait(300)
    assert len(receipts(window)) == 1


def test_d_pay_4_cash_topup_on_screen(qtbot: QtBot, window: MainWindow) -> None:
    """D-PAY-4: tap, F7, 20 € on the keypad, Enter shows the new balance, Enter takes it: the
    card panel shows TOPPED UP and a receipt prints. With no card there is nothing to top up:
    the keypad is not on screen. Number keys type into the keypad, not products."""
    assert not window.card_panel.topup.isVisible()
    tap(window, "AA000001")
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.CARD)
    qtbot.keyClick(window, Qt.Key.Key_F7)
    assert window.card_panel.topup.isVisible()
    qtbot.mouseClick(window.card_panel.topup_buttons[1], Qt.MouseButton.LeftButton)
    assert window.card_panel.keypad_amount.text() == "20,00 €"
    qtbot.keyClick(window, Qt.Key.Key_Backspace)
    qtbot.keyClick(window, Qt.Key.Key_0)  # number keys type; "1" would be a product otherwise
    assert window.card_panel.keypad_amount.text() == "20,00 €"
    assert window.till.session.basket.is_empty()
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert "new balance 70,00 €" in window.card_panel.topup_text.text()
    assert window.till.store.journal() == []
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert window.card_panel.banner.text() == "TOPPED UP +20,00 €"
    qtbot.waitUntil(lambda: len(receipts(window)) == 1)


def test_void_last_sale_needs_two_presses(qtbot: QtBot, window: MainWindow) -> None:
    """F8 once asks for confirmation; F8 again voids the last sale and prints a void receipt."""
    click(qtbot, window, "meal")
    tap(window, "AA000001")
    qtbot.waitUntil(lambda: len(receipts(window)) == 1)
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert "Press F8 again" in window.card_panel.message.text()
    assert len(window.till.store.journal()) == 1
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.card_panel.banner.text() == "VOIDED 3,50 €"
    assert [e.kind for e in window.till.store.journal()] == [EntryKind.SALE, EntryKind.VOID]
    qtbot.waitUntil(lambda: len(receipts(window)) == 2)


def test_keyboard_wedge_reader_and_human_keys(qtbot: QtBot, data_dir: Path) -> None:
    """D-CARD-3: a wedge reader typing a decimal number + Enter taps that card; a person's
    slow key press is still a product shortcut, and Enter still charges."""
    from sync.link import NoServer
    from terminal.app import Till
    from terminal.config import PrinterConfig, ReaderConfig, TillConfig
    from tests.terminal.till_scheme import NOW

    config = TillConfig(
        till_id="till-1",
        data_dir=data_dir,
        reader=ReaderConfig("keyboard", {"encoding": "dec"}),
        printer=PrinterConfig("none"),
        source="test",
    )
    till = Till(config, link=NoServer(), clock=lambda: NOW)
    win = MainWindow(till)
    qtbot.addWidget(win)
    win.attach_devices()
    win.show()
    qtbot.keyClick(win, Qt.Key.Key_1)  # the cashier presses "1": Tagesgericht, after a moment
    qtbot.waitUntil(lambda: len(win.till.session.basket) == 1)
    qtbot.wait(150)
    qtbot.keyClicks(win, str(0xAA000001))  # the reader types Anna's card number at once...
    qtbot.keyClick(win, Qt.Key.Key_Return)  # ...and Enter
    qtbot.waitUntil(lambda: win.till.session.phase is Phase.PAID)
    assert win.card_panel.name.text() == "Anna Berg"
    assert len(win.till.session.basket) == 1
    win.close()
