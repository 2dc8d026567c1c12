"""What tills reported they could not read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server import admin
from server.api_models import ReportRow
from server.routes.admin.paths import LIST, TillFilter
from server.state import DB

router = APIRouter()


@router.get("/reports", response_model=list[ReportRow], responses=LIST)
def get_reports(db: DB, till: TillFilter = None) -> list[dict[str, Any]]:
    """Feed items tills could not read."""
    return admin.till_reports(db, till)
