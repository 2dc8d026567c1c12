"""The ESC/POS driver: the bytes it sends to a real socket (a pty, a FIFO), decoded and checked.

No wall-clock assertions: a stalled printer must end the job through the driver's own timeouts,
and a test only bounds its wait generously so that it can never hang.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest
from escpos.printer import usb as escpos_usb
from PIL import Image

from drivers.printers import escpos_target as target_module
from drivers.printers import open_printer
from drivers.printers.base import (
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterState,
    PrinterStatus,
    PrintJob,
)
from drivers.printers.escpos import EscposPrinter
from drivers.printers.escpos_status import READY_TEXT, SILENT_TEXT
from drivers.printers.escpos_target import Options, Target
from sync.records import EntryKind
from terminal.receipt import receipt_from_entries
from terminal.receipt_render import make_print_job
from tests.drivers.printers import escpos_listener as fake
from tests.drivers.printers.escpos_listener import Listener, Op, decode, page_before, text_of
from tests.terminal.till_scheme import UNIT, journal_entry

SPECIAL = "åäöæøüß€"
CP1252_SPECIAL = b"\xe5\xe4\xf6\xe6\xf8\xfc\xdf\x80"
CP858_SPECIAL = b"\x86\x84\x94\x91\x9b\x81\xe1\xd5"
ESC_T = b"\x1bt"
STATUS_REQUEST = b"\x10\x04"
JOIN_BOUND_S = 60.0  # only keeps a broken driver from hanging the run; never asserted on


def receipt_job(**changes: Any) -> PrintJob:
    """A real sale receipt (42 columns, € amounts, a masked card) plus every special letter."""
    line = {"product_id": "p", "name": "Smørrebrød Åsa Grüße", "category": "c",
            "quantity": 2, "unit_price": 450, "vat_rate_bp": 700}  # fmt: skip
    body = {
        "lines": [line],
        "total": 900,
        "price_level": "student",
        "offline": False,
        "tender": "card",
    }
    receipt = receipt_from_entries(
        UNIT, [journal_entry(EntryKind.SALE, -900, body, receipt_no=12)], balance_after=1234
    )
    job = make_print_job(receipt, columns=42, with_pdf=False)
    fields: dict[str, Any] = {"text": job.text + f"Tack, danke, tak: {SPECIAL}\n"}
    return dataclasses.replace(job, **(fields | {"qr": receipt.entry_id} | changes))


def big_job() -> PrintJob:
    """About a megabyte: far more than the socket, pipe and receive buffers can hold."""
    return PrintJob("till-1-999999", "0123456789 abcdefghijklmnopqrstuvwxyz 42\n" * 25_000,
                    None, 42, False)  # fmt: skip


def kinds(ops: list[Op]) -> list[str]:
    return [op.kind for op in ops]


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as server:
        yield server


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port nobody listens on: bound (so no one else gets it) but not listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def run_bounded(printer: EscposPrinter, job: PrintJob) -> BaseException | None:
    """print_job on a thread; what it raised. Fails the test if it is still running."""
    outcome: list[BaseException | None] = []

    def work() -> None:
        try:
            printer.print_job(job)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(JOIN_BOUND_S)
    assert not thread.is_alive(), "print_job did not return: the driver has no timeout"
    return outcome[0]


# ---------------------------------------------------------------- what goes on the wire


def test_receipt_reaches_a_network_printer_as_escpos(listener: Listener, tmp_path: Path) -> None:
    """Text lines, ESC t before the special letters in its code page, QR with the entry id, cut."""
    printer = open_printer(listener.spec, data_dir=tmp_path)
    assert isinstance(printer, EscposPrinter)
    job = receipt_job()
    printer.print_job(job)
    [wire] = listener.connections(1)

    assert wire.startswith(STATUS_REQUEST)  # asked how it is before sending the receipt
    assert wire.endswith(printer.render(job))  # the transport only moved the rendered bytes
    ops = decode(wire)
    assert text_of(ops) == job.text
    assert "Smørrebrød Åsa Grüße" in text_of(ops)
    assert "9,00 €" in text_of(ops)
    assert "•••• 9961" in text_of(ops)

    # ESC t 16 (CP1252) is the last code-page switch before the letters, sent as CP1252 bytes.
    assert page_before(ops, SPECIAL) == 16
    special_at = wire.index(CP1252_SPECIAL)
    assert wire.rfind(ESC_T, 0, special_at) == wire.index(ESC_T + b"\x10")

    qr = [op.args for op in ops if op.kind == "2d"]
    assert job.qr is not None
    assert b"1P0" + job.qr.encode() in qr  # store the entry id ...
    assert b"1Q0" in qr  # ... and print it
    assert kinds(ops)[-1] == "cut"
    assert max(i for i, op in enumerate(ops) if op.kind == "text") < kinds(ops).index("cut")
    assert "kick" not in kinds(ops)


def test_drawer_is_kicked_only_when_the_job_asks(listener: Listener, tmp_path: Path) -> None:
    """ESC p 0 (pin 2) is sent for kick_drawer=True and never otherwise."""
    printer = open_printer(listener.spec, data_dir=tmp_path)
    printer.print_job(receipt_job())
    printer.print_job(receipt_job(kick_drawer=True))
    plain, kicked = (decode(wire) for wire in listener.connections(2))
    assert "kick" not in kinds(plain)
    [kick] = [op for op in kicked if op.kind == "kick"]
    assert kick.args[0] == 0


def test_control_bytes_in_the_text_are_printed_as_spaces(tmp_path: Path) -> None:
    """A product name carrying ESC p (drawer kick) or DLE EOT stays text, never a command."""
    printer = open_printer("escpos:tcp:192.0.2.1", data_dir=tmp_path)
    assert isinstance(printer, EscposPrinter)
    ops = decode(printer.render(receipt_job(text="Tea\x1bp\x00\x19\x19 \x10\x04\x01\tcup\r\n")))
    assert "kick" not in kinds(ops)
    assert "status" not in kinds(ops)
    assert text_of(ops) == "Tea p" + " " * 8 + "cup \n"


@pytest.mark.parametrize(
    ("option", "page", "encoded"),
    [("", 16, CP1252_SPECIAL), (",codepage=CP858", 19, CP858_SPECIAL)],
)
def test_code_page_bytes(tmp_path: Path, option: str, page: int, encoded: bytes) -> None:
    """python-escpos (Dummy): the chosen page is selected and the letters are its bytes;
    a character the page lacks (• in CP858) switches pages and still prints right."""
    printer = open_printer(f"escpos:tcp:192.0.2.1{option}", data_dir=tmp_path)
    assert isinstance(printer, EscposPrinter)
    job = receipt_job()
    data = printer.render(job)
    assert data.index(ESC_T + bytes([page])) < data.index(encoded)
    ops = decode(data)
    assert page_before(ops, SPECIAL) == page
    assert text_of(ops) == job.text


def test_automatic_code_pages_still_print_every_letter(tmp_path: Path) -> None:
    """codepage=auto: python-escpos picks pages per character; the text survives the trip."""
    printer = open_printer("escpos:tcp:192.0.2.1,codepage=auto", data_dir=tmp_path)
    assert isinstance(printer, EscposPrinter)
    job = receipt_job()
    assert text_of(decode(printer.render(job))) == job.text


@pytest.mark.parametrize(
    ("option", "columns", "font"),
    [
        ("", 42, 0),
        ("", 48, 0),  # 80 mm, 576 dots: 48 columns in font A
        (",paper=58", 32, 0),
        (",paper=58", 42, 1),  # 58 mm: 42 columns only in font B
        (",profile=TM-T88V", 48, 1),  # a 512-dot head: 42 in font A, so 48 needs font B
    ],
)
def test_paper_width_picks_the_font(tmp_path: Path, option: str, columns: int, font: int) -> None:
    printer = open_printer(f"escpos:tcp:192.0.2.1{option}", data_dir=tmp_path)
    assert isinstance(printer, EscposPrinter)
    ops = decode(printer.render(receipt_job(columns=columns)))
    assert [op.args[0] for op in ops if op.kind == "font"] == [font]


def test_receipt_wider_than_the_paper_is_refused(tmp_path: Path) -> None:
    printer = open_printer("escpos:tcp:192.0.2.1,paper=58", data_dir=tmp_path)
    with pytest.raises(PrinterError, match="58 mm paper holds 42"):
        printer.print_job(receipt_job(columns=48))


def test_logo_is_scaled_to_the_paper_and_printed_first(tmp_path: Path) -> None:
    """A 1000-dot-wide logo on 58 mm paper: a 384-dot raster image (48 bytes), before the text."""
    Image.new("RGB", (1000, 200), "black").save(tmp_path / "logo.png")
    printer = open_printer("escpos:tcp:192.0.2.1,paper=58,logo=logo.png", data_dir=tmp_path)
    assert isinstance(printer, EscposPrinter)
    ops = decode(printer.render(receipt_job()))
    [raster] = [i for i, op in enumerate(ops) if op.kind == "raster"]
    assert raster < kinds(ops).index("text")
    header = ops[raster].args
    assert (header[0] + 256 * header[1], header[2] + 256 * header[3]) == (48, 76)


def test_unreadable_logo_is_left_out(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="drivers.printers.escpos"):
        printer = open_printer("escpos:tcp:192.0.2.1,logo=missing.png", data_dir=tmp_path)
    assert isinstance(printer, EscposPrinter)
    assert "missing.png" in caplog.text
    assert "raster" not in kinds(decode(printer.render(receipt_job())))


# ---------------------------------------------------------------- faults and status


def test_printer_that_never_reads_fails_by_its_timeout(tmp_path: Path) -> None:
    """Accepts the connection, never reads: PrinterError through the driver's own timeout."""
    with Listener(reads=False, receive_buffer=4096) as stalled:
        printer = open_printer(f"{stalled.spec},timeout=0.5", data_dir=tmp_path)
        assert isinstance(printer, EscposPrinter)
        error = run_bounded(printer, big_job())
    assert isinstance(error, PrinterError)
    assert f"127.0.0.1:{stalled.port} did not take the receipt" in str(error)


