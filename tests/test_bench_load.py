"""The open-loop load generator (bench/load_tills.py) counts what it claims to count."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bench.load_procs import start_server, stop_server, tree_cpu
from bench.load_tills import HOLDERS, Till, change_at_every_till
from bench.server_load import Options, check_ledger, drive


def till(seen: list[tuple[float, int]]) -> Till:
    t = Till(0, "t0", {})
    t.seen = seen
    return t


def test_a_change_counts_from_the_first_answer_holding_it_or_a_later_one() -> None:
    deposits = [(10.0, 1), (10.5, 2), (11.0, 3)]
    # 2 never came on its own: one page brought 3, which holds it
    one = till([(11.3, 3), (10.2, 1)])
    never = till([(9.0, 0)])
    delays, missed = change_at_every_till([one, never], deposits)
    assert sorted(round(d, 3) for d in delays) == [0.2, 0.3, 0.8]
    assert missed == 3


def test_a_sale_in_flight_is_not_sent_again_and_a_failed_one_is() -> None:
    t = Till(0, "t0", {})
    t.sell(0.0)
    t.sell(1.0)
    first, body = t.batch()
    assert [s.seq for s in first] == [1, 2]
    assert body.count('"seq":') == 2
    t.sell(2.0)
    second, _ = t.batch()
    assert [s.seq for s in second] == [3]  # 1 and 2 are still in flight
    for sale in first:  # their push failed: nobody confirmed them
        sale.sending = False
    t.unconfirmed.pop(3)  # its push was answered
    again, _ = t.batch()
    assert [s.seq for s in again] == [1, 2]


def test_a_short_run_books_every_sale_once_and_every_till_sees_every_deposit() -> None:
    opts = Options(
        tills=4, interval_s=0.5, wait_s=2.0, warmup_s=1.0, seconds=3.0, runs=1, grace_s=3.0
    )
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(f"sqlite:///{tmp}/server.db", Path(tmp) / "log", workers=1)
        try:
            server.put_unit()
            server.add_holders(HOLDERS)
            result, made, left = asyncio.run(drive(server, opts, None, run=0))
            assert tree_cpu(server.process.pid).total_s > 0
            assert left == 0
            # raises unless the server holds each sale exactly once
            assert check_ledger(server, made, left) == "exact"
        finally:
            stop_server(server)
    assert result["errors"] == {}
    assert result["unconfirmed"] == 0
    assert result["deposits"] >= 3
    assert result["missed"] == 0
    assert result["deliveries"] == result["deposits"] * opts.tills
    assert result["server_cpu_cores"] > 0
