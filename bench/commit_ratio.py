"""A sale commit against a bare sqlite3 INSERT + COMMIT with the same pragmas, run and disk."""

from __future__ import annotations

import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.report import emit, median
from sync.records import Account, Card, Cardholder, CardState, PriceLevel, SaleLine, Unit
from sync.store import Store

ROUNDS = 400
ACCOUNTS = 200
UNIT = Unit("u", "Mensa", "mensa", "Europe/Berlin", "EUR", "StW", "Weg 1", "DE1")
LINES = [
    SaleLine("meal", "Menü 1", "Mains", 1, 350, 700),
    SaleLine("cof", "Kaffee", "Drinks", 1, 120, 1900),
]


def store_commits(path: Path) -> list[float]:
    with Store.open(path, till_id="till-1") as store:
        store.upsert_unit(UNIT)
        # A queue of customers, as at a real till: each account has a few unsent sales.
        n = ACCOUNTS
        store.upsert_cardholders(
            Cardholder(f"h{i}", "A", None, frozenset({"mensa"})) for i in range(n)
        )
        store.upsert_accounts(
            Account(f"a{i}", f"h{i}", "EUR", 10**6, PriceLevel.STUDENT) for i in range(n)
        )
        store.upsert_cards(Card(f"C{i}", f"a{i}", CardState.ACTIVE) for i in range(n))
        now = datetime.now(UTC)
        samples = []
        for k in range(ROUNDS):
            i = k % n
            t0 = time.perf_counter()
            store.commit_sale(
                card_id=f"C{i}",
                account_id=f"a{i}",
                currency="EUR",
                lines=LINES,
                price_level=PriceLevel.STUDENT,
                offline=False,
                autoload_amount=None,
                created_at=now,
                business_day=now.date(),
            )
            samples.append(time.perf_counter() - t0)
    return samples


def bare_commits(path: Path) -> list[float]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)")
    samples = []
    for i in range(ROUNDS):
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t VALUES (?, ?)", (f"id-{i}", '{"lines": 2}'))
        conn.execute("COMMIT")
        samples.append(time.perf_counter() - t0)
    conn.close()
    return samples


def main() -> None:
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        # Alternate the two so that disk noise hits both alike.
        ours: list[float] = []
        bare: list[float] = []
        for k in range(3):
            ours += store_commits(Path(tmp) / f"till{k}.db")
            bare += bare_commits(Path(tmp) / f"bare{k}.db")
    ratio = median(ours) / median(bare)
    emit(
        "commit_ratio_vs_sqlite",
        ratio,
        "ratio",
        "<= 1.5",
        sale_commit_median_ms=round(median(ours) * 1000, 3),
        bare_commit_median_ms=round(median(bare) * 1000, 3),
    )


if __name__ == "__main__":
    main()