def test_a_late_status_answer_does_not_cut_the_receipt_short(tmp_path: Path) -> None:
    """The printer answers the status question after the driver stopped waiting, then takes
    the job slowly: the job is whole on the printer's side before the driver closes, as an
    unread answer in the queue would otherwise reset the connection and drop the rest."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    got = bytearray()

    def slow_printer() -> None:
        conn, _ = server.accept()
        with conn:
            time.sleep(1.3)  # past the driver's wait for a status answer
            conn.sendall(b"\x12")  # "ready", too late
            while chunk := conn.recv(512):
                got.extend(chunk)
                time.sleep(0.001)

    thread = threading.Thread(target=slow_printer, daemon=True)
    thread.start()
    printer = open_printer(f"escpos:tcp:127.0.0.1:{port},timeout=20", data_dir=tmp_path)
    assert isinstance(printer, EscposPrinter)
    job = big_job()
    assert run_bounded(printer, job) is None
    thread.join(JOIN_BOUND_S)
    server.close()
    assert bytes(got).endswith(printer.render(job))


def test_closed_port_is_a_printer_error_naming_it(closed_port: int, tmp_path: Path) -> None:
    printer = open_printer(f"escpos:tcp:127.0.0.1:{closed_port}", data_dir=tmp_path)
    with pytest.raises(PrinterError, match=f"127.0.0.1:{closed_port}") as caught:
        printer.print_job(receipt_job())
    assert isinstance(caught.value, PrinterOffline)


def test_status_of_an_unreachable_printer_is_offline(closed_port: int, tmp_path: Path) -> None:
    status = open_printer(f"escpos:tcp:127.0.0.1:{closed_port}", data_dir=tmp_path).status()
    assert status.state is PrinterState.OFFLINE
    assert f"127.0.0.1:{closed_port}" in status.text


@pytest.mark.parametrize(
    ("answers", "state", "words"),
    [
        (fake.READY, PrinterState.READY, READY_TEXT),
        (fake.NEAR_END, PrinterState.PAPER_LOW, "running low"),
        (fake.PAPER_OUT, PrinterState.PAPER_OUT, "out of paper"),
        (fake.COVER_OPEN, PrinterState.COVER_OPEN, "cover is open"),
        (fake.CUTTER_JAM, PrinterState.ERROR, "cutter"),
        (fake.OFFLINE, PrinterState.OFFLINE, "offline"),
    ],
)
def test_status_from_dle_eot(
    tmp_path: Path, answers: Mapping[int, int], state: PrinterState, words: str
) -> None:
    with Listener(status=answers) as server:
        status = open_printer(server.spec, data_dir=tmp_path).status()
    assert status.state is state
    assert words in status.text


def test_paper_out_refuses_the_job_before_sending_it(tmp_path: Path) -> None:
    """The printer says paper out: PrinterError, and not one byte of the receipt was sent."""
    with Listener(status=fake.PAPER_OUT) as server:
        with pytest.raises(PrinterError, match="out of paper") as caught:
            open_printer(server.spec, data_dir=tmp_path).print_job(receipt_job())
        [wire] = server.connections(1)
    assert isinstance(caught.value, PaperOut)
    assert set(kinds(decode(wire))) == {"status"}


def test_silent_printer_is_ready_and_still_prints(tmp_path: Path) -> None:
    """A printer (or print server) that never answers DLE EOT: a status, not a hang; jobs print
    and, once it proved silent, are sent without asking first."""
    with Listener(status=None) as server:
        printer = open_printer(f"{server.spec},timeout=0.5", data_dir=tmp_path)
        assert printer.status() == PrinterStatus(PrinterState.READY, SILENT_TEXT)
        printer.print_job(receipt_job())
        asked, printed = server.connections(2)
    assert kinds(decode(asked)) == ["status"]
    assert text_of(decode(printed)) == receipt_job().text
    assert not printed.startswith(STATUS_REQUEST)


# ---------------------------------------------------------------- other connections


def test_serial_printer_over_a_pty(tmp_path: Path) -> None:
    """escpos:serial: pyserial opens the port; the printer's status answers come back over it."""
    pty = fake.PtyPrinter(status=fake.NEAR_END)
    try:
        printer = open_printer(f"escpos:serial:{pty.device}:19200,timeout=2", data_dir=tmp_path)
        assert isinstance(printer, EscposPrinter)
        assert printer.target.baudrate == 19200
        assert "running low" in printer.status().text
        job = receipt_job()
        printer.print_job(job)
        received = pty.received(until=lambda data: data.endswith(printer.render(job)))
    finally:
        pty.close()
    assert received.startswith(STATUS_REQUEST)


