"""The one decision on a tap: may this card pay for this basket here, now?

Pure: no I/O, no clock, no Qt. Everything it needs comes in; a `Verdict` whose message a
cashier can read comes out (D-PAY-2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from sync.policy import AutoloadTrigger, Policy
from sync.records import CardSnapshot, CardState, PriceLevel, SaleLine, Unit
from terminal.money import format_money
from terminal.pricing import effective_level

UNKNOWN_TEXT = "Unknown card here: not registered for this unit (it may be for other units)."


class Outcome(StrEnum):
    APPROVED = "approved"
    APPROVED_OFFLINE = "approved offline"  # D-OFF-3: shown to the cashier
    REFUSED = "refused"


class Reason(StrEnum):
    OK = "ok"
    UNKNOWN_CARD = "unknown card"
    BLOCKED = "card blocked"
    REPLACED = "replaced by a newer card"
    NOT_ALLOWED_HERE = "not allowed at this unit"
    ARREARS = "payment blocked for arrears"
    BLOCKED_CATEGORY = "product category blocked"
    DAILY_LIMIT = "daily limit reached"
    INSUFFICIENT_BALANCE = "insufficient balance"
    OFFLINE_LIMIT = "offline limit reached"
    OVER_CAP = "over the balance cap"
    TOPUP_BOUNDS = "top-up amount outside the scheme's bounds"
    CURRENCY = "wrong currency"


@dataclass(frozen=True, slots=True)
class AutoloadOffer:
    """D-AUTO-2/3: what the cashier offers; credited only on the cardholder's Yes."""

    amount: int
    new_balance: int
    needed: bool  # the purchase cannot be paid without it


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    reason: Reason
    message: str
    currency: str
    level: PriceLevel | None = None
    total: int = 0
    balance: int | None = None  # before this purchase
    balance_after: int | None = None  # after it, autoload included when accepted
    autoload: AutoloadOffer | None = None
    autoload_note: str | None = None  # why no autoload was offered (D-AUTO-8)
    autoload_applied: int = 0
    missing_photo: bool = False  # D-CARD-4

    @property
    def approved(self) -> bool:
        return self.outcome is not Outcome.REFUSED

    @property
    def headline(self) -> str:
        """What the card panel shows in large letters."""
        if self.outcome is Outcome.REFUSED:
            return f"REFUSED: {self.reason.value}"
        return self.outcome.value.upper()


@dataclass(frozen=True, slots=True)
class TapContext:
    snapshot: CardSnapshot | None
    unit: Unit
    lines: tuple[SaleLine, ...] | list[SaleLine]
    policy: Policy
    today: date  # the unit's business day
    online: bool
    autoload_accepted: bool = False


def decide(ctx: TapContext) -> Verdict:
    snap = ctx.snapshot
    cur = ctx.unit.currency
    if snap is None:
        return _refuse(Reason.UNKNOWN_CARD, UNKNOWN_TEXT, cur)
    money = _fmt(cur)
    missing_photo = snap.cardholder.photo_sha256 is None
    card, account, holder = snap.card, snap.account, snap.cardholder
    balance = snap.balance
    common = Verdict(
        Outcome.REFUSED, Reason.OK, "", cur, balance=balance, missing_photo=missing_photo
    )

    if card.state is CardState.CLOSED:  # D-CARD-1, D-CARD-2
        newer = f" (new card ends {card.replaced_by[-4:]})" if card.replaced_by else ""
        return _v(
            Outcome.REFUSED,
            Reason.REPLACED,
            f"This card was replaced by a newer card{newer}. Keep it back.",
            common,
        )
    if card.state is CardState.BLOCKED:  # D-CARD-2
        return _v(
            Outcome.REFUSED,
            Reason.BLOCKED,
            "Card blocked by the cardholder or the office. Do not accept it.",
            common,
        )
    if account.currency != cur:
        return _v(
            Outcome.REFUSED,
            Reason.CURRENCY,
            f"Account is in {account.currency}, this till sells in {cur}.",
            common,
        )
    if account.payment_blocked:  # D-AUTO-7
        return _v(
            Outcome.REFUSED,
            Reason.ARREARS,
            f"Payment blocked after a returned direct debit. Arrears "
            f"{money(account.arrears)} can be paid at a cash till or service point.",
            common,
        )
    if ctx.unit.unit_type not in holder.allowed_unit_types:  # D-UNIT-2
        allowed = ", ".join(sorted(holder.allowed_unit_types)) or "nowhere"
        return _v(
            Outcome.REFUSED,
            Reason.NOT_ALLOWED_HERE,
            f"Not allowed at a {ctx.unit.unit_type}; the cardholder allows: {allowed}.",
            common,
        )

    level = effective_level(account, ctx.today)
    total = sum(line.amount for line in ctx.lines)
    priced = replace(common, level=level, total=total)

    blocked = sorted({ln.category for ln in ctx.lines} & holder.blocked_categories)
    if blocked:  # D-UNIT-3
        return _v(
            Outcome.REFUSED,
            Reason.BLOCKED_CATEGORY,
            f"Not allowed for this card: {', '.join(blocked)}. Remove it from the tray.",
            priced,
        )
    limit = holder.daily_limit
    if limit is not None and (snap.spent_today + total > limit or snap.spent_today >= limit):
        left = max(0, limit - snap.spent_today)  # D-UNIT-3
        return _v(
            Outcome.REFUSED,
            Reason.DAILY_LIMIT,
            f"Daily limit {money(limit)} reached: {money(left)} left today.",
            priced,
        )

    offer, note = _autoload(snap, total, ctx)
    credited = offer.amount if offer is not None and ctx.autoload_accepted else 0
    available = balance + credited
    if offer is not None:
        offer = AutoloadOffer(offer.amount, offer.new_balance, needed=available - credited < total)
    after = available - total
    priced = replace(
        priced, autoload=offer, autoload_note=note, autoload_applied=credited, balance_after=after
    )

    # D-PAY-1: a positive balance that covers the purchase; an empty tray needs a positive balance.
    if available < total or available <= 0:
        short = f"{money(total - available)} short" if total > 0 else "no balance left"
        hint = " Offer autoload." if offer is not None and not credited else ""
        return _v(
            Outcome.REFUSED,
            Reason.INSUFFICIENT_BALANCE,
            f"Insufficient balance: {short}.{hint}",
            priced,
        )

    if not ctx.online:  # D-OFF-3
        spent_offline = snap.unsent_debits + total
        if spent_offline > ctx.policy.offline_limit:
            return _v(
                Outcome.REFUSED,
                Reason.OFFLINE_LIMIT,
                f"Offline limit {money(ctx.policy.offline_limit)} per card reached: "
                f"{money(snap.unsent_debits)} already spent here unsynced.",
                priced,
            )
        return _v(
            Outcome.APPROVED_OFFLINE,
            Reason.OK,
            _approved_text(total, after, money) + " Till is offline.",
            priced,
        )
    return _v(Outcome.APPROVED, Reason.OK, _approved_text(total, after, money), priced)


