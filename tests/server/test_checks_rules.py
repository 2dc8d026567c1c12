"""`server.checks.judge`, rule by rule, without a database: every refusal by its exact words,
every flag at its boundary and one minor unit (or microsecond, or day) either side.

`tests/server/test_checks.py` shows each rule going its way through `ingest()` on SQLite and
PostgreSQL; these tests pin the judgement itself down so that `make mutate` can run them
against every mutant of `server/checks.py` in seconds (docs/testing.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from server.checks import (
    CLOCK_SKEW,
    AccountFacts,
    AgreementVersion,
    Facts,
    Judgement,
    SaleFacts,
    judge,
)
from sync.ids import new_id
from sync.policy import DEFAULTS, Policy
from sync.protocol import EntryIn

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DAY = date(2026, 11, 21)
SALE_ID = "0193a1b2-0000-7000-8000-000000000001"
LINE: dict[str, Any] = {
    "product_id": "meal",
    "name": "Menü 1",
    "category": "Mains",
    "quantity": 1,
    "unit_price": 350,
    "vat_rate_bp": 700,
}
SALE_BODY: dict[str, Any] = {"lines": [LINE], "total": 350}
BODIES: dict[str, dict[str, Any]] = {
    "sale": SALE_BODY,
    "autoload": {"consent": True},
    "topup": {"tender": "cash"},
    "void": {"voids": SALE_ID, "lines": [LINE]},
}
AMOUNTS = {"sale": -350, "autoload": 2000, "topup": 1000, "void": 350}
AGREEMENT = AgreementVersion(
    amount=2000,
    active_from=date(2026, 1, 1),
    ended=False,
    collection_failed=False,
    valid_from=NOW - timedelta(days=30),
    valid_to=None,
)


def entry(kind: str = "sale", **fields: Any) -> EntryIn:
    values: dict[str, Any] = {
        "id": UUID(new_id()),
        "seq": 1,
        "kind": kind,
        "created_at": NOW,
        "business_day": DAY,
        "account_id": "a1",
        "card_id": "C1",
        "amount": AMOUNTS[kind],
        "currency": "EUR",
        "receipt_no": None,
        "body": BODIES[kind],
    }
    values.update(fields)
    return EntryIn(**values)


def facts(
    *,
    balance: int = 2000,
    policy: Policy = DEFAULTS,
    card_state: str = "active",
    payment_blocked: bool = False,
    units: frozenset[str] = frozenset({"mensa"}),
    daily_limit: int | None = None,
    spent: int | None = None,
    autoloads: int | None = None,
    sale: SaleFacts | None = None,
    agreements: list[AgreementVersion] | None = None,
) -> Facts:
    """What the server knows: account a1 (EUR) with card C1, at till-1 of a EUR mensa."""
    f = Facts(
        till_id="till-1",
        unit_currency="EUR",
        unit_type="mensa",
        policy=policy,
        accounts={
            "a1": AccountFacts("EUR", payment_blocked, units, daily_limit),
            "a2": AccountFacts("EUR", False, frozenset({"mensa"}), None),
            "a-dk": AccountFacts("DKK", False, frozenset({"kantine"}), None),
        },
        cards={"C1": ("a1", card_state), "C2": ("a2", "active"), "D1": ("a-dk", "active")},
        balances={"a1": balance, "a2": 2000, "a-dk": 10000},
        sales={} if sale is None else {SALE_ID: sale},
        agreements={"a1": [AGREEMENT] if agreements is None else agreements},
    )
    if spent is not None:
        f.day_spent[("a1", DAY)] = spent
    if autoloads is not None:
        f.day_autoloads[("a1", DAY)] = autoloads
    return f


BOOKED = Judgement(None)


def refused(why: str) -> Judgement:
    return Judgement(why)


def flagged(*flags: str) -> Judgement:
    return Judgement(None, flags)


# -- what every entry must be -------------------------------------------------------------------


def test_d_acc_1_an_entry_without_an_account_is_refused() -> None:
    """D-ACC-1 (invariant 6): money moves on an account; an entry naming none is refused."""
    assert judge(entry(account_id=None), facts()) == refused("entry has no account")


def test_d_acc_1_an_entry_on_an_unknown_account_is_refused() -> None:
    """D-ACC-1: an account the server does not know cannot have paid."""
    assert judge(entry(account_id="a9"), facts()) == refused("unknown account a9")


def test_d_acc_1_an_entry_in_another_currency_than_its_account_is_refused() -> None:
    """D-ACC-1: one currency per account; the entry's must be the account's."""
    assert judge(entry(currency="DKK"), facts()) == refused(
        "account a1 is in EUR, the entry in DKK"
    )


def test_d_acc_1_an_entry_in_another_currency_than_the_tills_unit_is_refused() -> None:
    """D-ACC-1: a till sells in its unit's currency; a DKK entry from a EUR till is refused."""
    dk = entry(account_id="a-dk", card_id="D1", currency="DKK")
    assert judge(dk, facts()) == refused("this till's unit sells in EUR, the entry is in DKK")


