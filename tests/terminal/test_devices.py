"""`canteen-till devices` for installers: the list, one card read, one test receipt printed on
a printer that is a real TCP listener."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from drivers.cards.simulated import reader_socket_path, send_tap
from terminal.cli import main
from tests.drivers.printers.escpos_listener import Listener, decode, text_of


def config_file(tmp_path: Path, *, printer: str = "simulated", columns: int = 42) -> Path:
    path = tmp_path / "till.toml"
    path.write_text(
        f'[till]\ntill_id = "t-7"\ndata_dir = "{tmp_path / "data"}"\n'
        f'[printer]\nkind = "{printer}"\ncolumns = {columns}\n',
        encoding="utf-8",
    )
    return path


def test_the_list_names_what_is_configured_and_what_was_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(config_file(tmp_path)), "devices"]) == 0
    out = capsys.readouterr().out
    assert "Card readers\n  configured: simulated\n  PC/SC: " in out
    assert "  NFC: " in out
    assert "Receipt printers\n  configured: simulated (42 columns)\n    ready: " in out
    assert "  USB: " in out


def test_print_test_sends_a_receipt_with_every_letter_and_a_qr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Listener() as printer:
        config = config_file(tmp_path, printer=printer.spec + ",paper=58", columns=32)
        assert main(["--config", str(config), "devices", "--print-test"]) == 0
        (sent,) = printer.connections(1)
    ops = decode(sent)
    text = text_of(ops)
    assert "canteen-till test receipt" in text
    assert "å ä ö æ ø ü ß €  Å Ä Ö Æ Ø Ü" in text
    assert "12345678901234567890123456789012" in text  # the ruler: 32 columns on 58 mm
    assert "till t-7" in text
    assert "test receipt sent to escpos:tcp:127.0.0.1" in capsys.readouterr().out


def test_print_test_on_a_printer_that_is_not_there_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Listener() as printer:
        port = printer.port  # closed when the block ends: nothing listens there any more
    code = main(
        [
            "--config",
            str(config_file(tmp_path)),
            "devices",
            "--print-test",
            "--printer",
            f"escpos:tcp:127.0.0.1:{port},timeout=2",
        ]
    )
    assert code == 1
    assert f"test receipt not printed: Cannot reach the receipt printer at 127.0.0.1:{port}" in (
        capsys.readouterr().out
    )


def test_read_shows_the_uid_and_the_card_id_at_this_till(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """D-CARD-3: the UID as read and the canonical id the till looks up."""
    config = config_file(tmp_path)
    socket = reader_socket_path(tmp_path / "data")

    def tap_when_listening() -> None:
        for _ in range(400):
            if socket.exists():
                try:
                    send_tap(socket, "72bf9961")
                    return
                except OSError:
                    pass
            time.sleep(0.05)

    tapper = threading.Thread(target=tap_when_listening)
    tapper.start()
    try:
        assert main(["--config", str(config), "devices", "--read", "--wait", "30"]) == 0
    finally:
        tapper.join()
    out = capsys.readouterr().out
    assert "UID 72 BF 99 61" in out
    assert "card id at this till: 72BF9961" in out


def test_read_with_no_card_and_unknown_strings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(config_file(tmp_path))
    assert main(["--config", config, "devices", "--read", "--wait", "0.2"]) == 1
    assert "no card was read" in capsys.readouterr().out
    assert main(["--config", config, "devices", "--read", "--reader", "magnetic"]) == 2
    assert "unknown card reader 'magnetic'" in capsys.readouterr().err
    assert main(["--config", config, "devices", "--print-test", "--printer", "laser"]) == 2
    assert "unknown printer 'laser'" in capsys.readouterr().err
