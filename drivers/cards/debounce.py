"""One tap, not two: a card seen again within the window is the same tap (D-PAY-5).

Readers report a card several times while it lies on them, and customers tap twice. The
debouncer makes those one tap; an honest second purchase after the window is a new tap. The
window is the scheme policy's `duplicate_tap_window_s`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from drivers.cards.base import CardTap


class Debouncer:
    """`accept(tap)` is True for a new tap, False for a repeat of the same card.

    A repeat is the same UID again within `window_s` of its last sighting, accepted or
    suppressed: a card left on the reader stays one tap however long it lies there. A different
    card, or the same card after a quiet window, is accepted. Thread-safe; `clock` is injectable
    for tests and defaults to time.monotonic.
    """

    def __init__(self, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        if not window_s >= 0:  # also rejects NaN
            raise ValueError(f"debounce window {window_s!r} s: it must be 0 or more seconds")
        self._window_s = window_s
        self._clock = clock
        self._last_seen: dict[bytes, float] = {}
        self._lock = threading.Lock()

    @property
    def window_s(self) -> float:
        return self._window_s

    def accept(self, tap: CardTap) -> bool:
        now = self._clock()
        with self._lock:
            last = self._last_seen.get(tap.uid)
            self._last_seen[tap.uid] = now
            if len(self._last_seen) > 64:
                self._forget_older_than(now - self._window_s)
            return last is None or now - last > self._window_s

    def reset(self) -> None:
        """Forget every card seen, e.g. after the cashier cancelled the sale."""
        with self._lock:
            self._last_seen.clear()

    def _forget_older_than(self, cutoff: float) -> None:
        self._last_seen = {uid: at for uid, at in self._last_seen.items() if at >= cutoff}
