"""What the admin routes share: the path and filter types, the error statuses they answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from server.http_errors import WRITE_ERRORS, errors
from sync import limits
from sync.protocol import NO_CONTROL

# No control characters (PostgreSQL cannot even compare a text with NUL in it): a 422, not a
# 500, and the document says so.
CardPath = Annotated[str, Path(max_length=80, pattern=NO_CONTROL)]
KeyPath = Annotated[str, Path(max_length=limits.MAX_ID_CHARS, pattern=NO_CONTROL)]
TillFilter = Annotated[
    str | None,
    Query(max_length=limits.MAX_ID_CHARS, pattern=NO_CONTROL, description="only this till"),
]
# 422 on every route: FastAPI documents one for any route with a parameter (here the
# Authorization header), and it must be said with the ErrorBody it really has.
READ = errors(401, 404, 422, 503)
LIST = errors(401, 422, 503)  # a list: nothing to be not found, a filter to be malformed
WRITE = errors(401, 404, 409, *WRITE_ERRORS)
