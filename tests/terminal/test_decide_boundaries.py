"""Every branch and boundary of the tap decision, checked by its whole verdict.

Each test compares the entire `Verdict` (outcome, reason, the exact message, every amount) so
that a refusal read as an approval, a message off by one word or a limit off by one minor
unit fails a test. Boundaries are tried at the value and one minor unit (or day) either side.
`make mutate` measures how well these catch a broken rule (docs/testing.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from sync.policy import DEFAULTS, AutoloadTrigger, Policy
from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardSnapshot,
    CardState,
    PriceLevel,
    SaleLine,
    Unit,
)
from terminal.decide import (
    UNKNOWN_TEXT,
    AutoloadOffer,
    Outcome,
    Reason,
    TapContext,
    Verdict,
    decide,
    decide_topup,
)

TODAY = date(2026, 11, 21)
UNIT = Unit("u1", "Mensa Nord", "mensa", "Europe/Berlin", "EUR", "StW", "Weg 1", "DE1")
PHOTO = "ab" * 32
REFUSED, APPROVED, OFFLINE = Outcome.REFUSED, Outcome.APPROVED, Outcome.APPROVED_OFFLINE
STUDENT = PriceLevel.STUDENT
# Threshold 10,00 €, amount 20,00 €, active since long before TODAY.
AGREEMENT = AutoloadAgreement("a1", threshold=1000, amount=2000, active_from=date(2026, 1, 1))


def snap(
    *,
    balance: int = 5000,
    currency: str = "EUR",
    state: CardState = CardState.ACTIVE,
    replaced_by: str | None = None,
    photo: str | None = PHOTO,
    units: frozenset[str] = frozenset({"mensa"}),
    daily_limit: int | None = None,
    blocked: frozenset[str] = frozenset(),
    spent_today: int = 0,
    agreement: AutoloadAgreement | None = None,
    autoloads_today: int = 0,
    payment_blocked: bool = False,
    arrears: int = 0,
    unsent: int = 0,
    level: PriceLevel = STUDENT,
    expires: date | None = None,
) -> CardSnapshot:
    """A card whose balance (server's less this till's unsent debits) is `balance`."""
    return CardSnapshot(
        card=Card("72BF9961", "a1", state, replaced_by),
        account=Account(
            "a1", "h1", currency, balance + unsent, level, expires, payment_blocked, arrears
        ),
        cardholder=Cardholder("h1", "Anna Berg", photo, units, daily_limit, blocked),
        agreement=agreement,
        pending_delta=-unsent,
        unsent_debits=unsent,
        spent_today=spent_today,
        autoloads_today=autoloads_today,
    )


def line(price: int, category: str = "Mains", quantity: int = 1) -> SaleLine:
    return SaleLine(f"p-{category}", category, category, quantity, price, 700)


def tap(
    s: CardSnapshot | None,
    *lines: SaleLine,
    policy: Policy = DEFAULTS,
    online: bool = True,
    accepted: bool = False,
    today: date = TODAY,
) -> Verdict:
    return decide(TapContext(s, UNIT, list(lines), policy, today, online, accepted))


def verdict(outcome: Outcome, reason: Reason, message: str, **fields: object) -> Verdict:
    """The expected verdict: a card with a photo unless `missing_photo=True` is given."""
    return replace(Verdict(outcome, reason, message, "EUR"), **fields)  # type: ignore[arg-type]


# -- who may pay at all -----------------------------------------------------------------------


def test_d_pay_2_unknown_card_whole_verdict() -> None:
    """D-PAY-2: an unknown card is refused in words, with nothing else filled in."""
    assert tap(None, line(350)) == Verdict(REFUSED, Reason.UNKNOWN_CARD, UNKNOWN_TEXT, "EUR")
    assert UNKNOWN_TEXT == (
        "Unknown card here: not registered for this unit (it may be for other units)."
    )
    assert tap(None).headline == "REFUSED: unknown card"
    assert not tap(None).approved


def test_d_card_1_replaced_card_names_the_last_four_of_the_new_one() -> None:
    """D-CARD-1, D-CARD-2: a closed card is refused and points at the card replacing it."""
    v = tap(snap(state=CardState.CLOSED, replaced_by="04579A22352680"), line(350))
    assert v == verdict(
        REFUSED,
        Reason.REPLACED,
        "This card was replaced by a newer card (new card ends 2680). Keep it back.",
        balance=5000,
    )
    assert v.headline == "REFUSED: replaced by a newer card"


def test_d_card_1_closed_card_without_a_known_successor() -> None:
    """D-CARD-1: a closed card whose new card the till does not know names none."""
    v = tap(snap(state=CardState.CLOSED), line(350))
    assert v == verdict(
        REFUSED,
        Reason.REPLACED,
        "This card was replaced by a newer card. Keep it back.",
        balance=5000,
    )


def test_d_card_2_blocked_card_whole_verdict() -> None:
    """D-CARD-2: a blocked card is refused, even with an autoload it could have had."""
    v = tap(snap(state=CardState.BLOCKED, balance=100, agreement=AGREEMENT), line(350))
    assert v == verdict(
        REFUSED,
        Reason.BLOCKED,
        "Card blocked by the cardholder or the office. Do not accept it.",
        balance=100,
    )


def test_d_acc_1_account_in_another_currency_is_refused() -> None:
    """D-ACC-1: one currency per account; a DKK account cannot pay at a EUR till."""
    v = tap(snap(currency="DKK"), line(350))
    assert v == verdict(
        REFUSED,
        Reason.CURRENCY,
        "Account is in DKK, this till sells in EUR.",
        balance=5000,
    )
    assert v.headline == "REFUSED: wrong currency"


def test_d_auto_7_arrears_whole_verdict() -> None:
    """D-AUTO-7: a blocked payment function names the arrears and where to pay them."""
    v = tap(snap(payment_blocked=True, arrears=600), line(350))
    assert v == verdict(
        REFUSED,
        Reason.ARREARS,
        "Payment blocked after a returned direct debit. Arrears 6,00 € can be paid at a cash"
        " till or service point.",
        balance=5000,
    )


def test_d_unit_2_lists_the_allowed_unit_types_sorted() -> None:
    """D-UNIT-2: refused at a unit type the holder did not allow; says which ones they did."""
    v = tap(snap(units=frozenset({"library", "cafeteria"})), line(350))
    assert v == verdict(
        REFUSED,
        Reason.NOT_ALLOWED_HERE,
        "Not allowed at a mensa; the cardholder allows: cafeteria, library.",
        balance=5000,
    )


def test_d_unit_2_allowed_nowhere() -> None:
    """D-UNIT-2: an empty choice of unit types means the card is allowed nowhere."""
    v = tap(snap(units=frozenset()), line(350))
    assert v == verdict(
        REFUSED,
        Reason.NOT_ALLOWED_HERE,
        "Not allowed at a mensa; the cardholder allows: nowhere.",
        balance=5000,
    )


def test_d_card_4_missing_photo_is_flagged_on_every_verdict() -> None:
    """D-CARD-4: a missing photo is flagged on an approval and on a refusal alike."""
    ok = tap(snap(photo=None), line(350))
    assert ok == verdict(
        APPROVED,
        Reason.OK,
        "Pay 3,50 €. Balance after 46,50 €.",
        level=STUDENT,
        total=350,
        balance=5000,
        balance_after=4650,
        missing_photo=True,
    )
    assert tap(snap(photo=None, state=CardState.BLOCKED)).missing_photo
    assert not tap(snap(), line(350)).missing_photo


# -- what the card may buy --------------------------------------------------------------------


def test_d_unit_3_blocked_categories_named_sorted() -> None:
    """D-UNIT-3: every blocked category in the tray is named, in order, once."""
    v = tap(
        snap(blocked=frozenset({"Sweets", "Alcohol"})),
        line(350),
        line(120, "Sweets"),
        line(500, "Alcohol"),
        line(120, "Sweets"),
    )
    assert v == verdict(
        REFUSED,
        Reason.BLOCKED_CATEGORY,
        "Not allowed for this card: Alcohol, Sweets. Remove it from the tray.",
        level=STUDENT,
        total=1090,
        balance=5000,
    )


@pytest.mark.parametrize(
    ("spent", "outcome"),
    [(149, APPROVED), (150, APPROVED), (151, REFUSED)],
)
def test_d_unit_3_daily_limit_reached_exactly(spent: int, outcome: Outcome) -> None:
    """D-UNIT-3: spending exactly up to the daily limit is allowed; a cent more is not."""
    v = tap(snap(daily_limit=500, spent_today=spent), line(350))
    assert v.outcome is outcome
    if outcome is REFUSED:
        assert v == verdict(
            REFUSED,
            Reason.DAILY_LIMIT,
            "Daily limit 5,00 € reached: 3,49 € left today.",
            level=STUDENT,
            total=350,
            balance=5000,
        )
    else:
        assert v.reason is Reason.OK
        assert v.balance_after == 4650


@pytest.mark.parametrize(
    ("spent", "outcome", "left"),
    [(499, APPROVED, None), (500, REFUSED, "0,00 €"), (501, REFUSED, "0,00 €")],
)
def test_d_unit_3_daily_limit_used_up_refuses_even_an_empty_tray(
    spent: int, outcome: Outcome, left: str | None
) -> None:
    """D-UNIT-3: once the day's spending reaches the limit, even a tap to look is refused;
    nothing left is never shown as less than nothing."""
    v = tap(snap(daily_limit=500, spent_today=spent))
    assert v.outcome is outcome
    if left is not None:
        assert v == verdict(
            REFUSED,
            Reason.DAILY_LIMIT,
            f"Daily limit 5,00 € reached: {left} left today.",
            level=STUDENT,
            balance=5000,
        )


def test_d_unit_3_no_daily_limit() -> None:
    """D-UNIT-3: without a limit, a large day's spending refuses nothing."""
    assert tap(snap(spent_today=10**6), line(350)).outcome is APPROVED


