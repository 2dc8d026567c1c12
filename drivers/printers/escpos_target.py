"""Where an ESC/POS printer is and how it is set up: the "escpos:..." config string, parsed.

The syntax is documented in `drivers.printers.escpos`. `Target.open` returns an open
python-escpos printer (Network, Usb, Serial, File) whose every wait is bounded by a timeout.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import socket
import struct
import termios
import time
import tty
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from escpos.capabilities import CAPABILITIES, get_profile
from escpos.magicencode import Encoder
from escpos.printer import File, Network, Serial, Usb
from escpos.printer import serial as escpos_serial
from escpos.printer import usb as escpos_usb

from drivers.printers.base import PrinterError, PrinterOffline

FORMS = (
    "escpos:tcp:HOST[:PORT], escpos:usb:VVVV:PPPP, escpos:serial:DEVICE[:BAUD], escpos:file:DEVICE"
)
OPTIONS = ("paper", "profile", "codepage", "logo", "timeout")
PAPER_DOTS = {58: 384, 80: 576}  # printable dots across at 203 dpi
SEND_BUFFER = 64 * 1024
_HEX_ID = re.compile(r"^[0-9a-fA-F]{1,4}$")


@dataclass(frozen=True, slots=True)
class Options:
    paper_mm: int = 80
    profile: str = "default"  # a python-escpos printer profile (capabilities database)
    codepage: str | None = "CP1252"  # None: python-escpos picks a code page per character
    logo: Path | None = None
    timeout_s: float = 10.0


@dataclass(frozen=True, slots=True)
class Target:
    transport: str  # tcp | usb | serial | file
    host: str = ""
    port: int = 9100
    vendor: int = 0
    product: int = 0
    device: str = ""
    baudrate: int = 9600

    @property
    def where(self) -> str:
        """How a cashier's message names the printer."""
        if self.transport == "tcp":
            return f"{self.host}:{self.port}"
        if self.transport == "usb":
            return f"USB {self.vendor:04x}:{self.product:04x}"
        return self.device

    def open(self, profile: str, timeout_s: float, reply_s: float) -> Any:
        """An open python-escpos printer, or PrinterError saying in words why not."""
        if self.transport == "usb" and not escpos_usb.is_usable():
            raise PrinterError("USB receipt printers need the Python package pyusb (not installed)")
        if self.transport == "serial" and not escpos_serial.is_usable():
            raise PrinterError("Serial receipt printers need the Python package pyserial")
        device: Any
        if self.transport == "tcp":
            device = NetworkPrinter(self.host, self.port, timeout=timeout_s, profile=profile)
        elif self.transport == "usb":
            # pyusb counts milliseconds; python-escpos' default 0 would wait forever.
            timeout_ms = max(1, int(timeout_s * 1000))
            device = UsbPrinter(self.vendor, self.product, timeout=timeout_ms, profile=profile)
        elif self.transport == "serial":
            # The serial timeout bounds reads (status replies); writes get theirs below.
            device = SerialPrinter(
                self.device, baudrate=self.baudrate, timeout=reply_s, profile=profile
            )
        else:
            device = DeviceFile(self.device, timeout_s, profile=profile)
        try:
            device.open()
        except Exception as exc:
            raise PrinterOffline(
                f"Cannot reach the receipt printer at {self.where}: {reason(exc)}. "
                "Check that it is switched on and connected."
            ) from exc
        if self.transport == "serial":
            device.device.write_timeout = timeout_s
        return device


class NetworkPrinter(Network):  # type: ignore[misc]  # python-escpos ships no type hints
    """python-escpos Network, but a failed connect closes its socket (python-escpos leaks it),
    and a job counts as sent only once the printer has acknowledged every byte (`drain`)."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        # A small buffer: a printer that stops reading makes the send itself time out sooner.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        self.device = sock

    def drain(self, timeout_s: float) -> None:
        """Wait until the printer's TCP stack has acknowledged the whole job.

        `sendall` returning means only that the kernel holds the bytes: a printer that has
        stopped reading would look printed, and closing with an unread late status answer in
        the receive queue resets the connection and throws away what was not sent yet.
        Answers arriving meanwhile are read and dropped."""
        sock: socket.socket = self.device
        deadline = time.monotonic() + timeout_s
        while (unacked := _unacknowledged(sock)) > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"the printer did not take the last {unacked} bytes")
            if select.select([sock], [], [], min(left, 0.05))[0] and not sock.recv(4096):
                raise ConnectionError("the printer closed the connection before taking it all")


def _unacknowledged(sock: socket.socket) -> int:
    """Bytes sent but not yet acknowledged by the peer (Linux SIOCOUTQ)."""
    raw = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
    return int(struct.unpack("i", raw)[0])


class UsbPrinter(Usb):  # type: ignore[misc]  # python-escpos ships no type hints
    """python-escpos Usb without the USB reset it does on every open: the print queue opens
    the printer for each status question, and a reset while the printer is still printing
    the last receipt would cut it off. The configuration is set only when there is none."""

    def _configure_usb(self) -> None:
        if not self.device:
            return
        import usb.core

        try:
            self.device.get_active_configuration()
        except usb.core.USBError:  # not configured yet: the first open after plugging in
            self.device.set_configuration()


class SerialPrinter(Serial):  # type: ignore[misc]  # python-escpos ships no type hints
    """python-escpos Serial reading one byte: a status answer is one byte, and pyserial waits
    for all 16 that python-escpos asks for until the read timeout runs out."""

    def _read(self) -> bytes:
        return bytes(self.device.read(1))


class DeviceFile(File):  # type: ignore[misc]  # python-escpos ships no type hints
    """python-escpos File with a deadline: a device that stops taking data cannot hang a job."""

    def __init__(self, devfile: str, timeout_s: float, **kwargs: Any) -> None:
        super().__init__(devfile, **kwargs)
        self.timeout_s = timeout_s

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        # Non-blocking, so that a device which stops reading times out in _raw.
        fd = os.open(self.devfile, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        if os.isatty(fd):
            # A terminal's default output turns every 0x0A into 0D 0A, which corrupts the
            # length bytes of QR and image commands: send the bytes as they are.
            tty.setraw(fd)
        self.device = os.fdopen(fd, "wb", buffering=0)

    def _raw(self, msg: bytes) -> None:
        fd = self.device.fileno()
        view = memoryview(msg)
        deadline = time.monotonic() + self.timeout_s
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"device took no data for {self.timeout_s:g} s")
            if not select.select([], [fd], [], left)[1]:
                continue
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:
                continue


def reason(exc: BaseException) -> str:
    """The most telling words of an error chain: the OS error's text when there is one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return "no answer (timed out)"
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror[:1].lower() + seen.strerror[1:]
        seen = seen.__cause__ or seen.__context__
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


