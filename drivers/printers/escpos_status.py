"""What an ESC/POS printer says about itself: the DLE EOT real-time status bytes, in words.

DLE EOT n (Epson ESC/POS, followed by most clones) answers one byte per request:
n=1 printer (bit 3: offline), n=2 offline cause (bit 2: cover open, bit 5: stopped at paper
end, bit 6: error), n=3 error cause (bit 3: cutter, bit 5: unrecoverable, bit 6: head too hot),
n=4 roll paper sensor (bits 2-3: near end, bits 5-6: paper end). Every valid answer has bits
1 and 4 set and bits 0 and 7 clear, which tells a status byte from stray data.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from typing import Any

from drivers.printers.base import PrinterState, PrinterStatus

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER = 1, 2, 3, 4

READY_TEXT = "Printer ready"
SILENT_TEXT = "Printer connected (it does not report paper or cover status)"

Ask = Callable[[int], int | None]

log = logging.getLogger(__name__)


def is_status_byte(value: int) -> bool:
    return value & 0x93 == 0x12


def decode(ask: Ask) -> PrinterStatus | None:
    """The printer's state from its answers to `ask(n)`; None when it does not answer at all."""
    printer = ask(PRINTER)
    if printer is None:
        return None
    paper = ask(PAPER)
    if paper is not None and paper & 0x60 == 0x60:
        return PrinterStatus(PrinterState.PAPER_OUT, "Printer is out of paper")
    if printer & 0x08:
        cause = ask(OFFLINE_CAUSE)
        if cause is not None and cause & 0x20:
            return PrinterStatus(PrinterState.PAPER_OUT, "Printer is out of paper")
        if cause is not None and cause & 0x04:
            return PrinterStatus(PrinterState.COVER_OPEN, "Printer cover is open")
        if cause is not None and cause & 0x40:
            return PrinterStatus(PrinterState.ERROR, _error_text(ask(ERROR_CAUSE)))
        return PrinterStatus(PrinterState.OFFLINE, "Printer is offline")
    if paper is not None and paper & 0x0C == 0x0C:
        return PrinterStatus(PrinterState.PAPER_LOW, "Paper is running low")
    return PrinterStatus(PrinterState.READY, READY_TEXT)


def _error_text(cause: int | None) -> str:
    if cause is not None and cause & 0x08:
        return "Printer error: the paper cutter is stuck"
    if cause is not None and cause & 0x40:
        return "Printer error: the print head is too hot, wait a moment"
    if cause is not None and cause & 0x20:
        return "Printer error: switch the printer off and on again"
    return "Printer error"


def asker(device: Any) -> Ask:
    """`ask(n)` over an open python-escpos printer: the last valid status byte, or None."""

    def ask(n: int) -> int | None:
        try:
            reply = bytes(device.query_status(DLE_EOT + bytes([n])))
        except NotImplementedError:  # python-escpos File: a device file is write-only
            return None
        except OSError as exc:
            if isinstance(exc, TimeoutError) or exc.errno == errno.ETIMEDOUT:
                return None
            raise
        except ValueError as exc:  # pyusb: the printer has no status endpoint to read from
            log.info("printer gives no status: %s", exc)
            return None
        valid = [b for b in reply if is_status_byte(b)]
        return valid[-1] if valid else None

    return ask
