"""The scheme policy."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from server import catalogue
from server.api_models import PolicyIn, PolicySettings
from server.routes.admin.paths import LIST, WRITE
from server.state import DB

router = APIRouter()


@router.put("/policy", status_code=204, responses=WRITE)
def put_policy(body: PolicyIn, db: DB) -> None:
    """The whole scheme policy: keys left out take their defaults. Amounts are per currency
    (`{"offline_limit": {"SEK": 30000}}`; currencies left out keep theirs); a single amount is
    the scheme's one currency's, refused (422) when its units sell in several or none."""
    catalogue.set_policy(db, body.model_dump(exclude_unset=True))


@router.get(
    "/policy",
    response_model=PolicySettings,
    response_model_exclude_unset=True,
    responses=LIST,
)
def get_policy(db: DB) -> dict[str, Any]:
    """The scheme policy as set (keys left out take the defaults)."""
    return catalogue.policy_data(db)
