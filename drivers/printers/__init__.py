"""Receipt printers behind one small interface, chosen by a config string.

- "simulated": files in `<data_dir>/receipts` (training, demos, tests)
- "simulated:/some/dir": files in that folder (a relative path is taken under data_dir)
- "none": no printer
- "escpos:tcp:HOST[:PORT]", "escpos:usb:VVVV:PPPP", "escpos:serial:DEVICE[:BAUD]",
  "escpos:file:DEVICE", each optionally followed by ",paper=58", ",profile=NAME",
  ",codepage=CP858", ",logo=PATH", ",timeout=SECONDS": an ESC/POS printer
  (see `drivers.printers.escpos`; python-escpos is imported only when one is configured)
"""

from __future__ import annotations

from pathlib import Path

from drivers.discovery import Finding
from drivers.errors import DriverError
from drivers.printers.base import (
    NullPrinter,
    Paper,
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterState,
    PrinterStatus,
    PrintJob,
    ReceiptPrinter,
)
from drivers.printers.discover import find_printers
from drivers.printers.simulated import FolderPrinter

__all__ = [
    "DriverError",
    "Finding",
    "FolderPrinter",
    "NullPrinter",
    "Paper",
    "PaperOut",
    "PrintJob",
    "PrinterError",
    "PrinterOffline",
    "PrinterState",
    "PrinterStatus",
    "ReceiptPrinter",
    "find_printers",
    "open_printer",
    "paper_of",
]

SPECS = "simulated, simulated:DIR, none, escpos:CONNECTION[,OPTION=VALUE...]"


def open_printer(spec: str, *, data_dir: Path) -> ReceiptPrinter:
    """The printer a config string names; an unknown or malformed string is a ValueError naming it.

    Nothing is opened here: a printer that is off or unplugged shows in `status()`.
    """
    kind, sep, arg = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind == "simulated":
        folder = Path(arg.strip()).expanduser() if sep and arg.strip() else Path("receipts")
        return FolderPrinter(folder if folder.is_absolute() else Path(data_dir) / folder)
    if kind == "none" and not sep:
        return NullPrinter()
    if kind == "escpos":
        from drivers.printers.escpos import open_escpos

        return open_escpos(arg.strip(), data_dir=Path(data_dir))
    raise ValueError(f"unknown printer {spec!r}; expected one of: {SPECS}")


def paper_of(spec: str, *, data_dir: Path) -> Paper | None:
    """The paper a printer string names, checked without opening anything (the till opens the
    printer, and its logo, once): None for printers without a paper width (simulated, none).

    A malformed string is a ValueError naming what is wrong, as in `open_printer`.
    """
    kind, _, arg = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind in ("simulated", "none"):
        return None
    if kind != "escpos":
        raise ValueError(f"unknown printer {spec!r}; expected one of: {SPECS}")
    from drivers.printers.escpos import paper_columns
    from drivers.printers.escpos_target import parse

    _, options = parse(arg.strip(), data_dir=Path(data_dir))
    return Paper(options.paper_mm, max(paper_columns(options).values()))
