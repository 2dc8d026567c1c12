"""ESC/POS receipt printers through python-escpos: network, USB, serial or a device file.

Config strings (`open_printer`):

    escpos:tcp:HOST[:PORT]          raw TCP, port 9100 unless given
    escpos:usb:VVVV:PPPP            USB vendor:product in hex, as lsusb shows them (needs pyusb)
    escpos:serial:DEVICE[:BAUD]     serial port, 9600 baud unless given
    escpos:file:DEVICE              a device file such as /dev/usb/lp0

followed by options, each after a comma, e.g. `escpos:tcp:10.0.0.7,paper=58,logo=logo.png`:

    paper=80|58       paper width in mm (default 80). 80 mm holds 48 columns in font A and 64
                      in font B, 58 mm 32 and 42; a printer profile that knows a narrower print
                      head (TM-T88: 512 dots, 42/56) narrows that. The job's `columns` pick the
                      font; a receipt wider than the paper fails with a PrinterError.
    profile=NAME      a python-escpos printer profile (default "default": generic Epson)
    codepage=CP1252   the code page selected (ESC t) before the text (default CP1252, which has
                      å ä ö æ ø ü ß € and •); characters it lacks switch to another page of the
                      profile. "auto" lets python-escpos choose for every character.
    logo=PATH         an image printed centred above the text (relative: under data_dir)
    timeout=SECONDS   bound for connecting and sending a job (default 10)

Each job is rendered into python-escpos' Dummy first and then sent in one write over a fresh
connection, so a transport only moves bytes. Before sending, a printer that answers DLE EOT is
asked for its state: paper out or cover open fail the job without printing half a receipt.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from escpos.capabilities import get_profile
from escpos.printer import Dummy
from PIL import Image

from drivers.printers.base import (
    PrinterError,
    PrinterState,
    PrinterStatus,
    PrintJob,
    ReceiptPrinter,
    fault,
)
from drivers.printers.escpos_status import SILENT_TEXT, asker, decode
from drivers.printers.escpos_target import PAPER_DOTS, Options, Target, parse, reason

log = logging.getLogger(__name__)

FONT_DOTS = {"a": 12, "b": 9}  # character widths of ESC/POS fonts A and B
STATUS_CONNECT_S = 2.0  # the print queue polls status between jobs; keep it from stalling
STATUS_REPLY_S = 1.0  # real-time status answers in milliseconds when it answers at all
QR_MODULE_DOTS = 6
DRAWER_PIN = 2  # the usual cash-drawer connector pin
# Receipt text is data (product names come from the back office): a control byte in it would
# be a printer command, a drawer kick even, so every one but the line feed becomes a space.
TEXT_ONLY = str.maketrans({code: " " for code in (*range(32), 127) if code != 10})


def paper_columns(options: Options) -> dict[str, int]:
    """Characters per line on the paper these options name, per font."""
    dots = _printable_dots(options)
    return {font: dots // width for font, width in FONT_DOTS.items()}


def open_escpos(arg: str, *, data_dir: Path) -> EscposPrinter:
    """The printer "escpos:ARG" names; a malformed ARG is a ValueError naming the fault."""
    target, options = parse(arg, data_dir=data_dir)
    return EscposPrinter(target, options)


class EscposPrinter(ReceiptPrinter):
    def __init__(self, target: Target, options: Options | None = None) -> None:
        self.target = target
        self.options = options or Options()
        self.dots = _printable_dots(self.options)
        self._lock = threading.Lock()
        self._answers_status: bool | None = None
        self._last = PrinterStatus(PrinterState.READY, "Printer not asked yet")
        self._logo = _load_logo(self.options.logo, self.dots) if self.options.logo else None

    # ---------------------------------------------------------------- rendering

    def columns(self) -> dict[str, int]:
        """Characters per line on this paper, per font."""
        return paper_columns(self.options)

    def render(self, job: PrintJob) -> bytes:
        """The job as ESC/POS bytes (python-escpos Dummy), or PrinterError."""
        font = self._font_for(job.columns)
        try:
            return self._render(job, font)
        except PrinterError:
            raise
        except Exception as exc:
            raise PrinterError(f"Cannot prepare the receipt for the printer: {exc}") from exc

    def _font_for(self, columns: int) -> str:
        fits = self.columns()
        for font in ("a", "b"):
            if columns <= fits[font]:
                return font
        raise PrinterError(
            f"This receipt is {columns} characters wide; {self.options.paper_mm} mm paper "
            f"holds {fits['b']}. Set the receipt width to {fits['b']} columns or fewer."
        )

    def _render(self, job: PrintJob, font: str) -> bytes:
        out: Any = Dummy(profile=self.options.profile)
        media = out.profile.profile_data.get("media", {})
        # python-escpos sizes and centres images by the profile's width (and prints a notice
        # when it is unknown); tell this instance the paper's width.
        width = {"mm": self.options.paper_mm, "pixels": self.dots}
        out.profile.profile_data = {**out.profile.profile_data, "media": {**media, "width": width}}
        out.hw("INIT")
        if job.kick_drawer:
            out.cashdraw(DRAWER_PIN)
        if self._logo is not None:
            out.image(self._logo, impl="bitImageRaster")
        out.set(font=font)
        page = self.options.codepage
        if page is not None:
            out.charcode(page)
            # charcode() pins the page and would print "?" for anything it lacks; let
            # python-escpos switch pages for those characters instead.
            out.magic.disabled = False
        text = job.text if job.text.endswith("\n") else job.text + "\n"
        for line in text.translate(TEXT_ONLY).splitlines(keepends=True):
            # Back to the configured page as soon as a line allows: that page is the one
            # known to be right on this printer, the others are the profile's word.
            if (
                page is not None
                and out.magic.encoding != page
                and all(out.magic.encoder.can_encode(page, char) for char in line)
            ):
                out.magic.write_with_encoding(page, None)
            out.text(line)
        if job.qr:
            out.set(align="center")
            native = bool(out.profile.supports("qrCode"))
            out.qr(job.qr, size=QR_MODULE_DOTS, native=native)
            out.set(align="left")
        out.cut()
        return bytes(out.output)

    # ---------------------------------------------------------------- device

    def print_job(self, job: PrintJob) -> None:
        data = self.render(job)
        with self._lock:
            device = self._open(self.options.timeout_s)
            failed = True
            try:
                if self._answers_status is not False:
                    state = self._ask(device)
                    if state is not None and not state.ready:
                        raise fault(state.state, f"{state.text}: the receipt was not printed")
                device._raw(data)
                if self.target.transport == "tcp":
                    device.drain(self.options.timeout_s)
                failed = False
            except PrinterError:
                raise
            except Exception as exc:
                raise PrinterError(self._send_failure(exc)) from exc
            finally:
                _close(device, discard=failed)

    def status(self) -> PrinterStatus:
        # A job holds the lock for up to the send timeout; the last answer is news enough.
        if not self._lock.acquire(blocking=False):
            return self._last
        try:
            try:
                device = self._open(min(self.options.timeout_s, STATUS_CONNECT_S))
            except PrinterError as exc:
                self._last = PrinterStatus(PrinterState.OFFLINE, str(exc))
                return self._last
            try:
                state = self._ask(device)
            finally:
                _close(device, discard=True)
            self._last = state or PrinterStatus(PrinterState.READY, SILENT_TEXT)
        except Exception as exc:  # status() never raises: the till must go on
            log.warning("printer status of %s failed", self.target.where, exc_info=True)
            self._last = PrinterStatus(PrinterState.ERROR, f"Printer status unknown: {exc}")
        finally:
            self._lock.release()
        return self._last

    def _open(self, timeout_s: float) -> Any:
        reply_s = min(timeout_s, STATUS_REPLY_S)
        return self.target.open(self.options.profile, timeout_s, reply_s)

    def _ask(self, device: Any) -> PrinterStatus | None:
        """The printer's own word on its state, None when it does not answer."""
        if self.target.transport == "file":  # python-escpos cannot read a device file
            self._answers_status = False
            return None
        restore = None
        if self.target.transport == "tcp":
            restore = device.device.gettimeout()
            device.device.settimeout(min(restore, STATUS_REPLY_S))
        try:
            state = decode(asker(device))
        finally:
            if restore is not None:
                device.device.settimeout(restore)
        self._answers_status = state is not None
        if state is not None:
            self._last = state
        return state

    def _send_failure(self, exc: Exception) -> str:
        where = self.target.where
        if isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower():
            return (
                f"The receipt printer at {where} did not take the receipt within "
                f"{self.options.timeout_s:g} s. Check paper, cover and cable."
            )
        return f"Lost the connection to the receipt printer at {where}: {reason(exc)}"


