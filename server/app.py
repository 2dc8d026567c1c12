"""The central server's HTTP API (FastAPI): enrolment, journal ingest, the feed, back office.

The routes live in `server.routes_till` and `server.routes_admin`; here they are put
together with the body limits, the long-poll wake-ups and the one place where each error
becomes its status and its `ErrorBody`. A 500 is a bug: every refusal has its 4xx, and a
database that cannot store anything (disk full, unreachable) is a 503 that says so.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from server import routes_admin, routes_till
from server.api_models import Health
from server.db import Database
from server.errors import AdminError
from server.middleware import LimitBody, WakeOnWrite
from server.migrations import migrate
from server.state import ServerState, errors
from sync import limits
from sync.protocol import ErrorBody, FieldProblem

log = logging.getLogger("canteen.server")
MIN_FREE_BYTES = 8 << 20  # below this the server's disk counts as full: /v1/health says so
MAX_WAIT_S = limits.MAX_WAIT_S


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
    app.include_router(routes_till.router)
    app.include_router(routes_admin.router)

    def written(path: str) -> None:
        server.disk_full_at = None  # a write went through: the disk takes writes again
        server.notifier.notify(urgent=not path.endswith(("/journal", "/reports")))

    app.add_middleware(WakeOnWrite, wake=written)
    app.add_middleware(LimitBody, limit_of=_limit_of, deadline_s=body_deadline_s)

    @app.get("/v1/health", response_model=Health, responses=errors(503))
    def health() -> Any:
        """ok, or 503 saying why nothing can be stored now (disk full, database down)."""
        free = _free_bytes(db)
        try:
            with db.transaction(write=False) as tx:
                tx.scalar("SELECT 1")
        except (sqlite3.Error, OSError) as exc:
            return _error(503, f"the database cannot be read: {exc}")
        except Exception as exc:  # psycopg's errors, without importing it for SQLite
            if _is_db_error(exc):
                return _error(503, f"the database is unavailable: {exc}")
            raise
        if free is not None and free < MIN_FREE_BYTES:
            return _error(503, f"the server's disk is full: {free} bytes free")
        if server.disk_full_recently():
            return _error(503, "the server's disk was full at the last write: nothing stored")
        return Health(status="ok", database=db.dialect, disk_free_bytes=free)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            FieldProblem(field=".".join(str(p) for p in err["loc"]), problem=str(err["msg"]))
            for err in exc.errors()[:10]
        ]
        text = "; ".join(f"{p.field}: {p.problem}" for p in problems) or "malformed request"
        log.warning("%s %s refused: %s", request.method, request.url.path, text)
        return _error(422, text[:1000], problems)

    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        log.warning(
            "%s %s refused (%s): %s", request.method, request.url.path, exc.status_code, exc.detail
        )
        headers = None if exc.headers is None else dict(exc.headers)
        return _error(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(AdminError)
    async def admin_refused(request: Request, exc: AdminError) -> JSONResponse:
        log.warning("%s %s refused (%s): %s", request.method, request.url.path, exc.status, exc)
        return _error(exc.status, str(exc))

    @app.exception_handler(sqlite3.Error)
    async def sqlite_failed(request: Request, exc: sqlite3.Error) -> JSONResponse:
        return _database_failed(server, request, exc)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONResponse:
        if _is_db_error(exc):
            return _database_failed(server, request, exc)
        log.exception("%s %s failed: a bug", request.method, request.url.path)
        return _error(500, "internal error: a bug, logged on the server")

    return app


def _limit_of(path: str) -> int:
    if path.endswith("/photo"):
        return limits.MAX_PHOTO_BYTES
    return limits.MAX_BODY_BYTES


def _error(
    status: int,
    detail: str,
    problems: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(detail=detail, errors=problems or [])
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _free_bytes(db: Database) -> int | None:
    if db.path is None:
        return None
    try:
        stat = os.statvfs(db.path.parent)
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def _is_db_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("psycopg")


_SQLITE_UNAVAILABLE = {
    5: "the database is busy",
    6: "the database is locked",
    8: "the database is read-only",
    10: "the server's disk failed (I/O error)",
    13: "the server's disk is full",
    14: "the database file cannot be opened",
}


def _database_failed(server: ServerState, request: Request, exc: BaseException) -> JSONResponse:
    """A write the database could not take: 503 saying why, nothing stored (the transaction
    was rolled back). Anything else from the database is a bug: 500, logged."""
    reason: str | None = None
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        reason = _SQLITE_UNAVAILABLE.get(code & 0xFF) if isinstance(code, int) else None
        if code is not None and code & 0xFF == 13:
            server.disk_full_at = _now()
    else:
        import psycopg

        if isinstance(exc, psycopg.errors.DiskFull):
            reason = "the database server's disk is full"
            server.disk_full_at = _now()
        elif isinstance(exc, psycopg.OperationalError):
            reason = "the database is unavailable"
    if reason is None:
        log.exception("%s %s failed in the database: a bug", request.method, request.url.path)
        return _error(500, "internal error: a bug, logged on the server")
    log.error("%s %s: %s (%s)", request.method, request.url.path, reason, exc)
    return _error(503, f"{reason}: nothing was stored, try again later")


def _now() -> float:
    import time

    return time.monotonic()
