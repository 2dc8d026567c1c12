"""`server.ledger`: every movement is a transaction of legs summing to zero, in integer minor
units; a balance is the sum of an account's legs; an account keeps its one currency.

On SQLite, so that `make mutate` runs these against every mutant of `server/ledger.py` in
seconds; the same code runs on PostgreSQL under `tests/server/test_checks.py` and the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from server.db import Database, Tx
from server.ledger import (
    LedgerError,
    balance,
    cardholder_ledger,
    currency_ledger,
    ensure_account,
    post,
)
from server.migrations import migrate

AT = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)


@pytest.fixture
def tx(tmp_path: Path) -> Iterator[Tx]:
    """One transaction on a fresh server database holding card:a1 and deposits:EUR."""
    db = Database(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(db)
    with db.transaction() as t:
        ensure_account(t, "card:a1", "cardholder", "EUR")
        ensure_account(t, "deposits:EUR", "deposits", "EUR")
        yield t
    db.close()


def rows(tx: Tx) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in tx.all(
            "SELECT txn_id, ledger_account, amount, created_at, source FROM ledger ORDER BY id"
        )
    ]


def test_d_acc_1_ledger_account_names() -> None:
    """D-ACC-1: a cardholder's account is `card:<id>`; the scheme's are one per currency."""
    assert cardholder_ledger("a1") == "card:a1"
    assert currency_ledger("cash:till-1", "DKK") == "cash:till-1:DKK"


def test_d_acc_1_an_account_is_created_once_in_its_currency(tx: Tx) -> None:
    """D-ACC-1: the first mention creates the account with its kind and currency; a second
    in the same currency changes nothing."""
    ensure_account(tx, "card:a2", "cardholder", "DKK")
    ensure_account(tx, "card:a2", "cardholder", "DKK")
    assert tx.all("SELECT * FROM ledger_accounts WHERE ledger_account = 'card:a2'") == [
        ("card:a2", "cardholder", "DKK")
    ]


def test_d_acc_1_an_account_never_changes_currency(tx: Tx) -> None:
    """D-ACC-1: one currency per account; mentioning it in another is an error naming both."""
    with pytest.raises(LedgerError) as raised:
        ensure_account(tx, "card:a1", "cardholder", "SEK")
    assert str(raised.value) == "card:a1 is in EUR, not SEK"


def test_d_acc_1_a_balanced_transaction_is_written_leg_by_leg(tx: Tx) -> None:
    """D-ACC-1: each leg is a row of the one transaction, with its amount, time and source."""
    txn = post(tx, [("card:a1", 2000), ("deposits:EUR", -2000)], source="deposit:C1", at=AT)
    assert rows(tx) == [
        (txn, "card:a1", 2000, "2026-11-21T11:30:00+00:00", "deposit:C1"),
        (txn, "deposits:EUR", -2000, "2026-11-21T11:30:00+00:00", "deposit:C1"),
    ]
    assert len(txn) == 36


def test_d_acc_1_each_transaction_has_its_own_id(tx: Tx) -> None:
    """D-ACC-1: two postings are two transactions."""
    first = post(tx, [("card:a1", 1), ("deposits:EUR", -1)], source="s", at=AT)
    second = post(tx, [("card:a1", 1), ("deposits:EUR", -1)], source="s", at=AT)
    assert first != second


def test_d_acc_1_without_a_time_a_transaction_is_stamped_in_utc(tx: Tx) -> None:
    """D-ACC-1: the stamp is an instant with its zone (UTC), not a local wall-clock time."""
    post(tx, [("card:a1", 1), ("deposits:EUR", -1)], source="s")
    (stamp,) = {row[3] for row in rows(tx)}
    assert datetime.fromisoformat(stamp).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "legs",
    [[("card:a1", 2000), ("deposits:EUR", -1999)], [("card:a1", 1)], [("card:a1", -1)]],
)
def test_d_acc_1_an_unbalanced_transaction_is_refused_and_writes_nothing(
    tx: Tx, legs: list[tuple[str, int]]
) -> None:
    """D-ACC-1: the legs must sum to zero; an unbalanced one is named and nothing written."""
    with pytest.raises(LedgerError) as raised:
        post(tx, legs, source="deposit:C1", at=AT)
    assert str(raised.value) == f"unbalanced transaction from deposit:C1: {legs}"
    assert rows(tx) == []


@pytest.mark.parametrize("bad", [True, 1.0])
def test_d_acc_1_amounts_are_int_minor_units(tx: Tx, bad: Any) -> None:
    """D-ACC-1: a float or a bool is no amount, even when the legs sum to zero."""
    with pytest.raises(LedgerError) as raised:
        post(tx, [("card:a1", bad), ("deposits:EUR", -1)], source="s", at=AT)
    assert str(raised.value) == f"amounts are int minor units, got {bad!r}"
    assert rows(tx) == []


def test_d_acc_1_an_empty_transaction_writes_nothing(tx: Tx) -> None:
    """D-ACC-1: no legs sum to zero and move nothing."""
    post(tx, [], source="s", at=AT)
    assert rows(tx) == []


def test_d_acc_1_a_balance_is_the_sum_of_the_accounts_legs(tx: Tx) -> None:
    """D-ACC-1: a balance is never stored: it is the sum of the legs, 0 for none."""
    assert balance(tx, "card:a1") == 0
    post(tx, [("card:a1", 2000), ("deposits:EUR", -2000)], source="deposit", at=AT)
    post(tx, [("card:a1", -350), ("deposits:EUR", 350)], source="sale", at=AT)
    assert balance(tx, "card:a1") == 1650
    assert balance(tx, "deposits:EUR") == -1650
    assert type(balance(tx, "card:a1")) is int
