"""Entries refused for good."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server import admin
from server.api_models import RefusalRow
from server.routes.admin.paths import LIST, TillFilter
from server.state import DB

router = APIRouter()


@router.get("/refusals", response_model=list[RefusalRow], responses=LIST)
def get_refusals(db: DB, till: TillFilter = None) -> list[dict[str, Any]]:
    """Entries refused for good: they cannot have happened (kept, never booked)."""
    return admin.refusals(db, till)
