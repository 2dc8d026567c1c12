"""A one-line-request, one-line-reply Unix socket in the demo's data directory (mode 0600), and
its client: what the demo's `canteen-till net`, `ring` and `key` commands talk over.

A request is one UTF-8 line; the reply is "OK <text>" or "ERR <reason>". The serving side is
an `answer(line) -> text` function; a ValueError it raises becomes the ERR reply.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import socketserver
import stat
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 256


class LineSocketError(Exception):
    """Listening or asking failed; the message says why and what to do."""


class LineServer:
    """Answers requests on `path` in a daemon thread; `what` names it in errors."""

    def __init__(self, path: Path, answer: Callable[[str], str], *, what: str) -> None:
        self.path = Path(path)
        self.answer = answer
        self.what = what
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Listen; LineSocketError when another demo listens there or a file is in the way."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_socket(self.path, self.what)
        server = _Server(str(self.path), _Handler, owner=self)
        os.chmod(self.path, 0o600)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name=f"demo {self.what}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and remove the socket file; idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    block_on_close = False

    def __init__(
        self, path: str, handler: type[socketserver.BaseRequestHandler], *, owner: LineServer
    ) -> None:
        self.owner = owner
        super().__init__(path, handler)


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10.0  # a client that connects and says nothing does not hold a thread for ever

    def handle(self) -> None:
        assert isinstance(self.server, _Server)
        while True:
            try:
                raw = self.rfile.readline(MAX_LINE_BYTES + 1)
            except OSError:
                return
            if not raw:
                return
            if len(raw) > MAX_LINE_BYTES:
                self._reply(f"ERR line longer than {MAX_LINE_BYTES} bytes")
                return
            try:
                reply = "OK " + self.server.owner.answer(raw.decode("utf-8"))
            except UnicodeDecodeError:
                reply = "ERR the line is not UTF-8 text"
            except ValueError as exc:
                reply = f"ERR {exc}"
            if not self._reply(reply):
                return

    def _reply(self, line: str) -> bool:
        try:
            self.wfile.write(line.encode() + b"\n")
        except OSError as exc:
            log.info("demo socket could not reply: %s", exc)
            return False
        return True


def _remove_stale_socket(path: Path, what: str) -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise LineSocketError(
            f"{what} cannot listen on {path}: a file that is not a socket is in the way; "
            "move it away"
        )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            os.unlink(path)  # stale: left by a demo that did not stop cleanly
            return
    raise LineSocketError(f"{what} cannot listen on {path}: another demo is running")


def ask(path: Path, line: str, *, timeout: float = 2.0) -> str:
    """Send one request line to the running demo; its reply without "OK ". LineSocketError
    when no demo answers or it refuses (the message is its reason)."""
    if "\n" in line or "\r" in line:
        raise LineSocketError(f"{line!r}: a request must be one line")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise LineSocketError(
                f"no demo is listening on {path}: start it with `make demo` first"
            ) from exc
        except OSError as exc:
            raise LineSocketError(f"cannot connect to the demo on {path}: {exc}") from exc
        try:
            sock.sendall(line.encode() + b"\n")
            reply = sock.makefile("rb").readline(MAX_LINE_BYTES + 1).decode("utf-8", "replace")
        except TimeoutError as exc:
            raise LineSocketError(f"the demo on {path} did not answer within {timeout} s") from exc
        except OSError as exc:
            raise LineSocketError(f"the demo on {path} closed the connection: {exc}") from exc
    reply = reply.strip()
    if reply.startswith("ERR"):
        raise LineSocketError(reply[3:].strip())
    if not reply.startswith("OK "):
        raise LineSocketError(f"the demo on {path} gave an unexpected reply {reply!r}")
    return reply[3:]
