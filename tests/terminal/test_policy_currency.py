"""The till reads the scheme policy's amounts in its unit's currency, once: a krona unit decides
by krona amounts (an 89 kr lunch offline is no longer over a 30,00 limit meant in euros), and
its config's `[policy]` takes the same shapes as the scheme's data."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from drivers.cards.base import CardTap
from sync.link import NoServer
from sync.records import Account, Card, Cardholder, CardState, PriceLevel, Product
from sync.store import Store
from terminal.app import Till
from terminal.config import ConfigError, PrinterConfig, ReaderConfig, TillConfig, load_config
from terminal.decide import Outcome, Reason
from terminal.session import Panel
from tests.terminal.till_scheme import NOW, PORTRAIT, PORTRAIT_SHA, UNIT

SE_UNIT = replace(
    UNIT,
    unit_id="restaurang-se",
    name="Restaurang Kåren",
    unit_type="restaurang",
    timezone="Europe/Stockholm",
    currency="SEK",
    locale="sv_SE",
)
LUNCH = Product(
    "lunch",
    "Dagens lunch",
    "Mains",
    {PriceLevel.STUDENT: 8900, PriceLevel.STAFF: 8900, PriceLevel.GUEST: 8900},
    1200,
    "1",
    1,
)
CARD = "5E000001"


def krona_till(
    tmp_path: Path,
    *,
    policy: dict[str, object] | None = None,
    overrides: dict[str, object] | None = None,
) -> Till:
    """A krona unit's till, offline, with Sven's card holding 500 kr and the scheme's
    `policy` data (none: the defaults) under the config's `overrides`."""
    with Store.open(tmp_path / "till.db", till_id="till-se") as store:
        store.upsert_unit(SE_UNIT)
        store.upsert_products([LUNCH])
        # With his photo on file, so that no identity check holds the charge (D-CARD-4).
        store.put_photo(PORTRAIT_SHA, PORTRAIT)
        holder = Cardholder("h-se", "Sven", PORTRAIT_SHA, frozenset({"restaurang"}))
        store.upsert_cardholders([holder])
        store.upsert_accounts([Account("a-se", "h-se", "SEK", 50_000, PriceLevel.STUDENT)])
        store.upsert_cards([Card(CARD, "a-se", CardState.ACTIVE)])
        if policy is not None:
            store.set_policy(policy)
    config = TillConfig(
        till_id="till-se",
        data_dir=tmp_path,
        reader=ReaderConfig("simulated"),
        printer=PrinterConfig("none"),
        policy_overrides=dict(overrides or {}),
        source="till.toml",
    )
    return Till(config, link=NoServer(), clock=lambda: NOW)


def test_d_off_3_an_89_kr_lunch_offline_in_a_krona_unit_is_approved_under_the_defaults(
    tmp_path: Path,
) -> None:
    """D-OFF-3: offline, the krona default (300 kr) is the limit, not 30,00 read as 30 kr."""
    till = krona_till(tmp_path)
    try:
        assert (till.policy.currency, till.policy.offline_limit) == ("SEK", 30_000)
        till.add(LUNCH)
        till.tap(CardTap(bytes.fromhex(CARD), "test", "simulated", time.monotonic()))
        screen = till.screen()
        assert screen.panel is Panel.PAID
        assert screen.last_paid is not None
        assert screen.last_paid.verdict.outcome is Outcome.APPROVED_OFFLINE
        assert screen.last_paid.committed.balance_after == 50_000 - 8900
    finally:
        till.close()


def test_d_off_3_the_krona_offline_limit_still_holds(tmp_path: Path) -> None:
    """D-OFF-3: with 3 lunches (267 kr) unsent, a fourth (356 kr) is over 300 kr; the third,
    at 89 % of the krona limit, waits for the cashier to read that first."""
    till = krona_till(tmp_path)
    try:
        for n in range(3):
            till.add(LUNCH)
            till.tap(CardTap(bytes.fromhex(CARD), "test", "simulated", time.monotonic()))
            if n == 2:
                assert till.screen().held
                till.charge()
            assert till.screen().panel is Panel.PAID
        till.add(LUNCH)
        till.tap(CardTap(bytes.fromhex(CARD), "test", "simulated", time.monotonic()))
        screen = till.screen()
        assert screen.card is not None
        assert screen.card.verdict.reason is Reason.OFFLINE_LIMIT
    finally:
        till.close()


@pytest.mark.parametrize(
    ("policy", "overrides", "limit"),
    [
        ({"offline_limit": {"SEK": 8000, "EUR": 9000}}, {}, 8000),  # the scheme's, in SEK
        ({"offline_limit": {"EUR": 50_000}}, {}, 30_000),  # another currency's is not ours
        ({"offline_limit": {"SEK": 8000}}, {"offline_limit": 9500}, 9500),  # the unit's money
        ({"offline_limit": {"SEK": 8000}}, {"offline_limit": {"EUR": 1}}, 8000),  # kept
    ],
    ids=["scheme", "other-currency", "config-single", "config-other-currency"],
)
def test_d_off_3_the_till_reads_its_units_currency_of_scheme_and_config(
    tmp_path: Path, policy: dict[str, object], overrides: dict[str, object], limit: int
) -> None:
    """D-OFF-3: the scheme's per-currency data under the config's `[policy]`; a single amount
    in the config is the till's unit's currency's; under 89 kr the lunch is refused offline."""
    till = krona_till(tmp_path, policy=policy, overrides=overrides)
    try:
        assert till.policy.offline_limit == limit
        till.add(LUNCH)
        till.tap(CardTap(bytes.fromhex(CARD), "test", "simulated", time.monotonic()))
        screen = till.screen()
        assert screen.card is not None
        expected = Outcome.APPROVED_OFFLINE if limit >= 8900 else Outcome.REFUSED
        assert screen.card.verdict.outcome is expected
    finally:
        till.close()


CONFIG = """
[till]
till_id = "kaffe-1"
data_dir = "{data}"

[policy]
{policy}
"""


def config_file(tmp_path: Path, policy: str) -> Path:
    path = tmp_path / "till.toml"
    text = CONFIG.replace("{data}", str(tmp_path / "data")).replace("{policy}", policy)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_configs_policy_takes_amounts_per_currency_or_single(tmp_path: Path) -> None:
    """The `[policy]` section: a table per currency, or one amount (the unit's currency)."""
    path = config_file(
        tmp_path, "offline_limit = 40000\n\n[policy.balance_cap]\nSEK = 200000\nEUR = 15000\n"
    )
    config = load_config(path)
    assert config.policy_overrides == {
        "offline_limit": 40_000,
        "balance_cap": {"SEK": 200_000, "EUR": 15_000},
    }


@pytest.mark.parametrize(
    ("policy", "words"),
    [
        ("[policy.offline_limit]\nNOK = 100\n", "offline_limit.NOK: unknown currency 'NOK'"),
        ("[policy.offline_limit]\nSEK = -100\n", "offline_limit.SEK = -100 must be a whole"),
        ("offline_limit = 12.5\n", "offline_limit = 12.5 must be a whole number"),
        (
            "[policy.topup_min_amount]\nSEK = 200000\n",
            "topup_min_amount.SEK = 200000 exceeds topup_max_amount.SEK = 100000",
        ),
    ],
    ids=["unknown-currency", "negative", "not-whole", "min-over-max"],
)
def test_a_bad_policy_amount_in_the_config_is_named(
    tmp_path: Path, policy: str, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(config_file(tmp_path, policy))
    assert str(caught.value).startswith(f"{tmp_path / 'till.toml'}: [policy]: ")
    assert words in str(caught.value)
