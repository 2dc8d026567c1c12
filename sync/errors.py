"""What the till's store and its sync client raise on purpose: two trees, so that a caller
catches what it means (a full disk, a sale voided already, a server out of reach) and never a
bug that happens to share a built-in class.

Only the store's `BadValue` (and its subclasses) derive from ValueError: each means that a
value handed to the store is of the wrong form, which is what ValueError says. `BadServerUrl`
is the one sync error that is a ValueError too: the operator typed something that is no URL
the till may use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the wire's models load pydantic: not on a standalone till's start-up
    from sync.protocol import ErrorBody


# -- the store ---------------------------------------------------------------------------------


class StoreError(Exception):
    """Something the till's store refused to do; each subclass says what."""


class StoreUnavailable(StoreError):
    """The store cannot be opened or written (read-only or full disk, a lock, a store of
    another till or of a newer version); the message names the path and the cause."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"till store {path} is unavailable: {reason}")
        self.path = path
        self.reason = reason


class StoreCorrupt(StoreUnavailable):
    """The store's file is damaged (empty, not a database, SQLite's check failed): the till
    leaves it exactly as it is and does not sell on it.

    A StoreUnavailable too, because every caller that cannot use a store must stop on a
    damaged one as well; a caller that says more (restore it from a backup) catches this.
    """


class BadValue(StoreError, ValueError):
    """A value given to the store is of the wrong form; the message names the field."""


class AmountTypeError(BadValue, TypeError):
    """An amount or quantity is not an int (a float or bool); money is int minor units."""


class PhotoMismatch(BadValue):
    """Photo bytes whose sha256 is not the address they were fetched by."""


class UnknownEntry(StoreError):
    """No journal entry (or no unsent one) with this id in this store."""


class UnknownAccount(StoreError):
    """The account is not in this till's cache (never sent to it, or removed since)."""


class NotVoidable(StoreError):
    """The entry cannot be voided: it is not a sale or a top-up, or it is a top-up the
    balance no longer covers (spent already); the message says which."""


class TopupSpent(NotVoidable):
    """A top-up the balance no longer covers: its money has been spent, so a void would hand
    out cash the card does not hold. Carries the figures for the cashier's message."""

    def __init__(self, *, receipt_no: int | None, amount: int, balance: int) -> None:
        super().__init__(
            f"the top-up of receipt {receipt_no} ({amount} minor units) has been spent:"
            f" the balance of {balance} no longer covers it"
        )
        self.receipt_no, self.amount, self.balance = receipt_no, amount, balance


class AlreadyVoided(StoreError):
    """The sale or top-up has been voided already: an entry is reversed once."""


class NotPayable(StoreError):
    """An arrears payment the account does not owe (D-AUTO-7): it has no arrears, or the
    amount is more than them; the message says which, and `owed` and `amount` carry the
    figures for the cashier's message."""

    def __init__(self, *, account_id: str, amount: int, owed: int) -> None:
        if owed == 0:
            text = f"account {account_id!r} has no arrears to pay"
        else:
            text = (
                f"{amount} minor units is more than the arrears of {owed} that account"
                f" {account_id!r} owes"
            )
        super().__init__(text)
        self.account_id, self.amount, self.owed = account_id, amount, owed


# -- the sync client ---------------------------------------------------------------------------


class SyncError(Exception):
    """A call to the central server did not give what was asked; each subclass says why."""


class Unreachable(SyncError):
    """No answer: no connection, a timeout, a call cut off at its deadline."""


class Refused(SyncError):
    """The server answered with an error status; `body` is its ErrorBody when it sent one
    (a proxy's error page is none)."""

    def __init__(self, message: str, status: int, body: ErrorBody | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class BadReply(SyncError):
    """An answer that is not what the protocol says: it does not parse, it is over its size
    limit, it is not its model (a captive portal, a tampering proxy, a server of another kind)."""


class BadServerUrl(SyncError, ValueError):
    """A server URL the till must not use: not http(s), or plain http over a network."""
