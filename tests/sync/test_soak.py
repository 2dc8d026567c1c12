"""A short soak inside `make test` (`make soak MINUTES=N` runs the long one): tills killed at
random, a lossy proxy, the server killed, the back office writing; nothing lost, nothing
twice, every balance agrees (invariant 2, D-SYNC-2)."""

from __future__ import annotations

from tests.sync.soak import run


def test_a_short_soak_loses_nothing_and_doubles_nothing() -> None:
    """Half a minute of random till kills through a lossy proxy, with the back office writing
    (longer on a busy machine, until the tills have made enough sales to mean something)."""
    summary = run(0.5, tills=3, seed=8, at_least=150)
    assert summary.entries > 100
    assert summary.till_kills > 5
    assert summary.back_office_writes > 20
    assert summary.proxy["drop_response"] > 0
    assert summary.lost == 0
    assert summary.duplicated == 0
    assert summary.balance_mismatches == 0
    assert summary.ledger_balanced
