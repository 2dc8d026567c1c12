"""The scheme policy's money settings per currency (`sync.policy`): defaults for SEK, DKK and
EUR in one place, per-currency data, a single amount in the one currency its reader names,
and bad shapes named by key and currency."""

from __future__ import annotations

from typing import Any

import pytest

from sync.policy import (
    AMOUNT_KEYS,
    CURRENCIES,
    DEFAULT_AMOUNTS,
    DEFAULTS,
    Amounts,
    Policy,
    PolicyError,
    check_mapping,
    layered,
)
from sync.protocol import CURRENCIES as WIRE_CURRENCIES
from sync.protocol import PolicyData


def test_d_off_3_the_defaults_are_per_currency() -> None:
    """D-OFF-3, D-AUTO-1, D-AUTO-5, D-PAY-4: EUR keeps its numbers; SEK and DKK have their own
    (an 89 kr lunch fits the SEK offline limit, not 30 kr)."""
    assert DEFAULT_AMOUNTS["EUR"] == Amounts(
        balance_cap=12_000,
        autoload_min_amount=1_000,
        autoload_max_amount=5_000,
        topup_min_amount=100,
        topup_max_amount=10_000,
        offline_limit=3_000,
    )
    sek = DEFAULTS.for_currency("SEK")
    assert (sek.offline_limit, sek.balance_cap) == (30_000, 150_000)
    assert (sek.topup_min_amount, sek.topup_max_amount) == (30_000, 100_000)  # Chalmers' loads
    assert (sek.autoload_min_amount, sek.autoload_max_amount) == (10_000, 50_000)
    dkk = DEFAULTS.for_currency("DKK")
    assert (dkk.offline_limit, dkk.balance_cap) == (20_000, 90_000)
    assert (dkk.topup_min_amount, dkk.topup_max_amount) == (1_000, 75_000)
    assert (dkk.autoload_min_amount, dkk.autoload_max_amount) == (10_000, 40_000)
    assert DEFAULTS.offline_limit == 3_000  # Policy() reads EUR


@pytest.mark.parametrize("currency", CURRENCIES)
def test_each_currencys_defaults_hold_together(currency: str) -> None:
    """D-AUTO-5: in each currency the cap leaves room for the largest top-up and autoload,
    and no single entry bound is below the cap."""
    policy = DEFAULTS.for_currency(currency)
    assert policy.topup_max_amount <= policy.balance_cap
    assert policy.autoload_max_amount <= policy.balance_cap
    assert policy.offline_limit < policy.balance_cap
    assert policy.balance_cap <= policy.entry_bound(currency)


def test_every_wire_currency_has_defaults() -> None:
    assert set(DEFAULT_AMOUNTS) == set(CURRENCIES) == set(WIRE_CURRENCIES)


def test_per_currency_data_changes_only_the_currencies_it_names() -> None:
    policy = Policy.from_mapping({"offline_limit": {"SEK": 45_000}, "balance_cap": {"DKK": 80_000}})
    assert policy.for_currency("SEK").offline_limit == 45_000
    assert policy.for_currency("SEK").balance_cap == 150_000
    assert policy.for_currency("DKK").balance_cap == 80_000
    assert policy.for_currency("EUR").offline_limit == 3_000
    assert policy.for_currency("EUR").balance_cap == 12_000


def test_a_single_amount_is_in_the_currency_its_reader_names() -> None:
    """A till's unit (or the scheme's one currency): the other currencies keep theirs."""
    policy = Policy.from_mapping({"topup_max_amount": 5_000}, currency="EUR")
    assert policy.currency == "EUR"
    assert policy.topup_max_amount == 5_000
    assert policy.for_currency("SEK").topup_max_amount == 100_000  # not 50 kr


def test_a_single_amount_without_a_currency_is_refused() -> None:
    with pytest.raises(
        PolicyError, match=r'scheme: offline_limit = 3000: amounts are per curr.*"SEK"'
    ):
        Policy.from_mapping({"offline_limit": 3000}, source="scheme")


