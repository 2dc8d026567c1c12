"""200 tills at once against one server: each pushes its sales in batches while it long-polls.

One server process on loopback (SQLite). Each simulated till is a thread pair with its own
credential: one pushes ROUNDS batches of BATCH new entries, timing each answer; the other
long-polls the change feed the whole time, as a till does.
"""

from __future__ import annotations

import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import requests

from bench.report import emit, percentile
from sync.ids import new_id
from sync.protocol import EntryIn, JournalBatch
from tests.server.live import start

TILLS = 200
ROUNDS = 5
BATCH = 20
NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
DAY = date(2026, 11, 21)


def batch(till: int, round_: int) -> str:
    entries = [
        EntryIn(
            id=UUID(new_id()),
            seq=round_ * BATCH + k + 1,
            kind="sale",
            created_at=NOW,
            business_day=DAY,
            account_id=f"a{(till + k) % 100}",
            card_id=f"C{(till + k) % 100}",
            amount=-350,
            currency="EUR",
            receipt_no=round_ * BATCH + k + 1,
            body={},
        )
        for k in range(BATCH)
    ]
    return JournalBatch(entries=entries).model_dump_json()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = start(f"sqlite:///{Path(tmp) / 'server.db'}", Path(tmp) / "server.log")
        try:
            server.put_unit()
            server.add_holders(100)
            credentials = [server.enrol_till(f"t{t}") for t in range(TILLS)]
            payloads = [[batch(t, r) for r in range(ROUNDS)] for t in range(TILLS)]
            stop = threading.Event()
            acks: list[float] = []
            lock = threading.Lock()

            def poll(t: int) -> None:
                session = requests.Session()
                session.headers["Authorization"] = f"Bearer {credentials[t].credential}"
                cursor = 0
                while not stop.is_set():
                    reply = session.get(
                        f"{server.url}/v1/tills/t{t}/changes",
                        params={"since": cursor, "wait": 5},
                        timeout=30,
                    )
                    cursor = reply.json()["cursor"]
                session.close()

            def push(t: int) -> None:
                session = requests.Session()
                session.headers["Authorization"] = f"Bearer {credentials[t].credential}"
                for body in payloads[t]:
                    t0 = time.perf_counter()
                    reply = session.post(
                        f"{server.url}/v1/tills/t{t}/journal",
                        data=body,
                        headers={"Content-Type": "application/json"},
                        timeout=120,
                    )
                    elapsed = time.perf_counter() - t0
                    assert reply.status_code == 200, reply.text
                    with lock:
                        acks.append(elapsed)
                session.close()

            with ThreadPoolExecutor(max_workers=2 * TILLS) as pool:
                pollers = [pool.submit(poll, t) for t in range(TILLS)]
                time.sleep(1.0)  # every till is long-polling before the first push
                started = time.perf_counter()
                pushers = [pool.submit(push, t) for t in range(TILLS)]
                for f in pushers:
                    f.result()
                elapsed = time.perf_counter() - started
                stop.set()
                for f in pollers:
                    f.result()
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
        percentile(acks, 99) * 1000,
        "ms",
        "(figure)",
        p50_ms=round(percentile(acks, 50) * 1000, 1),
        requests=len(acks),
    )


if __name__ == "__main__":
    main()
