"""A virtual contactless card for vsmartcard's vpcd reader driver, written for the tests.

vpcd (a pcscd reader driver) listens on TCP; a card "is on the reader" while a client is
connected. Each message either way is a 2-byte big-endian length and a payload. A 1-byte payload
from vpcd is a control code (0 power off, 1 power on, 2 reset, 4 send the ATR); anything longer
is a command APDU, answered with the response APDU. vpcd asks for the ATR every time pcscd polls
the reader, so `atr_requests` counts polls while the card lies on the reader.

`insert()` connects, `remove()` closes the connection. The card answers GET UID
(`FF CA 00 00 00`) with its UID + 90 00 and GET ATS (`FF CA 01 00 00`) with its ATS (or 6A 81);
`uid_response` replaces the GET UID answer (an error status word, a truncated UID, ...), and
`on_apdu` runs before each answer (a test can pull the card or stop pcscd mid-read there).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

GET_UID = bytes.fromhex("FFCA000000")
GET_ATS = bytes.fromhex("FFCA010000")
SW_OK = bytes.fromhex("9000")
SW_NOT_SUPPORTED = bytes.fromhex("6A81")
SW_INS_UNKNOWN = bytes.fromhex("6D00")
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4


def pcsc_part3_atr(standard: int = 0x03, card_name: int = 0x0001) -> bytes:
    """The ATR a PC/SC reader builds for a storage card (PC/SC part 3, 3.1.3.2.3).

    standard 0x03 = ISO 14443 A part 3; card_name 0x0001 = MIFARE Classic 1K.
    """
    historical = (
        bytes.fromhex("804F0CA000000306") + bytes([standard]) + card_name.to_bytes(2, "big")
    ) + bytes(4)
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    tck = 0
    for b in body:
        tck ^= b
    return b"\x3b" + body + bytes([tck])


DEFAULT_ATR = pcsc_part3_atr()

ApduHook = Callable[["VirtualCard", bytes], None]


@dataclass
class VirtualCard:
    """One card; `port` is the vpcd slot's TCP port. Not started until `insert()`."""

    port: int
    uid: bytes = bytes.fromhex("72BF9961")
    atr: bytes = DEFAULT_ATR
    ats: bytes | None = None
    uid_response: bytes | None = None  # the whole GET UID answer, instead of UID + 90 00
    on_apdu: ApduHook | None = None
    host: str = "127.0.0.1"
    apdus: list[bytes] = field(default_factory=list)
    atr_requests: int = 0
    _sock: socket.socket | None = field(default=None, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)
    _changed: threading.Condition = field(default_factory=threading.Condition, init=False)

    @property
    def inserted(self) -> bool:
        return self._sock is not None

    def insert(self, timeout: float = 10.0) -> None:
        """Connect to vpcd (retrying until it listens) and answer it on a thread."""
        if self._sock is not None:
            raise RuntimeError("the card is already on the reader")
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        sock.settimeout(None)
        self._sock = sock
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name="vpcd-card", daemon=True
        )
        self._thread.start()

    def remove(self) -> None:
        """Take the card off the reader (close the connection); idempotent."""
        sock, self._sock = self._sock, None
        thread, self._thread = self._thread, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(10.0)

    def wait_atr_requests(self, count: int, timeout: float = 10.0) -> bool:
        """Wait until vpcd has asked for the ATR `count` times in all (pcscd's presence polls)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.atr_requests >= count, timeout)

    # -- the vpcd protocol -------------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                message = _recv_message(sock)
                if message is None:
                    return
                reply = self._answer(message)
                if reply is not None and self._sock is sock:
                    sock.sendall(struct.pack("!H", len(reply)) + reply)
        except OSError:
            return

    def _answer(self, message: bytes) -> bytes | None:
        if len(message) == 1:
            if message[0] != CTRL_ATR:
                return None  # power off / on / reset: no answer
            with self._changed:
                self.atr_requests += 1
                self._changed.notify_all()
            return self.atr
        self.apdus.append(message)
        if self.on_apdu is not None:
            self.on_apdu(self, message)
        if message == GET_UID:
            return self.uid_response if self.uid_response is not None else self.uid + SW_OK
        if message == GET_ATS:
            return self.ats + SW_OK if self.ats is not None else SW_NOT_SUPPORTED
        return SW_INS_UNKNOWN


def _recv_message(sock: socket.socket) -> bytes | None:
    header = _recv_exactly(sock, 2)
    if header is None:
        return None
    (length,) = struct.unpack("!H", header)
    return _recv_exactly(sock, length)


def _recv_exactly(sock: socket.socket, n: int) -> bytes | None:
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data.extend(chunk)
        # vpcd writes a message's length and its body separately: with our ACK delayed (40 ms)
        # Nagle holds the body back, a stall a USB reader never has. Linux clears QUICKACK
        # after each receive, so it is set again every time.
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    return bytes(data)
