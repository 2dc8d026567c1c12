"""A till trades its one-time enrolment code for its credential."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from server import tills
from server.http_errors import WRITE_ERRORS, errors
from server.state import DB
from sync.protocol import EnrollRequest, EnrollResponse

log = logging.getLogger("canteen.server")
router = APIRouter()


@router.post("/v1/enrol", response_model=EnrollResponse, responses=errors(403, *WRITE_ERRORS))
def enrol(body: EnrollRequest, db: DB) -> EnrollResponse:
    till_id, unit_id, credential = tills.enrol(db, body.code)
    log.info("till %s of unit %s enrolled", till_id, unit_id)
    return EnrollResponse(till_id=till_id, unit_id=unit_id, credential=credential)