def test_d_acc_3_guest_price_level_from_the_day_after_expiry() -> None:
    """D-ACC-3: the member price level holds on the expiry day; the guest level after it."""
    expires = TODAY
    assert tap(snap(expires=expires), line(350)).level is STUDENT
    assert tap(snap(expires=expires), line(350), today=TODAY + timedelta(days=1)).level is (
        PriceLevel.GUEST
    )
    assert tap(snap(expires=None, level=PriceLevel.STAFF)).level is PriceLevel.STAFF


# -- balance ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("balance", "outcome"), [(349, REFUSED), (350, APPROVED), (351, APPROVED)])
def test_d_pay_1_balance_exactly_equal_to_the_total(balance: int, outcome: Outcome) -> None:
    """D-PAY-1: a balance exactly equal to the total pays it down to zero."""
    v = tap(snap(balance=balance), line(350))
    if outcome is REFUSED:
        assert v == verdict(
            REFUSED,
            Reason.INSUFFICIENT_BALANCE,
            "Insufficient balance: 0,01 € short.",
            level=STUDENT,
            total=350,
            balance=349,
            balance_after=-1,
        )
    else:
        assert v == verdict(
            APPROVED,
            Reason.OK,
            f"Pay 3,50 €. Balance after 0,0{balance - 350} €.",
            level=STUDENT,
            total=350,
            balance=balance,
            balance_after=balance - 350,
        )


