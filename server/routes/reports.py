"""A till reports the feed items it could not read."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends

from server import admin
from server.auth import till_of
from server.http_errors import WRITE_ERRORS, errors
from server.state import DB
from sync.protocol import TillReport

log = logging.getLogger("canteen.server")
router = APIRouter()
Till = Annotated[str, Depends(till_of)]


@router.post("/v1/tills/{till}/reports", status_code=204, responses=errors(401, 403, *WRITE_ERRORS))
def reports(body: TillReport, till: Till, db: DB) -> None:
    """Feed items this till could not read, or read without fields it does not know."""
    for problem in body.problems:
        log.warning(
            "till %s %s %s %s (seq %s): %s",
            till,
            "skipped" if problem.skipped else "read",
            problem.kind,
            problem.key,
            problem.seq,
            problem.problem,
        )
    admin.add_till_reports(
        db,
        till,
        [(p.seq, p.kind, p.key, p.problem, p.skipped) for p in body.problems],
    )
