"""The simulated card reader: taps arrive as text lines on a Unix domain socket.

Used by the demo and the tests in place of hardware (like nfcpy's udp reader). The till listens
on a socket in its data directory (`reader_socket_path(data_dir)`, mode 0600); `send_tap` (behind
`canteen-till tap CARD_ID`) connects and sends one line per request. Protocol, UTF-8 lines:

    TAP <hex UID>          e.g. "TAP 72BF9961", "TAP 04:57:9a:22:35:26:80", "TAP 0x72BF9961"
    TAPDEC <decimal UID>   e.g. "TAPDEC 1562265116" (the UID bytes as one big-endian number)
    PING

Each line gets one reply line: "OK" or "ERR <reason>". A malformed card number is also reported
to `on_error` as a BadRead; the reader keeps running. The socket carries card taps only: the
demo's network switch listens on a socket of its own (demo/network.py).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import selectors
import socket
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

from drivers.cards.base import (
    BadRead,
    CardTap,
    ReaderState,
    ReaderStatus,
    ThreadedReader,
)
from drivers.cards.normalise import parse_card_text
from drivers.errors import BadCardRead, DriverError

log = logging.getLogger(__name__)

SOCKET_NAME = "reader.sock"
TECHNOLOGY = "simulated"
MAX_LINE_BYTES = 1024
STOP_TIMEOUT_S = 5.0


def reader_socket_path(data_dir: Path) -> Path:
    """Where the till's simulated reader listens for a data directory."""
    return data_dir / SOCKET_NAME


class SimulatedReaderError(DriverError):
    """Talking to the simulated reader failed; the message says why and what to do."""


class ReaderNotRunning(SimulatedReaderError):
    """Nothing listens on the socket: the till is not running (or uses another reader)."""