@pytest.mark.parametrize(("balance", "outcome"), [(-1, REFUSED), (0, REFUSED), (1, APPROVED)])
def test_d_pay_1_empty_tray_needs_a_positive_balance(balance: int, outcome: Outcome) -> None:
    """D-PAY-1: a tap before ringing up needs a positive balance, and says so."""
    v = tap(snap(balance=balance))
    if outcome is REFUSED:
        assert v == verdict(
            REFUSED,
            Reason.INSUFFICIENT_BALANCE,
            "Insufficient balance: no balance left.",
            level=STUDENT,
            balance=balance,
            balance_after=balance,
        )
    else:
        assert v == verdict(
            APPROVED,
            Reason.OK,
            "Card OK. Balance 0,01 €. Ring up the tray.",
            level=STUDENT,
            balance=1,
            balance_after=1,
        )
        assert v.headline == "APPROVED"


def test_d_pay_1_one_cent_tray_on_an_empty_card_is_short_by_a_cent() -> None:
    """D-PAY-1: the smallest purchase on an empty card says how much is missing."""
    v = tap(snap(balance=0), line(1))
    assert v == verdict(
        REFUSED,
        Reason.INSUFFICIENT_BALANCE,
        "Insufficient balance: 0,01 € short.",
        level=STUDENT,
        total=1,
        balance=0,
        balance_after=-1,
    )


def test_d_pay_1_one_cent_purchase_is_a_purchase() -> None:
    """D-PAY-1: a tray worth one cent is paid, not treated as an empty tray."""
    v = tap(snap(balance=100), line(1))
    assert v.message == "Pay 0,01 €. Balance after 0,99 €."


def test_d_pay_1_total_is_the_sum_of_every_line() -> None:
    """D-PAY-1, D-PAY-3: the total is every line's quantity times its price, added up."""
    v = tap(snap(), line(350, quantity=2), line(120, "Sweets"))
    assert (v.total, v.balance_after) == (820, 4180)