@pytest.mark.parametrize(
    ("kind", "amount"),
    [
        ("sale", 0),
        ("sale", 1),
        ("sale", 350),
        ("void", -350),
        ("void", 0),
        ("autoload", -1),
        ("topup", -1),
        ("topup", 0),
    ],
)
def test_d_pay_1_an_amount_of_zero_or_the_wrong_sign_is_refused(kind: str, amount: int) -> None:
    """D-PAY-1: a sale takes money, a void, autoload or top-up gives it; nothing moves 0."""
    assert judge(entry(kind, amount=amount), facts()) == refused(f"a {kind} cannot move {amount}")


@pytest.mark.parametrize(("kind", "amount"), [("sale", -1), ("topup", 1), ("autoload", 1)])
def test_d_pay_1_the_smallest_amount_of_the_right_sign_passes_the_sign_check(
    kind: str, amount: int
) -> None:
    """D-PAY-1: one minor unit of the right sign is an amount a till may move."""
    judgement = judge(entry(kind, amount=amount), facts())
    assert judgement.refused is None or "cannot move" not in judgement.refused


@pytest.mark.parametrize(("over", "verdict"), [(-1, None), (0, None), (1, "refused")])
def test_d_auto_5_an_entry_over_the_currencys_bound_is_refused(
    over: int, verdict: str | None
) -> None:
    """D-AUTO-5 (an absurd amount): exactly the scheme's max_entry_amount is allowed, a minor
    unit more is refused; a sale's bound counts its size, not its sign."""
    bound = DEFAULTS.entry_bound("EUR")
    amount = bound + over
    big = {"lines": [{**LINE, "unit_price": amount}], "total": amount}
    j = judge(entry(amount=-amount, body=big), facts(balance=10**9))
    if verdict is None:
        assert j == BOOKED
    else:
        assert j == refused(
            f"{amount} EUR minor units is more than one till entry may move"
            f" (the scheme's max_entry_amount is {bound})"
        )


def test_d_auto_5_a_currency_without_a_bound_refuses_every_amount() -> None:
    """D-AUTO-5: a currency the scheme set no bound for takes no entry (bound 0)."""
    policy = Policy(max_entry_amount={"DKK": 400_000})
    assert judge(entry(amount=-350), facts(policy=policy)) == refused(
        "350 EUR minor units is more than one till entry may move"
        " (the scheme's max_entry_amount is 0)"
    )


def test_d_card_3_an_entry_without_a_card_is_refused() -> None:
    """D-CARD-3: a till pays by card; an entry naming none is refused."""
    assert judge(entry(card_id=None), facts()) == refused("entry has no card")


def test_d_card_3_an_entry_on_an_unknown_card_is_refused() -> None:
    """D-CARD-3: a card the server does not know cannot have been tapped."""
    assert judge(entry(card_id="FFFF"), facts()) == refused("unknown card FFFF")


def test_d_card_1_a_card_of_another_account_is_refused() -> None:
    """D-CARD-1: a card belongs to one account; an entry pairing it with another is refused."""
    assert judge(entry(card_id="C2"), facts()) == refused("card C2 is not a card of account a1")


# -- bodies -----------------------------------------------------------------------------------


def test_d_pay_3_a_body_not_of_its_kind_is_refused_naming_three_problems() -> None:
    """D-PAY-3: a malformed body is refused, naming its first three problems by field."""
    body = {
        "lines": [{**LINE, "quantity": 0}, {**LINE, "unit_price": -1}],
        "offline": "yes",
        "tender": "cash",
    }
    assert judge(entry(body=body), facts()) == refused(
        "the sale's body is not one a till writes:"
        " lines.0.quantity: Input should be greater than or equal to 1;"
        " lines.1.unit_price: Input should be greater than or equal to 0;"
        " total: Field required"
    )