class TapRefused(SimulatedReaderError):
    """The till answered ERR: the card text was malformed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SimulatedReader(ThreadedReader):
    """Listens on a Unix socket in its own daemon thread; each TAP line becomes a CardTap."""

    stop_timeout_s = STOP_TIMEOUT_S
    stopped_text = "Simulated reader stopped"

    def __init__(
        self,
        path: Path,
        *,
        name: str = "simulated",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(name, ReaderStatus(ReaderState.NO_READER, "Simulated reader not started"))
        self._path = Path(path)
        self._clock = clock
        self._listener: socket.socket | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._inode: int | None = None

    @property
    def path(self) -> Path:
        return self._path

    def _prepare(self) -> ReaderStatus | None:
        """Listen on the socket; one that cannot be opened is an ERROR status, no raise."""
        try:
            self._listener = self._listen()
        except OSError as exc:
            return ReaderStatus(
                ReaderState.ERROR,
                f"Simulated reader cannot listen on {self._path}: {exc.strerror or exc}",
            )
        except SimulatedReaderError as exc:
            return ReaderStatus(ReaderState.ERROR, str(exc))
        self._wake_r, self._wake_w = socket.socketpair()
        return None

    def _starting_status(self) -> ReaderStatus:
        return ReaderStatus(ReaderState.CONNECTED, "Simulated reader ready")

    def _release(self) -> None:
        """Close the sockets and remove the socket file (when it is still this reader's)."""
        for sock in (self._listener, self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        self._listener = self._wake_r = self._wake_w = None
        self._remove_own_socket_file()

    # -- listening -------------------------------------------------------------------------

    def _listen(self) -> socket.socket:
        self._remove_stale_socket_file()
        # Bound and listening under a name of its own first, then given the socket's name:
        # whoever finds the file finds a till listening. Bound under its final name, the file
        # was there before the listen, and a tap (or another till's stale-socket probe) sent
        # in between was refused. The name is no longer than SOCKET_NAME, so what fits the
        # AF_UNIX path limit still does.
        fresh = self._path.with_name(f".r{os.getpid()}")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(fresh)  # left by an earlier process of this pid that died here
            listener.bind(str(fresh))
            os.chmod(fresh, 0o600)
            listener.listen(8)
            listener.setblocking(False)
            os.replace(fresh, self._path)
            self._inode = os.stat(self._path).st_ino
        except BaseException:
            listener.close()
            with contextlib.suppress(OSError):
                os.unlink(fresh)
            raise
        return listener

    def _remove_stale_socket_file(self) -> None:
        try:
            mode = os.lstat(self._path).st_mode
        except FileNotFoundError:
            return
        if not stat.S_ISSOCK(mode):
            raise SimulatedReaderError(
                f"Simulated reader cannot listen on {self._path}: a file that is not a socket "
                "is in the way; move it away"
            )
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.settimeout(1.0)
            probe.connect(str(self._path))
        except OSError:
            os.unlink(self._path)  # stale: left by a till that did not stop cleanly
            return
        finally:
            probe.close()
        raise SimulatedReaderError(
            f"Simulated reader cannot listen on {self._path}: another till is already listening"
        )

    def _remove_own_socket_file(self) -> None:
        try:
            if self._inode is not None and os.stat(self._path).st_ino == self._inode:
                os.unlink(self._path)
        except FileNotFoundError:
            pass
        self._inode = None

    def _wake(self) -> None:
        if self._wake_w is not None:
            with contextlib.suppress(OSError):
                self._wake_w.send(b"x")

    def _run(self, stopping: threading.Event) -> None:
        assert self._listener is not None
        assert self._wake_r is not None
        buffers: dict[socket.socket, bytearray] = {}
        with selectors.DefaultSelector() as sel:
            sel.register(self._listener, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)
            try:
                while not stopping.is_set():
                    for key, _ in sel.select():
                        sock = key.fileobj
                        assert isinstance(sock, socket.socket)
                        if sock is self._wake_r:
                            return
                        if sock is self._listener:
                            self._accept(sel, buffers)
                        else:
                            self._serve(sel, sock, buffers)
            except Exception:
                log.exception("simulated reader failed")
                self._set_status(ReaderState.ERROR, "Simulated reader failed; restart the till")
            finally:
                for conn in buffers:
                    conn.close()

    def _accept(self, sel: selectors.BaseSelector, buffers: dict[socket.socket, bytearray]) -> None:
        assert self._listener is not None
        try:
            conn, _ = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        conn.setblocking(False)
        buffers[conn] = bytearray()
        sel.register(conn, selectors.EVENT_READ)

    def _serve(
        self,
        sel: selectors.BaseSelector,
        conn: socket.socket,
        buffers: dict[socket.socket, bytearray],
    ) -> None:
        try:
            data = conn.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        buf = buffers[conn]
        buf.extend(data)
        keep_open = bool(data)
        while keep_open and b"\n" in buf:
            raw, _, rest = bytes(buf).partition(b"\n")
            buf[:] = rest
            keep_open = self._reply(conn, self._handle_line(raw))
        if keep_open and len(buf) > MAX_LINE_BYTES:
            self._reply(conn, f"ERR line longer than {MAX_LINE_BYTES} bytes")
            keep_open = False
        if not keep_open:
            sel.unregister(conn)
            del buffers[conn]
            conn.close()

    @staticmethod
    def _reply(conn: socket.socket, reply: str) -> bool:
        one_line = " ".join(reply.splitlines()) or "OK"
        try:
            conn.sendall(one_line.encode() + b"\n")
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.EAGAIN):
                log.warning("simulated reader could not reply: %s", exc)
            return False
        return True

    def _handle_line(self, raw: bytes) -> str:
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            return "ERR the line is not UTF-8 text"
        verb, _, rest = line.partition(" ")
        verb = verb.upper()
        if verb == "TAP":
            return self._tap(rest, "hex")
        if verb == "TAPDEC":
            return self._tap(rest, "dec")
        if verb == "PING":
            return "OK"
        return f"ERR unknown request {verb or line!r}: use TAP <hex>, TAPDEC <decimal>, PING"

    def _tap(self, text: str, encoding: str) -> str:
        try:
            uid = parse_card_text(text, encoding="hex" if encoding == "hex" else "dec")
        except BadCardRead as exc:
            self._emit_error(BadRead(self.name, text, str(exc)))
            return f"ERR {exc}"
        tap = CardTap(uid=uid, reader=self.name, technology=TECHNOLOGY, at=self._clock())
        if not self._emit_tap(tap):
            return "ERR the till could not take the tap (see its log)"
        return "OK"


# -- client side -----------------------------------------------------------------------------


def send_tap(
    socket_path: Path, card_text: str, *, decimal: bool = False, timeout: float = 2.0
) -> None:
    """Tap a card on the running till's simulated reader.

    card_text is hex ("72BF9961") unless decimal=True ("1562265116"). Raises ReaderNotRunning
    when no till listens, TapRefused when the till rejects the card text.
    """
    if "\n" in card_text or "\r" in card_text:
        raise TapRefused(f"card number {card_text!r}: it must be one line")
    verb = "TAPDEC" if decimal else "TAP"
    _request(socket_path, f"{verb} {card_text.strip()}", timeout)


def _request(path: Path, line: str, timeout: float) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise ReaderNotRunning(
                f"no till is listening on {path}: start the till with `make demo` first"
            ) from exc
        except OSError as exc:
            raise SimulatedReaderError(f"cannot connect to the till on {path}: {exc}") from exc
        try:
            sock.sendall(line.encode() + b"\n")
            reply = _read_line(sock)
        except TimeoutError as exc:
            raise SimulatedReaderError(
                f"the till on {path} did not answer within {timeout} s"
            ) from exc
        except OSError as exc:
            raise SimulatedReaderError(f"the till on {path} closed the connection: {exc}") from exc
    if reply.startswith("ERR"):
        raise TapRefused(reply[3:].strip())
    if not (reply == "OK" or reply.startswith("OK ")):
        raise SimulatedReaderError(f"the till on {path} gave an unexpected reply {reply!r}")
    return reply


def _read_line(sock: socket.socket) -> str:
    data = bytearray()
    while b"\n" not in data and len(data) <= MAX_LINE_BYTES:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data.extend(chunk)
    return data.partition(b"\n")[0].decode("utf-8", errors="replace").strip()