def test_d_pay_1_no_autoload_hint_without_an_agreement() -> None:
    """D-PAY-1, D-AUTO-2: short without an agreement: no hint to offer an autoload."""
    v = tap(snap(balance=200), line(350))
    assert v.message == "Insufficient balance: 1,50 € short."
    assert v.autoload is None


# -- offline ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("unsent", "outcome"), [(2649, OFFLINE), (2650, OFFLINE), (2651, REFUSED)])
def test_d_off_3_spending_exactly_up_to_the_offline_limit(unsent: int, outcome: Outcome) -> None:
    """D-OFF-3: offline, unsent debits plus this purchase may reach the limit, not pass it."""
    v = tap(snap(unsent=unsent), line(350), online=False)
    if outcome is REFUSED:
        assert v == verdict(
            REFUSED,
            Reason.OFFLINE_LIMIT,
            "Offline limit 30,00 € per card reached: 26,51 € already spent here unsynced.",
            level=STUDENT,
            total=350,
            balance=5000,
            balance_after=4650,
        )
    else:
        assert v == verdict(
            OFFLINE,
            Reason.OK,
            "Pay 3,50 €. Balance after 46,50 €. Till is offline.",
            level=STUDENT,
            total=350,
            balance=5000,
            balance_after=4650,
        )
        assert v.headline == "APPROVED OFFLINE"
        assert v.approved


def test_d_off_3_online_the_offline_limit_does_not_apply() -> None:
    """D-OFF-3: online, unsent debits beyond the offline limit refuse nothing."""
    v = tap(snap(unsent=2651), line(350))
    assert (v.outcome, v.reason) == (APPROVED, Reason.OK)


def test_d_off_3_empty_tray_offline() -> None:
    """D-OFF-3: a tap to look while offline says the till is offline."""
    v = tap(snap(balance=700), online=False)
    assert v.message == "Card OK. Balance 7,00 €. Ring up the tray. Till is offline."
    assert v.outcome is OFFLINE


# -- autoload ---------------------------------------------------------------------------------


def offer(balance: int, *, needed: bool = False) -> AutoloadOffer:
    return AutoloadOffer(2000, balance + 2000, needed=needed)


@pytest.mark.parametrize(
    ("balance", "offered", "after"),
    [(999, True, "6,49 €"), (1000, False, "6,50 €"), (1001, False, "6,51 €")],
)
def test_d_auto_2_threshold_before_purchase(balance: int, offered: bool, after: str) -> None:
    """D-AUTO-2: before the purchase, a balance below the threshold offers autoload; one
    exactly at it does not."""
    v = tap(snap(balance=balance, agreement=AGREEMENT), line(350))
    assert v == verdict(
        APPROVED,
        Reason.OK,
        f"Pay 3,50 €. Balance after {after}.",
        level=STUDENT,
        total=350,
        balance=balance,
        balance_after=balance - 350,
        autoload=offer(balance) if offered else None,
    )


@pytest.mark.parametrize(("balance", "offered"), [(1349, True), (1350, False), (1351, False)])
def test_d_auto_2_threshold_after_purchase(balance: int, offered: bool) -> None:
    """D-AUTO-2: after the purchase: offered when the purchase takes the balance below the
    threshold; not when it leaves it exactly at the threshold."""
    policy = Policy(autoload_trigger=AutoloadTrigger.AFTER_PURCHASE)
    v = tap(snap(balance=balance, agreement=AGREEMENT), line(350), policy=policy)
    assert v.autoload == (offer(balance) if offered else None)
    assert v.autoload_note is None


def test_d_auto_2_ended_agreement_offers_nothing_and_says_nothing() -> None:
    """D-AUTO-2, D-AUTO-6: an ended agreement is no agreement: no offer, no note."""
    v = tap(snap(balance=100, agreement=replace(AGREEMENT, ended=True)), line(350))
    assert (v.autoload, v.autoload_note) == (None, None)
    assert v.message == "Insufficient balance: 2,50 € short."


def test_d_auto_3_declined_offer_needed_to_pay() -> None:
    """D-AUTO-3: short of the total, the offer is needed, and the cashier is told to offer it."""
    v = tap(snap(balance=200, agreement=AGREEMENT), line(350))
    assert v == verdict(
        REFUSED,
        Reason.INSUFFICIENT_BALANCE,
        "Insufficient balance: 1,50 € short. Offer autoload.",
        level=STUDENT,
        total=350,
        balance=200,
        balance_after=-150,
        autoload=offer(200, needed=True),
    )


