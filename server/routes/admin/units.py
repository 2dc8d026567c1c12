"""Sales units."""

from __future__ import annotations

from fastapi import APIRouter

from server import admin
from server.api_models import UnitIn
from server.errors import Invalid
from server.routes.admin.paths import WRITE, KeyPath
from server.state import DB
from sync.records import Unit

router = APIRouter()


@router.put("/units/{unit_id}", status_code=204, responses=WRITE)
def put_unit(unit_id: KeyPath, body: UnitIn, db: DB) -> None:
    if body.unit_id != unit_id:
        raise Invalid("unit_id in the path and the body differ")
    admin.add_unit(db, Unit(**body.model_dump()))
