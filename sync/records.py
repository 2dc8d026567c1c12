"""Plain records the till caches and journals; shared by the store, the decisions and the UI.

Amounts are integer minor units (D-ACC-1); dates are the unit's local business day; instants
are timezone-aware UTC datetimes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sync import entry_body


class PriceLevel(StrEnum):
    """D-ACC-3: the price a cardholder pays."""

    STUDENT = "student"
    STAFF = "staff"
    GUEST = "guest"


class CardState(StrEnum):
    """D-CARD-2: active, blocked (reversible) or closed (replaced)."""

    ACTIVE = "active"
    BLOCKED = "blocked"
    CLOSED = "closed"


class EntryKind(StrEnum):
    SALE = "sale"
    AUTOLOAD = "autoload"
    TOPUP = "topup"
    VOID = "void"
    ARREARS_PAYMENT = "arrears_payment"  # D-AUTO-7: arrears paid at the till; no stored value


@dataclass(frozen=True, slots=True)
class Card:
    card_id: str  # canonical card id (D-CARD-3)
    account_id: str
    state: CardState
    replaced_by: str | None = None  # the newer card's id when state is CLOSED (D-CARD-1)


@dataclass(frozen=True, slots=True)
class Cardholder:
    cardholder_id: str
    name: str
    photo_sha256: str | None  # content address of the photo; None = no photo (D-CARD-4)
    allowed_unit_types: frozenset[str]  # D-UNIT-2; empty = allowed nowhere
    daily_limit: int | None = None  # D-UNIT-3, minor units; None = no limit
    blocked_categories: frozenset[str] = frozenset()  # D-UNIT-3


@dataclass(frozen=True, slots=True)
class Account:
    account_id: str
    cardholder_id: str
    currency: str
    balance: int  # as last known from the server, minor units
    price_level: PriceLevel  # D-ACC-3
    membership_expires: date | None = None  # after it, the guest price applies (D-ACC-3)
    payment_blocked: bool = False  # returned direct debit (D-AUTO-7)
    arrears: int = 0  # what must be paid to unblock (D-AUTO-7), minor units
    version: int = 0


@dataclass(frozen=True, slots=True)
class AutoloadAgreement:
    """D-AUTO-1: threshold and amount; active from a date (D-AUTO-6)."""

    account_id: str
    threshold: int
    amount: int
    active_from: date
    ended: bool = False
    collection_failed: bool = False  # D-AUTO-8


@dataclass(frozen=True, slots=True)
class Unit:
    """D-UNIT-1: the sales unit a till belongs to, with what a receipt must name."""

    unit_id: str
    name: str
    unit_type: str
    timezone: str
    currency: str
    seller_name: str
    address: str
    vat_number: str
    # Money, dates and the receipt's language (D-UNIT-1): a Babel locale name such as de_DE;
    # empty = the currency's own (EUR de_DE, SEK sv_SE, DKK da_DK).
    locale: str = ""


UNIT_FIELDS = tuple(f.name for f in dataclasses.fields(Unit))


@dataclass(frozen=True, slots=True)
class Product:
    product_id: str
    name: str
    category: str
    prices: dict[PriceLevel, int]  # minor units per price level
    vat_rate_bp: int  # basis points: 700 = 7 %
    shortcut: str | None = None  # a key the cashier can press
    position: int = 0
    sold_out: bool = False  # marked centrally or by a supervisor: greyed out, not sold


@dataclass(frozen=True, slots=True)
class CardSnapshot:
    """Everything the tap decision needs about one card, read in one go from the store."""

    card: Card
    account: Account
    cardholder: Cardholder
    agreement: AutoloadAgreement | None
    pending_delta: int  # this till's journal entries the server has not applied yet
    unsent_debits: int  # positive: what this till has charged that the server has not applied
    spent_today: int  # sales today, server-known plus local unsent
    autoloads_today: int  # autoloads today, server-known plus local

    @property
    def balance(self) -> int:
        """Invariant 3: server balance plus this till's entries the server has not applied."""
        return self.account.balance + self.pending_delta


# D-PAY-3: a sale keeps its lines; the line is the journal body's own record.
SaleLine = entry_body.Line


@dataclass(frozen=True, slots=True)
class JournalEntry:
    entry_id: str  # UUIDv7
    seq: int  # gap-free per till
    till_id: str
    kind: EntryKind
    created_at: datetime
    business_day: date
    account_id: str | None
    card_id: str | None
    amount: int  # signed delta to the account's balance, minor units
    currency: str
    receipt_no: int | None
    body: dict[str, Any] = field(default_factory=dict)  # `entry_body.to_json` of its record

    def typed_body(self) -> entry_body.Body:
        """The body as its kind's record (`sync.entry_body`)."""
        return entry_body.read(self.kind.value, self.body)
