"""Whether the server can store anything now."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from fastapi import APIRouter

from server.api_models import Health
from server.db import Database
from server.errors import Unavailable
from server.http_errors import errors, is_db_error
from server.state import State

MIN_FREE_BYTES = 8 << 20  # below this the server's disk counts as full: /v1/health says so

router = APIRouter()


@router.get("/v1/health", response_model=Health, responses=errors(503))
def health(server: State) -> Any:
    """ok, or 503 saying why nothing can be stored now (disk full, database down)."""
    db = server.db
    free = _free_bytes(db)
    try:
        with db.transaction(write=False) as tx:
            tx.scalar("SELECT 1")
    except (sqlite3.Error, OSError) as exc:
        raise Unavailable(f"the database cannot be read: {exc}") from None
    except Exception as exc:
        if is_db_error(exc):
            raise Unavailable(f"the database is unavailable: {exc}") from None
        raise
    if free is not None and free < MIN_FREE_BYTES:
        raise Unavailable(f"the server's disk is full: {free} bytes free")
    if server.disk_full_recently():
        raise Unavailable("the server's disk was full at the last write: nothing stored")
    return Health(status="ok", database=db.dialect, disk_free_bytes=free)


def _free_bytes(db: Database) -> int | None:
    if db.path is None:
        return None
    try:
        stat = os.statvfs(db.path.parent)
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize
