"""Money policy per currency on the server (issue 10 item 8): the back office sets amounts per
currency, checked and named by key and currency; the feed sends them per currency; a krona
till decides by the krona defaults; the server checks each account against its currency's
cap and bounds; a single amount is the scheme's one currency's, refused in a scheme of
several."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from drivers.cards.base import CardTap
from server import admin, catalogue, tills
from server.cli import main
from server.db import Database
from server.errors import Conflict, Invalid
from server.ingest import ingest
from server.migrations import migrate
from server.policy import scheme_policy
from sync.client import ServerConfig, SyncClient, enrol
from sync.link import NoServer
from sync.policy import Policy
from sync.protocol import EntryIn, EntryResult
from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardState,
    PriceLevel,
    Unit,
)
from sync.store import Store
from terminal.app import Till
from terminal.config import PrinterConfig, ReaderConfig, TillConfig
from terminal.decide import Outcome
from terminal.session import Panel
from tests.server.live import Server
from tests.terminal.till_scheme import UNIT

SE_UNIT = replace(
    UNIT,
    unit_id="restaurang-se",
    name="Restaurang Kåren",
    unit_type="restaurang",
    timezone="Europe/Stockholm",
    currency="SEK",
    locale="sv_SE",
)
LUNCH = 8900  # 89 kr: refused offline by a 30,00 limit meant in euros (the issue)
NOW = datetime.now(UTC).replace(microsecond=0)


def unit_json(unit: Unit) -> dict[str, Any]:
    return {k: getattr(unit, k) for k in unit.__dataclass_fields__}


# -- the live server and a krona till ------------------------------------------------------------


def krona_scheme(server: Server) -> ServerConfig:
    """A krona unit with its lunch, Sven's card SE1 holding 500 kr, and an enrolled till."""
    put = server.admin("PUT", f"/v1/admin/units/{SE_UNIT.unit_id}", json=unit_json(SE_UNIT))
    assert put.status_code == 204, put.text
    product = {
        "unit_id": SE_UNIT.unit_id,
        "name": "Dagens lunch",
        "category": "Mains",
        "prices": {"student": LUNCH, "staff": LUNCH, "guest": LUNCH},
        "vat_rate_bp": 1200,
    }
    assert server.admin("PUT", "/v1/admin/products/lunch", json=product).status_code == 204
    holder = {
        "cardholder_id": "h-se",
        "name": "Sven",
        "account_id": "a-se",
        "card_id": "5E000001",
        "currency": "SEK",
        "allowed_unit_types": ["restaurang"],
    }
    assert server.admin("POST", "/v1/admin/cardholders", json=holder).status_code == 201
    deposit = {"card_id": "5E000001", "amount": 50_000}
    assert server.admin("POST", "/v1/admin/deposits", json=deposit).status_code == 200
    code = server.admin(
        "POST", "/v1/admin/tills", json={"till_id": "till-se", "unit_id": SE_UNIT.unit_id}
    ).json()
    return enrol(server.url, code["enrolment_code"], ca_file=server.ca_file)


def sync(config: ServerConfig, path: Path) -> None:
    client = SyncClient(path, config)
    store = Store.open(path, till_id=config.till_id)
    try:
        client.push_once(store)
        while client.pull_once(store):
            pass
    finally:
        client.session.close()
        store.close()


def test_d_off_3_a_krona_till_takes_an_89_kr_lunch_offline_under_the_krona_default(
    server: Server, tmp_path: Path
) -> None:
    """D-OFF-3: the feed brings the policy per currency; the till, offline, reads its unit's
    (300 kr), approves an 89 kr lunch offline, and the server books it once synced."""
    config = krona_scheme(server)
    euro = {"offline_limit": {"EUR": 2500}}  # an amount in another currency leaves SEK's
    assert server.admin("PUT", "/v1/admin/policy", json=euro).status_code == 204
    path = tmp_path / "till.db"
    sync(config, path)
    with Store.open(path, till_id="till-se") as store:
        sent = store.policy_data()
        assert sent["offline_limit"] == {"EUR": 2500, "DKK": 20_000, "SEK": 30_000}
        assert sent["balance_cap"]["SEK"] == 150_000
    till_config = TillConfig(
        till_id="till-se",
        data_dir=tmp_path,
        reader=ReaderConfig("simulated"),
        printer=PrinterConfig("none"),
        source="test",
    )
    till = Till(till_config, link=NoServer())
    try:
        assert (till.policy.currency, till.policy.offline_limit) == ("SEK", 30_000)
        (lunch,) = [p for p in till.session.products if p.product_id == "lunch"]
        till.add(lunch)
        till.tap(CardTap(bytes.fromhex("5E000001"), "test", "simulated", time.monotonic()))
        # Sven has no photo on file: the charge waits for the cashier (D-CARD-4), then Enter.
        assert till.screen().held
        till.charge()
        screen = till.screen()
        assert screen.panel is Panel.PAID, screen
        assert screen.last_paid is not None
        assert screen.last_paid.verdict.outcome is Outcome.APPROVED_OFFLINE
    finally:
        till.close()
    sync(config, path)
    with Store.open(path, till_id="till-se") as store:
        assert store.outbox_stats().count == 0
        snap = store.lookup("5E000001", NOW.date())
        assert snap is not None
        assert snap.balance == 50_000 - LUNCH
    flagged = json.loads(server.admin("GET", "/v1/admin/flagged?till=till-se").text)
    assert [row["flags"] for row in flagged] == [["offline"]]


