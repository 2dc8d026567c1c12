"""What a request to the server can be refused with, and the HTTP status of each, in one table.

Domain code (`server.admin`, `server.catalogue`, `server.tills`, the auth dependencies)
raises the class that says what is wrong; the HTTP API turns it into its status and its
`ErrorBody` in one handler (`server.http_errors`), `canteen-server admin` into its message
and exit code 1. Nothing here is a `ValueError`: a refusal is never mistaken for a bug, nor
a bug for a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final, TypeVar

from pydantic import TypeAdapter, ValidationError

from sync.photos import NotAnImage, PhotoError, PhotoTooLarge

T = TypeVar("T")


class ServerError(Exception):
    """A request the server refuses; the message says why."""

    headers: ClassVar[Mapping[str, str]] = {}


class Invalid(ServerError):
    """A value that is malformed or out of bounds; the message names the field."""


class NotFound(ServerError):
    """What the request names does not exist."""


class Conflict(ServerError):
    """The request clashes with what is there (already issued, already replaced)."""


class TooLarge(ServerError):
    """Over one of the limits of `sync.limits`; the message names it."""


class Unauthorized(ServerError):
    """No credential, or one that is not (or no longer) valid."""

    headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": "Bearer"}


class Forbidden(ServerError):
    """A credential that may not do this (another till's), or a spent enrolment code."""


class Unavailable(ServerError):
    """Nothing can be stored now (disk full, database down); the message says why."""


# The one table of statuses. sync.photos' errors are the till's too, which knows no HTTP:
# they are mapped here rather than wrapped in the catalogue.
STATUS: Final[Mapping[type[Exception], int]] = {
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    PhotoTooLarge: 413,
    Invalid: 422,
    NotAnImage: 422,
    Unavailable: 503,
    PhotoError: 422,  # the roots: a refusal of no narrower kind
    ServerError: 422,
}
REFUSALS: Final = (ServerError, PhotoError)  # every class of the table derives from one


def status_of(exc: Exception) -> int:
    """The HTTP status of a refusal: that of its nearest class in `STATUS`."""
    for kind in type(exc).__mro__:
        status = STATUS.get(kind)
        if status is not None:
            return status
    raise TypeError(f"{type(exc).__name__} is not a refusal of server.errors")


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def valid(kind: Any, value: T, field: str) -> T:
    """`value` checked against a wire type (`sync.protocol.Name`, …), or Invalid naming the
    field: the CLI gets the same limits as the HTTP API."""
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    try:
        return adapter.validate_python(value)  # type: ignore[no-any-return]
    except ValidationError as exc:
        problem = "; ".join(str(err["msg"]) for err in exc.errors()[:3])
        raise Invalid(f"{field} = {value!r:.80}: {problem}") from None
