"""`canteen-server admin …`: the back office from a shell (issue 3 item 2), on the database of
a running server; every change reaches an enrolled till through the feed, removals too."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from demo.portraits import generate_portrait
from server.cli import main
from sync.client import ServerConfig, SyncClient
from sync.policy import AutoloadTrigger, Policy
from sync.records import PriceLevel
from sync.store import Store
from tests.server.live import Server
from tests.terminal.till_scheme import UNIT

DAY = date(2026, 11, 21)


def admin(server: Server, *args: str) -> int:
    return main(["--db", server.db_url, "admin", *args])


def pull(config: ServerConfig, path: Path) -> Store:
    client = SyncClient(path, config)
    store = Store.open(path, till_id=config.till_id)
    try:
        while client.pull_once(store):
            pass
    finally:
        client.session.close()
    return store


@pytest.fixture
def config(server: Server) -> ServerConfig:
    server.put_unit()
    server.add_holders(2, deposit=3000)
    return server.enrol_till("till-1")


def test_cardholder_account_photo_and_cards_from_the_shell(
    server: Server, config: ServerConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Name, D-UNIT-2/3, D-ACC-3, D-AUTO-7, D-CARD-4 photo, D-CARD-1 issue and replace."""
    photo = tmp_path / "anna.png"
    photo.write_bytes(generate_portrait(3, "Anna"))
    assert admin(server, "update-cardholder", "h0", "--name", "Anna Berg") == 0
    assert admin(server, "update-cardholder", "h0", "--allowed", "mensa,cafeteria") == 0
    assert admin(server, "update-cardholder", "h0", "--daily-limit", "900") == 0
    assert admin(server, "update-cardholder", "h0", "--blocked-categories", "Sweets") == 0
    assert admin(server, "update-account", "a0", "--price-level", "staff") == 0
    assert admin(server, "update-account", "a0", "--membership-expires", "2027-03-31") == 0
    assert admin(server, "update-account", "a0", "--arrears", "600") == 0
    assert admin(server, "photo", "h0", str(photo)) == 0
    assert admin(server, "replace", "C0", "C0B", "--fee", "2500") == 0
    assert admin(server, "update-cardholder", "h1", "--daily-limit", "500") == 0
    assert admin(server, "update-cardholder", "h1", "--no-daily-limit") == 0

    store = pull(config, tmp_path / "till.db")
    try:
        snap = store.lookup("C0B", DAY)
        assert snap is not None
        assert snap.cardholder.name == "Anna Berg"
        assert snap.cardholder.allowed_unit_types == frozenset({"mensa", "cafeteria"})
        assert snap.cardholder.daily_limit == 900
        assert snap.cardholder.blocked_categories == frozenset({"Sweets"})
        assert snap.account.price_level is PriceLevel.STAFF
        assert snap.account.membership_expires == date(2027, 3, 31)
        assert snap.account.arrears == 600
        assert snap.account.payment_blocked
        assert snap.balance == 3000 - 2500
        assert snap.cardholder.photo_sha256 is not None
        assert store.photo(snap.cardholder.photo_sha256) == photo.read_bytes()
        other = store.lookup("C1", DAY)
        assert other is not None
        assert other.cardholder.daily_limit is None
    finally:
        store.close()


def test_an_expiry_is_cleared_from_the_shell(
    server: Server, config: ServerConfig, tmp_path: Path
) -> None:
    """D-ACC-3: `--membership-expires none` (or `--clear-expiry`) ends the membership expiry
    at the till too; `--price-level` alone leaves it as it is."""
    path = tmp_path / "till.db"

    def expiry() -> date | None:
        store = pull(config, path)
        try:
            snap = store.lookup("C0", DAY)
            assert snap is not None
            return snap.account.membership_expires
        finally:
            store.close()

    assert admin(server, "update-account", "a0", "--membership-expires", "2027-03-31") == 0
    assert admin(server, "update-account", "a0", "--price-level", "staff") == 0
    assert expiry() == date(2027, 3, 31)
    assert admin(server, "update-account", "a0", "--membership-expires", "none") == 0
    assert expiry() is None
    assert admin(server, "update-account", "a0", "--membership-expires", "2027-09-30") == 0
    assert expiry() == date(2027, 9, 30)
    assert admin(server, "update-account", "a0", "--clear-expiry") == 0
    assert expiry() is None


