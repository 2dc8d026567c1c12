"""The journal push and the feed's long-poll are served two ways (server/routes/journal.py,
server/routes/feed.py): an ordinary request by a plain ASGI route, anything else by the
documented FastAPI route. They must answer alike.

Two apps serve one database here (uvicorn on loopback, in threads of this process): one as
`canteen-server serve` builds it, one without the plain routes. Each push goes to one of
them, and its replay, which gets the original answer back, to the other; polls of the same
feed go to both.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
import uvicorn

from server.app import create_app
from server.routes import feed, journal
from sync import limits
from tests.server.live import ADMIN, free_port
from tests.server.test_journal_api import setup_scheme, till_entries


def send(server: _Local, credential: str, body: Any, *, till: str = "till-1") -> Any:
    headers = {"Authorization": f"Bearer {credential}", "Content-Type": "application/json"}
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    reply = requests.post(
        f"{server.url}/v1/tills/{till}/journal", data=data, headers=headers, timeout=10
    )
    return reply.status_code, reply.json()


def batch(entries: list[Any]) -> dict[str, Any]:
    return {"entries": [e.model_dump(mode="json") for e in entries]}


def documented_only(database_url: str) -> Any:
    """The app without its plain routes."""
    app = create_app(database_url, admin_token=ADMIN)
    assert [type(r.app) for r in app.plain] == [journal.Push, feed.Changes]
    app.plain = ()
    return app


def poll(server: _Local, credential: str | None, query: str) -> tuple[int, Any]:
    headers = {} if credential is None else {"Authorization": f"Bearer {credential}"}
    reply = requests.get(
        f"{server.url}/v1/tills/till-1/changes?{query}", headers=headers, timeout=10
    )
    return reply.status_code, reply.json()


def test_both_push_routes_give_the_same_answers(database_url: str, tmp_path: Path) -> None:
    with (
        _served(create_app(database_url, admin_token=ADMIN)) as plain,
        _served(documented_only(database_url)) as documented,
    ):
        credential = setup_scheme(plain)  # type: ignore[arg-type]
        first, second, third = till_entries(tmp_path, [350, 200, 100])
        taken = send(plain, credential, batch([first]))
        assert taken[0] == 200
        assert taken[1]["results"][0]["status"] == "accepted"
        assert send(documented, credential, batch([first])) == taken
        taken = send(documented, credential, batch([second]))
        assert taken[0] == 200
        assert taken[1]["results"][0]["status"] == "accepted"
        assert send(plain, credential, batch([second])) == taken
        # a gap, a credential of no till, another till's path: alike
        skipped = third.model_copy(update={"seq": third.seq + 5})
        gap = send(plain, credential, batch([skipped]))
        assert gap[0] == 200
        assert gap[1]["results"][0]["status"] == "gap"
        assert send(documented, credential, batch([skipped])) == gap
        wrong = send(plain, "till-1.nope", batch([third]))
        assert wrong[0] == 401
        assert send(documented, "till-1.nope", batch([third])) == wrong
        other = send(plain, credential, batch([third]), till="till-2")
        assert other[0] == 403
        assert send(documented, credential, batch([third]), till="till-2") == other
        # a till id with a control character at its end: no path may hold it
        newline = send(plain, credential, batch([third]), till="till-1%0A")
        assert newline[0] == 422
        assert send(documented, credential, batch([third]), till="till-1%0A") == newline
        # a body that does not read goes on to the documented route: the same 422
        bad = send(plain, credential, b'{"entries": [')
        assert bad[0] == 422
        assert send(documented, credential, b'{"entries": [') == bad
        assert int(plain.admin("GET", "/v1/admin/accounts/a1").json()["balance"]) == 2000 - 550


def test_both_poll_routes_give_the_same_answers(database_url: str, tmp_path: Path) -> None:
    with (
        _served(create_app(database_url, admin_token=ADMIN)) as plain,
        _served(documented_only(database_url)) as documented,
    ):
        credential = setup_scheme(plain)  # type: ignore[arg-type]
        both = (plain, documented)
        (sale,) = till_entries(tmp_path, [350])
        assert send(plain, credential, batch([sale]))[0] == 200
        series = sale.series
        queries = [
            "since=0",
            "since=0&rows=2",
            f"since=0&known_recv=0&after_recv=0&series={series}&wait=0",
            "since=0&wait=0.0&rows=1",
        ]
        for query in queries:
            first = poll(plain, credential, query)
            assert first[0] == 200, first
            assert first == poll(documented, credential, query), query
            cursor = first[1]["cursor"]
            # a cursor from one, asked of the other
            assert poll(plain, credential, f"since={cursor}") == poll(
                documented, credential, f"since={cursor}"
            )
        for query, status in [
            ("wait=abc", 422),
            ("wait=99999", 422),
            ("known_recv=-1", 422),
            ("series=not-a-uuid", 422),
            (f"series={str(series).upper()}", 200),
            ("since=0&since=1", 200),
            ("surprise=1", 200),
        ]:
            answered = poll(plain, credential, query)
            assert answered[0] == status, (query, answered)
            assert answered == poll(documented, credential, query), query
        url = "/v1/tills/till-1%0A/changes?since=0"
        auth = {"Authorization": f"Bearer {credential}"}
        newline = [requests.get(f"{x.url}{url}", headers=auth, timeout=10) for x in both]
        assert [r.status_code for r in newline] == [422, 422]
        assert newline[0].json() == newline[1].json()
        url = "/v1/tills/till-1/changes?since=0"
        heads = [requests.head(f"{x.url}{url}", headers=auth, timeout=10) for x in both]
        assert heads[0].status_code == heads[1].status_code != 200
        for who in (None, "till-1.nope"):
            refused = poll(plain, who, "since=0")
            assert refused[0] == 401
            assert refused == poll(documented, who, "since=0")


def test_a_push_or_poll_that_fails_is_answered_once_as_documented(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the work of a push or a poll raises is answered by the app's handlers on the
    plain route as on the documented one (a bug 500, a database that is down 503), and the
    work is done once: a database in trouble is not asked twice."""
    with (
        _served(create_app(database_url, admin_token=ADMIN)) as plain,
        _served(documented_only(database_url)) as documented,
    ):
        credential = setup_scheme(plain)  # type: ignore[arg-type]
        (entry,) = till_entries(tmp_path, [350])
        calls: list[str] = []

        def failing(error: Exception) -> Any:
            def take(db: Any, claimed: Any, batch: Any) -> Any:
                calls.append(claimed.till)
                raise error

            return take

        for error, status in [
            (RuntimeError("a bug in the push"), 500),
            (psycopg.OperationalError("connection lost"), 503),
        ]:
            monkeypatch.setattr(journal, "take", failing(error))
            calls.clear()
            failed = send(plain, credential, batch([entry]))
            assert failed[0] == status, failed
            assert calls == ["till-1"]
            assert send(documented, credential, batch([entry])) == failed
            assert calls == ["till-1"] * 2

        async def failing_answer(*args: Any, **kwargs: Any) -> Any:
            calls.append("poll")
            raise RuntimeError("a bug in the feed")

        monkeypatch.setattr(feed, "answer", failing_answer)
        calls.clear()
        failed_poll = poll(plain, credential, "since=0&wait=5")
        assert failed_poll[0] == 500, failed_poll
        assert "a bug" in failed_poll[1]["detail"]
        assert calls == ["poll"]
        assert poll(documented, credential, "since=0&wait=5") == failed_poll
        assert calls == ["poll"] * 2
        monkeypatch.undo()
        taken = send(plain, credential, batch([entry]))
        assert taken[0] == 200
        assert taken[1]["results"][0]["status"] == "accepted"


