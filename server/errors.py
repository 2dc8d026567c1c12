"""What a back-office request can fail with, and the HTTP status each one is, in one place.

The admin HTTP API and `canteen-server admin` raise the same exceptions; the API turns each
into its status (`server.app`), the CLI into its message and exit code 1.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

T = TypeVar("T")


class AdminError(ValueError):
    """A back-office request that cannot be done; the message says why."""

    status = 422


class NotFound(AdminError):
    """What the request names does not exist."""

    status = 404


class Conflict(AdminError):
    """The request clashes with what is there (already issued, already replaced)."""

    status = 409


class TooLarge(AdminError):
    """Over one of the limits of `sync.limits`; the message names it."""

    status = 413


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def valid(kind: Any, value: T, field: str) -> T:
    """`value` checked against a wire type (`sync.protocol.Name`, …), or AdminError naming
    the field: the CLI gets the same limits as the HTTP API."""
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    try:
        return adapter.validate_python(value)  # type: ignore[no-any-return]
    except ValidationError as exc:
        problem = "; ".join(str(err["msg"]) for err in exc.errors()[:3])
        raise AdminError(f"{field} = {value!r:.80}: {problem}") from None
