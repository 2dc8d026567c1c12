"""What the HTTP layer shares between requests: one small object on the app, reached by the
routes through FastAPI dependencies (`State`, `DB`), never through closures."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from server.db import Database
from server.feed import Notifier

DISK_FULL_MEMORY_S = 60.0  # /v1/health reports a disk-full write for this long


@dataclass
class ServerState:
    db: Database
    admin_token: str
    notifier: Notifier = field(default_factory=Notifier)
    answered: dict[str, float] = field(default_factory=dict)  # till -> last long-poll answer
    disk_full_at: float | None = None  # time.monotonic() of the last write a full disk refused

    def disk_full_recently(self) -> bool:
        at = self.disk_full_at
        return at is not None and time.monotonic() - at < DISK_FULL_MEMORY_S

    def written(self, path: str) -> None:
        """A write request to `path` went through: the disk takes writes again, and the
        long-polls look again (at once for the back office, gathered for sales and reports)."""
        self.disk_full_at = None
        self.notifier.notify(urgent=not path.endswith(("/journal", "/reports")))


# Async, though they do no I/O: a plain def dependency would cost each request a thread hop.
async def state(request: Request) -> ServerState:
    found: ServerState = request.app.state.server
    return found


State = Annotated[ServerState, Depends(state)]


async def database(server: State) -> Database:
    return server.db


DB = Annotated[Database, Depends(database)]
