"""Entries booked and flagged."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server import admin
from server.api_models import FlaggedRow
from server.routes.admin.paths import LIST, TillFilter
from server.state import DB

router = APIRouter()


@router.get("/flagged", response_model=list[FlaggedRow], responses=LIST)
def get_flagged(db: DB, till: TillFilter = None) -> list[dict[str, Any]]:
    """Entries booked although they broke a rule: they happened offline."""
    return admin.flagged(db, till)
