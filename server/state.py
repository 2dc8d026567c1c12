"""What the HTTP layer shares between requests, and how a request proves who sends it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Path, Request

from server import tills
from server.db import Database
from server.feed import Notifier
from sync.protocol import ErrorBody

log = logging.getLogger("canteen.server")
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


def state(request: Request) -> ServerState:
    found: ServerState = request.app.state.server
    return found


State = Annotated[ServerState, Depends(state)]


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header; None for anything else."""
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def till_of(
    till: Annotated[str, Path(max_length=64)],
    server: State,
    authorization: Annotated[str | None, Header()] = None,
) -> str:
    """The till the credential belongs to, which must be the till in the path."""
    token = bearer(authorization)
    if token is None:
        raise HTTPException(401, "missing till credential (Authorization: Bearer …)", _CHALLENGE)
    owner = tills.authenticate(server.db, token)
    if owner is None:
        log.warning("bad, revoked or replaced credential for till %s", till)
        raise HTTPException(401, "invalid till credential (revoked or replaced?)", _CHALLENGE)
    if owner != till:
        log.warning("till %s tried to act as till %s", owner, till)
        raise HTTPException(403, f"this credential belongs to till {owner}, not {till}")
    return owner


def any_till(server: State, authorization: Annotated[str | None, Header()] = None) -> str:
    token = bearer(authorization)
    owner = None if token is None else tills.authenticate(server.db, token)
    if owner is None:
        raise HTTPException(401, "till credential required", _CHALLENGE)
    return owner


def admin_only(server: State, authorization: Annotated[str | None, Header()] = None) -> None:
    token = bearer(authorization)
    if token is None or not tills.same_secret(token, server.admin_token):
        raise HTTPException(401, "admin token required (Authorization: Bearer …)", _CHALLENGE)


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
