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
from terminal.i18n import QT_TRANSLATE_NOOP, format_day, translate
from terminal.money import format_money
from terminal.pricing import effective_level

UNKNOWN_TEXT = QT_TRANSLATE_NOOP(
    "verdict", "Unknown card here: not registered for this unit (it may be for other units)."
)


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


# The reasons as a refusal's headline names them (Reason's values stay the wire's words).
_REASONS: dict[Reason, str] = {
    Reason.OK: QT_TRANSLATE_NOOP("verdict", "ok"),
    Reason.UNKNOWN_CARD: QT_TRANSLATE_NOOP("verdict", "unknown card"),
    Reason.BLOCKED: QT_TRANSLATE_NOOP("verdict", "card blocked"),
    Reason.REPLACED: QT_TRANSLATE_NOOP("verdict", "replaced by a newer card"),
    Reason.NOT_ALLOWED_HERE: QT_TRANSLATE_NOOP("verdict", "not allowed at this unit"),
    Reason.ARREARS: QT_TRANSLATE_NOOP("verdict", "payment blocked for arrears"),
    Reason.BLOCKED_CATEGORY: QT_TRANSLATE_NOOP("verdict", "product category blocked"),
    Reason.DAILY_LIMIT: QT_TRANSLATE_NOOP("verdict", "daily limit reached"),
    Reason.INSUFFICIENT_BALANCE: QT_TRANSLATE_NOOP("verdict", "insufficient balance"),
    Reason.OFFLINE_LIMIT: QT_TRANSLATE_NOOP("verdict", "offline limit reached"),
    Reason.OVER_CAP: QT_TRANSLATE_NOOP("verdict", "over the balance cap"),
    Reason.TOPUP_BOUNDS: QT_TRANSLATE_NOOP("verdict", "top-up amount outside the scheme's bounds"),
    Reason.CURRENCY: QT_TRANSLATE_NOOP("verdict", "wrong currency"),
}
OFFER_AUTOLOAD = QT_TRANSLATE_NOOP("verdict", "Offer autoload.")