def test_device_file_printer(tmp_path: Path) -> None:
    """escpos:file: bytes go to the device; no device is offline; a stalled one times out."""
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    printer = open_printer(f"escpos:file:{fifo},timeout=0.5", data_dir=tmp_path)
    assert isinstance(printer, EscposPrinter)
    nobody = printer.status()  # a FIFO without a reader cannot be opened for writing
    assert nobody.state is PrinterState.OFFLINE
    assert str(fifo) in nobody.text
    with pytest.raises(PrinterError, match=re.escape(str(fifo))):
        printer.print_job(receipt_job())

    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        assert printer.status().state is PrinterState.READY  # it cannot tell more
        job = receipt_job()
        printer.print_job(job)  # a few kB: fits the pipe, read back below
        received = b""
        while chunk := os.read(reader, 65536):
            received += chunk
        assert received == printer.render(job)
        error = run_bounded(printer, big_job())  # the reader stops reading: the pipe fills
    finally:
        os.close(reader)
    assert isinstance(error, PrinterError)
    assert "did not take the receipt" in str(error)


class RecordingUsb:
    """Stands in for python-escpos Usb to see the arguments it gets (pyusb is not needed)."""

    made: ClassVar[list[tuple[tuple[Any, ...], dict[str, Any]]]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.made.append((args, kwargs))

    def open(self) -> None:
        raise OSError(19, "No such device")

    def close(self) -> None:
        return None


def test_usb_printer_gets_ids_and_a_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(escpos_usb, "is_usable", lambda: True)
    monkeypatch.setattr(target_module, "UsbPrinter", RecordingUsb)
    printer = open_printer("escpos:usb:04b8:0e15,timeout=3", data_dir=tmp_path)
    with pytest.raises(PrinterError, match="USB 04b8:0e15: no such device"):
        printer.print_job(receipt_job())
    assert RecordingUsb.made[-1] == ((0x04B8, 0x0E15), {"timeout": 3000, "profile": "default"})


class UsbDevice:
    """What pyusb's Device offers python-escpos for configuring; records the calls."""

    def __init__(self, configured: bool) -> None:
        self.configured = configured
        self.calls: list[str] = []

    def get_active_configuration(self) -> object:
        import usb.core

        self.calls.append("get_active_configuration")
        if not self.configured:
            raise usb.core.USBError("Configuration not set")
        return object()

    def set_configuration(self) -> None:
        self.calls.append("set_configuration")
        self.configured = True

    def reset(self) -> None:
        self.calls.append("reset")


def test_usb_open_never_resets_the_printer() -> None:
    """Every status question opens the printer: no reset (it would cut a receipt still
    printing), and the configuration is set only on the first open after plugging in."""
    printer = target_module.UsbPrinter(0x04B8, 0x0E15, timeout=1000)
    try:
        for configured, expected in (
            (False, ["get_active_configuration", "set_configuration"]),
            (True, ["get_active_configuration"]),
        ):
            device = UsbDevice(configured)
            printer.device = device
            printer._configure_usb()
            assert device.calls == expected
    finally:
        printer.device = None  # python-escpos would hand the stand-in to pyusb on close


def test_usb_printer_not_plugged_in_through_real_pyusb(tmp_path: Path) -> None:
    """pyusb and libusb for real: this machine has no such printer, and the till says so."""
    assert escpos_usb.is_usable()
    printer = open_printer("escpos:usb:04b8:0202", data_dir=tmp_path)
    status = printer.status()
    assert status.state is PrinterState.OFFLINE
    assert "USB 04b8:0202" in status.text
    with pytest.raises(PrinterError, match="USB 04b8:0202"):
        printer.print_job(receipt_job())


# ---------------------------------------------------------------- config strings


@pytest.mark.parametrize(
    ("spec", "target", "options"),
    [
        ("escpos:tcp:10.0.0.7", Target("tcp", host="10.0.0.7"), Options()),
        ("ESCPOS:TCP:[::1]:9101", Target("tcp", host="::1", port=9101), Options()),
        ("escpos:usb:04b8:0e15", Target("usb", vendor=0x04B8, product=0x0E15), Options()),
        ("escpos:serial:/dev/ttyUSB0", Target("serial", device="/dev/ttyUSB0"), Options()),
        ("escpos:serial:/dev/ttyS1:19200", Target("serial", device="/dev/ttyS1", baudrate=19200),
         Options()),
        ("escpos:file:/dev/usb/lp0", Target("file", device="/dev/usb/lp0"), Options()),
        ("escpos:tcp:till-printer:9100, paper=58, profile=TM-T20II, codepage=cp858, "
         "logo=/etc/logo.png, timeout=2.5", Target("tcp", host="till-printer"),
         Options(58, "TM-T20II", "CP858", Path("/etc/logo.png"), 2.5)),
        ("escpos:tcp:h,codepage=auto", Target("tcp", host="h"), Options(codepage=None)),
    ],
)  # fmt: skip
def test_config_strings(tmp_path: Path, spec: str, target: Target, options: Options) -> None:
    printer = open_printer(spec, data_dir=tmp_path)
    assert isinstance(printer, EscposPrinter)
    assert (printer.target, printer.options) == (target, options)


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("escpos", "needs a connection"),
        ("escpos:", "needs a connection"),
        ("escpos:192.0.2.1:9100", "unknown connection '192.0.2.1'"),
        ("escpos:tcp:", "no host name"),
        ("escpos:tcp:h:99999", "port '99999'"),
        ("escpos:tcp:h:lp", "port 'lp'"),
        ("escpos:usb:04b8", "VENDOR:PRODUCT in hex"),
        ("escpos:usb:04b8:02g2", "VENDOR:PRODUCT in hex"),
        ("escpos:serial:", "no serial device"),
        ("escpos:serial:/dev/ttyS0:0", "baud '0'"),
        ("escpos:file:", "no device file"),
        ("escpos:tcp:h,paper=76", "paper=76 must be 58 or 80"),
        ("escpos:tcp:h,profile=NoSuch", "unknown printer profile 'NoSuch'"),
        ("escpos:tcp:h,profile=simple", "code page 'CP1252' is not in printer profile 'simple'"),
        # in the default profile, but python-escpos has no character table for it
        ("escpos:tcp:h,codepage=RK1048", "code page 'RK1048' is not in printer profile"),
        ("escpos:tcp:h,colour=red", "unknown option 'colour'"),
        ("escpos:tcp:h,paper", "'paper' is not NAME=VALUE"),
        ("escpos:tcp:h,timeout=0", "timeout must be seconds"),
    ],
)
def test_malformed_config_strings_say_what_is_wrong(
    tmp_path: Path, spec: str, complaint: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(complaint)):
        open_printer(spec, data_dir=tmp_path)
