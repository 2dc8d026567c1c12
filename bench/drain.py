"""An outage ends with 10,000 sales queued at a till: how fast does the till drain them?

A real server process on loopback (SQLite, then PostgreSQL when its binaries are here); the
till's sync client pushes its outbox in batches of 500 until it is empty.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench.report import emit
from sync.client import SyncClient
from sync.records import Account, Card, Cardholder, CardState, PriceLevel, SaleLine
from sync.store import Store
from tests.server.live import start
from tests.terminal.till_scheme import UNIT

SALES = 10_000
NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
DAY = date(2026, 11, 21)


def run(database_url: str, root: Path) -> float:
    server = start(database_url, root / "server.log")
    try:
        server.put_unit()
        server.add_holders(50)
        config = server.enrol_till("till-1")
        with Store.open(root / "till.db", till_id="till-1") as store:
            store.upsert_unit(UNIT)
            store.upsert_cardholders(
                Cardholder(f"h{n}", f"H{n}", None, frozenset({"mensa"})) for n in range(50)
            )
            store.upsert_accounts(
                Account(f"a{n}", f"h{n}", "EUR", 0, PriceLevel.STUDENT) for n in range(50)
            )
            store.upsert_cards(Card(f"C{n}", f"a{n}", CardState.ACTIVE) for n in range(50))
            line = [SaleLine("m", "Menü", "Mains", 1, 350, 700)]
            for i in range(SALES):  # the outage: every sale queued, offline
                store.commit_sale(
                    card_id=f"C{i % 50}",
                    account_id=f"a{i % 50}",
                    currency="EUR",
                    lines=line,
                    price_level=PriceLevel.STUDENT,
                    offline=True,
                    autoload_amount=None,
                    created_at=NOW,
                    business_day=DAY,
                )
            client = SyncClient(root / "till.db", config)
            started = time.perf_counter()
            while store.outbox_stats().count:
                client.push_once(store, limit=500)
            elapsed = time.perf_counter() - started
            client.session.close()
        total = sum(
            int(server.admin("GET", f"/v1/admin/accounts/a{n}").json()["balance"])
            for n in range(50)
        )
        if total != -350 * SALES:
            raise RuntimeError(f"server holds {total}, expected {-350 * SALES}")
        return SALES / elapsed
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rate = run(f"sqlite:///{tmp}/server.db", Path(tmp))
    emit("drain_entries_per_s_sqlite", rate, "entries/s", ">= 2000", sales=SALES)
    try:
        from tests.server.postgres import Cluster

        cluster = Cluster()
    except Exception as exc:
        print(f"# no PostgreSQL here ({exc}); drain on PostgreSQL not measured", file=sys.stderr)
        return
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rate = run(cluster.new_database(), Path(tmp))
        emit("drain_entries_per_s_postgresql", rate, "entries/s", ">= 2000", sales=SALES)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