def test_from_mapping_with_a_currency_reads_that_currency() -> None:
    policy = Policy.from_mapping({"offline_limit": {"SEK": 45_000}}, currency="SEK")
    assert (policy.currency, policy.offline_limit) == ("SEK", 45_000)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"offline_limit": {"NOK": 3000}}, "offline_limit.NOK: unknown currency 'NOK'"),
        ({"balance_cap": {"SEK": -1}}, "balance_cap.SEK = -1 must be a whole number of minor"),
        ({"balance_cap": {"SEK": 10**9 + 1}}, "balance_cap.SEK = 1000000001 must be a whole"),
        ({"topup_min_amount": {"DKK": 10.5}}, "topup_min_amount.DKK = 10.5 must be a whole"),
        ({"topup_min_amount": {"DKK": True}}, "topup_min_amount.DKK = True must be a whole"),
        ({"topup_min_amount": {"DKK": "100"}}, "topup_min_amount.DKK = '100' must be a whole"),
        ({"offline_limit": {}}, "offline_limit must map currencies to minor units"),
        (
            {"autoload_min_amount": {"SEK": 60_000}},
            "autoload_min_amount.SEK = 60000 exceeds autoload_max_amount.SEK = 50000",
        ),
        (
            {"topup_min_amount": {"EUR": 500}, "topup_max_amount": {"EUR": 400}},
            "topup_min_amount.EUR = 500 exceeds topup_max_amount.EUR = 400",
        ),
        ({"offline_limt": {"SEK": 1}}, "unknown policy key 'offline_limt'"),
    ],
)
def test_bad_shapes_are_named_by_key_and_currency(data: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_mapping(data, source="scheme policy")
    assert str(caught.value).startswith("scheme policy: ")
    assert message in str(caught.value)


@pytest.mark.parametrize("bad", [-5, True, 2.5, "30000"])
def test_a_bad_single_amount_is_named(bad: object) -> None:
    with pytest.raises(PolicyError, match=r"^p: offline_limit = .* must be a whole number"):
        Policy.from_mapping({"offline_limit": bad}, source="p", currency="SEK")


def test_a_currency_with_no_amounts_is_refused() -> None:
    with pytest.raises(PolicyError, match="no amounts in 'NOK'"):
        DEFAULTS.for_currency("NOK")


def test_to_mapping_sends_every_amount_per_currency_and_reads_back() -> None:
    """What the server sends a till: the wire model takes it, the till reads the same policy."""
    policy = Policy.from_mapping({"offline_limit": {"SEK": 45_000}, "autoloads_per_day": None})
    data = policy.to_mapping()
    for key in AMOUNT_KEYS:
        assert set(data[key]) == set(CURRENCIES), key
    assert data["offline_limit"] == {"EUR": 3_000, "DKK": 20_000, "SEK": 45_000}
    wire = PolicyData.model_validate(data).to_mapping()
    assert Policy.from_mapping(wire) == policy
    assert "currency" not in data
    assert "amounts" not in data


def test_layered_keeps_the_currencies_an_override_leaves_out() -> None:
    base = {"offline_limit": {"EUR": 4000, "SEK": 40_000}, "print_receipts": "always"}
    over = {"offline_limit": {"SEK": 50_000}, "print_receipts": "on_request"}
    assert layered(base, over) == {
        "offline_limit": {"EUR": 4000, "SEK": 50_000},
        "print_receipts": "on_request",
    }
    assert layered(base, {"offline_limit": 6000})["offline_limit"] == 6000
    assert base["offline_limit"] == {"EUR": 4000, "SEK": 40_000}  # not changed in place


def test_check_mapping_takes_a_single_amount_and_still_names_bad_shapes() -> None:
    """A till's `[policy]` is read before its unit's currency is known."""
    check_mapping({"offline_limit": 50_000, "topup_max_amount": {"SEK": 90_000}}, source="t")
    with pytest.raises(PolicyError, match="offline_limit = -1 must be a whole number"):
        check_mapping({"offline_limit": -1}, source="t")
    with pytest.raises(PolicyError, match=r"offline_limit\.NOK: unknown currency"):
        check_mapping({"offline_limit": {"NOK": 1}}, source="t")
    with pytest.raises(PolicyError, match=r"topup_min_amount\.SEK = 200000 exceeds"):
        check_mapping({"topup_min_amount": {"SEK": 200_000}}, source="t")
