"""Card readers behind one small interface; a config string picks the reader family.

    reader = open_reader("simulated", data_dir=data_dir)
    reader.start(on_tap, on_status, on_error)   # callbacks run on the reader's thread
    ...
    reader.stop()

The rest of the till never imports a concrete driver module: `open_reader` imports the one the
spec names, lazily, and the till asks a reader for an optional capability by protocol
(`TakesKeys`: the keyboard wedge, fed the window's keys). `find_readers` lists the readers this
machine has. Canonical card ids (D-CARD-3) are in `drivers.cards.normalise`, the double-tap
guard (D-PAY-5) in `drivers.cards.debounce`, both exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from drivers.cards.base import (
    BadRead,
    CardReader,
    CardTap,
    ReaderState,
    ReaderStatus,
    TakesKeys,
    ThreadedReader,
)
from drivers.cards.debounce import Debouncer
from drivers.cards.discover import find_readers
from drivers.cards.normalise import CardIdFormat, MalformedCardId, normalise, parse_card_text
from drivers.discovery import Finding
from drivers.errors import BadCardRead, DriverError, ReaderUnavailable

__all__ = [
    "READER_SPECS",
    "BadCardRead",
    "BadRead",
    "CardIdFormat",
    "CardReader",
    "CardTap",
    "Debouncer",
    "DriverError",
    "Finding",
    "MalformedCardId",
    "ReaderState",
    "ReaderStatus",
    "ReaderUnavailable",
    "TakesKeys",
    "ThreadedReader",
    "find_readers",
    "normalise",
    "open_reader",
    "parse_card_text",
    "tap_simulated",
]

READER_SPECS = ("simulated", "keyboard", "pcsc:NAME", "nfc:PATH")


def tap_simulated(data_dir: Path, card_text: str, *, decimal: bool = False) -> None:
    """Present a card to the simulated reader of the till running on `data_dir`, as
    `canteen-till tap` and `--tap` do; a `DriverError` says why not (no till listening, a
    malformed number)."""
    from drivers.cards.simulated import reader_socket_path, send_tap

    send_tap(reader_socket_path(data_dir), card_text, decimal=decimal)


def open_reader(
    spec: str, *, data_dir: Path, options: Mapping[str, str] | None = None
) -> CardReader:
    """The card reader a config string names (not started yet).

    "simulated": listens on `data_dir / "reader.sock"` (options: none).
    "keyboard": a USB keyboard-wedge reader (options: see KeyboardWedgeReader.from_options).
    "pcsc:NAME": a PC/SC reader whose name matches NAME (text in it, a glob, or * for the
    first one); see drivers.cards.pcsc.
    "nfc:PATH": an nfcpy reader; PATH is usb, usb:VID:PID, tty:PORT[:DRIVER] or
    udp[:HOST[:PORT]] (see drivers.cards.nfc). Unknown specs and options raise ValueError.
    """
    cleaned = spec.strip()
    family, sep, arg = cleaned.partition(":")
    family = family.strip().lower()
    opts = dict(options or {})
    if family == "simulated" and not sep:
        from drivers.cards import simulated

        _no_options(cleaned, opts)
        return simulated.SimulatedReader(simulated.reader_socket_path(data_dir), name="simulated")
    if family == "keyboard" and not sep:
        from drivers.cards import keyboard

        return keyboard.KeyboardWedgeReader.from_options(opts, name="keyboard")
    if family == "pcsc" and sep and arg.strip():
        from drivers.cards import pcsc

        _no_options(cleaned, opts)
        return pcsc.PcscReader(arg.strip())
    if family == "nfc" and sep and arg.strip():
        from drivers.cards import nfc

        _no_options(cleaned, opts)
        return nfc.NfcReader(arg.strip())
    raise ValueError(f"unknown card reader {spec!r}: use one of {', '.join(READER_SPECS)}")


def _no_options(spec: str, options: Mapping[str, str]) -> None:
    if options:
        raise ValueError(f"card reader {spec!r} takes no options (got {', '.join(options)})")
