"""The central server's HTTP API (FastAPI): enrolment, journal ingest, the feed, back office.

Put together here: the routers (`server.routes`, one per resource), the shared state they
reach through dependencies (`server.state`), the error handlers (`server.http_errors`, the
one place where each error becomes its status and its `ErrorBody`), the body limits and the
long-poll wake-ups (`server.middleware`).
"""

from __future__ import annotations

from fastapi import FastAPI

from server import http_errors
from server.db import Database
from server.middleware import LimitBody, WakeOnWrite
from server.migrations import migrate
from server.routes import ROUTERS
from server.state import ServerState
from sync import limits


def create_app(
    database_url: str, *, admin_token: str, body_deadline_s: float = limits.BODY_DEADLINE_S
) -> FastAPI:
    """The API on a database; `body_deadline_s`: how long a request body may take to arrive
    (`BODY_DEADLINE_S`; `canteen-server serve` takes it from $CANTEEN_BODY_DEADLINE_S)."""
    db = Database(database_url)
    migrate(db)
    server = ServerState(db, admin_token)
    app = FastAPI(title="canteen-till central server", version="1")
    app.state.server = server
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(WakeOnWrite, wake=server.written)
    app.add_middleware(LimitBody, limit_of=_limit_of, deadline_s=body_deadline_s)
    http_errors.install(app)
    return app


def _limit_of(path: str) -> int:
    if path.endswith("/photo"):
        return limits.MAX_PHOTO_BYTES
    return limits.MAX_BODY_BYTES
