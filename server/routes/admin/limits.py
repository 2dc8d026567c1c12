"""Every size limit, for the operator."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server.api_models import Limit
from server.http_errors import errors
from sync import limits

router = APIRouter()


@router.get("/limits", response_model=dict[str, Limit], responses=errors(401, 422))
def get_limits() -> dict[str, Any]:
    """Every size limit of the wire and the back office (`sync.limits`)."""
    return {name: {"value": value, "what": what} for name, value, what in limits.as_table()}
