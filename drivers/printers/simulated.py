"""The simulated printer: each job becomes files in a folder (training, demos, tests).

`<job_id>.txt` (and `<job_id>.pdf` when the job has one), written atomically: a temp file in
the same folder, flushed and fsynced, then `os.replace`. A reprint never overwrites the
original: it becomes `<job_id>.copy1.txt`, `.copy2`, ... Tests and the demo can simulate
faults with `set_state` (paper out, offline: every job fails until READY again) and
`fail_next(reason)` (the next job fails). A failing job writes nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
from pathlib import Path

from drivers.printers.base import (
    PrinterError,
    PrinterState,
    PrinterStatus,
    PrintJob,
    ReceiptPrinter,
    fault,
)

_FAULT_TEXT = {
    PrinterState.PAPER_OUT: "Printer is out of paper",
    PrinterState.OFFLINE: "Printer is offline",
    PrinterState.ERROR: "Printer error",
}
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class FolderPrinter(ReceiptPrinter):
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._state = PrinterState.READY
        self._state_text: str | None = None
        self._fail_next: str | None = None

    def set_state(self, state: PrinterState, text: str | None = None) -> None:
        """Simulate a printer state; anything but READY makes every job fail until reset."""
        with self._lock:
            self._state = PrinterState(state)
            self._state_text = text

    def fail_next(self, reason: str) -> None:
        """Make the next job fail with `reason` (once)."""
        with self._lock:
            self._fail_next = reason

    def status(self) -> PrinterStatus:
        with self._lock:
            state, text = self._state, self._state_text
        if state is not PrinterState.READY:
            return PrinterStatus(state, text or _FAULT_TEXT[state])
        return PrinterStatus(PrinterState.READY, f"Simulated printer: {self.folder}")

    def print_job(self, job: PrintJob) -> None:
        if not _SAFE.match(job.job_id):
            raise PrinterError(f"job id {job.job_id!r} cannot name a file")
        with self._lock:
            reason, self._fail_next = self._fail_next, None
            state, text = self._state, self._state_text
            if reason is not None:
                raise PrinterError(reason)
            if state is not PrinterState.READY:
                raise fault(state, text or _FAULT_TEXT[state])
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                stem = self._free_stem(job)
                if job.pdf is not None:
                    _write_atomically(self.folder / f"{stem}.pdf", job.pdf)
                # The text file last: its presence means the whole job is there.
                _write_atomically(self.folder / f"{stem}.txt", job.text.encode("utf-8"))
            except OSError as exc:
                raise PrinterError(
                    f"Cannot write receipt to {self.folder}: {exc.strerror or exc}"
                ) from exc

    def _free_stem(self, job: PrintJob) -> str:
        if not job.copy:
            return job.job_id
        n = 1
        while (self.folder / f"{job.job_id}.copy{n}.txt").exists():
            n += 1
        return f"{job.job_id}.copy{n}"


def _write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
