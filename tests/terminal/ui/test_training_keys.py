"""`canteen-till ring` and `canteen-till key` from a second shell reach the running till's window
as if the cashier typed (issue 10 item 11): a real offscreen window, the demo's real counter
socket, the real command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from demo.counter_input import CounterInput, counter_socket_path
from drivers.cards.simulated import reader_socket_path, send_tap
from sync.records import EntryKind
from terminal.cli import main
from terminal.session import Phase
from terminal.ui.main_window import MainWindow


@pytest.fixture
def counter(window: MainWindow) -> Iterator[Path]:
    """The demo's counter socket, attached to the window as `canteen-till demo` attaches it."""
    data_dir = window.till.config.data_dir
    counter = CounterInput(counter_socket_path(data_dir))
    counter.start()
    counter.attach(window.till.products, window.bridge.typed.emit)
    yield data_dir
    counter.stop()


def till(data_dir: Path, *args: str) -> int:
    return main([*args, "--data-dir", str(data_dir)])


def tap(window: MainWindow, card: str) -> None:
    send_tap(reader_socket_path(window.till.config.data_dir), card)


def sales(window: MainWindow) -> list[int]:
    return [e.amount for e in window.till.store.journal() if e.kind is EntryKind.SALE]


def test_tap_ring_up_and_enter_from_a_second_shell_commit_the_sale(
    qtbot: QtBot, window: MainWindow, counter: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tap, `ring 1,2`, `key Enter`: the sale of both products is committed and shown PAID."""
    tap(window, "AA000001")
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.CARD)
    assert till(counter, "ring", "1,2") == 0
    assert capsys.readouterr().out == "rang up Menü 1, Kaffee\n"
    qtbot.waitUntil(lambda: window.basket.table.rowCount() == 2)
    assert sales(window) == []
    assert till(counter, "key", "Enter") == 0
    assert capsys.readouterr().out == "pressed Return\n"
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.PAID)
    assert window.card_panel.banner.text() == "PAID 4,70 €"
    assert sales(window) == [-470]


def test_f1_from_a_second_shell_accepts_the_autoload(
    qtbot: QtBot, window: MainWindow, counter: Path
) -> None:
    """D-AUTO-3: the consent question answered with `key F1` credits the autoload and pays."""
    assert till(counter, "ring", "1") == 0
    tap(window, "AA000002")
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.CONSENT)
    assert till(counter, "key", "f1") == 0
    qtbot.waitUntil(lambda: window.till.session.phase is Phase.PAID)
    assert "Autoload +20,00 €" in window.card_panel.message.text()
    kinds = [e.kind for e in window.till.store.journal()]
    assert kinds == [EntryKind.AUTOLOAD, EntryKind.SALE]


def test_esc_and_quantity_keys_from_a_second_shell(
    qtbot: QtBot, window: MainWindow, counter: Path
) -> None:
    """`key +` raises the selected line's quantity, `key Esc` cancels the sale."""
    assert till(counter, "ring", "1") == 0
    qtbot.waitUntil(lambda: window.basket.table.rowCount() == 1)
    window.basket.table.selectRow(0)
    assert till(counter, "key", "+") == 0
    qtbot.waitUntil(lambda: window.till.session.basket.lines[0].quantity == 2)
    assert till(counter, "key", "Esc") == 0
    qtbot.waitUntil(lambda: window.till.session.basket.is_empty())


def test_a_bad_request_names_what_was_wrong_and_changes_nothing(
    qtbot: QtBot, window: MainWindow, counter: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A product or key the till does not have: exit 1 with the reason; all or nothing."""
    assert till(counter, "ring", "1,77") == 1
    assert "'77': no product has that shortcut key or menu position" in capsys.readouterr().err
    assert till(counter, "key", "F12") == 1
    assert "'F12' is not a till key" in capsys.readouterr().err
    assert till(counter, "ring", "2") == 0  # a request after them still arrives, alone
    qtbot.waitUntil(lambda: window.basket.table.rowCount() == 1)
    assert [line.product.product_id for line in window.till.session.basket.lines] == ["coffee"]


def test_no_till_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing listens in this data directory: exit 1, saying so and how to start the demo."""
    assert till(tmp_path, "ring", "1") == 1
    err = capsys.readouterr().err
    assert f"canteen-till ring: no demo is listening on {tmp_path / 'counter.sock'}" in err
    assert "make demo" in err
    assert till(tmp_path, "key", "Enter") == 1
    assert "canteen-till key: no demo is listening" in capsys.readouterr().err


def test_before_the_window_is_up_the_counter_says_so(tmp_path: Path) -> None:
    """The demo listens before its window opens: a request then is refused, not lost silently."""
    from demo.line_socket import LineSocketError, ask

    counter = CounterInput(counter_socket_path(tmp_path))
    counter.start()
    try:
        with pytest.raises(LineSocketError, match="window is not open yet"):
            ask(counter.path, "ring 1")
    finally:
        counter.stop()
