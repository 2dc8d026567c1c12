"""What the server checks in every journal entry a till sends (invariant 6).

A till reports what happened at its counter; it never creates money. So each entry is judged
against what the server knows, and ends one of two ways besides plain acceptance:

- refused: it cannot have happened (a void of nothing, an autoload with no agreement, an
  amount no canteen moves, lines that do not add up). Kept for the operator, never booked; the
  till keeps it in its quarantine.
- flagged: it breaks a rule but describes something that did happen, usually offline from the
  till's copy (an overdraft sale, an over-cap top-up, a second autoload the same day). Booked,
  because the money moved at the counter, and shown to the operator.

`docs/architecture.md` lists every rule and which way it goes. Pure logic: the facts come in
as `Facts`, gathered by `server.ingest` in a few queries per batch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pydantic import ValidationError

from sync.entry_body import (
    ArrearsPaymentBody,
    AutoloadBody,
    Body,
    SaleBody,
    VoidBody,
    line_json,
)
from sync.policy import Policy
from sync.protocol import EntryIn

# A till's clock may be this far off the server's: an agreement changed within it of an
# autoload may not have reached the till yet.
CLOCK_SKEW = timedelta(minutes=10)

# The sign of what each kind moves; a void's is the opposite of what it voids (checked with
# it), an arrears payment moves no stored value (D-AUTO-7: it settles a debt).
SIGN = {"sale": -1, "void": 1, "autoload": 1, "topup": 1, "arrears_payment": 0}


@dataclass(frozen=True, slots=True)
class AccountFacts:
    currency: str
    payment_blocked: bool
    allowed_unit_types: frozenset[str]
    daily_limit: int | None


@dataclass(frozen=True, slots=True)
class SaleFacts:
    """A sale or a top-up the server booked, for a void to reverse."""

    till_id: str
    account_id: str
    amount: int  # a sale: negative, what it took; a top-up: positive, what it credited
    lines: list[dict[str, object]] | None  # None: booked before the server kept lines
    voided_by: str | None
    # the other leg it was booked to (revenue, the till's cash or card terminal): a void
    # reverses that one
    revenue: str | None = None
    kind: str = "sale"  # or "topup"
    tender: str = "card"  # a top-up's: cash or bank_card


@dataclass(frozen=True, slots=True)
class AgreementVersion:
    """One version of an account's autoload agreement, and when the server held it."""

    amount: int
    active_from: date
    ended: bool
    collection_failed: bool
    valid_from: datetime
    valid_to: datetime | None  # None: the current version


@dataclass
class Facts:
    """What the server knows, for the entries of one batch; updated as entries are booked."""

    till_id: str
    unit_currency: str
    unit_type: str
    policy: Policy  # its amounts are per currency: read in the entry's (`for_currency`)
    accounts: dict[str, AccountFacts]
    cards: dict[str, tuple[str, str]]  # card_id -> (account_id, state)
    balances: dict[str, int]  # account_id -> balance
    sales: dict[str, SaleFacts]  # entry_id -> the sale
    agreements: dict[str, list[AgreementVersion]]  # account_id -> versions, oldest first
    day_autoloads: dict[tuple[str, date], int] = field(default_factory=dict)
    day_spent: dict[tuple[str, date], int] = field(default_factory=dict)
    arrears: dict[str, int] = field(default_factory=dict)  # account_id -> owed (D-AUTO-7)


@dataclass(frozen=True, slots=True)
class Judgement:
    refused: str | None  # why it cannot have happened; None: book it
    flags: tuple[str, ...] = ()  # the rules it broke, booked all the same
    # The body as read for judging, so that booking does not read it again.
    body: Body | None = field(default=None, compare=False)


def judge(entry: EntryIn, facts: Facts) -> Judgement:
    """Refused (with the reason), or to be booked with the flags it earns."""
    refusal = _common(entry, facts)
    if refusal is not None:
        return Judgement(refusal)
    try:
        body = entry.typed_body()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3]
        )
        return Judgement(f"the {entry.kind}'s body is not one a till writes: {problems}")
    if isinstance(body, SaleBody):
        judged = _sale(entry, body, facts)
    elif isinstance(body, VoidBody):
        judged = _void(entry, body, facts)
    elif isinstance(body, AutoloadBody):
        judged = _autoload(entry, body, facts)
    elif isinstance(body, ArrearsPaymentBody):
        judged = _arrears_payment(entry, body, facts)
    else:
        judged = _topup(entry, facts)
    return dataclasses.replace(judged, body=body)


