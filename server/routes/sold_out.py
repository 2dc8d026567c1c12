"""A till's supervisor marks a product of its unit sold out, or back on sale."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from server import catalogue
from server.auth import till_of
from server.http_errors import WRITE_ERRORS, errors
from server.routes.admin.paths import KeyPath
from server.state import DB
from sync.protocol import SoldOutMark

router = APIRouter()
Till = Annotated[str, Depends(till_of)]


@router.put(
    "/v1/tills/{till}/products/{product_id}/sold-out",
    status_code=204,
    responses=errors(401, 403, 404, 409, *WRITE_ERRORS),
)
def sold_out(product_id: KeyPath, body: SoldOutMark, till: Till, db: DB) -> None:
    """Stored and sent to every till of the unit; a product of another unit is a 403, an
    unknown one a 404. Idempotent by `mark_id`: a mark sent again changes nothing."""
    catalogue.mark_sold_out_at_till(
        db,
        till,
        product_id,
        mark_id=str(body.mark_id),
        sold_out=body.sold_out,
        marked_at=body.marked_at,
    )
