"""How a request proves who sends it: a till's credential or the admin token, each only as
`Authorization: Bearer …` (FastAPI dependencies)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Header, Path

from server import tills
from server.errors import Forbidden, Unauthorized
from server.state import DB, State

log = logging.getLogger("canteen.server")


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header; None for anything else."""
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def till_of(
    till: Annotated[str, Path(max_length=64)],
    db: DB,
    authorization: Annotated[str | None, Header()] = None,
) -> str:
    """The till the credential belongs to, which must be the till in the path."""
    token = bearer(authorization)
    if token is None:
        raise Unauthorized("missing till credential (Authorization: Bearer …)")
    owner = tills.authenticate(db, token)
    if owner is None:
        log.warning("bad, revoked or replaced credential for till %s", till)
        raise Unauthorized("invalid till credential (revoked or replaced?)")
    if owner != till:
        log.warning("till %s tried to act as till %s", owner, till)
        raise Forbidden(f"this credential belongs to till {owner}, not {till}")
    return owner


def any_till(db: DB, authorization: Annotated[str | None, Header()] = None) -> str:
    token = bearer(authorization)
    owner = None if token is None else tills.authenticate(db, token)
    if owner is None:
        raise Unauthorized("till credential required")
    return owner


async def admin_only(server: State, authorization: Annotated[str | None, Header()] = None) -> None:
    # Async: a constant-time comparison, no I/O, so no thread hop for it.
    token = bearer(authorization)
    if token is None or not tills.same_secret(token, server.admin_token):
        raise Unauthorized("admin token required (Authorization: Bearer …)")
