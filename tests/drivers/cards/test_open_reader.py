"""Choosing a card reader by config string."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from drivers.cards import open_reader
from drivers.cards.keyboard import KeyboardWedgeReader
from drivers.cards.simulated import SimulatedReader


def test_simulated_spec_listens_in_data_dir(tmp_path: Path) -> None:
    """'simulated' gives a SimulatedReader on data_dir/reader.sock."""
    reader = open_reader("simulated", data_dir=tmp_path)
    assert isinstance(reader, SimulatedReader)
    assert reader.path == tmp_path / "reader.sock"
    assert reader.name == "simulated"


def test_keyboard_spec_takes_options(tmp_path: Path) -> None:
    """'keyboard' gives a KeyboardWedgeReader configured from options."""
    reader = open_reader(" Keyboard ", data_dir=tmp_path, options={"encoding": "hex"})
    assert isinstance(reader, KeyboardWedgeReader)
    with pytest.raises(ValueError, match="'bogus'"):
        open_reader("keyboard", data_dir=tmp_path, options={"bogus": "1"})


def test_pcsc_spec_gives_a_pyscard_reader_by_name_pattern(tmp_path: Path) -> None:
    from drivers.cards.pcsc import PcscReader

    reader = open_reader("pcsc:ACS ACR122U", data_dir=tmp_path)
    assert isinstance(reader, PcscReader)
    assert reader.name == "pcsc:ACS ACR122U"
    with pytest.raises(ValueError, match="takes no options"):
        open_reader("pcsc:*", data_dir=tmp_path, options={"x": "1"})


@pytest.mark.parametrize("spec", ["", "magic", "pcsc", "pcsc:", "nfc:", "simulated:x"])
def test_unknown_spec_names_spec_and_allowed_ones(tmp_path: Path, spec: str) -> None:
    """An unknown reader spec raises ValueError naming it and the allowed ones."""
    with pytest.raises(ValueError, match="unknown card reader") as info:
        open_reader(spec, data_dir=tmp_path)
    message = str(info.value)
    assert repr(spec) in message
    for allowed in ("simulated", "keyboard", "pcsc:NAME", "nfc:PATH"):
        assert allowed in message


def test_nfc_spec_gives_an_nfcpy_reader_and_a_bad_path_is_named(tmp_path: Path) -> None:
    from drivers.cards.nfc import NfcReader

    reader = open_reader("nfc:usb:054c:06c3", data_dir=tmp_path)
    assert isinstance(reader, NfcReader)
    assert reader.name == "nfc:usb:054c:06c3"
    with pytest.raises(ValueError, match="NFC reader path"):
        open_reader("nfc:serial", data_dir=tmp_path)


def test_simulated_takes_no_options(tmp_path: Path) -> None:
    """Options given to the simulated reader are a config error, not silently ignored."""
    with pytest.raises(ValueError, match="takes no options"):
        open_reader("simulated", data_dir=tmp_path, options={"x": "1"})


def test_drivers_cards_imports_no_hardware_library_or_app_code() -> None:
    """Opening every reader imports neither pyscard/nfcpy nor terminal, sync or Qt."""
    code = (
        "import sys, pathlib\n"
        "from drivers.cards import open_reader\n"
        "for spec in ('simulated', 'keyboard', 'pcsc:X', 'nfc:usb', 'nfc:udp'):\n"
        "    open_reader(spec, data_dir=pathlib.Path('.'))\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('smartcard', 'nfc', 'terminal', 'sync', 'PySide6')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""