def test_d_auto_3_accepted_offer_credits_and_pays() -> None:
    """D-AUTO-3: accepted, the amount is credited at once and the purchase paid from it; the
    offer still reads as needed (the purchase could not be paid without it)."""
    v = tap(snap(balance=200, agreement=AGREEMENT), line(350), accepted=True)
    assert v == verdict(
        APPROVED,
        Reason.OK,
        "Pay 3,50 €. Balance after 18,50 €.",
        level=STUDENT,
        total=350,
        balance=200,
        balance_after=1850,
        autoload=offer(200, needed=True),
        autoload_applied=2000,
    )


def test_d_auto_3_accepted_offer_that_was_not_needed() -> None:
    """D-AUTO-3: a balance exactly equal to the total does not need the autoload."""
    v = tap(snap(balance=350, agreement=AGREEMENT), line(350), accepted=True)
    assert v.autoload == offer(350, needed=False)
    assert (v.autoload_applied, v.balance_after) == (2000, 2000)


def test_d_auto_3_accepted_but_still_short() -> None:
    """D-AUTO-3, D-PAY-1: accepted and still short: refused without a second hint."""
    v = tap(snap(balance=200, agreement=AGREEMENT), line(2500), accepted=True)
    assert v == verdict(
        REFUSED,
        Reason.INSUFFICIENT_BALANCE,
        "Insufficient balance: 3,00 € short.",
        level=STUDENT,
        total=2500,
        balance=200,
        balance_after=-300,
        autoload=offer(200, needed=True),
        autoload_applied=2000,
    )


def test_d_auto_3_an_accepted_answer_without_an_offer_credits_nothing() -> None:
    """D-AUTO-3: consent to an autoload that was not offered credits nothing."""
    v = tap(snap(balance=5000, agreement=AGREEMENT), line(350), accepted=True)
    assert (v.autoload, v.autoload_applied, v.balance_after) == (None, 0, 4650)


@pytest.mark.parametrize(
    ("active_from", "offered"),
    [(TODAY - timedelta(days=1), True), (TODAY, True), (TODAY + timedelta(days=1), False)],
)
def test_d_auto_6_agreement_active_from_today(active_from: date, offered: bool) -> None:
    """D-AUTO-6: an agreement active from today works today; from tomorrow, not yet."""
    v = tap(snap(balance=900, agreement=replace(AGREEMENT, active_from=active_from)), line(350))
    if offered:
        assert (v.autoload, v.autoload_note) == (offer(900), None)
    else:
        assert (v.autoload, v.autoload_note) == (None, "Autoload active from 22.11.2026.")


def test_d_auto_8_failed_collection_note() -> None:
    """D-AUTO-8: after a failed collection the cashier is told to top up by hand."""
    failed = replace(AGREEMENT, collection_failed=True)
    v = tap(snap(balance=900, agreement=failed), line(350))
    assert (v.autoload, v.autoload_note) == (
        None,
        "Autoload stopped: the last collection failed. Top up by hand.",
    )
    assert v.outcome is APPROVED


@pytest.mark.parametrize(("used", "offered"), [(0, True), (1, False), (2, False)])
def test_d_auto_4_once_a_day(used: int, offered: bool) -> None:
    """D-AUTO-4: once a day: the day's first autoload is offered, a second is not."""
    v = tap(snap(balance=900, agreement=AGREEMENT, autoloads_today=used), line(350))
    if offered:
        assert (v.autoload, v.autoload_note) == (offer(900), None)
    else:
        assert (v.autoload, v.autoload_note) == (None, "Autoload already used today (once a day).")


@pytest.mark.parametrize(("used", "offered"), [(2, True), (3, False)])
def test_d_auto_4_several_a_day(used: int, offered: bool) -> None:
    """D-AUTO-4: with three a day, the third is offered and a fourth is not."""
    policy = Policy(autoloads_per_day=3)
    v = tap(snap(balance=900, agreement=AGREEMENT, autoloads_today=used), line(350), policy=policy)
    assert (v.autoload is not None) is offered


def test_d_auto_4_unlimited() -> None:
    """D-AUTO-4: unlimited autoloads (null) are offered however many came before."""
    policy = Policy(autoloads_per_day=None)
    v = tap(snap(balance=900, agreement=AGREEMENT, autoloads_today=50), line(350), policy=policy)
    assert v.autoload == offer(900)