def _common(entry: EntryIn, facts: Facts) -> str | None:
    if entry.account_id is None:
        return "entry has no account"
    account = facts.accounts.get(entry.account_id)
    if account is None:
        return f"unknown account {entry.account_id}"
    if account.currency != entry.currency:
        return f"account {entry.account_id} is in {account.currency}, the entry in {entry.currency}"
    if entry.currency != facts.unit_currency:
        return f"this till's unit sells in {facts.unit_currency}, the entry is in {entry.currency}"
    sign = SIGN[entry.kind]
    if entry.kind == "arrears_payment":
        if entry.amount != 0:
            return (
                f"an arrears payment moves no stored value, this one moves {entry.amount}"
                " (D-AUTO-7)"
            )
    elif entry.amount == 0 or (entry.kind != "void" and (entry.amount > 0) != (sign > 0)):
        return f"a {entry.kind} cannot move {entry.amount}"
    bound = facts.policy.entry_bound(entry.currency)
    if abs(entry.amount) > bound:
        return (
            f"{abs(entry.amount)} {entry.currency} minor units is more than one till entry may"
            f" move (the scheme's max_entry_amount is {bound})"
        )
    if entry.card_id is None:
        return "entry has no card"
    card = facts.cards.get(entry.card_id)
    if card is None:
        return f"unknown card {entry.card_id}"
    if card[0] != entry.account_id:
        return f"card {entry.card_id} is not a card of account {entry.account_id}"
    return None


def _sale(entry: EntryIn, body: SaleBody, facts: Facts) -> Judgement:
    total = sum(line.amount for line in body.lines)
    if total != -entry.amount or body.total != total:
        return Judgement(
            f"the sale's lines add up to {total} and its total says {body.total},"
            f" but it moves {-entry.amount}"
        )
    flags = [*_card_flags(entry, facts), *_spending_flags(entry, facts)]
    return Judgement(None, _flags(flags, offline=body.offline))


def _void(entry: EntryIn, body: VoidBody, facts: Facts) -> Judgement:
    what = "top-up" if body.voided_kind == "topup" else "sale"
    if (entry.amount > 0) != (what == "sale"):  # a sale's void gives, a top-up's takes
        of = " of a top-up" if what == "top-up" else ""
        return Judgement(f"a void{of} cannot move {entry.amount}")
    voided = facts.sales.get(str(body.voids))
    if voided is None or voided.kind != body.voided_kind:
        return Judgement(f"no booked {what} {body.voids} of this till to void")
    if voided.till_id != facts.till_id:
        return Judgement(f"{what} {body.voids} was made at till {voided.till_id}, not this one")
    if voided.voided_by is not None:
        return Judgement(f"{what} {body.voids} was already voided by {voided.voided_by}")
    if voided.account_id != entry.account_id:
        verb = "credited" if what == "top-up" else "charged"
        return Judgement(f"{what} {body.voids} was {verb} to account {voided.account_id}")
    if what == "top-up":
        return _topup_void(entry, body, voided, facts)
    if entry.amount != -voided.amount:
        return Judgement(f"sale {body.voids} took {-voided.amount}; a void gives back exactly that")
    if voided.lines is not None and [line_json(line) for line in body.lines] != voided.lines:
        return Judgement(f"the void's lines differ from those of sale {body.voids}")
    # A void is a credit too: D-AUTO-5's cap covers refunds ("credit that takes the balance
    # over the cap" in RULES), e.g. when a deposit reached the cap after the sale.
    return Judgement(None, _flags(_cap_flags(entry, facts), offline=False))


