"""The demo's network switch: `canteen-till net online|offline` takes the demo's link down or up.

A training switch, like F9 in the window: sync pauses as in an outage. The running demo listens
on a Unix socket of its own in the data directory (`network.sock`, mode 0600; the card reader's
socket carries card taps only). Protocol, one UTF-8 line per request:

    online | offline       take the link up or down
    state                  ask whether it is up

Each line gets one reply line: "OK network online|offline" or "ERR <reason>".
"""

from __future__ import annotations

from pathlib import Path

from demo.line_socket import LineServer, LineSocketError, ask
from sync.link import Link

SOCKET_NAME = "network.sock"
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
        self._socket = LineServer(self.path, self.answer, what="the network switch")

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
        try:
            self._socket.start()
        except LineSocketError as exc:
            raise SwitchError(str(exc)) from exc

    def stop(self) -> None:
        """Stop listening and remove the socket file; idempotent."""
        self._socket.stop()


def switch_network(path: Path, state: str, *, timeout: float = 2.0) -> str:
    """Ask the running demo to take its network `state` ("online", "offline" or "state");
    returns its reply, e.g. "network offline". SwitchError when no demo answers or it refuses."""
    try:
        return ask(path, state, timeout=timeout)
    except LineSocketError as exc:
        raise SwitchError(str(exc)) from exc
