"""The back office over HTTP, one router per resource, all under `/v1/admin` and the admin
token: the same operations as `canteen-server admin` (`server.admin`, `server.catalogue`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from server.auth import admin_only
from server.routes.admin import (
    accounts,
    agreements,
    cardholders,
    cards,
    flagged,
    ledger,
    limits,
    policy,
    products,
    refusals,
    reports,
    tills,
    units,
)

router = APIRouter(prefix="/v1/admin", dependencies=[Depends(admin_only)])
for part in (
    units,
    tills,
    cardholders,
    cards,
    accounts,
    ledger,
    agreements,
    products,
    policy,
    refusals,
    flagged,
    reports,
    limits,
):
    router.include_router(part.router)
