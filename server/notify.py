"""Waking waiting long-polls when something was written, in this process and in every other.

On PostgreSQL every write sends `NOTIFY canteen_wake, 'urgent' | 'routine'` once its commit is
on disk (`server.db`), whichever process wrote it: a server worker, another host, the admin
CLI. Each serving process listens on a connection of its own (`Listener`) and wakes its
long-polls from there, its own writes included, so one path serves every writer. On SQLite
(one process) the database calls the process's `Notifier` after each commit instead.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from server.db import WAKE_CHANNEL

log = logging.getLogger(__name__)

RECONNECT_S = 1.0  # a listener whose connection broke tries again after this long
POLL_S = 0.5  # how often a listener looks whether it should stop


class Notifier:
    """Wakes long-polls when something was written, from whichever thread learnt of it.

    A write is urgent (the back office: a deposit, a block) or routine (a till's sales). A
    long-poll that is calming down after its last answer wakes for urgent writes only.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event, bool]] = set()
        self.last_urgent = float("-inf")  # time.monotonic() of the last urgent write
        self.count = 0  # writes heard so far: a poll that read before one came must not sleep

    def notify(self, *, urgent: bool = True) -> None:
        with self._lock:
            self.count += 1
            if urgent:
                self.last_urgent = time.monotonic()
            waiters = [(loop, event) for loop, event, only in self._waiters if urgent or not only]
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    async def wait(
        self, timeout: float, *, urgent_only: bool = False, after: int | None = None
    ) -> bool:
        """True when woken, False when the timeout passed. With `after` (a `count` taken
        before the caller read), a write heard since then wakes it at once: a write that
        lands while the caller reads, before it waits, is not slept through."""
        event = asyncio.Event()
        entry = (asyncio.get_running_loop(), event, urgent_only)
        with self._lock:
            if after is not None and self.count != after and not urgent_only:
                return True
            self._waiters.add(entry)
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        finally:
            with self._lock:
                self._waiters.discard(entry)
        return True


class Listener:
    """A thread with its own PostgreSQL connection, `LISTEN`ing for every process's writes
    and passing them to this process's `Notifier`."""

    def __init__(self, url: str, notifier: Notifier) -> None:
        self.url = url
        self.notifier = notifier
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="canteen-listen", daemon=True)

    def start(self, *, ready_within_s: float = 10.0) -> None:
        """Start listening; returns once the LISTEN is in place (or after `ready_within_s`,
        logged: the long-polls still look again every second meanwhile)."""
        self._thread.start()
        if not self._listening.wait(ready_within_s):
            log.warning("not yet listening for other processes' writes; trying on")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {WAKE_CHANNEL}")
                    if self._listening.is_set():
                        # Writes made while the connection was down were not heard: look.
                        self.notifier.notify(urgent=True)
                    self._listening.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=POLL_S):
                            self.notifier.notify(urgent=note.payload != "routine")
            except psycopg.Error as exc:
                if self._stop.is_set():
                    return
                log.warning("listening for writes failed (%s); again in %s s", exc, RECONNECT_S)
                self._stop.wait(RECONNECT_S)