def test_ordinary_requests_are_taken_by_the_plain_routes(tmp_path: Path) -> None:
    """The app served in this process (uvicorn on loopback, in a thread), to count: an
    ordinary push or poll never reaches the documented route, anything else does."""
    app = create_app(f"sqlite:///{tmp_path / 'server.db'}", admin_token=ADMIN)
    plain = app.plain[0]
    assert isinstance(plain.app, journal.Push)
    passed_on: list[str] = []
    documented = plain.app.fallback

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        passed_on.append(scope["path"])
        await documented(scope, receive, send)

    plain.app.fallback = counting
    polls = app.plain[1]
    assert isinstance(polls.app, feed.Changes)
    documented_polls = polls.app.fallback

    async def counting_polls(scope: Any, receive: Any, send: Any) -> None:
        passed_on.append(scope["path"])
        await documented_polls(scope, receive, send)

    polls.app.fallback = counting_polls
    with _served(app) as server:
        credential = setup_scheme(server)  # type: ignore[arg-type]
        (entry,) = till_entries(tmp_path, [350])
        code, answer = send(server, credential, batch([entry]))
        assert code == 200
        assert answer["results"][0]["status"] == "accepted"
        assert passed_on == []
        assert send(server, credential, b"[")[0] == 422
        assert send(server, "", batch([entry]))[0] == 401  # no bearer token
        assert passed_on == ["/v1/tills/till-1/journal"] * 2
        # taken before the framework, a push still has the body limit of every request
        headers = {"Authorization": f"Bearer {credential}", "Content-Type": "application/json"}
        over = requests.post(
            f"{server.url}/v1/tills/till-1/journal",
            data=b" " * (limits.MAX_BODY_BYTES + 1),
            headers=headers,
            timeout=10,
        )
        assert over.status_code == 413, over.text
        assert str(limits.MAX_BODY_BYTES) in over.json()["detail"]
        assert passed_on == ["/v1/tills/till-1/journal"] * 2
        assert poll(server, credential, "since=0&wait=0")[0] == 200
        assert passed_on == ["/v1/tills/till-1/journal"] * 2
        assert poll(server, credential, "wait=abc")[0] == 422
        assert passed_on[2:] == ["/v1/tills/till-1/changes"]


@dataclass
class _Local:
    """What `setup_scheme` asks of a server, of one served in this process."""

    url: str

    def admin(self, method: str, path: str, json: Any = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {ADMIN}"}
        return requests.request(method, self.url + path, json=json, headers=headers, timeout=10)


@contextmanager
def _served(app: Any) -> Iterator[_Local]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    try:
        while not runner.started:
            if not thread.is_alive():
                raise RuntimeError("the server in this process did not start")
            time.sleep(0.02)
        yield _Local(f"http://127.0.0.1:{port}")
    finally:
        runner.should_exit = True
        thread.join(timeout=20)
