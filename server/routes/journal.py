"""A till pushes its journal.

The most frequent write of all (a till pushes right after each sale) is served twice over:
`router`'s route is the API as documented, and it answers whatever is out of the ordinary
(a body that does not read, a missing credential, a till id no path may hold). An ordinary
push, a well-formed batch with a bearer credential, is taken by `Push`, a plain ASGI app
the server takes before the framework and its middleware (`server.app.CentralApp`), that
does the same work without the framework's per-request machinery (seven layers of
middleware, dependency solving, validating the answer it has just built, two model copies):
that machinery cost more CPU than the push's own work. Both end in `take`; what `take`
raises (a refused credential, a failure) is answered by the app's own handlers
(`server.http_errors.answer`), once, as the documented route answers it
(tests/server/test_plain_routes.py asks both ways).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from anyio import WouldBlock, to_thread
from fastapi import APIRouter, Depends
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from server import http_errors
from server.auth import Claim, claim, plain_claim
from server.db import Database, NotGuarded
from server.http_errors import WRITE_ERRORS, errors
from server.ingest import push
from server.middleware import read_limited, replayed
from server.state import DB, ServerState
from sync.protocol import JournalAck, JournalBatch

PATH = "/v1/tills/{till}/journal"

log = logging.getLogger("canteen.server")
T = TypeVar("T")

router = APIRouter()
Claimed = Annotated[Claim, Depends(claim)]


@router.post(PATH, response_model=JournalAck, responses=errors(401, 403, *WRITE_ERRORS))
def journal(batch: JournalBatch, claimed: Claimed, db: DB) -> JournalAck:
    """A batch of journal entries; one result each. Idempotent forever by entry id."""
    # A body that is no storable text (a lone surrogate, a NUL) is refused by EntryIn itself:
    # a 422 naming the entry, before anything is written.
    return take(db, claimed, batch)


def take(db: Database, claimed: Claim, batch: JournalBatch) -> JournalAck:
    # One connection and one thread hop per push. On PostgreSQL the credential is checked as
    # the push begins, in the statement that takes its locks, which it takes only if the
    # till holds that credential (a request with a bad one holds no lock and writes nothing):
    # no round trip of its own. On SQLite it is read first, outside the process's write lock;
    # as it is on PostgreSQL for a claim that cannot be checked so (another till's credential).
    entries = list(batch.entries)
    with db.session() as held:
        guard = claimed.guard() if held.dialect == "postgresql" else None
        if guard is None:
            with held.lone() as tx:
                till = claimed.check(tx)
            return push(held, till, entries, known_recv=batch.known_recv)
        try:
            return push(held, claimed.till, entries, known_recv=batch.known_recv, guard=guard)
        except NotGuarded:
            raise claimed.refused() from None


_JSON = re.compile(r"^application/(?:[\w.+-]+\+)?json\s*(?:;.*)?$", re.IGNORECASE)


class Push:
    """`journal` for an ordinary push, as a plain ASGI app taken before the framework and its
    middleware (`server.app.CentralApp`), so it reads the body as `LimitBody` would and wakes
    the long-polls as `WakeOnWrite` would; anything else goes on to `fallback`, the whole
    app, with the body it has read."""

    def __init__(
        self, fallback: ASGIApp, *, wake: Callable[[str], None], limit: int, deadline_s: float
    ) -> None:
        self.fallback = fallback
        self.wake, self.limit, self.deadline_s = wake, limit, deadline_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_limited(scope, receive, send, self.limit, deadline_s=self.deadline_s)
        if body is None:  # answered already, or the client went away
            return
        try:
            claimed, batch = _ordinary(scope, body)
        except Exception:  # whatever else reading it raises: the documented route judges it
            claimed = batch = None
        if claimed is None or batch is None:
            await self.fallback(scope, replayed(body, receive), send)
            return
        server: ServerState = scope["app"].state.server
        try:
            db = server.db.for_writes(urgent=False)  # a till's sales wake the long-polls gathered
            ack = await _in_thread(server, take, db, claimed, batch)
            answer = ack.model_dump_json().encode()
        except Exception as exc:
            # A refusal or a failure: answered by the app's handlers, as the documented route
            # answers it (a bug logged with its traceback), and not taken again: a database
            # in trouble is not asked twice.
            await http_errors.answer(scope, replayed(body, receive), send, exc)
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})
        self.wake(scope["path"])


async def _in_thread(server: ServerState, work: Callable[..., T], *args: Any) -> T:
    """`work` in a thread: the pushes' own (`ServerState.pushes`, through asyncio's
    `run_in_executor`: a tenth of what anyio's hop costs), or anyio's where there are none
    (an app outside its lifespan). A push on its own
    pool holds a token of anyio's limiter, as the documented handlers' threads do: together
    no more threads hold a connection than the database's pool keeps for them, and the
    long-polls' reads keep the connections set aside for them (`poll_reads.AT_ONCE`)."""
    if server.pushes is None:
        return await run_in_threadpool(work, *args)
    limiter, token = to_thread.current_default_thread_limiter(), object()
    try:
        limiter.acquire_on_behalf_of_nowait(token)
    except WouldBlock:
        await limiter.acquire_on_behalf_of(token)
    future = asyncio.get_running_loop().run_in_executor(server.pushes, work, *args)
    # given back when the thread is done, even if the request is cancelled before that
    future.add_done_callback(lambda _: limiter.release_on_behalf_of(token))
    return await asyncio.shield(future)


def plain_route(
    fallback: ASGIApp, *, wake: Callable[[str], None], limit: int, deadline_s: float
) -> Route:
    """`Push` at the journal's path, for POST (`server.app.CentralApp` takes it first)."""
    return Route(
        PATH, Push(fallback, wake=wake, limit=limit, deadline_s=deadline_s), methods=["POST"]
    )


def _ordinary(scope: Scope, body: bytes) -> tuple[Claim | None, JournalBatch | None]:
    """The claim and batch of an ordinary push; None for what `journal` answers."""
    headers = Headers(scope=scope)  # the first of a repeated header, as the framework reads
    claimed = plain_claim(scope, headers)
    kind = headers.get("content-type")
    if claimed is None or kind is None or not _JSON.match(kind):
        return None, None
    try:
        return claimed, JournalBatch.model_validate_json(body)
    except ValidationError:
        return None, None
