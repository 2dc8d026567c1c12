"""A central deposit or block until it is in the till's store, over 200 changes.

A real server process on loopback; the till's sync client runs its jobs (long-poll pull) in
the background as on a till; the benchmark watches the till's SQLite store.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

from bench.report import emit, percentile
from sync.client import SyncClient
from sync.records import CardState
from sync.store import Store
from tests.server.live import start

CHANGES = 200  # overridable for a quick look: CHANGES=10 python -m bench.propagation
DAY = date(2026, 11, 21)


def _arrived(store: Store, balance: int, state: CardState) -> bool:
    snap = store.lookup("C1", DAY)
    return snap is not None and snap.balance == balance and snap.card.state is state


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = start(f"sqlite:///{root / 'server.db'}", root / "server.log")
        try:
            server.put_unit()
            server.add_holders(2)  # the benchmark watches C1
            config = server.enrol_till("till-1")
            client = SyncClient(root / "till.db", config)
            client.start()
            samples = []
            with Store.open(root / "till.db", till_id="till-1") as store:
                while store.lookup("C1", DAY) is None:
                    time.sleep(0.01)
                balance = 0
                state = CardState.ACTIVE
                for i in range(CHANGES):
                    t0 = time.perf_counter()
                    step = i % 4  # deposit, block, unblock, deposit: no deposit hits a blocked card
                    if step == 1:
                        state = CardState.BLOCKED
                        server.admin("POST", "/v1/admin/cards/C1/block")
                    elif step == 2:
                        state = CardState.ACTIVE
                        server.admin("POST", "/v1/admin/cards/C1/unblock")
                    else:
                        balance += 50
                        server.admin(
                            "POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": 50}
                        )
                    while not _arrived(store, balance, state):
                        time.sleep(0.002)
                    samples.append(time.perf_counter() - t0)
            client.stop()
        finally:
            server.process.terminate()
            server.process.wait(timeout=10)
    emit("propagation_p50_s", percentile(samples, 50), "s", "p99 <= 2", changes=CHANGES)
    emit("propagation_p99_s", percentile(samples, 99), "s", "<= 2", changes=CHANGES)


if __name__ == "__main__":
    main()
