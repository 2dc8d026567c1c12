"""200 tills at once against one server, each pushing sales while it long-polls the feed.

One server process on loopback (SQLite). Each simulated till is a thread pair with its own
credential: one pushes, timing each answer; the other long-polls the change feed the whole
time, as a till does, and notes when it first sees each central deposit.

- burst: every till pushes 5 batches of 20 sales as fast as it is answered (20,000 sales),
  while the back office makes a deposit every half second: throughput, ack times, and how
  long the deposits take to reach the tills under that load.
- steady: every till pushes one sale about every 2 s for 30 s (100 sales/s, several times a
  busy lunch hour in a large canteen): ack times at a rate the server keeps up with.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import requests

from bench.report import emit, percentile
from sync.client import ServerConfig
from sync.ids import new_id
from sync.protocol import EntryIn, JournalBatch
from tests.server.live import Server, start

TILLS = 200
ROUNDS = 5
BATCH = 20
STEADY_S = 30.0
STEADY_EVERY_S = 2.0
DEPOSIT_EVERY_S = 0.5
WATCHED = "a100"  # an account no till sells to: its balance only moves with the deposits
NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
DAY = date(2026, 11, 21)


def entries(till: int, first_seq: int, count: int) -> str:
    return JournalBatch(
        entries=[
            EntryIn(
                id=UUID(new_id()),
                seq=first_seq + k,
                kind="sale",
                created_at=NOW,
                business_day=DAY,
                account_id=f"a{(till + k) % 100}",
                card_id=f"C{(till + k) % 100}",
                amount=-350,
                currency="EUR",
                receipt_no=first_seq + k,
                body={},
            )
            for k in range(count)
        ]
    ).model_dump_json()


class Tills:
    """The simulated tills' sessions, pollers and what they measured."""

    def __init__(self, server: Server, credentials: list[ServerConfig]) -> None:
        self.server = server
        self.sessions = []
        for config in credentials:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {config.credential}"
            self.sessions.append(session)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acks: list[float] = []
        self.deposits: dict[int, float] = {}  # watched balance after a deposit -> when made
        self.seen: list[float] = []  # deposit made until a till's poll answer carried it

    def poll(self, t: int) -> None:
        cursor = 0
        session = self.sessions[t]
        while not self.stop.is_set():
            try:
                reply = session.get(
                    f"{self.server.url}/v1/tills/t{t}/changes",
                    params={"since": cursor, "wait": 5},
                    timeout=60,
                )
            except requests.ConnectionError:
                continue  # a kept-alive connection the server had just closed: ask again
            arrived = time.perf_counter()
            page = reply.json()
            cursor = page["cursor"]
            for change in page["changes"]:
                if change["key"] == WATCHED and change["data"] is not None:
                    with self.lock:
                        made = self.deposits.get(change["data"]["balance"])
                        if made is not None:
                            self.seen.append(arrived - made)

    def push(self, t: int, body: str) -> None:
        t0 = time.perf_counter()
        for attempt in (1, 2):
            try:
                reply = self.sessions[t].post(
                    f"{self.server.url}/v1/tills/t{t}/journal",
                    data=body,
                    headers={"Content-Type": "application/json"},
                    timeout=120,
                )
                break
            except requests.ConnectionError:
                if attempt == 2:
                    raise  # the push is idempotent, so a till sends it again; so do we, once
        elapsed = time.perf_counter() - t0
        assert reply.status_code == 200, reply.text
        with self.lock:
            self.acks.append(elapsed)

    def deposit_now_and_then(self) -> None:
        balance = 0
        while not self.stop.wait(DEPOSIT_EVERY_S):
            made = time.perf_counter()
            reply = self.server.admin(
                "POST", "/v1/admin/deposits", json={"card_id": "C100", "amount": 1}
            )
            balance = int(reply.json()["balance"])
            with self.lock:
                self.deposits[balance] = made


def run_phase(tills: Tills, pushers: Callable[[ThreadPoolExecutor], list[Future[None]]]) -> float:
    """Pollers first, then the pushers; returns the pushers' wall time."""
    tills.stop.clear()
    tills.deposits = {}  # the next phase's pollers start with a snapshot holding the last one
    with ThreadPoolExecutor(max_workers=2 * TILLS + 1) as pool:
        polls = [pool.submit(tills.poll, t) for t in range(TILLS)]
        time.sleep(1.0)  # every till is long-polling before the first push
        depositor = pool.submit(tills.deposit_now_and_then)
        try:
            started = time.perf_counter()
            for future in pushers(pool):
                future.result()
            elapsed = time.perf_counter() - started
            time.sleep(2.0)  # the last deposits reach the tills
        finally:
            tills.stop.set()
        for f in [*polls, depositor]:
            f.result()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = start(f"sqlite:///{Path(tmp) / 'server.db'}", Path(tmp) / "server.log")
        try:
            server.put_unit()
            server.add_holders(101)
            tills = Tills(server, [server.enrol_till(f"t{t}") for t in range(TILLS)])
            payloads = [
                [entries(t, r * BATCH + 1, BATCH) for r in range(ROUNDS)] for t in range(TILLS)
            ]

            def burst(pool: ThreadPoolExecutor) -> list[Future[None]]:
                def one_till(t: int) -> None:
                    for body in payloads[t]:
                        tills.push(t, body)

                return [pool.submit(one_till, t) for t in range(TILLS)]

            elapsed = run_phase(tills, burst)
            burst_acks, burst_seen = tills.acks, tills.seen
            tills.acks, tills.seen = [], []

            def steady(pool: ThreadPoolExecutor) -> list[Future[None]]:
                def one_till(t: int) -> None:
                    rng = random.Random(t)
                    time.sleep(rng.uniform(0, STEADY_EVERY_S))
                    seq = ROUNDS * BATCH + 1
                    end = time.perf_counter() + STEADY_S
                    while time.perf_counter() < end:
                        tills.push(t, entries(t, seq, 1))
                        seq += 1
                        time.sleep(rng.uniform(0.5, 1.5) * STEADY_EVERY_S)

                return [pool.submit(one_till, t) for t in range(TILLS)]

            run_phase(tills, steady)
        finally:
            server.process.terminate()
            server.process.wait(timeout=15)
    total = TILLS * ROUNDS * BATCH
    emit(
        "server_entries_per_s_200_tills",
        total / elapsed,
        "entries/s",
        "(figure)",
        tills=TILLS,
        entries=total,
        batch=BATCH,
    )
    emit(
        "server_ack_p99_ms_200_tills",
        percentile(burst_acks, 99) * 1000,
        "ms",
        "(figure)",
        p50_ms=round(percentile(burst_acks, 50) * 1000, 1),
        requests=len(burst_acks),
    )
    emit(
        "server_propagation_p99_s_200_tills",
        percentile(burst_seen, 99),
        "s",
        "(figure)",
        p50_s=round(percentile(burst_seen, 50), 3),
        deliveries=len(burst_seen),
    )
    emit(
        "server_ack_p99_ms_200_tills_steady",
        percentile(tills.acks, 99) * 1000,
        "ms",
        "(figure)",
        p50_ms=round(percentile(tills.acks, 50) * 1000, 1),
        requests=len(tills.acks),
        rate_per_s=round(TILLS / STEADY_EVERY_S),
    )
    emit(
        "server_propagation_p99_s_200_tills_steady",
        percentile(tills.seen, 99),
        "s",
        "(figure)",
        p50_s=round(percentile(tills.seen, 50), 3),
        deliveries=len(tills.seen),
    )


if __name__ == "__main__":
    main()
