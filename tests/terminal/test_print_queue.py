"""The print queue: printing off the caller's thread; a printer fault never reaches the sale."""

from __future__ import annotations

import threading
from pathlib import Path

from drivers.printers.base import (
    PrinterError,
    PrinterState,
    PrinterStatus,
    PrintJob,
    ReceiptPrinter,
)
from drivers.printers.simulated import FolderPrinter
from terminal.print_queue import PrintQueue, PrintRecord, PrintState


def job(n: int = 1, *, copy: bool = False) -> PrintJob:
    return PrintJob(f"till-1-{n:06d}", f"receipt {n}\n", None, 42, copy)


def test_queued_then_printed(tmp_path: Path) -> None:
    """submit returns QUEUED at once; the worker prints and records PRINTED."""
    seen: list[PrintRecord] = []
    queue = PrintQueue(FolderPrinter(tmp_path), seen.append)
    record = queue.submit(job())
    assert record.state in (PrintState.QUEUED, PrintState.PRINTED)
    assert queue.flush(timeout=5)
    assert queue.record("till-1-000001") == seen[-1]
    assert seen[-1].state is PrintState.PRINTED
    assert (tmp_path / "till-1-000001.txt").read_text(encoding="utf-8") == "receipt 1\n"
    assert queue.close()


def test_failing_printer_marks_failed_and_caller_is_unaffected(tmp_path: Path) -> None:
    """Paper out: the job is FAILED with the printer's words; submit never raised."""
    printer = FolderPrinter(tmp_path)
    printer.set_state(PrinterState.PAPER_OUT)
    queue = PrintQueue(printer)
    queue.submit(job())
    queue.flush(timeout=5)
    failed = queue.last()
    assert failed is not None
    assert failed.state is PrintState.FAILED
    assert "paper" in (failed.error or "")
    assert list(tmp_path.iterdir()) == []
    printer.set_state(PrinterState.READY)
    queue.reprint(job(copy=True))
    queue.flush(timeout=5)
    again = queue.last()
    assert again is not None
    assert again.state is PrintState.REPRINTED
    queue.close()


class Stuck(ReceiptPrinter):
    """A printer that takes the job and never answers (until released)."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def print_job(self, job: PrintJob) -> None:
        self.release.wait(10)
        raise PrinterError("printer did not answer")

    def status(self) -> PrinterStatus:
        return PrinterStatus(PrinterState.OFFLINE, "no answer")


def test_stuck_printer_never_blocks_the_caller() -> None:
    """A printer that never answers holds only the print thread; submit returns at once."""
    printer = Stuck()
    queue = PrintQueue(printer)
    records = [queue.submit(job(n)) for n in range(1, 4)]
    assert all(r.state is PrintState.QUEUED for r in records)
    assert not queue.flush(timeout=0.05)
    printer.release.set()
    assert queue.flush(timeout=5)
    assert all(r.state is PrintState.FAILED for r in queue.records())
    assert queue.close()


def test_a_crashing_backend_is_contained(tmp_path: Path) -> None:
    """Even an unexpected exception in a backend becomes FAILED, not a dead worker."""

    class Broken(FolderPrinter):
        def print_job(self, job: PrintJob) -> None:
            raise RuntimeError("usb cable chewed")

    queue = PrintQueue(Broken(tmp_path))
    queue.submit(job(1))
    queue.submit(job(2))
    queue.flush(timeout=5)
    assert [r.state for r in queue.records()] == [PrintState.FAILED, PrintState.FAILED]
    assert queue.close()


def test_status_is_read_by_the_worker(tmp_path: Path) -> None:
    """The printer's status is polled on the print thread; callers read the cached answer."""
    printer = FolderPrinter(tmp_path)
    queue = PrintQueue(printer, status_every_s=0.01)
    queue.flush(timeout=5)
    printer.set_state(PrinterState.PAPER_OUT)
    queue.submit(job())  # after a job the worker asks again at once
    assert queue.flush(timeout=5)
    assert queue.status.state is PrinterState.PAPER_OUT
    assert "paper" in queue.status.text
    assert queue.close()