def test_d_auto_3_an_autoload_without_consent_is_refused() -> None:
    """D-AUTO-3: an autoload needs the cardholder's consent at the till."""
    assert judge(entry("autoload", body={"consent": False}), facts()) == refused(
        "the autoload's body is not one a till writes: consent: Input should be True"
    )


# -- sales --------------------------------------------------------------------------------------


def test_d_pay_3_a_sale_is_booked_clean() -> None:
    """D-PAY-3: a sale whose lines add up, within balance and limits, is booked unflagged."""
    assert judge(entry(), facts()) == BOOKED


@pytest.mark.parametrize(("amount", "total"), [(-351, 350), (-350, 351), (-349, 349)])
def test_d_pay_3_a_sale_whose_lines_do_not_add_up_is_refused(amount: int, total: int) -> None:
    """D-PAY-3: the lines, the total and the amount must all agree."""
    body = {"lines": [LINE], "total": total}
    assert judge(entry(amount=amount, body=body), facts()) == refused(
        f"the sale's lines add up to 350 and its total says {total}, but it moves {-amount}"
    )


def test_d_pay_3_a_sale_of_several_lines_adds_quantity_times_price() -> None:
    """D-PAY-3: lines add up as quantity times unit price, summed."""
    body = {"lines": [{**LINE, "quantity": 2}, {**LINE, "unit_price": 120}], "total": 820}
    assert judge(entry(amount=-820, body=body), facts()) == BOOKED


@pytest.mark.parametrize(("balance", "flags"), [(349, ("overdraft",)), (350, ()), (351, ())])
def test_d_pay_1_d_off_3_a_sale_that_overdraws_is_flagged(
    balance: int, flags: tuple[str, ...]
) -> None:
    """D-PAY-1, D-OFF-3: a sale paying the balance down to exactly zero is clean; one cent
    more overdraws, and is booked flagged."""
    assert judge(entry(), facts(balance=balance)) == flagged(*flags)


@pytest.mark.parametrize(("spent", "flags"), [(149, ()), (150, ()), (151, ("daily_limit",))])
def test_d_unit_3_a_sale_over_the_daily_limit_is_flagged(
    spent: int, flags: tuple[str, ...]
) -> None:
    """D-UNIT-3: the day's sales may reach the limit exactly; a cent over is flagged."""
    assert judge(entry(), facts(daily_limit=500, spent=spent)) == flagged(*flags)


@pytest.mark.parametrize(("limit", "flags"), [(349, ("daily_limit",)), (350, ())])
def test_d_unit_3_a_first_sale_of_the_day_counts_from_nothing(
    limit: int, flags: tuple[str, ...]
) -> None:
    """D-UNIT-3: with nothing spent yet today, the sale alone is held against the limit."""
    assert judge(entry(), facts(daily_limit=limit)) == flagged(*flags)


def test_d_unit_3_no_daily_limit_flags_nothing() -> None:
    """D-UNIT-3: without a limit, however much was spent, no flag."""
    assert judge(entry(), facts(spent=10**6)) == BOOKED


def test_d_off_3_a_sale_made_offline_is_flagged_offline_last() -> None:
    """D-OFF-3: an offline sale is flagged offline, after the rules it broke."""
    body = {**SALE_BODY, "offline": True}
    assert judge(entry(body=body), facts(balance=0)) == flagged("overdraft", "offline")


def test_d_card_2_d_unit_2_d_auto_7_every_card_flag_of_a_sale_in_order() -> None:
    """D-CARD-2, D-UNIT-2, D-AUTO-7: a sale on a card blocked centrally, at a unit type not
    allowed, with payment blocked, over the limit and overdrawn: every flag, in order."""
    f = facts(
        balance=0,
        card_state="blocked",
        units=frozenset({"cafeteria"}),
        payment_blocked=True,
        daily_limit=100,
    )
    assert judge(entry(), f) == flagged(
        "card_not_active", "unit_not_allowed", "payment_blocked", "overdraft", "daily_limit"
    )


