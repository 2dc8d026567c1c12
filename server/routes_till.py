"""What tills call: enrolment, journal push, the change feed, reports, photos."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response
from starlette.concurrency import run_in_threadpool

from server import admin, catalogue, tills
from server.feed import read_page_json
from server.ingest import ingest
from server.state import WRITE_ERRORS, State, any_till, errors, till_of
from sync import limits
from sync.protocol import (
    ChangePage,
    EnrollRequest,
    EnrollResponse,
    JournalAck,
    JournalBatch,
    TillReport,
)

log = logging.getLogger("canteen.server")
RECHECK_S = 1.0  # a long-poll also looks again this often: another process may have written
COALESCE_S = 0.25
CALM_S = 1.0

router = APIRouter()
Till = Annotated[str, Depends(till_of)]


@router.post("/v1/enrol", response_model=EnrollResponse, responses=errors(403, *WRITE_ERRORS))
def enrol(body: EnrollRequest, server: State) -> EnrollResponse:
    try:
        till_id, unit_id, credential = tills.enrol(server.db, body.code)
    except tills.EnrolError as exc:
        raise HTTPException(403, str(exc)) from None
    log.info("till %s of unit %s enrolled", till_id, unit_id)
    return EnrollResponse(till_id=till_id, unit_id=unit_id, credential=credential)


@router.post(
    "/v1/tills/{till}/journal",
    response_model=JournalAck,
    responses=errors(401, 403, *WRITE_ERRORS),
)
def journal(batch: JournalBatch, till: Till, server: State) -> JournalAck:
    """A batch of journal entries; one result each. Idempotent forever by entry id."""
    # A body that is no storable text (a lone surrogate, a NUL) is refused by EntryIn itself:
    # a 422 naming the entry, before anything is written.
    return ingest(server.db, till, list(batch.entries), known_recv=batch.known_recv)


@router.get(
    "/v1/tills/{till}/changes",
    response_model=ChangePage,
    responses=errors(401, 403, 422, 503),
)
async def changes(
    till: Till,
    server: State,
    since: Annotated[str, Query(max_length=64)] = "0",
    wait: Annotated[float, Query(ge=0, le=limits.MAX_WAIT_S)] = 0,
    known_recv: Annotated[int, Query(ge=0, le=limits.INT64_MAX)] = 0,
    after_recv: Annotated[int, Query(ge=0, le=limits.INT64_MAX)] = 0,
    series: Annotated[list[UUID], Query(max_length=8)] = [],  # noqa: B006
) -> Response:
    """Long-poll: answers at once when there is something after `since`, else within `wait`.

    A till that was answered less than a second ago waits out the rest of that second
    first, unless the back office writes: under a stream of other tills' sales each till
    reads about once a second instead of once per sale, and a deposit or a block still
    goes out at once. A cursor this server never issued starts a new snapshot (`reset`).
    """
    notifier, answered = server.notifier, server.answered
    names = [str(s) for s in series]
    deadline = time.monotonic() + wait
    last = answered.get(till)
    calm = 0.0
    if last is not None and notifier.last_urgent < last:  # else it missed one: no calm
        calm = last + CALM_S - time.monotonic()
    if (
        wait > 0
        and since != "0"
        and calm > 0
        and await notifier.wait(min(calm, wait), urgent_only=True)
    ):
        await asyncio.sleep(COALESCE_S)  # gather the rest of the back office's burst
    while True:
        page = await run_in_threadpool(
            read_page_json,
            server.db,
            till,
            since,
            known_recv=known_recv,
            after_recv=max(after_recv, known_recv),
            series=names,
        )
        left = deadline - time.monotonic()
        if page.news or page.more or left <= 0:
            if not page.more:
                answered[till] = time.monotonic()
            return Response(page.body, media_type="application/json")
        await notifier.wait(min(left, RECHECK_S))
        # Gather what else is written in the next moment: with hundreds of tills waiting,
        # one read per till per burst, not one per write.
        await asyncio.sleep(min(COALESCE_S, max(0.0, deadline - time.monotonic())))


@router.post("/v1/tills/{till}/reports", status_code=204, responses=errors(401, 403, *WRITE_ERRORS))
def reports(body: TillReport, till: Till, server: State) -> None:
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
        server.db,
        till,
        [(p.seq, p.kind, p.key, p.problem, p.skipped) for p in body.problems],
    )


@router.get(
    "/v1/photos/{sha256}",
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The photo."},
        **errors(401, 404, 422, 503),
    },
    response_class=Response,
)
def photo(
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
    server: State,
    till: Annotated[str, Depends(any_till)],
) -> Response:
    """Content-addressed photo bytes, for the enrolled tills that may see the cardholder."""
    found = catalogue.photo_for_till(server.db, sha256, till)
    if found is None:
        raise HTTPException(404, f"no photo {sha256} for this till")
    data, media = found
    return Response(
        data,
        media_type=media,
        headers={"Cache-Control": "private, max-age=31536000, immutable"},
    )
