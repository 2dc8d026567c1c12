"""An account's ledger: every movement of its balance and where it came from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server import admin
from server.api_models import AccountLedger
from server.routes.admin.paths import READ, KeyPath
from server.state import DB

router = APIRouter()


@router.get(
    "/accounts/{account_id}/ledger",
    response_model=AccountLedger,
    response_model_exclude_unset=True,  # a deposit has no kind, flags or lines
    responses=READ,
)
def get_ledger(account_id: KeyPath, db: DB) -> dict[str, Any]:
    """Every movement of the balance and where it came from."""
    return admin.explain(db, account_id)