@pytest.mark.parametrize("state", ["blocked", "closed"])
def test_d_card_2_a_sale_on_a_card_no_longer_active_is_flagged(state: str) -> None:
    """D-CARD-2: blocked or replaced centrally while the till was offline: booked, flagged."""
    assert judge(entry(), facts(card_state=state)) == flagged("card_not_active")


# -- top-ups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "flags"),
    [
        (99, ("topup_bounds",)),
        (100, ()),
        (101, ()),
        (9999, ()),
        (10000, ()),
        (10001, ("topup_bounds",)),
    ],
)
def test_d_pay_4_a_top_up_outside_the_bounds_is_flagged(
    amount: int, flags: tuple[str, ...]
) -> None:
    """D-PAY-4: the top-up bounds include both ends; outside them the cash is in the drawer
    all the same, so it is booked and flagged."""
    assert judge(entry("topup", amount=amount), facts(balance=0)) == flagged(*flags)


@pytest.mark.parametrize(("balance", "flags"), [(10999, ()), (11000, ()), (11001, ("over_cap",))])
def test_d_auto_5_a_top_up_landing_exactly_on_the_cap(balance: int, flags: tuple[str, ...]) -> None:
    """D-AUTO-5: a credit may take the balance exactly to the cap; a cent over is flagged."""
    assert judge(entry("topup", amount=1000), facts(balance=balance)) == flagged(*flags)


def test_d_auto_7_payment_blocked_does_not_flag_a_top_up() -> None:
    """D-AUTO-7: arrears block paying, not paying in: a top-up is not flagged for them."""
    f = facts(payment_blocked=True, card_state="blocked", units=frozenset())
    assert judge(entry("topup"), f) == flagged("card_not_active", "unit_not_allowed")


def test_d_pay_4_every_flag_of_a_top_up_in_order() -> None:
    """D-PAY-4, D-AUTO-5: card flags first, then the cap, then the bounds."""
    assert judge(entry("topup", amount=10001), facts(balance=5000, card_state="closed")) == (
        flagged("card_not_active", "over_cap", "topup_bounds")
    )


def test_d_pay_4_a_top_up_with_an_unknown_tender_is_refused() -> None:
    """D-PAY-4: a till takes cash or a bank card, nothing else."""
    j = judge(entry("topup", body={"tender": "cheque"}), facts())
    assert j == refused(
        "the topup's body is not one a till writes: tender: Input should be 'cash' or 'bank_card'"
    )


# -- voids ----------------------------------------------------------------------------------------


def booked_sale(**changes: Any) -> SaleFacts:
    return replace(SaleFacts("till-1", "a1", -350, [LINE], None), **changes)


def test_d_pay_5_a_void_of_this_tills_sale_is_booked() -> None:
    """D-PAY-5: a till reverses its own booked sale, once, for exactly what it took."""
    assert judge(entry("void"), facts(sale=booked_sale())) == BOOKED


def test_d_pay_5_a_void_of_no_booked_sale_is_refused() -> None:
    """D-PAY-5: a void of nothing cannot have happened."""
    assert judge(entry("void"), facts()) == refused(
        f"no booked sale {SALE_ID} of this till to void"
    )


def test_d_pay_5_a_void_of_another_tills_sale_is_refused() -> None:
    """D-PAY-5: a till voids only what it sold itself."""
    assert judge(entry("void"), facts(sale=booked_sale(till_id="till-2"))) == refused(
        f"sale {SALE_ID} was made at till till-2, not this one"
    )


def test_d_pay_5_a_second_void_is_refused() -> None:
    """D-PAY-5: a sale is reversed once."""
    assert judge(entry("void"), facts(sale=booked_sale(voided_by="v-1"))) == refused(
        f"sale {SALE_ID} was already voided by v-1"
    )


def test_d_pay_5_a_void_on_another_account_is_refused() -> None:
    """D-PAY-5: the money goes back to the account the sale took it from."""
    assert judge(entry("void"), facts(sale=booked_sale(account_id="a2"))) == refused(
        f"sale {SALE_ID} was charged to account a2"
    )


@pytest.mark.parametrize("amount", [349, 351])
def test_d_pay_5_a_void_for_another_amount_is_refused(amount: int) -> None:
    """D-PAY-5: a void gives back exactly what the sale took, no cent more or less."""
    assert judge(entry("void", amount=amount), facts(sale=booked_sale())) == refused(
        f"sale {SALE_ID} took 350; a void gives back exactly that"
    )


