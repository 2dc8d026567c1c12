"""Several server processes on one PostgreSQL: a write through any of them, or through the
admin CLI, wakes the long-polls every process holds (LISTEN/NOTIFY), and pushes through
both keep every till's sequence and every balance exact."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import requests

from server.cli import main
from sync.ids import new_id
from sync.protocol import EntryIn, JournalBatch
from tests.server.live import Server, start
from tests.server.postgres import Cluster

WAIT_S = 30.0  # the long-poll's wait: a wake must end it well before this
DAY = date(2026, 12, 2)


@pytest.fixture
def two(postgres: Cluster, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    url = postgres.new_database()
    first = start(url, tmp_path / "a.log")
    second = start(url, tmp_path / "b.log")
    yield first, second
    for server in (first, second):
        server.process.terminate()
        server.process.wait(timeout=20)


def headers(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


def head_cursor(server: Server, till: str, credential: str) -> str:
    """The till's cursor once it has read everything there is."""
    since, more = "0", True
    while more:
        page = requests.get(
            f"{server.url}/v1/tills/{till}/changes",
            params={"since": since},
            headers=headers(credential),
            timeout=30,
        ).json()
        since, more = page["cursor"], page["more"]
    return since


class Poll(threading.Thread):
    """One long-poll held open on a server, as a till holds it."""

    def __init__(self, server: Server, till: str, credential: str, since: str) -> None:
        super().__init__(daemon=True)
        self.args_ = (server, till, credential, since)
        self.page: dict[str, Any] | None = None
        self.took_s = float("inf")

    def run(self) -> None:
        server, till, credential, since = self.args_
        started = time.monotonic()
        self.page = requests.get(
            f"{server.url}/v1/tills/{till}/changes",
            params={"since": since, "wait": str(WAIT_S)},
            headers=headers(credential),
            timeout=WAIT_S + 30,
        ).json()
        self.took_s = time.monotonic() - started


def balance_in(page: dict[str, Any] | None, account: str) -> int | None:
    assert page is not None
    for change in page["changes"]:
        if change["kind"] == "account" and change["key"] == account and change["data"]:
            return int(change["data"]["balance"])
    return None


def polls_on_both(servers: tuple[Server, Server], tills: dict[str, str]) -> tuple[Poll, Poll]:
    (one, two), (t1, t2) = servers, list(tills)
    polls = (
        Poll(one, t1, tills[t1], head_cursor(one, t1, tills[t1])),
        Poll(two, t2, tills[t2], head_cursor(two, t2, tills[t2])),
    )
    for poll in polls:
        poll.start()
    time.sleep(1.5)  # both are waiting (an answer already sent would fail the checks below)
    assert all(poll.is_alive() for poll in polls), "a long-poll answered before any write"
    return polls


def test_a_deposit_through_either_process_or_the_cli_wakes_the_polls_of_both(
    two: tuple[Server, Server],
) -> None:
    one, other = two
    one.put_unit()
    one.add_holders(1)
    tills = {t: one.enrol_till(t).credential for t in ("till-a", "till-b")}

    # through the second process: the poll the first holds wakes too
    polls = polls_on_both(two, tills)
    deposit = other.admin("POST", "/v1/admin/deposits", json={"card_id": "C0", "amount": 500})
    assert deposit.status_code == 200, deposit.text
    for poll in polls:
        poll.join(WAIT_S + 30)
        assert balance_in(poll.page, "a0") == 500
        assert poll.took_s < WAIT_S, "woken only when its wait ran out"

    # through the admin CLI, a process of its own that serves nothing
    polls = polls_on_both(two, tills)
    assert main(["--db", one.db_url, "admin", "deposit", "C0", "250"]) == 0
    for poll in polls:
        poll.join(WAIT_S + 30)
        assert balance_in(poll.page, "a0") == 750
        assert poll.took_s < WAIT_S, "woken only when its wait ran out"


def sale(series: UUID, seq: int, account: str, card: str) -> EntryIn:
    return EntryIn(
        id=UUID(new_id()),
        series=series,
        seq=seq,
        kind="sale",
        created_at=datetime(2026, 12, 2, 11, 30, tzinfo=UTC),
        business_day=DAY,
        account_id=account,
        card_id=card,
        amount=-100,
        currency="EUR",
        receipt_no=seq,
        body={
            "lines": [
                {
                    "product_id": "m",
                    "name": "Menü",
                    "category": "Mains",
                    "quantity": 1,
                    "unit_price": 100,
                    "vat_rate_bp": 700,
                }
            ],
            "total": 100,
        },
    )


def test_pushes_through_both_processes_at_once_are_each_taken_once(
    two: tuple[Server, Server],
) -> None:
    """Four tills, two on each process, push at once on the same two accounts; every sale
    is booked exactly once and the balances are the sum of them."""
    one, other = two
    one.put_unit()
    one.add_holders(2)
    names = [f"till-{k}" for k in range(4)]
    credentials = [one.enrol_till(name).credential for name in names]
    per_till = 40
    failures: list[str] = []

    def push(k: int) -> None:
        server = (one, other)[k % 2]
        series = UUID(new_id())
        with requests.Session() as session:
            session.headers.update(headers(credentials[k]))
            for seq in range(1, per_till + 1):
                account = seq % 2
                body = JournalBatch(
                    entries=[sale(series, seq, f"a{account}", f"C{account}")]
                ).model_dump_json()
                reply = session.post(
                    f"{server.url}/v1/tills/{names[k]}/journal",
                    data=body.encode(),
                    headers={"Content-Type": "application/json"},
                    timeout=60,
                )
                status = reply.json()["results"][0]["status"] if reply.ok else reply.text
                if status != "accepted":
                    failures.append(f"{names[k]} seq {seq}: {status}")

    threads = [threading.Thread(target=push, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for account in ("a0", "a1"):
        balance = one.admin("GET", f"/v1/admin/accounts/{account}").json()["balance"]
        assert balance == -100 * per_till * 4 // 2
