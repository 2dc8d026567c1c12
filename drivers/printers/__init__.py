"""Receipt printers behind one small interface, chosen by a config string.

- "simulated": files in `<data_dir>/receipts` (training, demos, tests)
- "simulated:/some/dir": files in that folder (a relative path is taken under data_dir)
- "none": no printer
- "escpos:...": reserved for ESC/POS printers (a later release)
"""

from __future__ import annotations

from pathlib import Path

from drivers.printers.base import (
    EscposPlaceholder,
    NullPrinter,
    PrinterError,
    PrinterState,
    PrinterStatus,
    PrintJob,
    ReceiptPrinter,
)
from drivers.printers.simulated import FolderPrinter

__all__ = [
    "EscposPlaceholder",
    "FolderPrinter",
    "NullPrinter",
    "PrintJob",
    "PrinterError",
    "PrinterState",
    "PrinterStatus",
    "ReceiptPrinter",
    "open_printer",
]

SPECS = "simulated, simulated:DIR, none, escpos:TARGET"


def open_printer(spec: str, *, data_dir: Path) -> ReceiptPrinter:
    """The printer a config string names; an unknown string is a ValueError naming it."""
    kind, sep, arg = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind == "simulated":
        folder = Path(arg.strip()).expanduser() if sep and arg.strip() else Path("receipts")
        return FolderPrinter(folder if folder.is_absolute() else Path(data_dir) / folder)
    if kind == "none" and not sep:
        return NullPrinter()
    if kind == "escpos":
        return EscposPlaceholder(arg.strip())
    raise ValueError(f"unknown printer {spec!r}; expected one of: {SPECS}")
