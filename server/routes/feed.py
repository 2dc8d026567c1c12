"""The change feed: a till's long-poll for what changed since its cursor."""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from server.auth import Claim, claim
from server.feed import Ask
from server.http_errors import errors
from server.poll_reads import PollReads
from server.state import ServerState, State
from sync import limits
from sync.protocol import ROWS_VERSION, ChangePage

RECHECK_S = 1.0  # SQLite: a long-poll also looks again this often (the admin CLI may write)
COALESCE_S = 0.25
CALM_S = 1.0

router = APIRouter()
Claimed = Annotated[Claim, Depends(claim)]


@router.get(
    "/v1/tills/{till}/changes",
    response_model=ChangePage,
    responses=errors(401, 403, 422, 503),
)
async def changes(
    request: Request,
    claimed: Claimed,
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
    reads = _reads_of(server)
    ask = Ask(
        claimed.till,
        since,
        known_recv,
        max(after_recv, known_recv),
        tuple(str(s) for s in series),
        claim=claimed.check,  # in the read's own transaction: no thread hop of its own
        credential=claimed.token,
        rows=rows == ROWS_VERSION,
    )
    gzip = _takes_gzip(request)
    deadline = time.monotonic() + wait
    # Keyed by the credential, not the path: the calm (and with it whether this till was
    # answered lately) is for the till itself only, whose credential is checked at the read.
    caller = hashlib.sha256(claimed.token.encode()).hexdigest()
    last = answered.get(caller)
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
        answer = await reads.read(ask, gzip=gzip)
        page = answer.page
        left = deadline - time.monotonic()
        if page.news or page.more or left <= 0:
            if not page.more:
                answered[caller] = time.monotonic()
            if answer.gzipped is not None:
                return Response(
                    answer.gzipped,
                    media_type="application/json",
                    headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
                )
            return Response(page.body, media_type="application/json")
        # Everything up to here was read, and nothing in it for this till: look again only
        # when the feed moved past it (or this till's own results may have come).
        covered = page.page.cursor_seq if page.page is not None else None
        while True:
            # PostgreSQL: every process's writes wake this one (server.notify); SQLite: the
            # admin CLI, another process, is only seen by looking again.
            await notifier.wait(
                left if server.listener is not None else min(left, RECHECK_S), after=heard
            )
            # Gather what else is written in the next moment: with hundreds of tills waiting,
            # one read per till per burst, not one per write.
            await asyncio.sleep(min(COALESCE_S, max(0.0, deadline - time.monotonic())))
            left = deadline - time.monotonic()
            if notifier.count != heard or covered is None or left <= 0:
                break  # a write this process heard of (a push, its results), or time is up
            # Only the clock woke it: another process may have written (the admin CLI, on
            # SQLite). One read of the feed's head, shared, tells; no page read if not.
            if await reads.head() > covered:
                break


def _reads_of(server: ServerState) -> PollReads:
    """The process's gathered page reads, made on first use."""
    reads = server.db.caches.get("poll-reads")
    if reads is None:
        reads = server.db.caches["poll-reads"] = PollReads(server.db)
    assert isinstance(reads, PollReads)
    return reads


def _takes_gzip(request: Request) -> bool:
    """Whether the till accepts a gzipped page (a till's requests session says so unasked)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == "gzip":
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False