def _printable_dots(options: Options) -> int:
    """Dots across the paper; a profile that knows a narrower print head wins."""
    dots = PAPER_DOTS[options.paper_mm]
    head = get_profile(options.profile).profile_data.get("media", {}).get("width", {})
    pixels = head.get("pixels")
    return min(dots, pixels) if isinstance(pixels, int) and pixels > 0 else dots


def _load_logo(path: Path, dots: int) -> Image.Image | None:
    """The logo scaled to fit and centred on a white strip as wide as the paper.

    A logo that cannot be read is logged and left out: receipts matter more than the logo.
    """
    try:
        with Image.open(path) as img:
            logo = img.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("receipt logo %s left out: %s", path, exc)
        return None
    if logo.width > dots:
        logo = logo.resize((dots, max(1, logo.height * dots // logo.width)))
    strip = Image.new("RGBA", (dots, logo.height), (255, 255, 255, 255))
    strip.alpha_composite(logo, ((dots - logo.width) // 2, 0))
    return strip.convert("RGB")


def _close(device: Any, *, discard: bool) -> None:
    try:
        serial_port: Any = getattr(device, "_device", None)
        if discard and hasattr(serial_port, "reset_output_buffer"):
            # pyserial's close() drains first, which a stalled printer never lets finish.
            serial_port.reset_output_buffer()
        device.close()
    except Exception:
        log.warning("closing the receipt printer connection failed", exc_info=True)
