"""The receipt printer interface: a backend only moves a rendered `PrintJob` to paper (or a file).

Layout happens once, in `terminal.receipt_render`; nothing here knows about receipts.
Stdlib only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum

from drivers.errors import PaperOut, PrinterError, PrinterOffline

__all__ = [
    "NullPrinter",
    "Paper",
    "PaperOut",
    "PrintJob",
    "PrinterError",
    "PrinterOffline",
    "PrinterState",
    "PrinterStatus",
    "ReceiptPrinter",
    "fault",
]


@dataclass(frozen=True, slots=True)
class PrintJob:
    """One rendered receipt: text for `columns`-wide paper, optionally a PDF of the same.

    `qr` is printed as a QR code under the text by printers that can (ESC/POS: the journal
    entry id); `kick_drawer` opens the cash drawer wired to the printer. Backends without
    either ignore them.
    """

    job_id: str
    text: str
    pdf: bytes | None
    columns: int
    copy: bool  # a reprint
    qr: str | None = None
    kick_drawer: bool = False


class PrinterState(StrEnum):
    READY = "ready"
    PAPER_LOW = "paper_low"  # prints, but the cashier should change the roll soon
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What the till shows about its printer; `text` is for people."""

    state: PrinterState
    text: str

    @property
    def ready(self) -> bool:
        return self.state in (PrinterState.READY, PrinterState.PAPER_LOW)


@dataclass(frozen=True, slots=True)
class Paper:
    """The paper a printer string names: its width and the widest receipt it holds."""

    mm: int
    columns: int  # characters per line in the narrowest font


def fault(state: PrinterState, text: str) -> PrinterError:
    """The error for a job refused in `state`: PaperOut, PrinterOffline or PrinterError."""
    if state is PrinterState.PAPER_OUT:
        return PaperOut(text)
    if state is PrinterState.OFFLINE:
        return PrinterOffline(text)
    return PrinterError(text)


class ReceiptPrinter(ABC):
    """A receipt printer backend, chosen by a config string (see `open_printer`)."""

    @abstractmethod
    def print_job(self, job: PrintJob) -> None:
        """Print the job or raise PrinterError with readable text."""

    @abstractmethod
    def status(self) -> PrinterStatus:
        """The printer's state now; never raises."""


class NullPrinter(ReceiptPrinter):
    """Config "none": a till without a printer. Jobs are accepted and discarded."""

    def print_job(self, job: PrintJob) -> None:
        return None

    def status(self) -> PrinterStatus:
        return PrinterStatus(PrinterState.READY, "No printer configured: receipts are not printed")