def _topup_void(entry: EntryIn, body: VoidBody, topup: SaleFacts, facts: Facts) -> Judgement:
    """The top-up's money leaves the card and goes back where it came from: exactly its
    amount, to its tender, and only while the card still holds it (the till never creates
    money: a top-up spent already cannot be voided in full)."""
    assert entry.account_id is not None
    if entry.amount != -topup.amount:
        return Judgement(
            f"top-up {body.voids} credited {topup.amount}; its void takes back exactly that"
        )
    if body.tender != topup.tender or body.lines:
        return Judgement(
            f"top-up {body.voids} was paid by {topup.tender}; its void goes back to that,"
            " without lines"
        )
    balance = facts.balances[entry.account_id]
    if balance + entry.amount < 0:
        return Judgement(
            f"top-up {body.voids} of {topup.amount} has been spent: account {entry.account_id}"
            f" holds {balance}, its void cannot take it back (D-PAY-1)"
        )
    return Judgement(None, _flags(_card_flags(entry, facts), offline=False))


def _arrears_payment(entry: EntryIn, body: ArrearsPaymentBody, facts: Facts) -> Judgement:
    """D-AUTO-7: cash paid at the till against the account's arrears; never more than they
    are (the server books what it owes, not a credit: no till creates money)."""
    assert entry.account_id is not None
    if body.arrears_after != body.arrears_before - body.amount:
        return Judgement(
            f"the payment's arrears before ({body.arrears_before}) less its amount"
            f" ({body.amount}) are not its arrears after ({body.arrears_after})"
        )
    owed = facts.arrears.get(entry.account_id, 0)
    if body.amount > owed:
        return Judgement(
            f"an arrears payment of {body.amount} is more than the {owed} account"
            f" {entry.account_id} owes (D-AUTO-7)"
        )
    return Judgement(None, _flags(_card_flags(entry, facts), offline=False))


def _autoload(entry: EntryIn, body: AutoloadBody, facts: Facts) -> Judgement:
    assert entry.account_id is not None
    # A till can only have used a version the server held when the entry was made (within
    # the clock tolerance): an autoload dated before any version existed cannot have happened.
    known = facts.agreements.get(entry.account_id, [])
    versions = [v for v in known if v.valid_from - CLOCK_SKEW <= entry.created_at]
    if not versions:
        if known:
            return Judgement(
                f"account {entry.account_id} had no autoload agreement at"
                f" {entry.created_at.isoformat()} (D-AUTO-1)"
            )
        return Judgement(f"account {entry.account_id} has no autoload agreement (D-AUTO-1)")
    # The till decided from the version it had: the one in force at the entry's time, or one
    # the till may not have heard had ended (its clock may be off; it may have been offline).
    matching = [v for v in versions if v.amount == entry.amount]
    if not matching:
        amounts = sorted({v.amount for v in versions})
        return Judgement(
            f"an autoload of {entry.amount}, but the agreement's amount is"
            f" {' or '.join(str(a) for a in amounts)} (D-AUTO-1)"
        )
    flags: list[str] = []
    at = entry.created_at
    in_force = [
        v
        for v in matching
        if v.valid_from - CLOCK_SKEW <= at and (v.valid_to is None or at <= v.valid_to + CLOCK_SKEW)
    ]
    usable = [
        v
        for v in in_force
        if not v.ended and not v.collection_failed and v.active_from <= entry.business_day
    ]
    if not usable:
        flags.append("agreement_inactive")  # D-AUTO-6, D-AUTO-8: a till's stale copy
    per_day = facts.policy.autoloads_per_day
    key = (entry.account_id, entry.business_day)
    if per_day is not None and facts.day_autoloads.get(key, 0) >= per_day:
        flags.append("autoload_frequency")  # D-AUTO-4: two offline tills, the same day
    flags += _card_flags(entry, facts)
    flags += _cap_flags(entry, facts)
    return Judgement(None, _flags(flags, offline=body.offline))


def _topup(entry: EntryIn, facts: Facts) -> Judgement:
    policy = facts.policy.for_currency(entry.currency)
    flags = [*_card_flags(entry, facts), *_cap_flags(entry, facts)]
    if not policy.topup_min_amount <= entry.amount <= policy.topup_max_amount:
        flags.append("topup_bounds")  # D-PAY-4: the cash is in the drawer all the same
    return Judgement(None, _flags(flags, offline=False))