def test_the_back_office_sets_amounts_per_currency(server: Server) -> None:
    """PUT and GET /v1/admin/policy: per currency, a single amount kept as the scheme's one
    currency's (here SEK, its only unit's)."""
    put = server.admin("PUT", f"/v1/admin/units/{SE_UNIT.unit_id}", json=unit_json(SE_UNIT))
    assert put.status_code == 204
    body = {"offline_limit": {"SEK": 40_000, "EUR": 2500}, "balance_cap": 200_000}
    assert server.admin("PUT", "/v1/admin/policy", json=body).status_code == 204
    got = server.admin("GET", "/v1/admin/policy").json()
    assert got["offline_limit"] == {"SEK": 40_000, "EUR": 2500}
    assert got["balance_cap"] == {"SEK": 200_000}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"offline_limit": {"NOK": 100}}, ["offline_limit", "NOK"]),
        ({"offline_limit": {"SEK": -1}}, ["offline_limit", "SEK"]),
        ({"balance_cap": {"SEK": 10**9 + 1}}, ["balance_cap", "SEK"]),
        ({"offline_limit": {}}, ["offline_limit"]),
        (
            {"autoload_min_amount": {"SEK": 60_000}},
            ["autoload_min_amount.SEK = 60000 exceeds autoload_max_amount.SEK = 50000"],
        ),
        (
            {"topup_min_amount": {"DKK": 5000}, "topup_max_amount": {"DKK": 4000}},
            ["topup_min_amount.DKK = 5000 exceeds topup_max_amount.DKK = 4000"],
        ),
        # the scheme sells in EUR and SEK: a single amount would be a guess
        ({"offline_limit": 30_000}, ["offline_limit = 30000", "units in EUR, SEK"]),
    ],
    ids=["unknown-currency", "negative", "too-big", "empty", "autoload-min-max", "topup", "single"],
)
def test_bad_policy_amounts_get_a_422_naming_key_and_currency(
    server: Server, body: dict[str, Any], words: list[str]
) -> None:
    server.put_unit()
    put = server.admin("PUT", f"/v1/admin/units/{SE_UNIT.unit_id}", json=unit_json(SE_UNIT))
    assert put.status_code == 204
    reply = server.admin("PUT", "/v1/admin/policy", json=body)
    assert reply.status_code == 422, reply.text
    for word in words:
        assert word in reply.json()["detail"], (word, reply.json())
    assert server.admin("GET", "/v1/admin/policy").json() == {}  # nothing kept


