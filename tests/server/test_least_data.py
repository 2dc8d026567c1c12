"""Least data on each till (issue 8 item 5): a till receives only the cardholders, accounts,
cards and agreements allowed at its unit's type (D-UNIT-2), and photos only of those; a
cardholder whose allowed units change is added to or removed from its store. Names and
photos are all a till learns of a person (D-ACC-4)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import requests

from demo.portraits import generate_portrait
from sync.client import ServerConfig, SyncClient
from sync.protocol import CardholderData
from sync.store import Store
from tests.server.live import ADMIN, Server
from tests.terminal.till_scheme import UNIT

DAY = date(2026, 11, 21)
LIBRARY = replace(UNIT, unit_id="bibliothek", name="Bibliothek", unit_type="library")


def put_unit(server: Server, unit: object) -> None:
    body = {k: getattr(unit, k) for k in UNIT.__dataclass_fields__}
    assert server.admin("PUT", f"/v1/admin/units/{body['unit_id']}", json=body).status_code == 204


def enrol(server: Server, till_id: str, unit_id: str) -> ServerConfig:
    from sync.client import enrol as enrol_till

    code = server.admin(
        "POST", "/v1/admin/tills", json={"till_id": till_id, "unit_id": unit_id}
    ).json()["enrolment_code"]
    return enrol_till(server.url, code)


@pytest.fixture
def two_units(server: Server, tmp_path: Path) -> Iterator[tuple[Server, dict[str, SyncClient]]]:
    """A Mensa and a library; Nora may use her card at the library only, Anna at the Mensa."""
    put_unit(server, UNIT)
    put_unit(server, LIBRARY)
    for holder, account, card, allowed in (
        ("h-anna", "a-anna", "AA000001", ["mensa"]),
        ("h-nora", "a-nora", "BB000002", ["library"]),
    ):
        body = {
            "cardholder_id": holder,
            "name": holder.removeprefix("h-").title(),
            "account_id": account,
            "card_id": card,
            "currency": "EUR",
            "allowed_unit_types": allowed,
        }
        assert server.admin("POST", "/v1/admin/cardholders", json=body).status_code == 201
    agreement = {"threshold": 1000, "amount": 2000, "active_from": "2026-01-01"}
    assert server.admin("PUT", "/v1/admin/accounts/a-nora/agreement", json=agreement).ok
    photo = requests.put(
        f"{server.url}/v1/admin/cardholders/h-nora/photo",
        data=generate_portrait(7, "Nora"),
        headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "image/png"},
        timeout=10,
    )
    assert photo.status_code == 200
    clients = {
        "mensa": SyncClient(tmp_path / "mensa.db", enrol(server, "mensa-1", UNIT.unit_id)),
        "library": SyncClient(tmp_path / "library.db", enrol(server, "lib-1", LIBRARY.unit_id)),
    }
    try:
        yield server, clients
    finally:
        for client in clients.values():
            client.session.close()


def pull(client: SyncClient, till_id: str) -> Store:
    store = Store.open(client.store_path, till_id=till_id)
    while client.pull_once(store):
        pass
    return store


def nora_on(store: Store) -> dict[str, bool]:
    snap = store.lookup("BB000002", DAY)
    return {
        "card": snap is not None,
        "name": "Nora" in {h.name for h in store.cardholders()},
        "photo": any(store.photo(h.photo_sha256) for h in store.cardholders() if h.photo_sha256),
        "agreement": snap is not None and snap.agreement is not None,
    }


NOWHERE = {"card": False, "name": False, "photo": False, "agreement": False}
EVERYTHING = {"card": True, "name": True, "photo": True, "agreement": True}


def test_a_till_gets_only_the_cardholders_of_its_unit_type_and_their_photos(
    two_units: tuple[Server, dict[str, SyncClient]],
) -> None:
    """The Mensa till never holds Nora (library only): no card, name, photo or agreement,
    and the server will not hand it her photo; the library till holds all of them."""
    server, clients = two_units
    with pull(clients["mensa"], "mensa-1") as mensa, pull(clients["library"], "lib-1") as lib:
        assert nora_on(mensa) == NOWHERE
        assert mensa.lookup("AA000001", DAY) is not None
        assert nora_on(lib) == EVERYTHING
        assert lib.lookup("AA000001", DAY) is None
        sha = next(h.photo_sha256 for h in lib.cardholders() if h.name == "Nora")
    url = f"{server.url}/v1/photos/{sha}"
    for client, status in ((clients["mensa"], 404), (clients["library"], 200)):
        assert client.session.get(url, timeout=10).status_code == status


def test_allowing_a_unit_type_adds_the_cardholder_and_taking_it_away_removes_her(
    two_units: tuple[Server, dict[str, SyncClient]],
) -> None:
    """D-UNIT-2: Nora allows the Mensa too: its till receives her card, account, agreement and
    photo at its next pull; she takes the library away: the library till drops all of it."""
    server, clients = two_units
    with pull(clients["mensa"], "mensa-1") as mensa, pull(clients["library"], "lib-1") as lib:
        assert nora_on(mensa) == NOWHERE
        patch = {"allowed_unit_types": ["library", "mensa"]}
        assert server.admin("PATCH", "/v1/admin/cardholders/h-nora", json=patch).status_code == 204
        clients["mensa"].pull_once(mensa, wait=5)
        assert nora_on(mensa) == EVERYTHING
        patch = {"allowed_unit_types": ["mensa"]}
        assert server.admin("PATCH", "/v1/admin/cardholders/h-nora", json=patch).status_code == 204
        clients["library"].pull_once(lib, wait=5)
        assert nora_on(lib) == NOWHERE
        clients["mensa"].pull_once(mensa, wait=5)
        assert nora_on(mensa) == EVERYTHING


def test_names_and_photos_are_all_a_till_learns_of_a_person() -> None:
    """D-ACC-4: the wire's cardholder has no national identity number, address or birth date;
    a server that sent one would have it ignored by the till, never stored."""
    assert set(CardholderData.model_fields) == {
        "cardholder_id",
        "name",
        "photo_sha256",
        "allowed_unit_types",
        "daily_limit",
        "blocked_categories",
    }
    read = CardholderData.model_validate(
        {
            "cardholder_id": "h1",
            "name": "Anna",
            "photo_sha256": None,
            "allowed_unit_types": ["mensa"],
            "cpr": "010203-1234",
        }
    )
    assert "cpr" not in read.model_dump()


def test_a_till_is_not_told_even_the_ids_of_cardholders_it_never_held(
    two_units: tuple[Server, dict[str, SyncClient]],
) -> None:
    """Nora's balance and card change: the Mensa till's next page carries neither her data
    nor a removal naming her card or account; only a till that could hold her is told to
    drop her, when she takes its unit type away."""
    server, clients = two_units
    mensa_client = clients["mensa"]
    with pull(mensa_client, "mensa-1") as mensa:
        cursor = mensa.feed_cursor()
    server.admin("POST", "/v1/admin/deposits", json={"card_id": "BB000002", "amount": 500})
    server.admin("POST", "/v1/admin/cards/BB000002/block")
    server.admin("POST", "/v1/admin/deposits", json={"card_id": "AA000001", "amount": 100})
    url = f"{server.url}/v1/tills/mensa-1/changes"
    page = mensa_client.session.get(url, params={"since": cursor}, timeout=10).json()
    keys = {change["key"] for change in page["changes"]}
    assert "a-anna" in keys  # the page did move on
    assert not keys & {"a-nora", "BB000002", "h-nora"}
