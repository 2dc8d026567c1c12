"""What drivers find on this machine for `canteen-till devices`: a spec to configure, or why
nothing was found, never an exception."""

from __future__ import annotations

import glob
from collections.abc import Callable

import pytest

from drivers.cards import Finding, find_readers, nfc, pcsc
from drivers.cards.pcsc import PcscUnavailable
from drivers.printers import find_printers
from drivers.printers.discover import NO_FILES


def test_pcsc_readers_are_listed_with_the_spec_that_survives_replugging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "ACS ACR1252 1S CL Reader [ACR1252 Dual Reader PICC] 00 01"
    monkeypatch.setattr(pcsc, "list_readers", lambda: [name])
    monkeypatch.setattr(nfc, "list_devices", lambda: [])
    spec = "pcsc:ACS ACR1252 1S CL Reader [ACR1252 Dual Reader PICC]"
    assert find_readers() == [
        Finding("PC/SC", f'{name}  (reader.kind = "{spec}")', spec),
        Finding("NFC", "no NFC devices on USB"),
    ]


def test_a_search_that_cannot_look_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    def down() -> list[str]:
        raise PcscUnavailable("pcscd not running: start it")

    monkeypatch.setattr(pcsc, "list_readers", down)
    usb = "nfc:usb:054c:06c3  (USB bus 001 device 004, nfcpy driver rcs380)"
    monkeypatch.setattr(nfc, "list_devices", lambda: [usb])
    assert find_readers() == [
        Finding("PC/SC", "none (pcscd not running: start it)"),
        Finding("NFC", usb, "nfc:usb:054c:06c3"),
    ]


def fake_glob(files: dict[str, list[str]]) -> Callable[[str], list[str]]:
    return lambda pattern: files.get(pattern, [])


def test_printer_device_files_get_file_or_serial_specs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        glob,
        "glob",
        fake_glob({"/dev/usb/lp*": ["/dev/usb/lp0"], "/dev/ttyUSB*": ["/dev/ttyUSB0"]}),
    )
    found = [f for f in find_printers() if f.where != "USB"]
    assert found == [  # sorted by path
        Finding(
            "device file", "/dev/ttyUSB0 (escpos:serial:/dev/ttyUSB0)", "escpos:serial:/dev/ttyUSB0"
        ),
        Finding(
            "device file", "/dev/usb/lp0 (escpos:file:/dev/usb/lp0)", "escpos:file:/dev/usb/lp0"
        ),
    ]


def test_no_printer_device_files_is_said_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(glob, "glob", fake_glob({}))
    found = find_printers()
    assert found[-1] == Finding("", NO_FILES)
    assert [f.where for f in found[:-1]] == ["USB"] * (len(found) - 1)