def test_a_card_is_issued_later_to_an_account_without_one(
    server: Server, config: ServerConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """D-CARD-1: a cardholder registered before their card is produced gets it with
    `issue-card`; at most one card is in use, so a second issue is refused."""
    holder = ["--cardholder-id", "h9", "--name", "Nils", "--account-id", "a9"]
    assert admin(server, "cardholder", *holder, "--currency", "EUR") == 0
    assert admin(server, "issue-card", "a9", "C9") == 0
    capsys.readouterr()
    assert admin(server, "issue-card", "a9", "C9F") == 1
    assert "already has card C9 (active): replace it instead" in capsys.readouterr().err
    assert admin(server, "issue-card", "nope", "C9E") == 1
    assert "unknown account nope" in capsys.readouterr().err
    assert admin(server, "issue-card", "a9", "C0") == 1
    assert "card C0 is already issued" in capsys.readouterr().err
    store = pull(config, tmp_path / "till.db")
    try:
        snap = store.lookup("C9", DAY)
        assert snap is not None
        assert snap.cardholder.name == "Nils"
        assert store.lookup("C9F", DAY) is None
    finally:
        store.close()


def test_products_agreements_and_policy_reach_the_till_and_removals_too(
    server: Server, config: ServerConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "till.db"
    product = ["--unit-id", UNIT.unit_id, "--name", "Tagesgericht", "--category", "Mains"]
    prices = ["--price", "student=350", "--price", "staff=480", "--price", "guest=590"]
    assert admin(server, "product", "p-day", *product, *prices, "--vat-rate-bp", "700") == 0
    assert admin(server, "product", "p-soup", *product, *prices, "--vat-rate-bp", "700") == 0
    assert admin(server, "agreement", "a0", "--threshold", "1000", "--amount", "2000") == 0
    assert admin(server, "policy", "balance_cap=15000", "autoload_trigger=after_purchase") == 0
    capsys.readouterr()
    store = pull(config, path)
    try:
        assert {p.product_id for p in store.products()} == {"p-day", "p-soup"}
        day = next(p for p in store.products() if p.product_id == "p-day")
        assert day.prices[PriceLevel.STAFF] == 480
        snap = store.lookup("C0", DAY)
        assert snap is not None
        assert snap.agreement is not None
        assert (snap.agreement.threshold, snap.agreement.amount) == (1000, 2000)
        policy = Policy.from_mapping(store.policy_data())
        assert policy.balance_cap == 15000
        assert policy.autoload_trigger is AutoloadTrigger.AFTER_PURCHASE
    finally:
        store.close()

    assert admin(server, "remove-product", "p-soup") == 0
    assert admin(server, "remove-agreement", "a0") == 0
    assert admin(server, "remove-product", "p-soup") == 1
    assert "unknown product p-soup" in capsys.readouterr().err
    store = pull(config, path)
    try:
        assert [p.product_id for p in store.products()] == ["p-day"]
        snap = store.lookup("C0", DAY)
        assert snap is not None
        assert snap.agreement is None
    finally:
        store.close()


def test_deposit_cap_and_agreement_bounds_follow_the_scheme_policy(
    server: Server, config: ServerConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    """D-AUTO-5: the cap is the policy's; D-AUTO-1: the amount within the policy's bounds."""
    assert admin(server, "deposit", "C0", "9000") == 0  # 3000 + 9000 = the default cap
    assert admin(server, "deposit", "C0", "1") == 1
    assert "over the cap of 120,00 €" in capsys.readouterr().err
    assert admin(server, "policy", "balance_cap=15000") == 0
    assert admin(server, "deposit", "C0", "3000") == 0
    assert admin(server, "agreement", "a0", "--threshold", "1000", "--amount", "9000") == 1
    assert "outside the scheme's bounds 1000..5000 (D-AUTO-1)" in capsys.readouterr().err
    capsys.readouterr()
    assert admin(server, "policy") == 0
    # the scheme's one currency is EUR: a single amount is kept as EUR's
    assert json.loads(capsys.readouterr().out) == {"balance_cap": {"EUR": 15000}}


def test_bad_input_names_what_was_wrong(
    server: Server, config: ServerConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin(server, "policy", "balance_kap=1") == 1
    assert "unknown policy key 'balance_kap'" in capsys.readouterr().err
    assert admin(server, "policy", "offline_limit=-5") == 1
    assert "offline_limit" in capsys.readouterr().err
    bad = ["--unit-id", UNIT.unit_id, "--name", "X", "--category", "Y", "--vat-rate-bp", "700"]
    assert admin(server, "product", "p1", *bad, "--price", "student=3.50") == 1
    assert "'3.50' is not whole minor units" in capsys.readouterr().err
    assert admin(server, "product", "p1", *bad, "--price", "pupil=350") == 1
    assert "LEVEL one of" in capsys.readouterr().err
    garbage = tmp_path / "not-a-photo.jpg"
    garbage.write_bytes(b"GIF89 but not really")
    assert admin(server, "photo", "h0", str(garbage)) == 1
    assert "not an image" in capsys.readouterr().err
    assert admin(server, "photo", "h0", str(tmp_path / "missing.jpg")) == 1
    assert "cannot read" in capsys.readouterr().err
    assert admin(server, "update-account", "a0", "--membership-expires", "31.03.2027") == 1
    assert "31.03.2027" in capsys.readouterr().err


def test_tills_overview_from_the_installed_command(server: Server, config: ServerConfig) -> None:
    """The console script itself, as an operator runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "--db", server.db_url, "admin", "tills"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    (till,) = json.loads(done.stdout)
    assert till["till_id"] == "till-1"
    assert till["unit_id"] == UNIT.unit_id
    assert till["enrolled_at"] is not None
    assert till["last_entry_at"] is None
    assert till["refusals"] == 0


def test_amounts_are_printed_as_money(
    server: Server, config: ServerConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    """Balance, deposit, fee and statement in the account's money (Babel, de_DE for EUR);
    the JSON for programs keeps minor units under names that say so."""
    capsys.readouterr()
    assert admin(server, "policy", "balance_cap=3000000") == 0
    assert admin(server, "deposit", "C0", "2488100") == 0
    assert capsys.readouterr().out.endswith("balance 24.911,00 €\n")
    assert admin(server, "balance", "a0") == 0
    assert capsys.readouterr().out == "24.911,00 €\n"
    assert admin(server, "replace", "C0", "C0B", "--fee", "2500") == 0
    assert capsys.readouterr().out == "card C0 replaced by C0B (fee 25,00 €)\n"
    assert admin(server, "ledger", "a0") == 0
    statement = capsys.readouterr().out.splitlines()
    assert statement[0] == "account a0 (EUR)"
    assert "30,00 €" in statement[1]
    assert "24.881,00 €" in statement[2]
    assert "24.911,00 €" in statement[2]
    assert "-25,00 €" in statement[3]
    assert statement[-1] == "balance 24.886,00 €"
    assert admin(server, "ledger", "a0", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["balance_minor"] == 2488600
    assert [m["amount_minor"] for m in data["movements"]] == [3000, 2488100, -2500]
    assert "balance" not in data


def test_a_fee_the_balance_cannot_cover_is_named_in_money(
    server: Server, config: ServerConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin(server, "replace", "C1", "C1B", "--fee", "4000") == 1
    assert "does not cover the replacement fee of 40,00 €" in capsys.readouterr().err
