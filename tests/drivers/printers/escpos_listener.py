"""A pretend ESC/POS printer for the tests, and a decoder for what the driver sends it.

`Listener` is a TCP server on 127.0.0.1 (a network printer's port 9100, on a free port): each
connection is read to its end on its own thread, and DLE EOT n status requests are answered
from `status` (n -> byte; a missing n is never answered, `status=None` answers nothing).
`reads=False` accepts connections and never reads them; with a small `receive_buffer` the
sender's writes stall as they would on a jammed printer. `PtyPrinter` does the same over a
pseudo-terminal, which pyserial opens like a serial port.

`decode` turns the bytes back into operations (text in the code page selected by ESC t,
commands with their arguments) and refuses anything it does not know, so a test sees
exactly what the printer would do.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType

DLE_EOT = b"\x10\x04"
# DLE EOT answers (Epson): n=1 printer, 2 offline cause, 3 error cause, 4 paper sensor.
READY: Mapping[int, int] = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}
NEAR_END: Mapping[int, int] = {**READY, 4: 0x1E}
PAPER_OUT: Mapping[int, int] = {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x72}
COVER_OPEN: Mapping[int, int] = {**READY, 1: 0x1A, 2: 0x16}
OFFLINE: Mapping[int, int] = {**READY, 1: 0x1A}
CUTTER_JAM: Mapping[int, int] = {**READY, 1: 0x1A, 2: 0x52, 3: 0x1A}


class _Conversation:
    """Collects one connection's bytes and answers its status requests."""

    def __init__(self, status: Mapping[int, int] | None, send: Callable[[bytes], None]) -> None:
        self.status = status
        self.send = send
        self.data = bytearray()
        self._scanned = 0

    def feed(self, chunk: bytes) -> None:
        self.data += chunk
        while self._scanned + 3 <= len(self.data):
            at = self._scanned
            if self.data[at : at + 2] == DLE_EOT:
                answer = None if self.status is None else self.status.get(self.data[at + 2])
                if answer is not None:
                    self.send(bytes([answer]))
                self._scanned += 3
            else:
                self._scanned += 1


class Listener:
    def __init__(
        self,
        *,
        status: Mapping[int, int] | None = READY,
        reads: bool = True,
        receive_buffer: int | None = None,
    ) -> None:
        self.status = status
        self.reads = reads
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer is not None:  # accepted sockets inherit it
            self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen()
        self.port: int = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._talks: list[_Conversation] = []  # in the order the connections came
        self._ended: set[int] = set()
        self._held: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, name="escpos-listener", daemon=True)
        self._accepter.start()

    @property
    def spec(self) -> str:
        return f"escpos:tcp:127.0.0.1:{self.port}"

    def connections(self, count: int, timeout: float = 30.0) -> list[bytes]:
        """The bytes of the first `count` connections, once the sender has closed each."""
        with self._done:
            if not self._done.wait_for(lambda: self._ended >= set(range(count)), timeout):
                raise AssertionError(f"{len(self._ended)} of {count} connections ended")
            return [bytes(talk.data) for talk in self._talks[:count]]

    def ended(self) -> list[bytes]:
        """The bytes of every connection the sender has closed so far, in order."""
        with self._done:
            return [bytes(self._talks[i].data) for i in sorted(self._ended)]

    def close(self) -> None:
        self._stop.set()
        self._accepter.join(10)
        for thread in self._threads:
            thread.join(10)
        for held in self._held:
            held.close()
        self._server.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            if not select.select([self._server], [], [], 0.05)[0]:
                continue
            conn, _ = self._server.accept()
            if not self.reads:
                self._held.append(conn)
                continue
            talk = _Conversation(self.status, conn.sendall)
            with self._done:
                self._talks.append(talk)
                index = len(self._talks) - 1
            thread = threading.Thread(target=self._serve, args=(conn, talk, index), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, talk: _Conversation, index: int) -> None:
        with conn:
            while not self._stop.is_set():
                if not select.select([conn], [], [], 0.05)[0]:
                    continue
                try:
                    chunk = conn.recv(65536)
                except ConnectionResetError:
                    chunk = b""
                if not chunk:
                    break
                talk.feed(chunk)
        with self._done:
            self._ended.add(index)
            self._done.notify_all()


