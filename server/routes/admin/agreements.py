"""An account's autoload agreement (D-AUTO-1): set, or ended."""

from __future__ import annotations

from fastapi import APIRouter

from server import catalogue
from server.api_models import AgreementIn
from server.routes.admin.paths import WRITE, KeyPath
from server.state import DB
from sync.records import AutoloadAgreement

router = APIRouter()


@router.put("/accounts/{account_id}/agreement", status_code=204, responses=WRITE)
def put_agreement(account_id: KeyPath, body: AgreementIn, db: DB) -> None:
    catalogue.set_agreement(db, AutoloadAgreement(account_id, **body.model_dump()))


@router.delete("/accounts/{account_id}/agreement", status_code=204, responses=WRITE)
def delete_agreement(account_id: KeyPath, db: DB) -> None:
    catalogue.remove_agreement(db, account_id)
