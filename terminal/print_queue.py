"""Printing on its own thread: a printer fault never blocks or undoes a sale.

`submit(job)` returns at once with a QUEUED record; the worker thread prints and records
PRINTED or FAILED (with the error text). `reprint(job)` (the same receipt rendered with
copy=True, same job id) queues it again and records REPRINTED on success. No printer
exception ever reaches the caller. Whether to print at all is the app's choice
(`terminal.receipt.should_print`, D-PAY-6).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from drivers.printers.base import (
    PrinterError,
    PrinterState,
    PrinterStatus,
    PrintJob,
    ReceiptPrinter,
)

log = logging.getLogger(__name__)


class PrintState(StrEnum):
    QUEUED = "queued"
    PRINTED = "printed"
    FAILED = "failed"
    REPRINTED = "reprinted"


@dataclass(frozen=True, slots=True)
class PrintRecord:
    """What became of one receipt's job; `error` is set when FAILED."""

    job_id: str
    state: PrintState
    error: str | None = None
    copy: bool = False  # the latest attempt was a reprint
    attempts: int = 0  # how many times the printer was tried for this job


class PrintQueue:
    def __init__(
        self,
        printer: ReceiptPrinter,
        on_change: Callable[[PrintRecord], None] | None = None,
        *,
        name: str = "print-queue",
        status_every_s: float = 2.0,
    ) -> None:
        """Start the worker; `on_change` is called from the worker thread after each outcome.

        The worker also asks the printer for its status every `status_every_s` and after each
        job, so that `status` never makes the caller (the UI thread) wait on a printer.
        """
        self._printer = printer
        self._on_change = on_change
        self._status_every_s = status_every_s
        self._status = PrinterStatus(PrinterState.READY, "starting")
        self._jobs: queue.Queue[tuple[PrintJob, bool] | None] = queue.Queue()
        self._lock = threading.Condition()
        self._records: dict[str, PrintRecord] = {}
        self._order: list[str] = []
        self._pending = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ caller side

    def submit(self, job: PrintJob) -> PrintRecord:
        """Queue a job; returns its QUEUED record at once (or FAILED when the queue is closed)."""
        return self._enqueue(job, reprint=False)

    def reprint(self, job: PrintJob) -> PrintRecord:
        """Queue a reprint (the receipt rendered with copy=True); REPRINTED when it prints."""
        return self._enqueue(job, reprint=True)

    def records(self) -> list[PrintRecord]:
        """Every job's latest record, in the order the jobs were first submitted."""
        with self._lock:
            return [self._records[job_id] for job_id in self._order]

    def record(self, job_id: str) -> PrintRecord | None:
        with self._lock:
            return self._records.get(job_id)

    def last(self) -> PrintRecord | None:
        """The most recently submitted job's record (what "reprint last receipt" means)."""
        with self._lock:
            return self._records[self._order[-1]] if self._order else None

    @property
    def status(self) -> PrinterStatus:
        """The printer's status as the worker last saw it."""
        with self._lock:
            return self._status

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued job has an outcome; False when `timeout` ran out first."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float | None = 5.0) -> bool:
        """Finish the queued jobs, stop the worker and join it; False if it did not stop in time."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._jobs.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _enqueue(self, job: PrintJob, *, reprint: bool) -> PrintRecord:
        with self._lock:
            previous = self._records.get(job.job_id)
            attempts = previous.attempts if previous is not None else 0
            if self._closed:
                record = PrintRecord(
                    job.job_id,
                    PrintState.FAILED,
                    "print queue is closed",
                    copy=reprint,
                    attempts=attempts,
                )
            else:
                record = PrintRecord(job.job_id, PrintState.QUEUED, copy=reprint, attempts=attempts)
                self._pending += 1
                self._jobs.put((job, reprint))
            if previous is None:
                self._order.append(job.job_id)
            self._records[job.job_id] = record
            return record

    # ------------------------------------------------------------ worker side

    def _poll_status(self) -> None:
        try:
            status = self._printer.status()
        except Exception as exc:  # a status query must never kill the worker either
            status = PrinterStatus(PrinterState.ERROR, f"printer status unknown: {exc}")
        with self._lock:
            self._status = status

    def _run(self) -> None:
        self._poll_status()
        while True:
            try:
                item = self._jobs.get(timeout=self._status_every_s)
            except queue.Empty:
                self._poll_status()
                continue
            if item is None:  # close() asks the worker to stop after the jobs before it
                return
            job, reprint = item
            error = self._print(job)
            if error is None:
                state = PrintState.REPRINTED if reprint else PrintState.PRINTED
            else:
                state = PrintState.FAILED
            with self._lock:
                current = self._records[job.job_id]
                record = replace(
                    current,
                    state=state,
                    error=error,
                    copy=bool(reprint),
                    attempts=current.attempts + 1,
                )
                self._records[job.job_id] = record
            self._poll_status()
            self._notify(record)
            with self._lock:
                self._pending -= 1
                self._lock.notify_all()

    def _print(self, job: PrintJob) -> str | None:
        try:
            self._printer.print_job(job)
        except PrinterError as exc:
            return str(exc) or "printer error"
        except Exception as exc:  # a broken backend must not kill the worker or reach a sale
            log.exception("printer backend failed on job %s", job.job_id)
            return f"printer error: {exc}"
        return None

    def _notify(self, record: PrintRecord) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(record)
        except Exception:
            log.exception("print queue on_change callback failed")