class PtyPrinter:
    """A printer on the far side of a pseudo-terminal; `device` is the serial port to open."""

    def __init__(self, *, status: Mapping[int, int] | None = READY) -> None:
        self._master, self._slave = os.openpty()
        self.device = os.ttyname(self._slave)
        self._talk = _Conversation(status, self._answer)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="escpos-pty", daemon=True)
        self._thread.start()

    def received(self, until: Callable[[bytes], bool], timeout: float = 30.0) -> bytes:
        """What the driver wrote, once `until` holds for it (a pty never sees a close)."""
        for _ in range(int(timeout / 0.05)):
            data = bytes(self._talk.data)
            if until(data):
                return data
            self._stop.wait(0.05)
        raise AssertionError(f"after {len(self._talk.data)} bytes, still waiting")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)
        os.close(self._master)
        os.close(self._slave)

    def _answer(self, reply: bytes) -> None:
        os.write(self._master, reply)

    def _serve(self) -> None:
        while not self._stop.is_set():
            if not select.select([self._master], [], [], 0.05)[0]:
                continue
            with contextlib.suppress(OSError):  # EIO while no one has the port open
                self._talk.feed(os.read(self._master, 65536))


# ---------------------------------------------------------------- decoding

CODE_PAGES = {0: "cp437", 2: "cp850", 13: "cp857", 15: "iso8859_7", 16: "cp1252", 19: "cp858"}


@dataclass(frozen=True, slots=True)
class Op:
    """One thing the printer was told: `kind` "text" carries `text`, commands their `args`."""

    kind: str
    args: bytes = b""
    text: str = ""


# ESC x: how many argument bytes follow.
_ESC_ARGS = {b"@": 0, b"p": 3, b"M": 1, b"t": 1, b"a": 1, b"d": 1, b"!": 1, b"E": 1, b"-": 1}
_ESC_NAMES = {b"@": "init", b"p": "kick", b"M": "font", b"t": "codepage", b"a": "align"}


def decode(data: bytes) -> list[Op]:
    ops: list[Op] = []
    page: int | None = None
    at = 0
    while at < len(data):
        byte = data[at]
        if byte == 0x1B:
            code = data[at + 1 : at + 2]
            if code not in _ESC_ARGS:
                raise ValueError(f"unknown command ESC {code!r} at byte {at}")
            args = data[at + 2 : at + 2 + _ESC_ARGS[code]]
            kind = _ESC_NAMES.get(code, f"ESC {code.decode()}")
            if code == b"t":
                page = args[0]
            elif code == b"@":
                page = 0
            ops.append(Op(kind, args))
            at += 2 + _ESC_ARGS[code]
        elif byte == 0x1D:
            op, at = _gs(data, at)
            ops.append(op)
        elif byte == 0x10 and data[at + 1 : at + 2] == b"\x04":
            ops.append(Op("status", data[at + 2 : at + 3]))
            at += 3
        elif byte == 0x0A or byte >= 0x20:
            end = at
            while end < len(data) and (data[end] == 0x0A or data[end] >= 0x20):
                end += 1
            run = data[at:end]
            if page is None and any(b >= 0x80 for b in run):
                raise ValueError(f"bytes above 127 at {at} before any code page was selected")
            if page is not None and page not in CODE_PAGES:
                raise ValueError(f"code page {page} is not known to this decoder")
            text = run.decode(CODE_PAGES[page if page is not None else 0])
            ops.append(Op("text", run, text))
            at = end
        else:
            raise ValueError(f"unexpected control byte {byte:#04x} at {at}")
    return ops


def _gs(data: bytes, at: int) -> tuple[Op, int]:
    code = data[at + 1 : at + 2]
    if code == b"V":  # cut: m, and a feed amount for m 65/66
        extra = 2 if data[at + 2] in (65, 66) else 1
        return Op("cut", data[at + 2 : at + 2 + extra]), at + 2 + extra
    if code == b"(":  # GS ( k / GS ( L: function with a 2-byte little-endian length
        size = data[at + 3] + 256 * data[at + 4]
        kind = {b"k": "2d", b"L": "graphics"}[data[at + 2 : at + 3]]
        return Op(kind, data[at + 5 : at + 5 + size]), at + 5 + size
    if code == b"v":  # GS v 0 m xL xH yL yH: raster image, x bytes by y dots
        width = data[at + 4] + 256 * data[at + 5]
        height = data[at + 6] + 256 * data[at + 7]
        end = at + 8 + width * height
        return Op("raster", data[at + 4 : at + 8] + data[at + 8 : end]), end
    raise ValueError(f"unknown command GS {code!r} at byte {at}")


def text_of(ops: list[Op]) -> str:
    return "".join(op.text for op in ops if op.kind == "text")


def page_before(ops: list[Op], needle: str) -> int | None:
    """The code page (ESC t n) in force where `needle` is printed; None when never printed."""
    page: int | None = None
    for op in ops:
        if op.kind in ("codepage", "init"):
            page = op.args[0] if op.kind == "codepage" else 0
        elif op.kind == "text" and needle in op.text:
            return page
    return None
