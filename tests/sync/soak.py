"""The long fault run: tills killed at random while they sell and sync through a lossy proxy,
the server killed now and then, the back office writing all along; at the end every sale
each till confirmed is on the server exactly once and every balance agrees (invariant 2).

`make soak MINUTES=N` runs it for N minutes and prints its figures as one JSON line;
`tests/sync/test_soak.py` runs a short one inside `make test`. Real processes throughout: a
`canteen-server serve` process, till processes selling into their own SQLite stores, a proxy
on loopback that drops requests and answers, answers 500 and garbage, and delays.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from server.db import Database
from sync.client import ServerConfig, SyncClient, SyncError
from sync.store import Store
from tests.server.live import Server, start
from tests.sync.exactly_once import HOLDERS, fill
from tests.sync.faulty_proxy import FaultyProxy

SELLER = """
import random, sys, time
from datetime import UTC, date, datetime
from pathlib import Path
from sync.client import ServerConfig, SyncClient, SyncError
from sync.records import PriceLevel, SaleLine
from sync.store import Store
url, till, credential, path, seed = sys.argv[1:6]
rng = random.Random(int(seed))
client = SyncClient(Path(path), ServerConfig(url, till, credential), timeout_s=3, deadline_s=8)
with Store.open(path, till_id=till) as store:
    while True:
        n = rng.randrange(10)
        store.commit_sale(card_id=f"C{n}", account_id=f"a{n}", currency="EUR",
                          lines=[SaleLine("m", "M", "Mains", 1, rng.randrange(50, 400), 700)],
                          price_level=PriceLevel.STUDENT, offline=False, autoload_amount=None,
                          created_at=datetime.now(UTC), business_day=date.today())
        print("sold", flush=True)
        if rng.random() < 0.3:
            try:
                client.push_once(store, limit=rng.randrange(1, 60))
                client.pull_once(store)
            except SyncError:
                pass
        time.sleep(rng.random() * 0.02)
"""


@dataclass
class Summary:
    minutes: float
    database: str
    tills: int
    till_kills: int = 0
    server_kills: int = 0
    entries: int = 0
    back_office_writes: int = 0
    proxy: dict[str, int] = field(default_factory=dict)
    lost: int = 0
    duplicated: int = 0
    balance_mismatches: int = 0
    ledger_balanced: bool = False


def run(
    minutes: float,
    *,
    tills: int = 3,
    database_url: str | None = None,
    seed: int = 1,
    at_least: int = 0,
) -> Summary:
    """Faults for `minutes`; with `at_least`, on past them (to four times as long) until the
    tills have journaled that many entries: a starved machine sells slowly, and a soak that
    made too few sales to mean anything would prove nothing."""
    rng = random.Random(seed)
    root = Path(tempfile.mkdtemp(prefix="canteen-soak-"))
    url = database_url or f"sqlite:///{root / 'server.db'}"
    summary = Summary(minutes, url.split(":", 1)[0], tills)
    server = start(url, root / "server-0.log")
    server.put_unit()
    server.add_holders(HOLDERS, deposit=6000)
    configs = [server.enrol_till(f"till-{n}") for n in range(tills)]
    for n in range(tills):
        with Store.open(root / f"till-{n}.db", till_id=f"till-{n}") as store:
            fill(store, 0)
    lock = threading.Lock()
    state = {"server": server}
    proxy = FaultyProxy(server.url, seed=seed)
    stop = threading.Event()
    writer = threading.Thread(
        target=_back_office, args=(state, lock, stop, summary, rng.randrange(1 << 30)), daemon=True
    )
    writer.start()
    sellers: list[subprocess.Popen[bytes] | None] = [None] * tills
    started = time.monotonic()
    deadline, limit = started + minutes * 60, started + 4 * minutes * 60
    try:
        while time.monotonic() < deadline or (
            time.monotonic() < limit and _journaled(root, tills) < at_least
        ):
            for n in range(tills):
                if sellers[n] is None or sellers[n].poll() is not None:  # type: ignore[union-attr]
                    sellers[n] = _seller(proxy.url, configs[n], root / f"till-{n}.db", rng)
            time.sleep(rng.uniform(0.3, 2.0))
            victim = rng.randrange(tills)
            process = sellers[victim]
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGKILL)  # a till dies mid-sale, mid-sync
                process.wait(timeout=10)
                summary.till_kills += 1
            if rng.random() < 0.08:
                with lock:
                    _restart_server(state, root, summary, proxy)
    finally:
        stop.set()
        writer.join(timeout=30)
        for process in sellers:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
        proxy.close()
    server = state["server"]
    try:
        _check(server, configs, root, summary)
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)
    summary.proxy = dict(proxy.counts)
    return summary


def _journaled(root: Path, tills: int) -> int:
    """Entries journaled so far in all the tills' files, read beside the sellers writing."""
    total = 0
    for n in range(tills):
        with contextlib.suppress(sqlite3.Error):  # killed mid-open: counted next round
            total += Store.readonly_counts(root / f"till-{n}.db")[0]
    return total


