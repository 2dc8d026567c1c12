"""The standalone demo's stand-in for the central server (`canteen-till demo --standalone`).

While "online" it tells the store the server applied each queued entry, the way the real
server's acknowledgement does; it is a `sync.link.Link` like the real sync client.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from sync.store import Store, StoreUnavailable

log = logging.getLogger(__name__)


class TrainingServer:
    """Demo stand-in for the server: applies queued entries every `interval_s` while online."""

    def __init__(
        self, store_path: Path, *, till_id: str, online: bool = True, interval_s: float = 1.0
    ) -> None:
        self._path = store_path
        self._till_id = till_id
        self._online = threading.Event()
        if online:
            self._online.set()
        self._interval = interval_s
        self._last: datetime | None = None
        self._scheduler = BackgroundScheduler(
            executors={"default": {"type": "threadpool", "max_workers": 1}},
            job_defaults={"coalesce": True, "max_instances": 1},
        )

    def is_online(self) -> bool:
        return self._online.is_set()

    def set_online(self, online: bool) -> None:
        if online:
            self._online.set()
        else:
            self._online.clear()

    def last_sync(self) -> datetime | None:
        return self._last

    def start(self) -> None:
        if self._scheduler.running:
            return
        self._scheduler.add_job(self.sync_once, "interval", seconds=self._interval)
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    def nudge(self) -> None:
        return None  # applies on its own second-by-second tick

    def sync_once(self) -> int:
        """One round: what the till queued is applied by the (training) server."""
        if not self.is_online():
            return 0
        try:
            # A connection of its own: this runs on the scheduler's thread, not the UI's.
            with Store.open(self._path, till_id=self._till_id) as store:
                pending = store.outbox_pending(limit=500)
                store.mark_applied(entry.entry_id for entry in pending)
        except StoreUnavailable as exc:
            log.warning("training server could not sync: %s", exc)
            return 0
        self._last = datetime.now(UTC)
        return len(pending)