def _card_flags(entry: EntryIn, facts: Facts) -> list[str]:
    assert entry.card_id is not None
    assert entry.account_id is not None
    flags = []
    if facts.cards[entry.card_id][1] != "active":
        flags.append("card_not_active")  # D-CARD-2: blocked or replaced centrally meanwhile
    account = facts.accounts[entry.account_id]
    if facts.unit_type not in account.allowed_unit_types:
        flags.append("unit_not_allowed")  # D-UNIT-2
    if entry.kind in ("sale", "autoload") and account.payment_blocked:
        # D-AUTO-7: a sale, or an autoload that adds a debit to a returned one.
        flags.append("payment_blocked")
    return flags


def _spending_flags(entry: EntryIn, facts: Facts) -> list[str]:
    assert entry.account_id is not None
    flags = []
    if facts.balances[entry.account_id] + entry.amount < 0:
        flags.append("overdraft")  # D-PAY-1, D-OFF-3: an offline sale, kept and shown
    limit = facts.accounts[entry.account_id].daily_limit
    spent = facts.day_spent.get((entry.account_id, entry.business_day), 0)
    if limit is not None and spent - entry.amount > limit:
        flags.append("daily_limit")  # D-UNIT-3
    return flags


def _cap_flags(entry: EntryIn, facts: Facts) -> list[str]:
    assert entry.account_id is not None
    cap = facts.policy.for_currency(entry.currency).balance_cap
    if facts.balances[entry.account_id] + entry.amount > cap:
        return ["over_cap"]  # D-AUTO-5
    return []


def _flags(flags: list[str], *, offline: bool) -> tuple[str, ...]:
    return (*flags, "offline") if offline else tuple(flags)


RULES: list[tuple[str, str, str]] = [
    # (rule, what happens, why) — docs/architecture.md shows this table; a test keeps it true.
    ("entry without an account or card, unknown account or card", "refused", "cannot happen"),
    ("card not of the entry's account", "refused", "the till only knows cards with accounts"),
    ("currency other than the account's or the till's unit's", "refused", "one currency each"),
    ("amount zero or of the wrong sign for its kind", "refused", "no till writes it"),
    ("amount over the policy's max_entry_amount for its currency", "refused", "absurd"),
    ("body that is not its kind's (no lines, no consent, unknown tender)", "refused", "malformed"),
    ("sale whose lines do not add up to its amount", "refused", "the till computes both"),
    (
        "void of no booked sale of this till, twice, or for another amount or lines",
        "refused",
        "a till reverses its own sales, once",
    ),
    (
        "void of no booked top-up of this till, twice, or for another amount or tender",
        "refused",
        "a till reverses its own top-ups, once",
    ),
    ("void of a top-up the balance no longer covers", "refused", "D-PAY-1: spent already"),
    (
        "arrears payment that moves stored value or pays more than the account owes",
        "refused",
        "D-AUTO-7",
    ),
    (
        "autoload without an agreement at its time, or for an amount no version had",
        "refused",
        "D-AUTO-1",
    ),
    ("sale that overdraws the balance", "flagged overdraft", "D-PAY-1, D-OFF-3"),
    ("sale over the cardholder's daily limit", "flagged daily_limit", "D-UNIT-3"),
    (
        "sale or autoload while the account's payment is blocked",
        "flagged payment_blocked",
        "D-AUTO-7",
    ),
    ("entry on a card blocked or closed centrally", "flagged card_not_active", "D-CARD-2"),
    ("entry at a unit type the cardholder does not allow", "flagged unit_not_allowed", "D-UNIT-2"),
    ("credit that takes the balance over the cap", "flagged over_cap", "D-AUTO-5"),
    ("autoload beyond the policy's autoloads per day", "flagged autoload_frequency", "D-AUTO-4"),
    (
        "autoload on an ended, failed or not yet active agreement",
        "flagged agreement_inactive",
        "D-AUTO-6, D-AUTO-8",
    ),
    ("top-up outside the policy's top-up bounds", "flagged topup_bounds", "D-PAY-4"),
    ("entry made offline", "flagged offline", "D-OFF-3 (informational)"),
]
