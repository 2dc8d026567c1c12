"""Cardholders: registering one (with an account), changing one, their photo."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from server import admin, catalogue
from server.api_models import CardholderIn, CardholderPatch, Created, PhotoOut
from server.routes.admin.paths import WRITE, KeyPath
from server.state import DB

router = APIRouter()


@router.post("/cardholders", status_code=201, response_model=Created, responses=WRITE)
def post_cardholder(body: CardholderIn, db: DB) -> Created:
    admin.add_cardholder(db, **body.model_dump())
    return Created(account_id=body.account_id)


@router.patch("/cardholders/{cardholder_id}", status_code=204, responses=WRITE)
def patch_cardholder(cardholder_id: KeyPath, body: CardholderPatch, db: DB) -> None:
    """Name, where the card may be used (D-UNIT-2) and restrictions (D-UNIT-3)."""
    admin.update_cardholder(
        db,
        cardholder_id,
        name=body.name,
        allowed_unit_types=body.allowed_unit_types,
        daily_limit=body.daily_limit,
        remove_daily_limit=body.remove_daily_limit,
        blocked_categories=body.blocked_categories,
    )


@router.put(
    "/cardholders/{cardholder_id}/photo",
    response_model=PhotoOut,
    responses=WRITE,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def put_photo(cardholder_id: KeyPath, request: Request, db: DB) -> PhotoOut:
    """A JPEG or PNG photo (D-CARD-4), at most `MAX_PHOTO_BYTES` and `MAX_PHOTO_PIXELS`."""
    data = await request.body()  # the size limit was enforced while it was read
    sha = await run_in_threadpool(catalogue.put_photo, db, cardholder_id, data)
    return PhotoOut(sha256=sha)