def test_d_pay_3_a_void_with_other_lines_is_refused() -> None:
    """D-PAY-3: a void names the lines of the sale it reverses."""
    other = {"voids": SALE_ID, "lines": [{**LINE, "name": "Menü 2"}]}
    assert judge(entry("void", body=other), facts(sale=booked_sale())) == refused(
        f"the void's lines differ from those of sale {SALE_ID}"
    )


def test_d_pay_3_a_void_of_a_sale_booked_before_lines_were_kept_is_booked() -> None:
    """D-PAY-3: a sale booked before the server kept lines has none to compare with."""
    other = {"voids": SALE_ID, "lines": []}
    assert judge(entry("void", body=other), facts(sale=booked_sale(lines=None))) == BOOKED


@pytest.mark.parametrize(("balance", "flags"), [(11649, ()), (11650, ()), (11651, ("over_cap",))])
def test_d_auto_5_a_void_over_the_cap_is_flagged(balance: int, flags: tuple[str, ...]) -> None:
    """D-AUTO-5: a void is a credit too; exactly to the cap is clean, a cent over flagged."""
    assert judge(entry("void"), facts(balance=balance, sale=booked_sale())) == flagged(*flags)


def test_d_auto_7_a_void_is_not_flagged_for_card_or_payment_state() -> None:
    """D-AUTO-7, D-CARD-2: a void gives money back; a blocked card or payment flags nothing."""
    f = facts(sale=booked_sale(), payment_blocked=True, card_state="blocked", units=frozenset())
    assert judge(entry("void"), f) == BOOKED


# -- autoloads --------------------------------------------------------------------------------


def test_d_auto_1_an_autoload_under_the_agreement_is_booked() -> None:
    """D-AUTO-1: an autoload of the agreement's amount, while it holds, is booked clean."""
    assert judge(entry("autoload"), facts()) == BOOKED


def test_d_auto_1_an_autoload_without_any_agreement_is_refused() -> None:
    """D-AUTO-1: no agreement, no autoload."""
    assert judge(entry("autoload"), facts(agreements=[])) == refused(
        "account a1 has no autoload agreement (D-AUTO-1)"
    )


def test_d_auto_1_an_autoload_on_an_account_the_server_holds_no_versions_for_is_refused() -> None:
    """D-AUTO-1: an account that never had an agreement has no versions at all."""
    f = facts()
    del f.agreements["a1"]
    assert judge(entry("autoload"), f) == refused("account a1 has no autoload agreement (D-AUTO-1)")


@pytest.mark.parametrize(
    ("made_before", "verdict"),
    [
        (CLOCK_SKEW - timedelta(microseconds=1), None),
        (CLOCK_SKEW, None),
        (CLOCK_SKEW + timedelta(microseconds=1), "refused"),
    ],
)
def test_d_auto_1_an_autoload_before_the_agreement_existed_allows_for_clock_skew(
    made_before: timedelta, verdict: str | None
) -> None:
    """D-AUTO-1: a till's clock may be up to ten minutes off: an autoload made up to then
    before the agreement's first version is booked; earlier, it cannot have happened."""
    assert timedelta(minutes=10) == CLOCK_SKEW
    version = replace(AGREEMENT, valid_from=NOW)
    at = NOW - made_before
    j = judge(entry("autoload", created_at=at), facts(agreements=[version]))
    if verdict is None:
        assert j == BOOKED
    else:
        assert j == refused(f"account a1 had no autoload agreement at {at.isoformat()} (D-AUTO-1)")


def test_d_auto_1_an_autoload_for_an_amount_no_version_had_is_refused() -> None:
    """D-AUTO-1: the amount must be one a version of the agreement had; all are named."""
    old = replace(AGREEMENT, amount=3000, valid_to=NOW - timedelta(days=1))
    new = replace(AGREEMENT, valid_from=NOW - timedelta(days=1))
    assert judge(entry("autoload", amount=2500), facts(agreements=[new, old, new])) == refused(
        "an autoload of 2500, but the agreement's amount is 2000 or 3000 (D-AUTO-1)"
    )


def test_d_auto_1_the_amount_before_a_change_is_booked_within_the_skew() -> None:
    """D-AUTO-1, D-AUTO-6: a till may not yet have heard of a change made just before."""
    old = replace(AGREEMENT, amount=3000, valid_to=NOW - CLOCK_SKEW)
    new = replace(AGREEMENT, valid_from=NOW - CLOCK_SKEW)
    assert judge(entry("autoload", amount=3000), facts(agreements=[old, new])) == BOOKED