def _seller(
    proxy_url: str, config: ServerConfig, path: Path, rng: random.Random
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            SELLER,
            proxy_url,
            config.till_id,
            config.credential,
            str(path),
            str(rng.randrange(1 << 30)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _restart_server(
    state: dict[str, Server], root: Path, summary: Summary, proxy: FaultyProxy
) -> None:
    """The server dies (SIGKILL) and comes back on its port's successor; the proxy follows."""
    old = state["server"]
    old.process.send_signal(signal.SIGKILL)
    old.process.wait(timeout=10)
    summary.server_kills += 1
    new = start(old.db_url, root / f"server-{summary.server_kills}.log")
    proxy.upstream = new.url
    state["server"] = new


def _back_office(
    state: dict[str, Server],
    lock: threading.Lock,
    stop: threading.Event,
    summary: Summary,
    seed: int,
) -> None:
    """Deposits, blocks and unblocks, price changes: what an operator does during a shift."""
    rng = random.Random(seed)
    while not stop.wait(rng.uniform(0.05, 0.3)):
        with lock:
            server = state["server"]
        n = rng.randrange(HOLDERS)
        try:
            choice = rng.random()
            if choice < 0.5:
                server.admin("POST", "/v1/admin/deposits", json={"card_id": f"C{n}", "amount": 500})
            elif choice < 0.7:
                server.admin("POST", f"/v1/admin/cards/C{n}/block")
                server.admin("POST", f"/v1/admin/cards/C{n}/unblock")
            else:
                server.admin(
                    "PUT",
                    "/v1/admin/products/meal",
                    json={
                        "unit_id": "mensa-nord",
                        "name": "Menü",
                        "category": "Mains",
                        "prices": {"student": rng.randrange(300, 400), "staff": 500, "guest": 650},
                        "vat_rate_bp": 700,
                    },
                )
            summary.back_office_writes += 1
        except Exception:  # the server is being restarted: the operator tries again later
            continue


def _check(server: Server, configs: list[ServerConfig], root: Path, summary: Summary) -> None:
    """Every till drains straight to the server; then the exactly-once and balance checks."""
    stores = []
    for config in configs:
        path = root / f"{config.till_id}.db"
        direct = SyncClient(path, ServerConfig(server.url, config.till_id, config.credential))
        store = Store.open(path, till_id=config.till_id)
        stores.append((store, direct))
        for _ in range(2000):
            try:
                direct.push_once(store)
                if store.outbox_stats().count == 0:
                    break
            except SyncError:
                time.sleep(0.05)
    db = Database(server.db_url)
    try:
        for store, direct in stores:
            while direct.pull_once(store):
                pass
            with db.transaction(write=False) as tx:
                held = [
                    row[0]
                    for row in tx.all(
                        "SELECT entry_id FROM journal_ingest WHERE till_id = ?", (store.till_id,)
                    )
                ]
            journal = {e.entry_id for e in store.journal()}
            summary.entries += len(journal)
            summary.lost += len(journal - set(held))
            summary.duplicated += len(held) - len(set(held)) + len(set(held) - journal)
        for store, direct in stores:
            while direct.pull_once(store):
                pass
            for n in range(HOLDERS):
                snap = store.lookup(f"C{n}", date.today())
                balance = server.admin("GET", f"/v1/admin/accounts/a{n}").json()["balance"]
                if snap is None or snap.balance != balance:
                    summary.balance_mismatches += 1
        with db.transaction(write=False) as tx:
            unbalanced = tx.scalar(
                "SELECT COUNT(*) FROM (SELECT txn_id FROM ledger GROUP BY txn_id"
                " HAVING SUM(amount) <> 0) AS u"
            )
        summary.ledger_balanced = int(unbalanced) == 0
    finally:
        db.close()
        for store, direct in stores:
            direct.session.close()
            store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("MINUTES", "10")))
    parser.add_argument("--tills", type=int, default=3)
    parser.add_argument("--db", help="a postgresql:// URL (default: SQLite in a temp folder)")
    parser.add_argument(
        "--postgres", action="store_true", help="on a private PostgreSQL cluster started for it"
    )
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    cluster = None
    url = args.db
    if args.postgres:
        from tests.server.postgres import Cluster

        cluster = Cluster()
        url = cluster.new_database()
    try:
        summary = run(args.minutes, tills=args.tills, database_url=url, seed=args.seed)
    finally:
        if cluster is not None:
            cluster.stop()
    print(json.dumps({"seed": args.seed, **asdict(summary)}), flush=True)
    ok = not (summary.lost or summary.duplicated or summary.balance_mismatches)
    return 0 if ok and summary.ledger_balanced else 1


if __name__ == "__main__":
    raise SystemExit(main())