def parse(arg: str, *, data_dir: Path) -> tuple[Target, Options]:
    """The target and options of "escpos:ARG"; a ValueError names what is wrong."""
    spec = f"escpos:{arg}"
    connection, *option_parts = [part.strip() for part in arg.split(",")]
    transport, _, rest = connection.partition(":")
    transport = transport.strip().lower()
    rest = rest.strip()
    if not transport:
        raise ValueError(f"printer {spec!r} needs a connection: {FORMS}")
    if transport == "tcp":
        host, sep, port_text = rest.rpartition(":")
        if not sep:
            host, port_text = rest, "9100"
        if host.startswith("[") and host.endswith("]"):  # an IPv6 address
            host = host[1:-1]
        if not host:
            raise ValueError(f"printer {spec!r}: no host name (escpos:tcp:HOST[:PORT])")
        target = Target("tcp", host=host, port=_number(spec, "port", port_text, 1, 65535))
    elif transport == "usb":
        ids = rest.split(":")
        if len(ids) != 2 or not all(_HEX_ID.match(i) for i in ids):
            raise ValueError(
                f"printer {spec!r}: USB ids must be VENDOR:PRODUCT in hex, "
                f"like escpos:usb:04b8:0202 (got {rest!r})"
            )
        target = Target("usb", vendor=int(ids[0], 16), product=int(ids[1], 16))
    elif transport == "serial":
        device, sep, baud_text = rest.rpartition(":")
        if not sep or not baud_text.isdigit():
            device, baud_text = rest, "9600"
        if not device:
            raise ValueError(f"printer {spec!r}: no serial device (escpos:serial:DEVICE[:BAUD])")
        target = Target("serial", device=device, baudrate=_number(spec, "baud", baud_text, 1))
    elif transport == "file":
        if not rest:
            raise ValueError(f"printer {spec!r}: no device file (escpos:file:DEVICE)")
        target = Target("file", device=rest)
    else:
        raise ValueError(
            f"printer {spec!r}: unknown connection {transport!r}; use tcp, usb, serial or file"
        )
    return target, _options(spec, option_parts, data_dir)


def _options(spec: str, parts: list[str], data_dir: Path) -> Options:
    values: dict[str, str] = {}
    for part in parts:
        name, sep, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not sep or not value:
            raise ValueError(f"printer {spec!r}: option {part!r} is not NAME=VALUE")
        if name not in OPTIONS:
            raise ValueError(
                f"printer {spec!r}: unknown option {name!r}; known: {', '.join(OPTIONS)}"
            )
        values[name] = value
    paper = _number(spec, "paper", values.get("paper", "80"), 0)
    if paper not in PAPER_DOTS:
        raise ValueError(f"printer {spec!r}: paper={paper} must be 58 or 80 (mm)")
    profile = values.get("profile", "default")
    if profile not in CAPABILITIES["profiles"]:
        known = ", ".join(sorted(CAPABILITIES["profiles"]))
        raise ValueError(f"printer {spec!r}: unknown printer profile {profile!r}; known: {known}")
    codepage: str | None = values.get("codepage", "CP1252").upper()
    # Only pages python-escpos has a character table for: another would be selected and
    # then left at once for the next page that has one.
    encoder = Encoder(get_profile(profile).get_code_pages())
    pages = [
        name
        for name in get_profile(profile).get_code_pages()
        if name != "Unknown" and encoder.can_encode(name, "a")
    ]
    if codepage == "AUTO":
        codepage = None
    elif codepage not in pages:
        raise ValueError(
            f"printer {spec!r}: code page {codepage!r} is not in printer profile {profile!r}; "
            f"it has: {', '.join(pages)} (or codepage=auto)"
        )
    logo = Path(values["logo"]).expanduser() if "logo" in values else None
    if logo is not None and not logo.is_absolute():
        logo = Path(data_dir) / logo
    try:
        timeout = float(values.get("timeout", "10"))
    except ValueError:
        timeout = 0.0
    if not 0 < timeout <= 600:
        raise ValueError(f"printer {spec!r}: timeout must be seconds, more than 0 and up to 600")
    return Options(paper, profile, codepage, logo, timeout)


def _number(spec: str, what: str, text: str, low: int, high: int | None = None) -> int:
    value = int(text) if text.strip().isdigit() else -1
    if value < low or (high is not None and value > high):
        limit = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise ValueError(f"printer {spec!r}: {what} {text!r} is not a number {limit}")
    return value
