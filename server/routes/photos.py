"""Photos by their content address, for the tills that may see them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from server import catalogue
from server.auth import any_till
from server.errors import NotFound
from server.http_errors import errors
from server.state import DB

router = APIRouter()


@router.get(
    "/v1/photos/{sha256}",
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The photo."},
        **errors(401, 404, 422, 503),
    },
    response_class=Response,
)
def photo(
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
    db: DB,
    till: Annotated[str, Depends(any_till)],
) -> Response:
    """Content-addressed photo bytes, for the enrolled tills that may see the cardholder."""
    found = catalogue.photo_for_till(db, sha256, till)
    if found is None:
        raise NotFound(f"no photo {sha256} for this till")
    data, media = found
    return Response(
        data,
        media_type=media,
        headers={"Cache-Control": "private, max-age=31536000, immutable"},
    )
