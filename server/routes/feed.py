"""The change feed: a till's long-poll for what changed since its cursor.

Served as the journal push is (server/routes/journal.py): `router`'s route is the API as
documented and answers whatever is out of the ordinary; an ordinary poll is taken by
`Changes`, a plain ASGI app the server takes before the framework and its middleware
(`server.app.CentralApp`). Both end in `answer`; what that raises is answered by the app's
own handlers either way (`server.http_errors.answer` for `Changes`).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from server import http_errors
from server.auth import Claim, claim, plain_claim
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


PATH = "/v1/tills/{till}/changes"


@router.get(
    PATH,
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
    poll = Poll(since, wait, known_recv, after_recv, tuple(str(s) for s in series), rows)
    return await answer(
        server, claimed, poll, gzip=takes_gzip(request.headers.get("accept-encoding"))
    )


@dataclass(frozen=True, slots=True)
class Poll:
    """A long-poll's query, read (`changes`' parameters)."""

    since: str = "0"
    wait: float = 0.0
    known_recv: int = 0
    after_recv: int = 0
    series: tuple[str, ...] = ()
    rows: int = 0


async def answer(server: ServerState, claimed: Claim, poll: Poll, *, gzip: bool) -> Response:
    """`changes`, its query read."""
    notifier, answered = server.notifier, server.answered
    reads = _reads_of(server)
    since, wait = poll.since, poll.wait
    ask = Ask(
        claimed.till,
        since,
        poll.known_recv,
        max(poll.after_recv, poll.known_recv),
        poll.series,
        claim=claimed.check,  # in the read's own transaction: no thread hop of its own
        credential=claimed.token,
        rows=poll.rows == ROWS_VERSION,
    )
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


def takes_gzip(accept_encoding: str | None) -> bool:
    """Whether the till accepts a gzipped page (a till's requests session says so unasked)."""
    for part in (accept_encoding or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == "gzip":
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


_SIMPLE = {
    "wait": re.compile(r"\d{1,4}(?:\.\d{1,6})?"),
    "known_recv": re.compile(r"\d{1,19}"),
    "after_recv": re.compile(r"\d{1,19}"),
    "rows": re.compile(r"\d{1,19}"),
    "series": re.compile(r"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}"),
}


class Changes:
    """`changes` for an ordinary long-poll, as a plain ASGI app taken before the framework
    and its middleware (as `journal.Push` for a push: a till polls all day, and the
    framework's work for a poll cost as much CPU as the poll's own); anything else goes on
    to `fallback`, the whole app."""

    def __init__(self, fallback: ASGIApp) -> None:
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)  # the first of a repeated header, as the framework reads
        try:
            claimed = plain_claim(scope, headers)
            poll = _plain_poll(scope["query_string"])
        except Exception:  # whatever else reading it raises: the documented route judges it
            claimed = poll = None
        if claimed is None or poll is None or scope["method"] != "GET":  # a HEAD: documented
            await self.fallback(scope, receive, send)
            return
        server: ServerState = scope["app"].state.server
        try:
            gzip = takes_gzip(headers.get("accept-encoding"))
            response = await answer(server, claimed, poll, gzip=gzip)
        except Exception as exc:
            # A refusal or a failure: answered by the app's handlers, as the documented
            # route answers it, and not asked again (that would wait its whole wait again).
            await http_errors.answer(scope, receive, send, exc)
            return
        await response(scope, receive, send)


def plain_route(fallback: ASGIApp) -> Route:
    """`Changes` at the feed's path, for GET (`server.app.CentralApp` takes it first)."""
    return Route(PATH, Changes(fallback), methods=["GET"])


def _plain_poll(query: bytes) -> Poll | None:
    """The query of an ordinary poll, read as `changes` reads it; None for anything the
    documented route should judge (a value out of range, a second `wait`, an unknown name)."""
    values: dict[str, str] = {}
    series: list[str] = []
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name == "since":
            if name in values or len(value) > 64:
                return None
        elif name in _SIMPLE:
            if (name in values and name != "series") or not _SIMPLE[name].fullmatch(value):
                return None
            if name == "series":
                series.append(value)
                continue
        else:
            return None
        values[name] = value
    wait = float(values.get("wait", "0"))
    known, after, rows = (int(values.get(n, "0")) for n in ("known_recv", "after_recv", "rows"))
    if wait > limits.MAX_WAIT_S or max(known, after, rows) > limits.INT64_MAX or len(series) > 8:
        return None
    return Poll(values.get("since", "0"), wait, known, after, tuple(series), rows)
