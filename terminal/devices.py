"""`canteen-till devices`: what an installer sees first. The card readers and receipt printers
this machine has, one card read (`--read`), one test receipt (`--print-test`).

Every probe answers with a sentence, never a traceback: a missing pcscd, a reader unplugged,
a printer that does not answer are what an installer is here to find.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from drivers.cards import (
    BadRead,
    CardIdFormat,
    CardTap,
    Finding,
    ReaderStatus,
    find_readers,
    normalise,
    open_reader,
)
from drivers.printers import PrinterError, PrintJob, find_printers, open_printer
from terminal.config import TillConfig

Say = Callable[[str], None]
TEST_LINE = "å ä ö æ ø ü ß €  Å Ä Ö Æ Ø Ü"


def list_devices(config: TillConfig, say: Say) -> None:
    say("Card readers")
    say(f"  configured: {config.reader.kind}")
    for found in find_readers():
        say(_line(found))
    say("Receipt printers")
    say(f"  configured: {config.printer.kind} ({config.printer.columns} columns)")
    try:
        status = open_printer(config.printer.kind, data_dir=config.data_dir).status()
        say(f"    {status.state.value}: {status.text}")
    except ValueError as exc:
        say(f"    {exc}")
    for found in find_printers():
        say(_line(found))


def _line(found: Finding) -> str:
    return f"  {found.where}: {found.text}" if found.where else f"  {found.text}"


def read_one(config: TillConfig, say: Say, *, reader_spec: str | None, wait_s: float) -> int:
    """Wait for one card on the reader; print its UID as read and as the till's card id."""
    spec = reader_spec or config.reader.kind
    options = config.reader.options if reader_spec is None else {}
    config.data_dir.mkdir(parents=True, exist_ok=True)  # the simulated reader's socket lives there
    reader = open_reader(spec, data_dir=config.data_dir, options=options)
    fmt = CardIdFormat.from_options(config.reader.card_id)
    got: list[CardTap] = []
    seen = threading.Event()

    def on_tap(tap: CardTap) -> None:
        got.append(tap)
        seen.set()

    def on_status(status: ReaderStatus) -> None:
        say(f"reader: {status.state.value}: {status.text}")

    def on_error(bad: BadRead) -> None:
        say(f"bad read on {bad.reader}: {bad.reason} ({bad.raw!r})")

    say(f"present a card to {spec} (waiting up to {wait_s:g} s)")
    reader.start(on_tap, on_status, on_error)
    try:
        seen.wait(wait_s)
        status = reader.status  # before stop(), which would report only "stopped"
    finally:
        reader.stop()
    if not got:
        say(f"no card was read; reader status: {status.text}")
        return 1
    tap = got[0]
    say(f"card on {tap.reader} ({tap.technology}): UID {tap.uid.hex(' ').upper()}")
    say(f"card id at this till: {normalise(tap.uid, fmt)}")
    return 0


def print_test(config: TillConfig, say: Say, *, printer_spec: str | None) -> int:
    """A short receipt that shows the code page, the width, the QR code and the cut work."""
    spec = printer_spec or config.printer.kind
    printer = open_printer(spec, data_dir=config.data_dir)
    w = config.printer.columns
    now = datetime.now(UTC).isoformat(timespec="seconds")
    text = "\n".join(
        [
            "canteen-till test receipt".center(w).rstrip(),
            "=" * w,
            f"till {config.till_id}",
            now,
            TEST_LINE,
            "".join(str(n % 10) for n in range(1, w + 1)),
            "=" * w,
            "",
        ]
    )
    job = PrintJob(
        job_id=f"test-{now}", text=text, pdf=None, columns=w, copy=False, qr=f"test {now}"
    )
    try:
        printer.print_job(job)
    except PrinterError as exc:
        say(f"test receipt not printed: {exc}")
        return 1
    say(f"test receipt sent to {spec}; status: {printer.status().text}")
    return 0