@pytest.mark.parametrize(
    ("ended_before", "flags"),
    [
        (CLOCK_SKEW - timedelta(microseconds=1), ()),
        (CLOCK_SKEW, ()),
        (CLOCK_SKEW + timedelta(microseconds=1), ("agreement_inactive",)),
    ],
)
def test_d_auto_6_an_autoload_after_the_version_ended_allows_for_clock_skew(
    ended_before: timedelta, flags: tuple[str, ...]
) -> None:
    """D-AUTO-6: the version the till used counts as in force up to ten minutes after it
    was replaced; later, the autoload used a stale copy and is flagged."""
    old = replace(AGREEMENT, amount=3000, valid_to=NOW - ended_before)
    new = replace(AGREEMENT, valid_from=NOW - ended_before)
    assert judge(entry("autoload", amount=3000), facts(agreements=[old, new])) == flagged(*flags)


@pytest.mark.parametrize(
    ("change", "flags"),
    [
        ({"ended": True}, ("agreement_inactive",)),
        ({"collection_failed": True}, ("agreement_inactive",)),
        ({"active_from": DAY + timedelta(days=1)}, ("agreement_inactive",)),
        ({"active_from": DAY}, ()),
        ({"active_from": DAY - timedelta(days=1)}, ()),
    ],
)
def test_d_auto_6_d_auto_8_an_autoload_on_an_inactive_agreement_is_flagged(
    change: dict[str, Any], flags: tuple[str, ...]
) -> None:
    """D-AUTO-6, D-AUTO-8: ended, failed, or active only from tomorrow: flagged; active from
    the entry's business day: clean."""
    version = replace(AGREEMENT, **change)
    assert judge(entry("autoload"), facts(agreements=[version])) == flagged(*flags)


@pytest.mark.parametrize(
    ("autoloads", "flags"), [(None, ()), (0, ()), (1, ("autoload_frequency",))]
)
def test_d_auto_4_a_second_autoload_the_same_day_is_flagged(
    autoloads: int | None, flags: tuple[str, ...]
) -> None:
    """D-AUTO-4: once a day: the day's first autoload is clean, a second is flagged."""
    assert judge(entry("autoload"), facts(autoloads=autoloads)) == flagged(*flags)


@pytest.mark.parametrize(("autoloads", "flags"), [(2, ()), (3, ("autoload_frequency",))])
def test_d_auto_4_several_a_day(autoloads: int, flags: tuple[str, ...]) -> None:
    """D-AUTO-4: three a day: the third is clean, a fourth flagged."""
    policy = Policy(autoloads_per_day=3)
    assert judge(entry("autoload"), facts(policy=policy, autoloads=autoloads)) == flagged(*flags)


def test_d_auto_4_unlimited_autoloads_flag_none() -> None:
    """D-AUTO-4: unlimited (null) flags no autoload for frequency."""
    policy = Policy(autoloads_per_day=None)
    assert judge(entry("autoload"), facts(policy=policy, autoloads=99)) == BOOKED


@pytest.mark.parametrize(("balance", "flags"), [(9999, ()), (10000, ()), (10001, ("over_cap",))])
def test_d_auto_5_an_autoload_landing_exactly_on_the_cap(
    balance: int, flags: tuple[str, ...]
) -> None:
    """D-AUTO-5: an autoload may take the balance exactly to the cap; a cent over is flagged."""
    assert judge(entry("autoload"), facts(balance=balance)) == flagged(*flags)


def test_d_auto_every_flag_of_an_autoload_in_order() -> None:
    """D-AUTO-4..8, D-CARD-2, D-UNIT-2, D-OFF-3: every flag an autoload can earn, in order."""
    f = facts(
        balance=11000,
        autoloads=1,
        card_state="blocked",
        units=frozenset(),
        payment_blocked=True,
        agreements=[replace(AGREEMENT, ended=True)],
    )
    j = judge(entry("autoload", body={"consent": True, "offline": True}), f)
    assert j == flagged(
        "agreement_inactive",
        "autoload_frequency",
        "card_not_active",
        "unit_not_allowed",
        "payment_blocked",
        "over_cap",
        "offline",
    )
