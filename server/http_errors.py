"""The one place where an error becomes its HTTP status and its `ErrorBody`, and the
OpenAPI description of each error status.

A refusal of `server.errors` gets the status of its class (`server.errors.STATUS`), a
malformed request 422 naming each field, FastAPI's own (an unknown path, a wrong method) its
status. A database that cannot store anything (disk full, unreachable) is a 503 that says
so. Anything else is a bug: 500, logged.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from server.errors import REFUSALS, ServerError, status_of
from server.state import ServerState
from sync.protocol import ErrorBody, FieldProblem

log = logging.getLogger("canteen.server")

_TEXTS = {
    400: "The request cannot be read (not JSON, bad encoding).",
    401: "No credential, or one that is not (or no longer) valid.",
    403: "The credential belongs to another till.",
    404: "What the request names does not exist.",
    408: "The request body did not arrive in time.",
    409: "The request clashes with what is there.",
    413: "The body is over its size limit (the answer names the limit).",
    422: "A field is missing, malformed or out of bounds (`errors` names each).",
    503: "The server cannot store anything now (disk full, database unavailable).",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses a route answers, all with `ErrorBody`."""
    return {code: {"model": ErrorBody, "description": _TEXTS[code]} for code in codes}


WRITE_ERRORS = (400, 408, 413, 422, 503)


def install(app: FastAPI) -> None:
    """The handlers, once for the whole app."""
    app.add_exception_handler(RequestValidationError, _malformed)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _framework)  # type: ignore[arg-type]
    for root in REFUSALS:
        app.add_exception_handler(root, _refused)
    app.add_exception_handler(sqlite3.Error, _database_failed)
    app.add_exception_handler(Exception, _failed)


async def answer(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    """`exc` answered by the handler the documented route would answer it with (the app's,
    looked up along its class's bases as Starlette looks it up): for a plain ASGI route
    (`routes.journal.Push`, `routes.feed.Changes`) whose work raised. Called while `exc`
    is being handled, so a bug's log line carries its traceback."""
    handlers = scope["app"].exception_handlers
    handler = next(handlers[kind] for kind in type(exc).__mro__ if kind in handlers)
    response = await handler(Request(scope, receive), exc)
    await response(scope, receive, send)


def error_response(
    status: int,
    detail: str,
    problems: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(detail=detail, errors=problems or [])
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


async def _refused(request: Request, exc: Exception) -> JSONResponse:
    status = status_of(exc)
    log.warning("%s %s refused (%s): %s", request.method, request.url.path, status, exc)
    headers = dict(exc.headers) if isinstance(exc, ServerError) and exc.headers else None
    return error_response(status, str(exc), headers=headers)


async def _malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [
        FieldProblem(field=".".join(str(p) for p in err["loc"]), problem=str(err["msg"]))
        for err in exc.errors()[:10]
    ]
    text = "; ".join(f"{p.field}: {p.problem}" for p in problems) or "malformed request"
    log.warning("%s %s refused: %s", request.method, request.url.path, text)
    return error_response(422, text[:1000], problems)


async def _framework(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    log.warning(
        "%s %s refused (%s): %s", request.method, request.url.path, exc.status_code, exc.detail
    )
    headers = None if exc.headers is None else dict(exc.headers)
    return error_response(exc.status_code, str(exc.detail), headers=headers)


async def _failed(request: Request, exc: Exception) -> JSONResponse:
    if is_db_error(exc):
        return await _database_failed(request, exc)
    log.exception("%s %s failed: a bug", request.method, request.url.path)
    return error_response(500, "internal error: a bug, logged on the server")


def is_db_error(exc: BaseException) -> bool:
    """psycopg's errors, told apart without importing psycopg for SQLite."""
    return type(exc).__module__.startswith("psycopg")


_SQLITE_UNAVAILABLE = {
    5: "the database is busy",
    6: "the database is locked",
    8: "the database is read-only",
    10: "the server's disk failed (I/O error)",
    13: "the server's disk is full",
    14: "the database file cannot be opened",
}


async def _database_failed(request: Request, exc: BaseException) -> JSONResponse:
    """A write the database could not take: 503 saying why, nothing stored (the transaction
    was rolled back). Anything else from the database is a bug: 500, logged."""
    server: ServerState = request.app.state.server
    reason: str | None = None
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        reason = _SQLITE_UNAVAILABLE.get(code & 0xFF) if isinstance(code, int) else None
        if code is not None and code & 0xFF == 13:
            server.disk_full_at = time.monotonic()
    else:
        import psycopg

        if isinstance(exc, psycopg.errors.DiskFull):
            reason = "the database server's disk is full"
            server.disk_full_at = time.monotonic()
        elif isinstance(exc, psycopg.OperationalError):
            reason = "the database is unavailable"
    if reason is None:
        log.exception("%s %s failed in the database: a bug", request.method, request.url.path)
        return error_response(500, "internal error: a bug, logged on the server")
    log.error("%s %s: %s (%s)", request.method, request.url.path, reason, exc)
    return error_response(503, f"{reason}: nothing was stored, try again later")
