"""The ledger: every money movement is a transaction of rows that sum to zero; a balance is a sum.

Ledger accounts: a cardholder's stored value (`card:<account_id>`, in the account's one
currency), and, each per currency (`…:EUR`): a unit's revenue (`revenue:<unit_id>:EUR`), the
cash a till's drawer holds for the scheme (`cash:<till_id>:EUR`), bank-card top-ups taken at a
till (`card-terminal:<till_id>:EUR`), autoload receivable (`autoload-receivable:EUR`), money
received by the back office (`deposits:EUR`) and card replacement fees (`fees:EUR`).

Signs: a cardholder's account holds what the scheme owes the cardholder as a positive sum;
every other account is its counterpart, so the cash a till holds shows as a negative balance
of `cash:<till_id>:EUR` (it owes the scheme that much), revenue as a negative balance too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from server.db import Tx
from sync.ids import new_id


class LedgerError(Exception):
    """A transaction that does not balance, or money in two currencies: a bug of the server's
    own (the checks before a posting refuse what a request gets wrong), so an answer 500."""


CARD_PREFIX = "card:"  # a cardholder's ledger account; migration 0011 keeps their balances


def cardholder_ledger(account_id: str) -> str:
    return f"{CARD_PREFIX}{account_id}"


def currency_ledger(name: str, currency: str) -> str:
    """A scheme-side ledger account, one per currency: `deposits:EUR`, `cash:till-1:DKK`."""
    return f"{name}:{currency}"


def ensure_account(tx: Tx, ledger_account: str, kind: str, currency: str) -> None:
    row = tx.one("SELECT currency FROM ledger_accounts WHERE ledger_account = ?", (ledger_account,))
    if row is None:
        tx.execute("INSERT INTO ledger_accounts VALUES (?, ?, ?)", (ledger_account, kind, currency))
    elif row[0] != currency:
        raise LedgerError(f"{ledger_account} is in {row[0]}, not {currency}")


def post(
    tx: Tx, legs: Sequence[tuple[str, int]], *, source: str, at: datetime | None = None
) -> str:
    """Write one balanced transaction; returns its id."""
    if sum(amount for _, amount in legs) != 0:
        raise LedgerError(f"unbalanced transaction from {source}: {legs}")
    for _, amount in legs:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise LedgerError(f"amounts are int minor units, got {amount!r}")
    txn = new_id()
    stamp = (at or datetime.now(UTC)).isoformat()
    for account, amount in legs:
        tx.execute(
            "INSERT INTO ledger (txn_id, ledger_account, amount, created_at, source)"
            " VALUES (?, ?, ?, ?, ?)",
            (txn, account, amount, stamp, source),
        )
    return txn


def balance(tx: Tx, ledger_account: str) -> int:
    """The sum of the account's ledger rows; a card's as the database keeps it beside them
    (`card_balances`: a card's history grows with every sale)."""
    if ledger_account.startswith(CARD_PREFIX):
        kept = tx.scalar(
            "SELECT balance FROM card_balances WHERE ledger_account = ?", (ledger_account,)
        )
        return 0 if kept is None else int(kept)
    return int(
        tx.scalar(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE ledger_account = ?",
            (ledger_account,),
        )
    )
