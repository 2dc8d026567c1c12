"""The physical limit of a push on this machine: FastAPI and uvicorn as the server runs them,
the same psycopg pool, and a handler that does nothing but one INSERT and a durable COMMIT.

`bench.push_floor` serves it beside the real server and drives both with the same load
generator, so the gap between them is what the server's own work costs. Two endpoints:

- `/floor/raw/{till}`: the body read as bytes, one row inserted, a fixed answer;
- `/floor/model/{till}`: the body validated as a `JournalBatch` and answered as a
  `JournalAck` (the wire models' cost on top), otherwise the same.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response
from psycopg_pool import ConnectionPool

from sync.ids import new_id
from sync.protocol import EntryResult, JournalAck, JournalBatch

INSERT = (
    "INSERT INTO bare_ingest (entry_id, till_id, series, seq, recv_no, content_hash, kind,"
    " result, received_at, account_id, amount, business_day, content, flags) VALUES"
    " (%s, %s, %s, %s, %s, '', 'sale', '{}', now()::text, 'a1', -350, '2026-12-02', %s, '[]')"
)


def create() -> FastAPI:
    pool = ConnectionPool(
        os.environ["FLOOR_DB"], min_size=2, max_size=16, kwargs={"autocommit": True}, open=False
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        from anyio import to_thread

        to_thread.current_default_thread_limiter().total_tokens = 16
        pool.open()
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(lifespan=lifespan)
    numbers = itertools.count(1)

    def insert(till: str, content: str) -> None:
        with pool.connection() as conn:
            conn.execute("BEGIN")
            n = next(numbers)  # the table's unique (till, seq) and (till, recv_no)
            conn.execute(INSERT, (new_id(), till, new_id(), n, n, content))
            conn.execute("COMMIT")

    @app.post("/floor/raw/{till}/journal")
    def raw(till: str, request: Request) -> Response:
        # The body is read by the async side before the thread hop in the real route too.
        insert(till, "{}")
        return Response(b'{"results":[{"status":"accepted"}]}', media_type="application/json")

    @app.post("/floor/model/{till}/journal", response_model=JournalAck)
    def model(till: str, batch: JournalBatch) -> JournalAck:
        entry = batch.entries[0]
        insert(till, entry.model_dump_json())
        result = EntryResult(id=entry.id, seq=entry.seq, status="accepted", recv_no=1)
        return JournalAck(till_id=till, results=[result], last_recv=1)

    return app
