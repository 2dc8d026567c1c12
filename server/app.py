"""The central server's HTTP API (FastAPI): enrolment, journal ingest, the feed, back office.

Put together here: the routers (`server.routes`, one per resource), the shared state they
reach through dependencies (`server.state`), the error handlers (`server.http_errors`, the
one place where each error becomes its status and its `ErrorBody`), the body limits
(`server.middleware`), and what lives as long as the process: the database's connection
pool and, on PostgreSQL, the listener that hears every process's writes (`server.notify`).
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from server import http_errors, poll_reads
from server.db import Database
from server.middleware import LimitBody, WakeOnWrite
from server.migrations import migrate
from server.notify import Listener
from server.routes import ROUTERS, feed, journal
from server.state import ServerState
from sync import limits

# Threads that run the handlers (each holds at most one database connection, so the pool is
# as large): plenty for two cores, and 4 workers x 16 stay within PostgreSQL's default 100.
DEFAULT_THREADS = 16


def create_app(
    database_url: str,
    *,
    admin_token: str,
    body_deadline_s: float = limits.BODY_DEADLINE_S,
    threads: int = DEFAULT_THREADS,
) -> CentralApp:
    """The API on a database; `body_deadline_s`: how long a request body may take to arrive
    (`BODY_DEADLINE_S`; `canteen-server serve` takes it from $CANTEEN_BODY_DEADLINE_S);
    `threads`: handlers run at once (and database connections kept)."""
    db = Database(database_url)
    migrate(db)
    server = ServerState(db, admin_token)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = threads
        db.open_pool(threads + poll_reads.AT_ONCE)  # the long-polls' reads have their own
        # The ordinary pushes have threads of their own (`journal.Push`), the documented
        # routes anyio's; a push holds a token of anyio's limiter as those do, so together
        # no more than `threads` hold a connection and the long-polls keep theirs.
        server.pushes = ThreadPoolExecutor(threads, thread_name_prefix="push")
        if db.dialect == "postgresql":
            server.listener = Listener(database_url, server.notifier)
            await to_thread.run_sync(server.listener.start)
        else:
            db.on_commit = lambda urgent: server.notifier.notify(urgent=urgent)
        _collect_less()
        try:
            yield
        finally:
            pushes, server.pushes = server.pushes, None  # a late push takes anyio's threads
            await to_thread.run_sync(pushes.shutdown)
            if server.listener is not None:
                await to_thread.run_sync(server.listener.stop)
            await to_thread.run_sync(db.close)

    app = CentralApp(title="canteen-till central server", version="1", lifespan=lifespan)
    app.state.server = server
    for router in ROUTERS:
        app.include_router(router)
    app.plain = (
        journal.plain_route(
            app.framework,
            wake=server.written,
            limit=_limit_of(journal.PATH),
            deadline_s=body_deadline_s,
        ),
        feed.plain_route(app.framework),
    )
    app.add_middleware(WakeOnWrite, wake=server.written)
    app.add_middleware(LimitBody, limit_of=_limit_of, deadline_s=body_deadline_s)
    http_errors.install(app)
    return app


class CentralApp(FastAPI):
    """The API, with the two requests every till sends all day (a push, a long-poll) taken
    before the framework and its middleware when they are ordinary (`plain`: routes to
    `journal.Push` and `feed.Changes`, which pass anything else on to `framework`, the
    whole app): the seven layers of middleware a request passes through cost a tenth of a
    push's CPU."""

    plain: tuple[Route, ...] = ()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self.plain:
                match, child = route.matches(scope)
                if match is Match.FULL:
                    await route.app({**scope, **child, "app": self}, receive, send)
                    return
        await self.framework(scope, receive, send)

    async def framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


@functools.cache  # once a process
def _collect_less() -> None:
    """Python's cyclic garbage collector, tuned for a server: what exists once it has started
    (modules, models, the framework's routes) is moved out of its sight, and it runs after
    10,000 new objects, not 700. Its collections took a sixth of a batch's CPU (68 against
    57 to 60 µs an entry in-process, `bench.ingest`), most of it going over those objects
    again and again; a request makes few cycles, and what it leaves is freed as before.
    Once a process: a process that starts several apps (the tests) freezes only what
    existed before the first."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, *gc.get_threshold()[1:])


def app_from_env() -> CentralApp:
    """`create_app` for each of `canteen-server serve --workers N`'s processes, configured
    through the environment the command set (a worker process is started afresh)."""
    return create_app(
        os.environ["CANTEEN_SERVER_DB"],
        admin_token=os.environ["CANTEEN_ADMIN_TOKEN"],
        body_deadline_s=float(os.environ["CANTEEN_BODY_DEADLINE_S"]),
        threads=int(os.environ["CANTEEN_THREADS"]),
    )


def _limit_of(path: str) -> int:
    if path.endswith("/photo"):
        return limits.MAX_PHOTO_BYTES
    return limits.MAX_BODY_BYTES
