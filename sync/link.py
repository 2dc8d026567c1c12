"""The till's link to the central server, as the rest of the till sees it.

Two links live on the till: `sync.client.SyncClient` (an enrolled till and its central
server) and `NoServer` (a till that was never enrolled: offline, everything stays queued). The
standalone demo brings a third, `demo.training.TrainingServer`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

log = logging.getLogger(__name__)


class Link(Protocol):
    def is_online(self) -> bool: ...
    def set_online(self, online: bool) -> None: ...
    def last_sync(self) -> datetime | None: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def nudge(self) -> None: ...


class NoServer:
    """A till with no server configured: always offline, nothing leaves the outbox."""

    def is_online(self) -> bool:
        return False

    def set_online(self, online: bool) -> None:
        log.info("no server configured: the till stays offline")

    def last_sync(self) -> datetime | None:
        return None

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None

    def nudge(self) -> None:
        return None