def reason_text(reason: Reason) -> str:
    """A reason in the screen's language."""
    return translate("verdict", _REASONS[reason])


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
        """What the card panel shows in large letters, in the screen's language."""
        if self.outcome is Outcome.REFUSED:
            reason = reason_text(self.reason)
            return translate("verdict", "REFUSED: {reason}").format(reason=reason)
        if self.outcome is Outcome.APPROVED_OFFLINE:
            return translate("verdict", "APPROVED OFFLINE")
        return translate("verdict", "APPROVED")


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
        return _refuse(Reason.UNKNOWN_CARD, translate("verdict", UNKNOWN_TEXT), cur)
    money = _fmt(cur)
    missing_photo = snap.cardholder.photo_sha256 is None
    card, account, holder = snap.card, snap.account, snap.cardholder
    balance = snap.balance
    common = Verdict(
        Outcome.REFUSED, Reason.OK, "", cur, balance=balance, missing_photo=missing_photo
    )

    if card.state is CardState.CLOSED:  # D-CARD-1, D-CARD-2
        text = (
            translate(
                "verdict",
                "This card was replaced by a newer card (new card ends {end}). Keep it back.",
            ).format(end=card.replaced_by[-4:])
            if card.replaced_by
            else translate("verdict", "This card was replaced by a newer card. Keep it back.")
        )
        return _v(Outcome.REFUSED, Reason.REPLACED, text, common)
    if card.state is CardState.BLOCKED:  # D-CARD-2
        return _v(
            Outcome.REFUSED,
            Reason.BLOCKED,
            translate("verdict", "Card blocked by the cardholder or the office. Do not accept it."),
            common,
        )
    if account.currency != cur:
        return _v(
            Outcome.REFUSED,
            Reason.CURRENCY,
            translate("verdict", "Account is in {account}, this till sells in {till}.").format(
                account=account.currency, till=cur
            ),
            common,
        )
    if account.payment_blocked:  # D-AUTO-7
        return _v(
            Outcome.REFUSED,
            Reason.ARREARS,
            translate(
                "verdict",
                "Payment blocked after a returned direct debit. Arrears {arrears} can be paid "
                "at a cash till or service point.",
            ).format(arrears=money(account.arrears)),
            common,
        )
    if ctx.unit.unit_type not in holder.allowed_unit_types:  # D-UNIT-2
        allowed = ", ".join(sorted(holder.allowed_unit_types)) or translate("verdict", "nowhere")
        return _v(
            Outcome.REFUSED,
            Reason.NOT_ALLOWED_HERE,
            translate(
                "verdict",
                "Not allowed at a {unit}; the cardholder allows: {allowed}.",
            ).format(unit=ctx.unit.unit_type, allowed=allowed),
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
            translate(
                "verdict",
                "Not allowed for this card: {blocked}. Remove it from the tray.",
            ).format(blocked=", ".join(blocked)),
            priced,
        )
    limit = holder.daily_limit
    if limit is not None and (snap.spent_today + total > limit or snap.spent_today >= limit):
        left = max(0, limit - snap.spent_today)  # D-UNIT-3
        return _v(
            Outcome.REFUSED,
            Reason.DAILY_LIMIT,
            translate("verdict", "Daily limit {limit} reached: {left} left today.").format(
                limit=money(limit), left=money(left)
            ),
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
        if total > 0:
            text = translate("verdict", "Insufficient balance: {short} short.").format(
                short=money(total - available)
            )
        else:
            text = translate("verdict", "Insufficient balance: no balance left.")
        if offer is not None and not credited:
            text = f"{text} {translate('verdict', OFFER_AUTOLOAD)}"
        return _v(Outcome.REFUSED, Reason.INSUFFICIENT_BALANCE, text, priced)

    if not ctx.online:  # D-OFF-3
        spent_offline = snap.unsent_debits + total
        if spent_offline > ctx.policy.offline_limit:
            return _v(
                Outcome.REFUSED,
                Reason.OFFLINE_LIMIT,
                translate(
                    "verdict",
                    "Offline limit {limit} per card reached: {spent} already spent here unsynced.",
                ).format(limit=money(ctx.policy.offline_limit), spent=money(snap.unsent_debits)),
                priced,
            )
        return _v(
            Outcome.APPROVED_OFFLINE,
            Reason.OK,
            f"{_approved_text(total, after, money)} {translate('verdict', 'Till is offline.')}",
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
        return None, translate(
            "verdict", "Autoload stopped: the last collection failed. Top up by hand."
        )
    if agreement.active_from > ctx.today:  # D-AUTO-6
        return None, translate("verdict", "Autoload active from {day}.").format(
            day=format_day(agreement.active_from)
        )
    per_day = policy.autoloads_per_day
    if per_day is not None and snap.autoloads_today >= per_day:  # D-AUTO-4
        return None, translate("verdict", "Autoload already used today (once a day).")
    if balance + agreement.amount > policy.balance_cap:  # D-AUTO-5: never over the cap
        return None, translate(
            "verdict", "Autoload would take the balance over the {cap} cap."
        ).format(cap=money(policy.balance_cap))
    return AutoloadOffer(agreement.amount, balance + agreement.amount, needed=False), None


def decide_topup(
    snapshot: CardSnapshot | None, amount: int, policy: Policy, currency: str
) -> Verdict:
    """D-PAY-4: a top-up at the till; refused to a blocked card and over the cap (D-AUTO-5)."""
    money = _fmt(currency)
    if snapshot is None:
        return _refuse(Reason.UNKNOWN_CARD, translate("verdict", UNKNOWN_TEXT), currency)
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
            translate("verdict", "This card was replaced by a newer card: top up the new one."),
            common,
        )
    if snapshot.card.state is CardState.BLOCKED:
        text = translate("verdict", "Card blocked: no top-up.")
        return _v(Outcome.REFUSED, Reason.BLOCKED, text, common)
    if amount <= 0:
        raise ValueError(f"top-up amount must be positive, got {amount}")
    if not policy.topup_min_amount <= amount <= policy.topup_max_amount:
        low, high = money(policy.topup_min_amount), money(policy.topup_max_amount)
        return _v(
            Outcome.REFUSED,
            Reason.TOPUP_BOUNDS,
            translate("verdict", "A top-up here is {low} to {high}.").format(low=low, high=high),
            common,
        )
    after = snapshot.balance + amount
    if after > policy.balance_cap:
        room = max(0, policy.balance_cap - snapshot.balance)
        return _v(
            Outcome.REFUSED,
            Reason.OVER_CAP,
            translate("verdict", "Over the {cap} balance cap: at most {room}.").format(
                cap=money(policy.balance_cap), room=money(room)
            ),
            common,
        )
    message = translate("verdict", "Top up {amount}: new balance {after}.").format(
        amount=money(amount), after=money(after)
    )
    return _v(Outcome.APPROVED, Reason.OK, message, common, balance_after=after, total=amount)


def _v(outcome: Outcome, reason: Reason, message: str, base: Verdict, **changes: object) -> Verdict:
    # changes are Verdict fields by construction at each call site above
    return replace(base, outcome=outcome, reason=reason, message=message, **changes)  # type: ignore[arg-type]


def _refuse(reason: Reason, message: str, currency: str) -> Verdict:
    return Verdict(Outcome.REFUSED, reason, message, currency)


def _approved_text(total: int, after: int, money: _Formatter) -> str:
    if total == 0:
        return translate("verdict", "Card OK. Balance {balance}. Ring up the tray.").format(
            balance=money(after)
        )
    return translate("verdict", "Pay {total}. Balance after {after}.").format(
        total=money(total), after=money(after)
    )


class _Formatter:
    def __init__(self, currency: str) -> None:
        self.currency = currency

    def __call__(self, minor: int) -> str:
        return format_money(minor, self.currency)


def _fmt(currency: str) -> _Formatter:
    return _Formatter(currency)
