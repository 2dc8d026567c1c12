"""The back office over HTTP: photos, restrictions, price level, arrears, card replacement
(issue 3 item 2), each reaching a till through the feed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import requests

from demo.portraits import generate_portrait
from sync.client import ServerConfig, SyncClient, enrol
from sync.records import CardState, PriceLevel
from sync.store import Store
from tests.server.live import Server
from tests.terminal.till_scheme import UNIT

DAY = date(2026, 11, 21)


def scheme(server: Server) -> ServerConfig:
    unit = {k: getattr(UNIT, k) for k in UNIT.__dataclass_fields__}
    server.admin("PUT", f"/v1/admin/units/{UNIT.unit_id}", json=unit)
    server.admin(
        "POST",
        "/v1/admin/cardholders",
        json={
            "cardholder_id": "h1",
            "name": "Anna",
            "account_id": "a1",
            "card_id": "C1",
            "currency": "EUR",
        },
    )
    server.admin("POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": 5000})
    code = server.admin(
        "POST", "/v1/admin/tills", json={"till_id": "till-1", "unit_id": UNIT.unit_id}
    ).json()
    return enrol(server.url, code["enrolment_code"])


def upload(server: Server, data: bytes) -> requests.Response:
    return requests.put(
        f"{server.url}/v1/admin/cardholders/h1/photo",
        data=data,
        timeout=10,
        headers={"Authorization": "Bearer test-admin-token"},
    )


def test_photo_upload_reaches_the_till_and_garbage_is_refused(
    server: Server, tmp_path: Path
) -> None:
    """D-CARD-4: an uploaded photo is content-addressed and fetched by the till; bytes that
    are not an image get a clear 422 and change nothing."""
    config = scheme(server)
    bad = upload(server, b"definitely not a jpeg")
    assert bad.status_code == 422
    assert "not an image" in bad.text
    photo = generate_portrait(5, "Anna")
    good = upload(server, photo)
    assert good.status_code == 200
    sha = good.json()["sha256"]
    assert requests.get(f"{server.url}/v1/photos/{sha}", timeout=10).status_code == 401
    client = SyncClient(tmp_path / "till.db", config)
    try:
        with Store.open(tmp_path / "till.db", till_id="till-1") as store:
            while client.pull_once(store):
                pass
            snap = store.lookup("C1", DAY)
            assert snap is not None
            assert snap.cardholder.photo_sha256 == sha
            assert store.photo(sha) == photo
    finally:
        client.session.close()


def test_restrictions_level_arrears_and_replacement_reach_the_till(
    server: Server, tmp_path: Path
) -> None:
    """D-UNIT-2/3, D-ACC-3, D-AUTO-7 and D-CARD-1 made centrally, as the till sees them."""
    config = scheme(server)
    assert (
        server.admin(
            "PATCH",
            "/v1/admin/cardholders/h1",
            json={
                "allowed_unit_types": ["mensa", "cafeteria"],
                "daily_limit": 800,
                "blocked_categories": ["Sweets"],
            },
        ).status_code
        == 204
    )
    assert (
        server.admin(
            "PATCH",
            "/v1/admin/accounts/a1",
            json={
                "price_level": "staff",
                "membership_expires": "2027-03-31",
                "arrears": 600,
            },
        ).status_code
        == 204
    )
    replaced = server.admin(
        "POST", "/v1/admin/cards/C1/replace", json={"new_card_id": "C9", "fee": 2500}
    )
    assert replaced.status_code == 204
    too_dear = server.admin(
        "POST", "/v1/admin/cards/C9/replace", json={"new_card_id": "C10", "fee": 99999}
    )
    assert too_dear.status_code == 409
    assert server.admin("PATCH", "/v1/admin/accounts/a1", json={"level": "x"}).status_code == 422
    client = SyncClient(tmp_path / "till.db", config)
    try:
        with Store.open(tmp_path / "till.db", till_id="till-1") as store:
            while client.pull_once(store):
                pass
            old = store.lookup("C1", DAY)
            new = store.lookup("C9", DAY)
            assert old is not None
            assert new is not None
            assert old.card.state is CardState.CLOSED
            assert old.card.replaced_by == "C9"
            assert new.balance == 5000 - 2500
            assert new.cardholder.daily_limit == 800
            assert new.cardholder.blocked_categories == frozenset({"Sweets"})
            assert new.account.price_level is PriceLevel.STAFF
            assert new.account.membership_expires == date(2027, 3, 31)
            assert new.account.payment_blocked
            assert new.account.arrears == 600
    finally:
        client.session.close()


def test_menu_cards_and_tills_over_http(server: Server, tmp_path: Path) -> None:
    """The rest of the admin API: rename, a card issued later (D-CARD-1), a product taken off
    the menu and an agreement ended (both removed from the till), the tills overview."""
    config = scheme(server)
    product = {
        "unit_id": UNIT.unit_id,
        "name": "Suppe",
        "category": "Mains",
        "prices": {"student": 250, "staff": 320, "guest": 400},
        "vat_rate_bp": 700,
    }
    assert server.admin("PUT", "/v1/admin/products/p-soup", json=product).status_code == 204
    agreement = {"threshold": 1000, "amount": 2000, "active_from": "2026-11-01"}
    put = server.admin("PUT", "/v1/admin/accounts/a1/agreement", json=agreement)
    assert put.status_code == 204
    renamed = server.admin("PATCH", "/v1/admin/cardholders/h1", json={"name": "Anna Berg"})
    assert renamed.status_code == 204
    assert server.admin("PATCH", "/v1/admin/cardholders/h1", json={"name": ""}).status_code == 422
    holder = {"cardholder_id": "h2", "name": "Nils", "account_id": "a2", "currency": "EUR"}
    assert server.admin("POST", "/v1/admin/cardholders", json=holder).status_code == 201
    assert server.admin("POST", "/v1/admin/cardholders", json=holder).status_code == 409
    issued = server.admin("POST", "/v1/admin/accounts/a2/cards", json={"card_id": "C2"})
    assert issued.status_code == 201
    again = server.admin("POST", "/v1/admin/accounts/a2/cards", json={"card_id": "C3"})
    assert again.status_code == 409
    assert "replace it instead" in again.text

    path = tmp_path / "till.db"
    client = SyncClient(path, config)
    try:
        with Store.open(path, till_id="till-1") as store:
            while client.pull_once(store):
                pass
            assert [p.product_id for p in store.products()] == ["p-soup"]
            anna = store.lookup("C1", DAY)
            assert anna is not None
            assert anna.cardholder.name == "Anna Berg"
            assert anna.agreement is not None
            assert store.lookup("C2", DAY) is not None

            assert server.admin("DELETE", "/v1/admin/products/p-soup").status_code == 204
            assert server.admin("DELETE", "/v1/admin/products/p-soup").status_code == 404
            ended = server.admin("DELETE", "/v1/admin/accounts/a1/agreement")
            assert ended.status_code == 204
            while client.pull_once(store):
                pass
            assert store.products() == []
            anna = store.lookup("C1", DAY)
            assert anna is not None
            assert anna.agreement is None
    finally:
        client.session.close()
    (till,) = server.admin("GET", "/v1/admin/tills").json()
    assert till["till_id"] == "till-1"
    assert till["enrolled_at"] is not None


def test_a_patch_with_null_clears_the_membership_expiry_and_one_without_keeps_it(
    server: Server, tmp_path: Path
) -> None:
    """D-ACC-3: `"membership_expires": null` ends the expiry (the member keeps their price
    level for good); a PATCH that leaves the field out changes nothing of it."""
    config = scheme(server)
    path = tmp_path / "till.db"
    client = SyncClient(path, config)

    def expiry(store: Store) -> date | None:
        while client.pull_once(store):
            pass
        snap = store.lookup("C1", DAY)
        assert snap is not None
        return snap.account.membership_expires

    def patch(body: dict[str, object]) -> None:
        assert server.admin("PATCH", "/v1/admin/accounts/a1", json=body).status_code == 204

    try:
        with Store.open(path, till_id="till-1") as store:
            patch({"membership_expires": "2027-03-31"})
            assert expiry(store) == date(2027, 3, 31)
            patch({"price_level": "staff"})
            assert expiry(store) == date(2027, 3, 31)
            patch({"membership_expires": None})
            assert expiry(store) is None
            patch({"membership_expires": "2027-09-30", "price_level": None})
            assert expiry(store) == date(2027, 9, 30)
    finally:
        client.session.close()
