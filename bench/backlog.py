"""A tap's lookup and a sale's commit with 0 and with 100,000 unsent entries (issue 11 item 3).

Three stores of 1,000 accounts: no backlog; 100,000 unsent sales concentrated on the account
that is then tapped; 100,000 spread over all accounts. On each, interleaved: `Store.lookup`
of that account's card and `Store.commit_sale` on it (WAL, synchronous=FULL), median and p99
of wall and CPU time. For reference, the sum over the journal the lookup used to compute,
timed on the concentrated backlog.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bench.report import emit, percentile
from sync.records import Account, Card, Cardholder, CardState, PriceLevel, SaleLine
from sync.store import Store

ACCOUNTS = 1_000
BACKLOG = int(os.environ.get("BACKLOG", "100000"))
SAMPLES = 400
DAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
LINE = [SaleLine("m", "Meal", "Mains", 1, 1, 700)]
SUMMED = """
SELECT COALESCE(SUM(j.amount), 0) FROM journal j WHERE j.account_id = ? AND j.applied_at IS NULL
"""


def sell(store: Store, n: int) -> None:
    store.commit_sale(
        card_id=f"C{n:05d}",
        account_id=f"a{n:05d}",
        currency="EUR",
        lines=LINE,
        price_level=PriceLevel.STUDENT,
        offline=True,
        autoload_amount=None,
        created_at=NOW,
        business_day=DAY,
    )


def build(path: Path, backlog: int, *, spread: bool) -> Store:
    store = Store.open(path, till_id="till-1")
    store.upsert_cardholders([Cardholder("h", "Holder", None, frozenset({"mensa"}))])
    store.upsert_accounts(
        [Account(f"a{n:05d}", "h", "EUR", 10**8, PriceLevel.STUDENT) for n in range(ACCOUNTS)]
    )
    store.upsert_cards([Card(f"C{n:05d}", f"a{n:05d}", CardState.ACTIVE) for n in range(ACCOUNTS)])
    conn = store.db.conn
    conn.execute("PRAGMA synchronous = OFF")  # building the backlog only; measured with FULL
    for i in range(backlog):
        sell(store, i % ACCOUNTS if spread else 0)
    conn.execute("PRAGMA synchronous = FULL")
    return store


def measure(store: Store) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {k: [] for k in ("lookup", "lookup_cpu", "commit", "commit_cpu")}
    for _ in range(SAMPLES):
        t, c = time.perf_counter(), time.process_time()
        store.lookup("C00000", DAY)
        out["lookup"].append((time.perf_counter() - t) * 1000)
        out["lookup_cpu"].append((time.process_time() - c) * 1000)
        t, c = time.perf_counter(), time.process_time()
        sell(store, 0)
        out["commit"].append((time.perf_counter() - t) * 1000)
        out["commit_cpu"].append((time.process_time() - c) * 1000)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        stores = {
            "0": build(Path(tmp) / "none.db", 0, spread=False),
            "concentrated": build(Path(tmp) / "one.db", BACKLOG, spread=False),
            "spread": build(Path(tmp) / "all.db", BACKLOG, spread=True),
        }
        print(f"# built the stores in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        results: dict[str, dict[str, list[float]]] = {k: {} for k in stores}
        for _ in range(3):  # interleaved rounds, so the machine's load falls on all alike
            for name, store in stores.items():
                for key, values in measure(store).items():
                    results[name].setdefault(key, []).extend(values)
        for name, figures in results.items():
            for what in ("lookup", "commit"):
                emit(
                    f"{what}_ms_backlog_{name}",
                    statistics.median(figures[what]),
                    "ms",
                    "the same with 0 and with the backlog",
                    p99_ms=round(percentile(figures[what], 99), 3),
                    cpu_median_ms=round(statistics.median(figures[f"{what}_cpu"]), 3),
                    backlog=0 if name == "0" else BACKLOG,
                    samples=len(figures[what]),
                )
        conn = stores["concentrated"].db.conn
        summed = []
        for _ in range(20):
            t = time.perf_counter()
            conn.execute(SUMMED, ("a00000",)).fetchone()
            summed.append((time.perf_counter() - t) * 1000)
        emit(
            "summed_pending_ms_backlog_concentrated",
            statistics.median(summed),
            "ms",
            "(what a lookup paid before the figures were kept)",
            backlog=BACKLOG,
        )
        for store in stores.values():
            store.close()


if __name__ == "__main__":
    main()
