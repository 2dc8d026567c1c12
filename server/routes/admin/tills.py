"""Tills: registering (an enrolment code), revoking, the overview."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server import admin, tills
from server.api_models import TillCode, TillIn, TillRow
from server.routes.admin.paths import LIST, WRITE, KeyPath
from server.state import DB

router = APIRouter()


@router.post("/tills", response_model=TillCode, responses=WRITE)
def post_till(body: TillIn, db: DB) -> TillCode:
    """Register a till (again): a one-time enrolment code; a till's old credential ends."""
    code = tills.add_till(db, body.till_id, body.unit_id)
    return TillCode(till_id=body.till_id, enrolment_code=code)


@router.post("/tills/{till_id}/revoke", status_code=204, responses=WRITE)
def revoke_till(till_id: KeyPath, db: DB) -> None:
    """End a till's credential at once (a stolen or retired till PC): it gets 401 after."""
    tills.revoke(db, till_id)


@router.get("/tills", response_model=list[TillRow], responses=LIST)
def get_tills(db: DB) -> list[dict[str, Any]]:
    return admin.tills_overview(db)