def _autoload(
    snap: CardSnapshot, total: int, ctx: TapContext
) -> tuple[AutoloadOffer | None, str | None]:
    """D-AUTO-2..5, D-AUTO-8: offer autoload, or say why not."""
    agreement = snap.agreement
    if agreement is None or agreement.ended:
        return None, None
    balance, policy = snap.balance, ctx.policy
    money = _fmt(ctx.unit.currency)
    before = policy.autoload_trigger is AutoloadTrigger.BEFORE_PURCHASE
    compared = balance if before else balance - total
    if compared >= agreement.threshold:  # D-AUTO-2
        return None, None
    if agreement.collection_failed:  # D-AUTO-8
        return None, "Autoload stopped: the last collection failed. Top up by hand."
    if agreement.active_from > ctx.today:  # D-AUTO-6
        return None, f"Autoload active from {agreement.active_from:%d.%m.%Y}."
    per_day = policy.autoloads_per_day
    if per_day is not None and snap.autoloads_today >= per_day:  # D-AUTO-4
        return None, "Autoload already used today (once a day)."
    if balance + agreement.amount > policy.balance_cap:  # D-AUTO-5: never over the cap
        return None, f"Autoload would take the balance over the {money(policy.balance_cap)} cap."
    return AutoloadOffer(agreement.amount, balance + agreement.amount, needed=False), None


def decide_topup(
    snapshot: CardSnapshot | None, amount: int, policy: Policy, currency: str
) -> Verdict:
    """D-PAY-4: a top-up at the till; refused to a blocked card and over the cap (D-AUTO-5)."""
    money = _fmt(currency)
    if snapshot is None:
        return _refuse(Reason.UNKNOWN_CARD, UNKNOWN_TEXT, currency)
    common = Verdict(
        Outcome.REFUSED,
        Reason.OK,
        "",
        currency,
        balance=snapshot.balance,
        missing_photo=snapshot.cardholder.photo_sha256 is None,
    )
    if snapshot.card.state is CardState.CLOSED:
        return _v(
            Outcome.REFUSED,
            Reason.REPLACED,
            "This card was replaced by a newer card: top up the new one.",
            common,
        )
    if snapshot.card.state is CardState.BLOCKED:
        return _v(Outcome.REFUSED, Reason.BLOCKED, "Card blocked: no top-up.", common)
    if amount <= 0:
        raise ValueError(f"top-up amount must be positive, got {amount}")
    if not policy.topup_min_amount <= amount <= policy.topup_max_amount:
        low, high = money(policy.topup_min_amount), money(policy.topup_max_amount)
        return _v(
            Outcome.REFUSED,
            Reason.TOPUP_BOUNDS,
            f"A top-up here is {low} to {high}.",
            common,
        )
    after = snapshot.balance + amount
    if after > policy.balance_cap:
        room = max(0, policy.balance_cap - snapshot.balance)
        return _v(
            Outcome.REFUSED,
            Reason.OVER_CAP,
            f"Over the {money(policy.balance_cap)} balance cap: at most {money(room)}.",
            common,
        )
    message = f"Top up {money(amount)}: new balance {money(after)}."
    return _v(Outcome.APPROVED, Reason.OK, message, common, balance_after=after, total=amount)


def _v(outcome: Outcome, reason: Reason, message: str, base: Verdict, **changes: object) -> Verdict:
    # changes are Verdict fields by construction at each call site above
    return replace(base, outcome=outcome, reason=reason, message=message, **changes)  # type: ignore[arg-type]


def _refuse(reason: Reason, message: str, currency: str) -> Verdict:
    return Verdict(Outcome.REFUSED, reason, message, currency)


def _approved_text(total: int, after: int, money: _Formatter) -> str:
    if total == 0:
        return f"Card OK. Balance {money(after)}. Ring up the tray."
    return f"Pay {money(total)}. Balance after {money(after)}."


class _Formatter:
    def __init__(self, currency: str) -> None:
        self.currency = currency

    def __call__(self, minor: int) -> str:
        return format_money(minor, self.currency)


def _fmt(currency: str) -> _Formatter:
    return _Formatter(currency)
