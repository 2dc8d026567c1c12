"""The demo's counter from a second shell: `canteen-till ring 1,9` rings products up and
`canteen-till key F1` presses a key on the running demo till, as a cashier would.

The running demo listens on a Unix socket of its own in the data directory (`counter.sock`,
mode 0600, next to the simulated reader's `reader.sock`). Protocol, one UTF-8 line per request:

    ring 1,9        ring up products, each by its shortcut key or else its menu position
    key F1          press a key: Enter, Esc, F1..F9, Del, Backspace, +, -, or a digit

Each line gets one reply line: "OK rang up …" / "OK pressed …" or "ERR <reason>". The socket
thread only checks the request; the window receives it through a Qt signal on its UI thread
(`deliver`), exactly where its own key and button handling runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from demo.line_socket import LineServer
from sync.records import Product

SOCKET_NAME = "counter.sock"

# What `key` accepts, each spelling to the Qt key name the window's shortcuts use.
KEYS = {
    "enter": "Return",
    "return": "Return",
    "esc": "Escape",
    "escape": "Escape",
    "del": "Delete",
    "delete": "Delete",
    "backspace": "Backspace",
    "+": "+",
    "-": "-",
    **{f"f{n}": f"F{n}" for n in range(1, 10)},
    **{str(d): str(d) for d in range(10)},
}

Deliver = Callable[[str, str], None]  # ("ring", product_id) or ("key", Qt key name)


def counter_socket_path(data_dir: Path) -> Path:
    """Where a running demo's counter listens, for its data directory."""
    return data_dir / SOCKET_NAME


class CounterInput:
    """The counter socket; it answers "not open yet" until `attach` gives it the till's window."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._socket = LineServer(self.path, self.answer, what="the demo counter")
        self._lock = threading.Lock()
        self._products: Sequence[Product] = ()
        self._deliver: Deliver | None = None

    def attach(self, products: Sequence[Product], deliver: Deliver) -> None:
        """The till's window is up: its menu, and how to hand it a request (thread-safe)."""
        with self._lock:
            self._products, self._deliver = tuple(products), deliver

    def answer(self, line: str) -> str:
        word, _, rest = line.strip().partition(" ")
        with self._lock:
            deliver, products = self._deliver, self._products
        if word not in ("ring", "key"):
            raise ValueError(f"unknown request {word!r}: use ring or key")
        if deliver is None:
            raise ValueError("the till's window is not open yet: try again in a moment")
        if word == "ring":
            chosen = resolve_products(rest, products)
            for product in chosen:
                deliver("ring", product.product_id)
            return "rang up " + ", ".join(p.name for p in chosen)
        key = resolve_key(rest)
        deliver("key", key)
        return f"pressed {key}"

    def start(self) -> None:
        self._socket.start()

    def stop(self) -> None:
        self._socket.stop()


def resolve_products(spec: str, products: Sequence[Product]) -> list[Product]:
    """ "1,9" → the products, all or none: each a shortcut key, else a menu position."""
    tokens = [t.strip() for t in spec.split(",") if t.strip()]
    if not tokens:
        raise ValueError("ring what? give shortcut keys or menu positions, e.g. ring 1,9")
    chosen = []
    for token in tokens:
        by_key = [p for p in products if p.shortcut and p.shortcut.upper() == token.upper()]
        by_position = [p for p in products if token.isdigit() and p.position == int(token)]
        found = by_key or by_position
        if not found:
            raise ValueError(f"{token!r}: no product has that shortcut key or menu position")
        chosen.append(found[0])
    return chosen


def resolve_key(name: str) -> str:
    key = KEYS.get(name.strip().lower())
    if key is None:
        raise ValueError(
            f"{name.strip()!r} is not a till key: use Enter, Esc, F1..F9, Del, Backspace, +, -"
            " or a digit"
        )
    return key
