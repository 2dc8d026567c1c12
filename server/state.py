"""What the HTTP layer shares between requests: one small object on the app, reached by the
routes through FastAPI dependencies (`State`, `DB`), never through closures.

Each serving process has its own, and nothing in it must agree between processes (several
workers or hosts on one PostgreSQL): the database is the one shared place.

- `notifier` wakes this process's long-polls; every process hears every write through
  PostgreSQL's NOTIFY (`server.notify`).
- `answered` (when each till's last long-poll was answered, by its credential's hash) only
  paces a till's reads: a till whose next poll reaches another process is answered without
  its calm second, one read more, never a wrong one.
- `disk_full_at` is what this process's own writes were told; a full disk cannot be
  recorded in the database it filled, and each process learns it at its next write.
- `db.caches` (feed pages and item states) are keyed by the feed's head and each item's
  latest change, which every write moves in the database itself, so no process can serve
  a page another process's write has made stale.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from server.db import Database
from server.notify import Listener, Notifier

DISK_FULL_MEMORY_S = 60.0  # /v1/health reports a disk-full write for this long
ROUTINE = ("/journal", "/reports")  # a till's own writes: its sales, its reports


@dataclass
class ServerState:
    db: Database
    admin_token: str
    notifier: Notifier = field(default_factory=Notifier)
    listener: Listener | None = None  # PostgreSQL: this process hears every process's writes
    answered: dict[str, float] = field(default_factory=dict)  # credential hash -> last answer
    pushes: ThreadPoolExecutor | None = None  # the threads of the ordinary pushes (`journal.Push`)
    disk_full_at: float | None = None  # time.monotonic() of the last write a full disk refused

    def disk_full_recently(self) -> bool:
        at = self.disk_full_at
        return at is not None and time.monotonic() - at < DISK_FULL_MEMORY_S

    def written(self, path: str) -> None:
        """A write request to `path` went through: the disk takes writes again. (The
        long-polls were woken by the write's transaction itself, `server.notify`.)"""
        self.disk_full_at = None


# Async, though they do no I/O: a plain def dependency would cost each request a thread hop.
async def state(request: Request) -> ServerState:
    found: ServerState = request.app.state.server
    return found


State = Annotated[ServerState, Depends(state)]


async def database(server: State, request: Request) -> Database:
    # The back office's writes wake the long-polls at once, a till's sales gathered.
    return server.db.for_writes(urgent=not request.url.path.endswith(ROUTINE))


DB = Annotated[Database, Depends(database)]
