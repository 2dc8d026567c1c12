"""The change feed: a till's long-poll for what changed since its cursor."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from server.auth import till_of
from server.feed import read_page_json
from server.http_errors import errors
from server.state import State
from sync import limits
from sync.protocol import ROWS_VERSION, ChangePage

RECHECK_S = 1.0  # SQLite: a long-poll also looks again this often (the admin CLI may write)
COALESCE_S = 0.25
CALM_S = 1.0

router = APIRouter()
Till = Annotated[str, Depends(till_of)]


@router.get(
    "/v1/tills/{till}/changes",
    response_model=ChangePage,
    responses=errors(401, 403, 422, 503),
)
async def changes(
    request: Request,
    till: Till,
    server: State,
    since: Annotated[str, Query(max_length=64)] = "0",
    wait: Annotated[float, Query(ge=0, le=limits.MAX_WAIT_S)] = 0,
    known_recv: Annotated[int, Query(ge=0, le=limits.INT64_MAX)] = 0,
    after_recv: Annotated[int, Query(ge=0, le=limits.INT64_MAX)] = 0,
    series: Annotated[list[UUID], Query(max_length=8)] = [],  # noqa: B006
    # The row layout the till reads (`sync.protocol.ROWS_VERSION`); any other: plain changes.
    rows: Annotated[int, Query(ge=0, le=limits.INT64_MAX)] = 0,
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
        heard = notifier.count  # before the read: a write during it wakes the wait below
        page = await run_in_threadpool(
            read_page_json,
            server.db,
            till,
            since,
            known_recv=known_recv,
            after_recv=max(after_recv, known_recv),
            series=names,
            rows=rows == ROWS_VERSION,
        )
        left = deadline - time.monotonic()
        if page.news or page.more or left <= 0:
            if not page.more:
                answered[till] = time.monotonic()
            if _takes_gzip(request):
                # A snapshot's page is a megabyte: compressing it (once, then shared) must
                # not hold up the event loop and every other request and long-poll with it.
                return Response(
                    await run_in_threadpool(page.gzip),
                    media_type="application/json",
                    headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
                )
            return Response(page.body, media_type="application/json")
        # PostgreSQL: every process's writes wake this one (server.notify); SQLite: the
        # admin CLI, another process, is only seen by looking again.
        await notifier.wait(
            left if server.listener is not None else min(left, RECHECK_S), after=heard
        )
        # Gather what else is written in the next moment: with hundreds of tills waiting,
        # one read per till per burst, not one per write.
        await asyncio.sleep(min(COALESCE_S, max(0.0, deadline - time.monotonic())))


def _takes_gzip(request: Request) -> bool:
    """Whether the till accepts a gzipped page (a till's requests session says so unasked)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == "gzip":
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False
