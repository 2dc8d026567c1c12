"""Crash safety of the store: a real till process killed with SIGKILL mid-stream (invariant 2)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sync.records import EntryKind
from sync.store import Store

ROOT = Path(__file__).resolve().parents[2]
TILL = "till-crash"

# The child: a till committing sales as fast as it can, printing each one it has confirmed.
CHILD = """
import json, sys
from datetime import UTC, date, datetime
from sync.records import Account, Card, Cardholder, CardState, PriceLevel, SaleLine
from sync.store import Store

store = Store.open(sys.argv[1], till_id=sys.argv[2])
store.upsert_cardholders([Cardholder("h1", "Ann", None, frozenset({"mensa"}))])
store.upsert_accounts([Account("a1", "h1", "EUR", 1_000_000, PriceLevel.STAFF)])
store.upsert_cards([Card("C1", "a1", CardState.ACTIVE)])
i = 0
while True:
    i += 1
    lines = [
        SaleLine(f"p{i}-{k}", f"Dish {i}/{k}", "food", 1 + k, 100 + i % 97, 700)
        for k in range(1 + i % 3)
    ]
    done = store.commit_sale(
        card_id="C1", account_id="a1", currency="EUR", lines=lines,
        price_level=PriceLevel.STAFF, offline=i % 2 == 0,
        autoload_amount=1000 if i % 3 == 0 else None,
        created_at=datetime.now(UTC), business_day=date(2025, 3, 14),
    )
    print(json.dumps({
        "receipt_no": done.receipt_no,
        "entry_ids": [e.entry_id for e in done.entries],
        "lines": done.entries[-1].body["lines"],
        "autoload": i % 3 == 0,
    }), flush=True)
"""


def run_and_kill(path: Path, confirmations: int, delay: float = 0.0) -> list[dict[str, Any]]:
    """Start the child, read `confirmations` confirmed sales, let it run on for `delay` seconds
    (so the kill lands at an arbitrary point of a commit), SIGKILL it; return all it confirmed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    confirmed: list[dict[str, Any]] = []
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), TILL],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        try:
            while len(confirmed) < confirmations:
                line = proc.stdout.readline()
                if not line:
                    pytest.fail(f"child ended early: {proc.stderr.read()}")
                confirmed.append(json.loads(line))
            time.sleep(delay)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        # What it printed before dying was confirmed too; a torn last line was not.
        confirmed += [
            json.loads(line)
            for line in proc.stdout.read().splitlines(keepends=True)
            if line.endswith("\n")
        ]
    assert proc.returncode == -signal.SIGKILL
    return confirmed


@pytest.mark.slow
def test_sigkill_mid_stream_loses_nothing_and_tears_nothing(tmp_path: Path) -> None:
    """Invariant 2: after repeated kill -9, every confirmed sale is whole, seq and receipt
    numbers are unbroken, the file is intact and every entry has its outbox row."""
    path = tmp_path / "data" / "till.db"
    rng = random.Random(20250314)
    confirmed: list[dict[str, Any]] = []
    for _ in range(5):
        confirmed += run_and_kill(path, rng.randint(20, 200), rng.uniform(0, 0.05))

    with Store.open(path, till_id=TILL) as store:
        journal = store.journal()
        conn = store.db.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

        # seq gap-free 1..n; receipt numbers unbroken 1..m, and the counter agrees
        assert [e.seq for e in journal] == list(range(1, len(journal) + 1))
        receipts = sorted({e.receipt_no for e in journal if e.receipt_no is not None})
        assert receipts == list(range(1, len(receipts) + 1))
        assert store.last_receipt_no() == receipts[-1]

        # every confirmed sale is there whole, with its lines (D-PAY-3)
        by_id = {e.entry_id: e for e in journal}
        for sale in confirmed:
            entries = store.entries_for_receipt(sale["receipt_no"])
            assert [e.entry_id for e in entries] == sale["entry_ids"]
            assert entries[-1].kind is EntryKind.SALE
            assert entries[-1].body["lines"] == sale["lines"]
            assert entries[-1].amount == -sum(
                line["quantity"] * line["unit_price"] for line in sale["lines"]
            )
            assert len(entries) == (2 if sale["autoload"] else 1)

        # an autoload and its sale exist together or not at all (D-AUTO-3), confirmed or not
        for entry in journal:
            if entry.kind is EntryKind.SALE and entry.body["autoload_entry_id"]:
                autoload = by_id.get(entry.body["autoload_entry_id"])
                assert autoload is not None, f"sale seq {entry.seq} without its autoload"
                assert autoload.kind is EntryKind.AUTOLOAD
                assert autoload.receipt_no == entry.receipt_no
            if entry.kind is EntryKind.AUTOLOAD:
                paired = by_id.get(entry.body["sale_entry_id"])
                assert paired is not None, f"autoload seq {entry.seq} without its sale"
                assert paired.receipt_no == entry.receipt_no

        # nothing lost on the way out: every journal entry is still to be sent
        unsent = {
            row[0]
            for row in conn.execute(
                "SELECT entry_id FROM journal INDEXED BY journal_unsent WHERE applied_at IS NULL"
            )
        }
        assert unsent == set(by_id)
        assert store.outbox_stats().count == len(journal)


@pytest.mark.slow
def test_killed_child_leaves_a_reopenable_store(tmp_path: Path) -> None:
    """After kill -9 a plain sqlite3 reader sees a consistent database with no torn rows."""
    path = tmp_path / "till.db"
    run_and_kill(path, 30)
    conn = sqlite3.connect(path)
    try:
        # Every unsent entry is in its account's kept figures, none half-counted: the
        # figures come from the journal row's own trigger, in its transaction.
        (unfigured,) = conn.execute(
            "SELECT COUNT(*) FROM (SELECT account_id, business_day, SUM(amount) AS delta"
            " FROM journal WHERE applied_at IS NULL GROUP BY account_id, business_day) j"
            " FULL JOIN pending_days p USING (account_id, business_day)"
            " WHERE j.delta IS NOT p.delta"
        ).fetchone()
        assert unfigured == 0
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        conn.close()
