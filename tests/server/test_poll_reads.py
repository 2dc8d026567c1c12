"""Long-polls' page reads, gathered (`server.poll_reads`, `server.feed.read_pages_json`): many
tills' pages read in one transaction are each the page it would read alone; polls asking at
the same moment share one read; a refused credential refuses that poll only; and a change
still reaches every one of many waiting long-polls, over HTTP, on both databases."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import uvicorn
from fastapi import FastAPI

from server import admin
from server.app import create_app
from server.db import Database, Tx
from server.errors import Unauthorized
from server.feed import Ask, PageJson, read_page, read_page_json, read_pages_json
from server.ingest import ingest
from server.poll_reads import PollReads
from sync.client import enrol
from sync.protocol import AccountData, ChangePage
from tests.server.live import ADMIN, Server, free_port
from tests.server.test_feed import NIL, db, sale
from tests.terminal.till_scheme import UNIT

__all__ = ["db"]  # the fixture, shared with test_feed


def _refuse(tx: Tx) -> object:
    raise Unauthorized("invalid till credential (revoked or replaced?)")


def test_pages_read_together_are_each_the_page_read_alone(db: Database) -> None:
    head = read_page(db, "till-1", "0", limit=10_000).cursor
    ingest(db, "till-1", [sale(1, "a0", "C0", -300), sale(2, "a1", "C1", -200)])
    asks = [
        Ask("till-1", head, 0, 0, tuple(NIL)),  # its own results, and the balances
        Ask("till-2", head, 0, 0, tuple(NIL)),  # the same changes, none of till-1's results
        Ask("till-2", "7-000000000000"),  # a cursor this server never issued: a snapshot
        Ask("till-1", head, 0, 0, tuple(NIL), limit=1),  # another page size: its own page
        Ask("till-1", head, claim=_refuse),  # refused: this ask only
        Ask("till-1", "0", limit=3),
    ]
    together = read_pages_json(db, asks)
    assert isinstance(together[4], Unauthorized)
    for ask, got in zip(asks, together, strict=True):
        if ask.claim is not None:
            continue
        assert isinstance(got, PageJson)
        alone = read_page_json(
            db,
            ask.till_id,
            ask.since,
            known_recv=ask.known_recv,
            after_recv=ask.after_recv,
            series=ask.series,
            limit=ask.limit,
        )
        assert ChangePage.model_validate_json(got.body) == ChangePage.model_validate_json(
            alone.body
        )
        assert (got.news, got.more) == (alone.news, alone.more)
    first = ChangePage.model_validate_json(together[0].body)  # type: ignore[union-attr]
    assert [r.seq for r in first.results] == [1, 2]
    assert ChangePage.model_validate_json(together[2].body).reset  # type: ignore[union-attr]


def test_polls_asking_at_the_same_moment_share_one_read(db: Database) -> None:
    head = read_page(db, "till-1", "0", limit=10_000).cursor
    admin.deposit(db, "C3", 75)
    reads = PollReads(db, at_once=2)

    async def many() -> list[PageJson]:
        answers = await asyncio.gather(
            *(reads.read(Ask(f"till-{1 + n % 2}", head), gzip=n % 3 == 0) for n in range(200))
        )
        for n, answer in enumerate(answers):
            assert (answer.gzipped is not None) == (n % 3 == 0)
        return [a.page for a in answers]

    pages = asyncio.run(many())
    assert reads.reads <= 2  # 200 polls, not 200 transactions
    for page in pages:
        (change,) = ChangePage.model_validate_json(page.body).changes
        assert isinstance(change.data, AccountData)
        assert change.data.balance == 2075


def test_a_refused_poll_fails_alone_and_a_failed_read_fails_its_polls(
    db: Database, tmp_path: Path
) -> None:
    head = read_page(db, "till-1", "0", limit=10_000).cursor
    reads = PollReads(db)

    async def mixed() -> tuple[object, ...]:
        return await asyncio.gather(
            reads.read(Ask("till-1", head)),
            reads.read(Ask("till-2", head, claim=_refuse)),
            reads.read(Ask("till-2", head)),
            return_exceptions=True,
        )

    ok, refused, also_ok = asyncio.run(mixed())
    assert isinstance(refused, Unauthorized)
    assert not isinstance(ok, BaseException)
    assert not isinstance(also_ok, BaseException)

    broken = PollReads(Database(f"sqlite:///{tmp_path / 'empty.db'}"))  # no tables

    async def failing() -> list[object]:
        return await asyncio.gather(
            *(broken.read(Ask("till-1", head)) for _ in range(3)), return_exceptions=True
        )

    assert all(isinstance(r, Exception) for r in asyncio.run(failing()))


def test_a_change_reaches_every_one_of_many_waiting_polls(server: Server) -> None:
    tills = 40
    server.put_unit()
    server.add_holders(1)
    configs = [server.enrol_till(f"till-{n}") for n in range(tills)]

    def page(config: object, since: str, wait: float) -> ChangePage:
        reply = requests.get(
            f"{server.url}/v1/tills/{config.till_id}/changes",  # type: ignore[attr-defined]
            params={"since": since, "wait": str(wait)},
            headers={"Authorization": f"Bearer {config.credential}"},  # type: ignore[attr-defined]
            timeout=30,
        )
        assert reply.status_code == 200, reply.text
        return ChangePage.model_validate_json(reply.content)

    def head_of(config: object) -> str:
        cursor = "0"
        while True:
            got = page(config, cursor, 0)
            cursor = got.cursor
            if not got.more:
                return cursor

    with ThreadPoolExecutor(tills) as pool:
        heads = list(pool.map(head_of, configs))
        waiting = [pool.submit(page, c, h, 20) for c, h in zip(configs, heads, strict=True)]
        # Long enough for every poll to be waiting (and past its calm second) before the write.
        time.sleep(1.5)
        assert [w for w in waiting if w.done()] == []  # all of them waiting for a change
        reply = server.admin("POST", "/v1/admin/deposits", json={"card_id": "C0", "amount": 125})
        assert reply.ok, reply.text
        balances = []
        for w in waiting:
            got = w.result(timeout=30)
            balances.append(
                [c.data.balance for c in got.changes if isinstance(c.data, AccountData)]
            )
    assert balances == [[125]] * tills


@pytest.mark.parametrize("wrong", ["other", "garbage"])
def test_a_poll_with_a_wrong_credential_is_refused(server: Server, wrong: str) -> None:
    server.put_unit()
    one, other = server.enrol_till("till-a"), server.enrol_till("till-b")
    credential = other.credential if wrong == "other" else "till-a.nonsense"
    reply = requests.get(
        f"{server.url}/v1/tills/{one.till_id}/changes",
        params={"since": "0", "wait": "1"},
        headers={"Authorization": f"Bearer {credential}"},
        timeout=10,
    )
    assert reply.status_code == (403 if wrong == "other" else 401)


@contextmanager
def serving(url: str) -> Iterator[tuple[str, FastAPI]]:
    """The server in this process (its counters readable), on a thread of its own."""
    app = create_app(url, admin_token=ADMIN)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(10)


def test_a_poll_the_clock_wakes_with_nothing_new_reads_no_page(tmp_path: Path) -> None:
    """SQLite: a waiting poll looks again every second (the admin CLI writes unheard); with
    nothing new it reads the feed's head only, and a write by another process is still seen."""
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with serving(url) as (base, app):
        admin_h = {"Authorization": f"Bearer {ADMIN}"}
        unit = {k: getattr(UNIT, k) for k in UNIT.__dataclass_fields__}
        put = requests.put(f"{base}/v1/admin/units/{UNIT.unit_id}", json=unit, headers=admin_h)
        assert put.status_code == 204
        admin.add_cardholder(
            Database(url),
            cardholder_id="h0",
            name="H0",
            account_id="a0",
            card_id="C0",
            currency="EUR",
        )
        code = requests.post(
            f"{base}/v1/admin/tills",
            json={"till_id": "t1", "unit_id": UNIT.unit_id},
            headers=admin_h,
            timeout=10,
        ).json()["enrolment_code"]
        config = enrol(base, code)
        auth = {"Authorization": f"Bearer {config.credential}"}

        def poll(since: str, wait: float) -> ChangePage:
            reply = requests.get(
                f"{base}/v1/tills/t1/changes",
                params={"since": since, "wait": str(wait)},
                headers=auth,
                timeout=30,
            )
            assert reply.status_code == 200, reply.text
            return ChangePage.model_validate_json(reply.content)

        head = poll("0", 0)
        assert not head.more
        reads = app.state.server.db.caches["poll-reads"]
        assert isinstance(reads, PollReads)
        pages, heads = reads.pages, reads.heads
        quiet = poll(head.cursor, 3.5)
        assert quiet.changes == []
        assert reads.pages - pages == 2  # the first look and the answer at the end: no more
        assert reads.heads - heads >= 1  # the clock's looks read the head only

        # Another process writes (as the admin CLI does: no wake-up): the head look finds it.
        later = threading.Timer(1.3, lambda: admin.deposit(Database(url), "C0", 125))
        later.start()
        seen = poll(head.cursor, 10)
        later.join()
        balances = [c.data.balance for c in seen.changes if isinstance(c.data, AccountData)]
        assert balances == [125]