def test_the_admin_cli_changes_one_currencys_amount(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    """`canteen-server admin policy offline_limit.SEK=…` keeps the other currencies' amounts."""
    server.put_unit()
    put = server.admin("PUT", f"/v1/admin/units/{SE_UNIT.unit_id}", json=unit_json(SE_UNIT))
    assert put.status_code == 204

    def cli(*args: str) -> int:
        return main(["--db", server.db_url, "admin", "policy", *args])

    assert cli('offline_limit={"EUR": 4000, "SEK": 35000}') == 0
    assert cli("offline_limit.SEK=45000", "topup_min_amount.SEK=10000") == 0
    capsys.readouterr()
    assert cli() == 0
    assert json.loads(capsys.readouterr().out) == {
        "offline_limit": {"EUR": 4000, "SEK": 45_000},
        "topup_min_amount": {"SEK": 10_000},
    }
    assert cli("offline_limit.NOK=1") == 1
    assert "offline_limit.NOK: unknown currency 'NOK'" in capsys.readouterr().err
    assert cli("balance_cap=150000") == 1
    assert "units in EUR, SEK: give it per currency" in capsys.readouterr().err


# -- the checks, on each currency's amounts ------------------------------------------------------


@pytest.fixture
def db(database_url: str) -> Database:
    """Mensa Nord (EUR) and Restaurang Kåren (SEK) with till-se; a-se/5E1 holds 500 kr."""
    db = Database(database_url)
    migrate(db)
    admin.add_unit(db, UNIT)
    admin.add_unit(db, SE_UNIT)
    admin.add_cardholder(
        db,
        cardholder_id="h-se",
        name="Sven",
        account_id="a-se",
        card_id="5E1",
        currency="SEK",
        allowed_unit_types=["restaurang"],
    )
    admin.deposit(db, "5E1", 50_000)
    tills.add_till(db, "till-se", SE_UNIT.unit_id)
    return db


@pytest.fixture
def till(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "till.db", till_id="till-se") as store:
        store.upsert_unit(SE_UNIT)
        store.upsert_cardholders([Cardholder("h-se", "Sven", None, frozenset({"restaurang"}))])
        store.upsert_accounts([Account("a-se", "h-se", "SEK", 50_000, PriceLevel.STUDENT)])
        store.upsert_cards([Card("5E1", "a-se", CardState.ACTIVE)])
        yield store


def topup(db: Database, store: Store, amount: int) -> EntryResult:
    committed = store.commit_topup(
        card_id="5E1",
        account_id="a-se",
        currency="SEK",
        amount=amount,
        tender="cash",
        created_at=NOW,
        business_day=NOW.date(),
    )
    entries = [EntryIn.from_entry(e, series=UUID(store.series())) for e in committed.entries]
    (result,) = ingest(db, "till-se", entries).results
    assert result.status == "accepted", result
    return result


@pytest.mark.parametrize(
    ("amount", "flags"),
    [
        (50_000, []),  # 500 kr: over EUR's 100,00 as a number, inside SEK's 300..1000 kr
        (20_000, ["topup_bounds"]),  # 200 kr: under Chalmers' smallest load
        (100_001, ["over_cap", "topup_bounds"]),  # over 1000 kr, and 500 kr + it > 1500 kr
    ],
    ids=["inside", "under-min", "over-max-and-cap"],
)
def test_d_pay_4_a_krona_top_up_is_checked_against_the_krona_bounds(
    db: Database, till: Store, amount: int, flags: list[str]
) -> None:
    """D-PAY-4, D-AUTO-5: the top-up bounds and the cap are the account's currency's."""
    assert sorted(topup(db, till, amount).flags) == flags


def test_d_auto_5_a_krona_top_up_up_to_the_krona_cap_is_not_over_it(
    db: Database, till: Store
) -> None:
    """D-AUTO-5: 500 kr + 1000 kr = the 1500 kr cap exactly (EUR's would be 120,00)."""
    assert topup(db, till, 100_000).flags == []


def test_d_auto_5_a_deposit_is_capped_in_its_accounts_currency(db: Database) -> None:
    """D-AUTO-5: the back office's deposit stops at the krona cap, not the euro one."""
    assert admin.deposit(db, "5E1", 100_000) == 150_000
    with pytest.raises(Conflict, match="over the cap of 1 500,00 kr"):
        admin.deposit(db, "5E1", 1)


def test_d_auto_1_an_agreement_is_bounded_in_its_accounts_currency(db: Database) -> None:
    """D-AUTO-1: 300 kr is inside SEK's 100..500 kr (and far over EUR's 50,00 as a number)."""
    day = NOW.date()
    catalogue.set_agreement(db, AutoloadAgreement("a-se", 10_000, 30_000, day), at=NOW)
    with pytest.raises(Invalid, match=r"bounds 10000\.\.50000"):
        catalogue.set_agreement(db, AutoloadAgreement("a-se", 10_000, 60_000, day), at=NOW)
    catalogue.set_policy(db, {"autoload_max_amount": {"SEK": 70_000}})
    catalogue.set_agreement(db, AutoloadAgreement("a-se", 10_000, 60_000, day), at=NOW)


def test_a_single_amount_in_a_single_currency_scheme_is_that_currencys(tmp_path: Path) -> None:
    """Kept as `{"SEK": …}`: a unit added later in EUR starts from EUR's defaults."""
    db = Database(f"sqlite:///{tmp_path / 'one.db'}")
    migrate(db)
    admin.add_unit(db, SE_UNIT)
    assert catalogue.set_policy(db, {"offline_limit": 45_000}) == {"offline_limit": {"SEK": 45_000}}
    admin.add_unit(db, UNIT)
    with db.transaction(write=False) as tx:
        policy = scheme_policy(tx)
    assert policy.for_currency("SEK").offline_limit == 45_000
    assert policy.for_currency("EUR").offline_limit == 3000


def test_a_single_amount_needs_a_unit_to_say_its_currency(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'none.db'}")
    migrate(db)
    with pytest.raises(Invalid, match="no unit yet to say its currency"):
        catalogue.set_policy(db, {"balance_cap": 15000})
    with pytest.raises(Invalid, match="balance_cap = 'lots' must be a whole number"):
        catalogue.set_policy(db, {"balance_cap": "lots"})


@pytest.mark.parametrize(
    ("units", "currency", "cap"),
    [([SE_UNIT], "SEK", 200_000), ([SE_UNIT, UNIT], "EUR", 200_000)],
    ids=["one-currency", "several"],
)
def test_a_single_amount_kept_before_amounts_were_per_currency(
    tmp_path: Path, units: list[Unit], currency: str, cap: int
) -> None:
    """Read in the scheme's one currency (what it meant then); with several, as EUR's."""
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(db)
    for unit in units:
        admin.add_unit(db, unit)
    with db.transaction() as tx:
        tx.execute("INSERT INTO policy VALUES (1, ?)", (json.dumps({"balance_cap": cap}),))
    with db.transaction(write=False) as tx:
        policy = scheme_policy(tx)
    assert policy.for_currency(currency).balance_cap == cap
    other = "EUR" if currency == "SEK" else "SEK"
    assert policy.for_currency(other).balance_cap == Policy().for_currency(other).balance_cap
