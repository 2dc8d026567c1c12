"""The till's configuration file: every wrong value is named with its key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from terminal.cli import main
from terminal.config import ConfigError, load_config
from tests.terminal.till_scheme import run_till_cli

GOOD = """
[till]
till_id = "mensa-nord-1"
data_dir = "{data}"

[reader]
kind = "keyboard"
encoding = "dec"

[card_id]
byte_order = "lsb"
encoding = "hex"

[printer]
kind = "simulated"
columns = 48

[policy]
print_receipts = "on_request"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "till.toml"
    path.write_text(text.replace("{data}", str(tmp_path / "data")), encoding="utf-8")
    return path


def test_good_config_is_read(tmp_path: Path) -> None:
    """A complete file gives the till, reader, card-id format, printer and policy override."""
    config = load_config(write(tmp_path, GOOD))
    assert config.till_id == "mensa-nord-1"
    assert config.reader.kind == "keyboard"
    assert config.reader.card_id == {"byte_order": "lsb", "encoding": "hex"}
    assert config.printer.columns == 48
    assert config.policy_overrides == {"print_receipts": "on_request"}


@pytest.mark.parametrize(
    ("before", "after", "key"),
    [
        ("columns = 48", "columns = 40", "printer.columns"),
        ('kind = "keyboard"', 'kind = "barcode"', "reader.kind"),
        ('print_receipts = "on_request"', 'print_receipts = "sometimes"', "print_receipts"),
        ('byte_order = "lsb"', 'byte_order = "middle"', "card_id"),
        ('till_id = "mensa-nord-1"', "till_id = 7", "till.till_id"),
        ("[printer]", "[printers]", "printers"),
        ('encoding = "dec"', 'encodng = "dec"', "reader.encodng"),
    ],
)
def test_wrong_value_names_key_and_file(tmp_path: Path, before: str, after: str, key: str) -> None:
    """A wrong value is refused with a message naming the key and the file."""
    path = write(tmp_path, GOOD.replace(before, after))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert key in str(info.value)


def test_cli_exits_non_zero_naming_key_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`canteen-till --config FILE run` with a wrong value exits 2 naming the key and the file."""
    path = write(tmp_path, GOOD.replace("columns = 48", 'columns = "wide"'))
    assert main(["--config", str(path), "run"]) == 2
    err = capsys.readouterr().err
    assert "printer.columns" in err
    assert str(path) in err


def test_cli_reports_broken_toml_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Broken TOML and a missing file are reported, not a traceback."""
    path = write(tmp_path, "[till\n")
    assert main(["check-config", str(path)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert main(["check-config", str(tmp_path / "nope.toml")]) == 2
    assert "not found" in capsys.readouterr().err


def test_cli_without_config_says_how_to_start(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`canteen-till run` without a configuration says what to give, and exits 2."""
    monkeypatch.delenv("CANTEEN_TILL_CONFIG", raising=False)
    assert main(["run"]) == 2
    assert "--config" in capsys.readouterr().err


def test_run_on_an_empty_data_dir_says_what_is_missing(tmp_path: Path) -> None:
    """A till with no scheme data yet exits 1 saying so, instead of a traceback."""
    config = tmp_path / "till.toml"
    config.write_text(f'[till]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    done = run_till_cli(config)
    assert done.returncode == 1
    assert "no sales unit yet" in done.stderr
    assert "Traceback" not in done.stderr


def test_escpos_printer_string_and_paper_width_are_checked_at_start(tmp_path: Path) -> None:
    """A printer string that cannot work, or a receipt wider than the paper, is found when the
    configuration is read, naming the key and the file."""

    def config(kind: str, columns: int) -> Path:
        path = tmp_path / "till.toml"
        path.write_text(f'[printer]\nkind = "{kind}"\ncolumns = {columns}\n', encoding="utf-8")
        return path

    ok = load_config(config("escpos:tcp:10.0.0.7,paper=58", 32))
    assert ok.printer.kind == "escpos:tcp:10.0.0.7,paper=58"
    assert load_config(config("escpos:tcp:10.0.0.7", 48)).printer.columns == 48
    with pytest.raises(ConfigError, match=r"till.toml: printer.columns = 48 does not fit 58 mm"):
        load_config(config("escpos:tcp:10.0.0.7,paper=58", 48))
    with pytest.raises(ConfigError, match=r"till.toml: printer.kind: .*paper=57"):
        load_config(config("escpos:tcp:10.0.0.7,paper=57", 42))
    with pytest.raises(ConfigError, match=r"printer.columns = 40 must be 32 \(58 mm paper\)"):
        load_config(config("simulated", 40))


def test_reader_string_is_checked_at_start(tmp_path: Path) -> None:
    path = tmp_path / "till.toml"
    path.write_text('[reader]\nkind = "nfc:serial"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"till.toml: \[reader\] NFC reader path"):
        load_config(path)
    path.write_text('[reader]\nkind = "nfc:usb:054c:06c3"\n', encoding="utf-8")
    assert load_config(path).reader.kind == "nfc:usb:054c:06c3"