@pytest.mark.parametrize(("balance", "offered"), [(9999, True), (10000, True), (10001, False)])
def test_d_auto_5_autoload_landing_exactly_on_the_cap(balance: int, offered: bool) -> None:
    """D-AUTO-5: an autoload may take the balance exactly to the cap, not a cent over it."""
    high = replace(AGREEMENT, threshold=11000)
    v = tap(snap(balance=balance, agreement=high), line(350))
    if offered:
        assert (v.autoload, v.autoload_note) == (offer(balance), None)
    else:
        assert (v.autoload, v.autoload_note) == (
            None,
            "Autoload would take the balance over the 120,00 € cap.",
        )


# -- top-up at the till -------------------------------------------------------------------------


def topup(s: CardSnapshot | None, amount: int, policy: Policy = DEFAULTS) -> Verdict:
    return decide_topup(s, amount, policy, "EUR")


def test_d_pay_4_topup_unknown_card() -> None:
    """D-PAY-4, D-PAY-2: a top-up to an unknown card is refused in words."""
    assert topup(None, 1000) == Verdict(REFUSED, Reason.UNKNOWN_CARD, UNKNOWN_TEXT, "EUR")


def test_d_pay_4_topup_replaced_card() -> None:
    """D-PAY-4, D-CARD-1: a closed card takes no top-up; the new one does."""
    v = topup(snap(state=CardState.CLOSED, replaced_by="0457", photo=None), 1000)
    assert v == verdict(
        REFUSED,
        Reason.REPLACED,
        "This card was replaced by a newer card: top up the new one.",
        balance=5000,
        missing_photo=True,
    )


def test_d_pay_4_topup_blocked_card() -> None:
    """D-PAY-4, D-CARD-2: a blocked card takes no top-up."""
    v = topup(snap(state=CardState.BLOCKED), 1000)
    assert v == verdict(REFUSED, Reason.BLOCKED, "Card blocked: no top-up.", balance=5000)


@pytest.mark.parametrize("amount", [0, -1])
def test_d_pay_4_topup_of_nothing_is_a_programming_error(amount: int) -> None:
    """D-PAY-4: the till never asks to top up nothing or less; doing so is a bug, named."""
    with pytest.raises(ValueError, match=f"^top-up amount must be positive, got {amount}$"):
        topup(snap(), amount)


@pytest.mark.parametrize(
    ("amount", "approved"),
    [
        (1, False),
        (99, False),
        (100, True),
        (101, True),
        (9999, True),
        (10000, True),
        (10001, False),
    ],
)
def test_d_pay_4_topup_bounds_inclusive(amount: int, approved: bool) -> None:
    """D-PAY-4: the scheme's top-up bounds (1,00 € to 100,00 €) include both ends."""
    v = topup(snap(balance=0), amount)
    if approved:
        assert v == verdict(
            APPROVED,
            Reason.OK,
            f"Top up {amount // 100},{amount % 100:02d} €: new balance"
            f" {amount // 100},{amount % 100:02d} €.",
            total=amount,
            balance=0,
            balance_after=amount,
        )
    else:
        assert v == verdict(
            REFUSED,
            Reason.TOPUP_BOUNDS,
            "A top-up here is 1,00 € to 100,00 €.",
            balance=0,
        )


@pytest.mark.parametrize(("balance", "approved"), [(10999, True), (11000, True), (11001, False)])
def test_d_auto_5_topup_landing_exactly_on_the_cap(balance: int, approved: bool) -> None:
    """D-AUTO-5, D-PAY-4: a top-up may take the balance exactly to the cap, not over it."""
    v = topup(snap(balance=balance), 1000)
    if approved:
        assert (v.outcome, v.reason, v.balance_after) == (APPROVED, Reason.OK, balance + 1000)
    else:
        assert v == verdict(
            REFUSED,
            Reason.OVER_CAP,
            "Over the 120,00 € balance cap: at most 9,99 €.",
            balance=11001,
        )


def test_d_auto_5_topup_to_a_card_already_over_the_cap() -> None:
    """D-AUTO-5: a balance already over a lowered cap leaves no room, never negative room."""
    v = topup(snap(balance=12500), 100)
    assert v.message == "Over the 120,00 € balance cap: at most 0,00 €."
    assert (v.outcome, v.reason) == (REFUSED, Reason.OVER_CAP)


def test_d_pay_4_topup_keeps_the_photo_flag() -> None:
    """D-PAY-4, D-CARD-4: the top-up verdict flags a missing photo too."""
    assert topup(snap(photo=None), 1000).missing_photo
    assert not topup(snap(), 1000).missing_photo
