"""The demo's network switch: `canteen-till net online|offline` takes the demo's link down or up.

A training switch, like F9 in the window: sync pauses as in an outage. The running demo listens
on a Unix socket of its own in the data directory (`network.sock`, mode 0600; the card reader's
socket carries card taps only). Protocol, one UTF-8 line per request:

    online | offline       take the link up or down
    state                  ask whether it is up

Each line gets one reply line: "OK network online|offline" or "ERR <reason>".
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import socketserver
import stat
import threading
from pathlib import Path

from sync.link import Link

log = logging.getLogger(__name__)

SOCKET_NAME = "network.sock"
MAX_LINE_BYTES = 256
STATES = ("online", "offline")


def switch_socket_path(data_dir: Path) -> Path:
    """Where a running demo's network switch listens, for its data directory."""
    return data_dir / SOCKET_NAME


class SwitchError(Exception):
    """Talking to the network switch failed; the message says why and what to do."""


class NetworkSwitch:
    """Answers requests on the switch's socket in a daemon thread, turning `link` on and off."""

    def __init__(self, path: Path, link: Link) -> None:
        self.path = Path(path)
        self._link = link
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def answer(self, line: str) -> str:
        """The reply to one request line; a request it does not know is a ValueError."""
        word = line.strip()
        if word in STATES:
            self._link.set_online(word == "online")
        elif word != "state":
            raise ValueError(f"unknown request {word!r}: use online, offline or state")
        return "network online" if self._link.is_online() else "network offline"

    def start(self) -> None:
        """Listen; SwitchError when another demo listens there or a file is in the way."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_socket(self.path)
        server = _Server(str(self.path), _Handler, switch=self)
        os.chmod(self.path, 0o600)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="demo-network-switch", daemon=True
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
        self, path: str, handler: type[socketserver.BaseRequestHandler], *, switch: NetworkSwitch
    ) -> None:
        self.switch = switch
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
                reply = "OK " + self.server.switch.answer(raw.decode("utf-8"))
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
            log.info("demo network switch could not reply: %s", exc)
            return False
        return True


def _remove_stale_socket(path: Path) -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise SwitchError(
            f"the network switch cannot listen on {path}: a file that is not a socket is in "
            "the way; move it away"
        )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            os.unlink(path)  # stale: left by a demo that did not stop cleanly
            return
    raise SwitchError(f"the network switch cannot listen on {path}: another demo is running")


def switch_network(path: Path, state: str, *, timeout: float = 2.0) -> str:
    """Ask the running demo to take its network `state` ("online", "offline" or "state");
    returns its reply, e.g. "network offline". SwitchError when no demo answers or it refuses."""
    if "\n" in state or "\r" in state:
        raise SwitchError(f"network state {state!r}: it must be one line")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise SwitchError(
                f"no demo is listening on {path}: start it with `make demo` first"
            ) from exc
        except OSError as exc:
            raise SwitchError(f"cannot connect to the demo on {path}: {exc}") from exc
        try:
            sock.sendall(state.encode() + b"\n")
            reply = sock.makefile("rb").readline(MAX_LINE_BYTES + 1).decode("utf-8", "replace")
        except TimeoutError as exc:
            raise SwitchError(f"the demo on {path} did not answer within {timeout} s") from exc
        except OSError as exc:
            raise SwitchError(f"the demo on {path} closed the connection: {exc}") from exc
    reply = reply.strip()
    if reply.startswith("ERR"):
        raise SwitchError(reply[3:].strip())
    if not reply.startswith("OK "):
        raise SwitchError(f"the demo on {path} gave an unexpected reply {reply!r}")
    return reply[3:]
