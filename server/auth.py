"""How a request proves who sends it: a till's credential or the admin token, each only as
`Authorization: Bearer …` (FastAPI dependencies)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Header, Path
from starlette.datastructures import Headers
from starlette.types import Scope

from server import tills
from server.db import Tx
from server.errors import Forbidden, Unauthorized
from server.state import DB, State
from sync.entry_body import has_control
from sync.protocol import NO_CONTROL

# A till id as a path names it: no control characters (a NUL is text PostgreSQL cannot hold).
TillPath = Annotated[str, Path(max_length=64, pattern=NO_CONTROL)]

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
    till: TillPath,
    db: DB,
    authorization: Annotated[str | None, Header()] = None,
) -> str:
    """The till the credential belongs to, which must be the till in the path."""
    token = _token_of(authorization)
    return _owner_must_be(till, token, tills.authenticate(db, token))


def plain_claim(scope: Scope, headers: Headers) -> Claim | None:
    """The claim of a request to a till's path that `claim` takes without a word: a bearer
    token and a till id a path may hold (`TillPath`); None for anything `claim` and the
    path's own checks should answer (a plain ASGI route, `routes.journal.Push`, passes it
    on to the documented route)."""
    token = bearer(headers.get("authorization"))
    till = scope["path_params"].get("till", "")
    if token is None or len(till) > 64 or has_control(till):
        return None
    return Claim(till, token)


@dataclass(frozen=True, slots=True)
class Claim:
    """A till's credential, not yet checked: the handler checks it in its own transaction
    (`check`), so a push takes one connection and one thread hop for both."""

    till: str
    token: str

    def check(self, tx: Tx) -> str:
        """The till, if the credential is its own (else 401 or 403, as `till_of`)."""
        return _owner_must_be(self.till, self.token, tills.credential_owner(tx, self.token))

    def guard(self) -> tuple[str, str] | None:
        """What a transaction checks to take this claim as it begins (`Database.transaction`'s
        `guard`): the till and the hash it must hold; None for a credential of another till
        or none at all, which `check` answers in words (403, 401)."""
        guard = tills.credential_guard(self.token)
        return guard if guard is not None and guard[0] == self.till else None

    def refused(self) -> Unauthorized:
        """The answer to a claim its guard refused: the credential is no till's (now)."""
        return _not_a_credential(self.till)


async def claim(
    till: TillPath,
    authorization: Annotated[str | None, Header()] = None,
) -> Claim:
    # Async: it only reads the header; a missing one is refused before any thread hop.
    return Claim(till, _token_of(authorization))


def _token_of(authorization: str | None) -> str:
    token = bearer(authorization)
    if token is None:
        raise Unauthorized("missing till credential (Authorization: Bearer …)")
    return token


def _owner_must_be(till: str, token: str, owner: str | None) -> str:
    if owner is None:
        raise _not_a_credential(till)
    if owner != till:
        log.warning("till %s tried to act as till %s", owner, till)
        raise Forbidden(f"this credential belongs to till {owner}, not {till}")
    return owner


def _not_a_credential(till: str) -> Unauthorized:
    log.warning("bad, revoked or replaced credential for till %s", till)
    return Unauthorized("invalid till credential (revoked or replaced?)")


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
