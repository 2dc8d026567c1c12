"""The rule matrix: one tap decision per domain rule (ids from docs/rules.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.policy import DEFAULTS, AutoloadTrigger, Policy
from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardSnapshot,
    CardState,
    PriceLevel,
    Product,
    SaleLine,
    Unit,
)
from terminal.basket import Basket
from terminal.decide import Outcome, Reason, TapContext, decide, decide_topup

TODAY = date(2026, 11, 21)
UNIT = Unit("u1", "Mensa Nord", "mensa", "Europe/Berlin", "EUR", "StW", "Weg 1", "DE1")
MEAL = Product(
    "p1",
    "Menü 1",
    "Mains",
    {PriceLevel.STUDENT: 350, PriceLevel.STAFF: 520, PriceLevel.GUEST: 690},
    700,
)
SWEETS = Product("p2", "Schokoriegel", "Sweets", {PriceLevel.STUDENT: 120}, 700)


def snap(
    *,
    balance: int = 5000,
    state: CardState = CardState.ACTIVE,
    level: PriceLevel = PriceLevel.STUDENT,
    expires: date | None = None,
    photo: str | None = "ab" * 32,
    units: frozenset[str] = frozenset({"mensa", "cafeteria"}),
    daily_limit: int | None = None,
    blocked: frozenset[str] = frozenset(),
    spent_today: int = 0,
    agreement: AutoloadAgreement | None = None,
    autoloads_today: int = 0,
    payment_blocked: bool = False,
    unsent: int = 0,
) -> CardSnapshot:
    return CardSnapshot(
        card=Card("72BF9961", "a1", state, "0457" if state is CardState.CLOSED else None),
        account=Account("a1", "h1", "EUR", balance + unsent, level, expires, payment_blocked, 600),
        cardholder=Cardholder("h1", "Anna Berg", photo, units, daily_limit, blocked),
        agreement=agreement,
        pending_delta=-unsent,
        unsent_debits=unsent,
        spent_today=spent_today,
        autoloads_today=autoloads_today,
    )


def lines(*products: Product, level: PriceLevel = PriceLevel.STUDENT) -> list[SaleLine]:
    basket = Basket()
    for p in products:
        basket.add(p)
    return basket.priced(level)


def ctx(s: CardSnapshot | None, ls: list[SaleLine] | None = None, **kw: object) -> TapContext:
    base = TapContext(s, UNIT, ls if ls is not None else lines(MEAL), DEFAULTS, TODAY, True)
    return replace(base, **kw)  # type: ignore[arg-type]


AGREEMENT = AutoloadAgreement("a1", threshold=1000, amount=2000, active_from=date(2026, 1, 1))


def test_approved_online_charges_student_price() -> None:
    """An active card with enough balance is approved at its price level."""
    v = decide(ctx(snap()))
    assert (v.outcome, v.reason, v.total, v.balance_after) == (
        Outcome.APPROVED,
        Reason.OK,
        350,
        4650,
    )
    assert "3,50 €" in v.message


def test_d_pay_2_unknown_card_refused_in_words() -> None:
    """D-PAY-2: an unknown card is refused with a reason in plain words."""
    v = decide(ctx(None))
    assert v.outcome is Outcome.REFUSED
    assert v.reason is Reason.UNKNOWN_CARD
    assert "Unknown card" in v.message
    assert v.headline == "REFUSED: unknown card"


def test_d_card_2_blocked_card_cannot_pay() -> None:
    """D-CARD-2: a blocked card cannot pay."""
    v = decide(ctx(snap(state=CardState.BLOCKED)))
    assert v.reason is Reason.BLOCKED
    assert not v.approved


def test_d_card_2_blocked_card_gets_no_autoload() -> None:
    """D-CARD-2: a blocked card cannot autoload, even when below the threshold."""
    v = decide(ctx(snap(state=CardState.BLOCKED, balance=100, agreement=AGREEMENT)))
    assert v.reason is Reason.BLOCKED
    assert v.autoload is None


def test_d_card_1_replaced_card_refused_and_names_the_newer() -> None:
    """D-CARD-1/D-CARD-2: a closed (replaced) card is refused: replaced by a newer card."""
    v = decide(ctx(snap(state=CardState.CLOSED)))
    assert v.reason is Reason.REPLACED
    assert "newer card" in v.message


def test_d_card_4_missing_photo_flagged_but_decided_on_merit() -> None:
    """D-CARD-4: a cardholder without a photo is flagged; the verdict itself stands."""
    v = decide(ctx(snap(photo=None)))
    assert v.missing_photo
    assert v.outcome is Outcome.APPROVED
    assert not decide(ctx(snap())).missing_photo


def test_d_unit_2_card_not_allowed_at_this_unit_type() -> None:
    """D-UNIT-2: a card whose holder did not allow this unit type is refused, saying why."""
    v = decide(ctx(snap(units=frozenset({"library"}))))
    assert v.reason is Reason.NOT_ALLOWED_HERE
    assert "mensa" in v.message
    assert "library" in v.message


def test_d_unit_3_daily_limit_reached() -> None:
    """D-UNIT-3: spending past the daily limit is refused; an exact fit is allowed."""
    assert decide(ctx(snap(daily_limit=500, spent_today=200))).reason is Reason.DAILY_LIMIT
    assert decide(ctx(snap(daily_limit=550, spent_today=200))).outcome is Outcome.APPROVED
    at_limit = decide(ctx(snap(daily_limit=500, spent_today=500), []))
    assert at_limit.reason is Reason.DAILY_LIMIT
    assert "0,00 € left" in at_limit.message


def test_d_unit_3_blocked_product_category() -> None:
    """D-UNIT-3: a blocked product category in the tray is refused and named."""
    v = decide(ctx(snap(blocked=frozenset({"Sweets"})), lines(MEAL, SWEETS)))
    assert v.reason is Reason.BLOCKED_CATEGORY
    assert "Sweets" in v.message
    assert decide(ctx(snap(blocked=frozenset({"Sweets"})))).approved


def test_d_pay_1_balance_must_cover_purchase() -> None:
    """D-PAY-1: no overdraft; the exact balance is enough; a zero balance is refused."""
    short = decide(ctx(snap(balance=349)))
    assert short.reason is Reason.INSUFFICIENT_BALANCE
    assert "0,01 € short" in short.message
    assert decide(ctx(snap(balance=350))).outcome is Outcome.APPROVED
    assert decide(ctx(snap(balance=0), [])).reason is Reason.INSUFFICIENT_BALANCE


def test_d_auto_7_arrears_block_payment() -> None:
    """D-AUTO-7: a returned direct debit blocks payment and names the arrears."""
    v = decide(ctx(snap(payment_blocked=True)))
    assert v.reason is Reason.ARREARS
    assert "6,00 €" in v.message


def test_d_acc_3_price_level_and_membership_expiry() -> None:
    """D-ACC-3: staff pay staff prices; after membership expiry the guest price applies."""
    staff = PriceLevel.STAFF
    assert decide(ctx(snap(level=staff), lines(MEAL, level=staff))).total == 520
    expired = snap(expires=date(2026, 11, 20))
    assert decide(ctx(expired)).level is PriceLevel.GUEST
    assert decide(ctx(snap(expires=TODAY))).level is PriceLevel.STUDENT


def test_d_auto_2_offer_when_below_threshold_before_purchase() -> None:
    """D-AUTO-2: balance below the threshold at the time of purchase: offer autoload."""
    v = decide(ctx(snap(balance=900, agreement=AGREEMENT)))
    assert v.autoload is not None
    assert v.autoload.amount == 2000
    assert v.autoload.new_balance == 2900
    assert not v.autoload.needed
    assert v.outcome is Outcome.APPROVED
    assert decide(ctx(snap(balance=1000, agreement=AGREEMENT))).autoload is None


def test_d_auto_2_after_purchase_trigger_policy() -> None:
    """D-AUTO-2: with the after-purchase policy, the purchase taking it under triggers it."""
    policy = Policy(autoload_trigger=AutoloadTrigger.AFTER_PURCHASE)
    v = decide(ctx(snap(balance=1200, agreement=AGREEMENT), policy=policy))
    assert v.autoload is not None
    assert decide(ctx(snap(balance=1200, agreement=AGREEMENT))).autoload is None


def test_d_auto_3_consent_credits_at_once_decline_changes_nothing() -> None:
    """D-AUTO-3: accepted autoload is credited at once; declined leaves the balance unchanged."""
    low = snap(balance=200, agreement=AGREEMENT)
    declined = decide(ctx(low))
    assert declined.reason is Reason.INSUFFICIENT_BALANCE
    assert declined.autoload is not None
    assert declined.autoload.needed
    assert "Offer autoload" in declined.message
    assert declined.autoload_applied == 0
    accepted = decide(ctx(low, autoload_accepted=True))
    assert accepted.outcome is Outcome.APPROVED
    assert accepted.autoload_applied == 2000
    assert accepted.balance_after == 200 + 2000 - 350


def test_d_auto_4_once_a_day_or_unlimited() -> None:
    """D-AUTO-4: once a day by default; unlimited when the policy says so."""
    used = snap(balance=900, agreement=AGREEMENT, autoloads_today=1)
    v = decide(ctx(used))
    assert v.autoload is None
    assert v.autoload_note is not None
    assert "today" in v.autoload_note
    unlimited = Policy(autoloads_per_day=None)
    assert decide(ctx(used, policy=unlimited)).autoload is not None


def test_d_auto_5_never_over_the_cap() -> None:
    """D-AUTO-5: an autoload that would take the balance over the cap is not offered."""
    near_cap = AutoloadAgreement("a1", threshold=11000, amount=2000, active_from=date(2026, 1, 1))
    v = decide(ctx(snap(balance=10500, agreement=near_cap)))
    assert v.autoload is None
    assert v.autoload_note is not None
    assert "cap" in v.autoload_note


def test_d_auto_6_and_8_inactive_or_failed_agreement_not_offered() -> None:
    """D-AUTO-6/D-AUTO-8: no autoload before the agreement is active or after failed collection."""
    future = replace(AGREEMENT, active_from=date(2026, 11, 23))
    v = decide(ctx(snap(balance=900, agreement=future)))
    assert v.autoload is None
    assert "23.11.2026" in (v.autoload_note or "")
    failed = replace(AGREEMENT, collection_failed=True)
    v = decide(ctx(snap(balance=900, agreement=failed)))
    assert v.autoload is None
    assert "collection failed" in (v.autoload_note or "")


def test_d_off_3_offline_approval_and_limit() -> None:
    """D-OFF-3: offline the till approves within the per-card offline limit and says so."""
    v = decide(ctx(snap(), online=False))
    assert v.outcome is Outcome.APPROVED_OFFLINE
    assert v.headline == "APPROVED OFFLINE"
    over = decide(ctx(snap(unsent=2800), online=False))
    assert over.reason is Reason.OFFLINE_LIMIT
    assert "30,00 €" in over.message
    assert decide(ctx(snap(unsent=2800), online=True)).outcome is Outcome.APPROVED


def test_d_off_3_balance_less_unsent_debits() -> None:
    """D-OFF-3: the till trusts the last known balance less its own unsent debits."""
    v = decide(ctx(snap(balance=300, unsent=1000), online=False))
    assert v.balance == 300
    assert v.reason is Reason.INSUFFICIENT_BALANCE


def test_d_pay_4_topup_refused_to_blocked_and_over_cap() -> None:
    """D-PAY-4 / D-AUTO-5: a till top-up is refused to a blocked card and over the cap."""
    assert (
        decide_topup(snap(state=CardState.BLOCKED), 1000, DEFAULTS, "EUR").reason is Reason.BLOCKED
    )
    over = decide_topup(snap(balance=11500), 1000, DEFAULTS, "EUR")
    assert over.reason is Reason.OVER_CAP
    assert "5,00 €" in over.message
    ok = decide_topup(snap(balance=1000), 1000, DEFAULTS, "EUR")
    assert ok.approved
    assert ok.balance_after == 2000
    with pytest.raises(ValueError, match="positive"):
        decide_topup(snap(), 0, DEFAULTS, "EUR")


@given(
    balance=st.integers(-5000, 20000),
    qty=st.integers(0, 5),
    online=st.booleans(),
    unsent=st.integers(0, 5000),
)
def test_d_pay_1_never_approves_an_overdraft(
    balance: int, qty: int, online: bool, unsent: int
) -> None:
    """D-PAY-1/D-OFF-3: whatever the inputs, an approval never leaves a negative balance."""
    ls = lines(*([MEAL] * qty)) if qty else []
    v = decide(ctx(snap(balance=balance, unsent=unsent), ls, online=online))
    if v.approved:
        assert v.balance_after is not None
        assert v.balance_after >= 0
        assert online or unsent + v.total <= DEFAULTS.offline_limit
