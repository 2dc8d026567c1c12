"""Sold out, on the server (issue 10 item 3): stored, in the feed's product, set from the back
office (API and CLI) or by a till of the product's unit, each mark taken once by its id."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import requests

from server.cli import main
from sync.client import ServerConfig, SyncClient
from sync.ids import new_id
from sync.store import Store
from tests.server.live import Server
from tests.terminal.till_scheme import NOW, UNIT

MEAL = {
    "unit_id": UNIT.unit_id,
    "name": "Pasta-Bar",
    "category": "Mains",
    "prices": {"student": 290, "staff": 390, "guest": 490},
    "vat_rate_bp": 700,
}


@pytest.fixture
def config(server: Server) -> ServerConfig:
    server.put_unit()
    assert server.admin("PUT", "/v1/admin/products/pasta", json=MEAL).status_code == 204
    other = {k: getattr(UNIT, k) for k in UNIT.__dataclass_fields__}
    other["unit_id"] = "cafe-sued"
    assert server.admin("PUT", "/v1/admin/units/cafe-sued", json=other).status_code == 204
    cake = {**MEAL, "unit_id": "cafe-sued", "name": "Kuchen"}
    assert server.admin("PUT", "/v1/admin/products/cake", json=cake).status_code == 204
    return server.enrol_till("till-1")


def sold_out_at(config: ServerConfig, path: Path) -> dict[str, bool]:
    """What a till of the unit holds after reading the feed: product id -> sold out."""
    client = SyncClient(path, config)
    try:
        with Store.open(path, till_id=config.till_id) as store:
            while client.pull_once(store):
                pass
            return {p.product_id: p.sold_out for p in store.products()}
    finally:
        client.session.close()


def mark(config: ServerConfig, product: str, sold_out: bool, **kw: Any) -> requests.Response:
    body = {"mark_id": str(kw.pop("mark_id", new_id())), "sold_out": sold_out}
    body["marked_at"] = NOW.isoformat()
    credential = kw.pop("credential", config.credential)
    till = kw.pop("till", config.till_id)
    return requests.put(
        f"{config.url}/v1/tills/{till}/products/{product}/sold-out",
        json=body,
        headers={"Authorization": f"Bearer {credential}"},
        timeout=10,
    )


def test_the_back_office_marks_a_product_sold_out_and_the_feed_carries_it(
    server: Server, config: ServerConfig, tmp_path: Path
) -> None:
    assert sold_out_at(config, tmp_path / "till.db") == {"pasta": False}
    put = server.admin("PUT", "/v1/admin/products/pasta/sold-out", json={"sold_out": True})
    assert put.status_code == 204
    assert sold_out_at(config, tmp_path / "till.db") == {"pasta": True}
    # A new price does not put it back on sale; only the back office (or a supervisor) does.
    repriced = {**MEAL, "prices": {"student": 999, "staff": 999, "guest": 999}}
    assert server.admin("PUT", "/v1/admin/products/pasta", json=repriced).status_code == 204
    assert sold_out_at(config, tmp_path / "till.db") == {"pasta": True}
    put = server.admin("PUT", "/v1/admin/products/pasta/sold-out", json={"sold_out": False})
    assert put.status_code == 204
    assert sold_out_at(config, tmp_path / "till.db") == {"pasta": False}


def test_the_back_office_endpoint_refuses_what_is_wrong(
    server: Server, config: ServerConfig
) -> None:
    url = f"{server.url}/v1/admin/products/pasta/sold-out"
    assert requests.put(url, json={"sold_out": True}, timeout=10).status_code == 401
    missing = server.admin("PUT", "/v1/admin/products/nothing/sold-out", json={"sold_out": True})
    assert missing.status_code == 404
    assert "unknown product nothing" in missing.json()["detail"]
    for bad in ({"sold_out": "yes"}, {}, {"sold_out": True, "until": "tomorrow"}):
        answer = server.admin("PUT", "/v1/admin/products/pasta/sold-out", json=bad)
        assert answer.status_code == 422, bad
        assert answer.json()["errors"]


def test_a_tills_mark_is_stored_sent_to_the_unit_and_taken_once(
    config: ServerConfig, server: Server, tmp_path: Path
) -> None:
    """D-PAY-5's idempotency, for a mark: sent again (its answer lost), it changes nothing,
    not even after the back office put the product back on sale in between."""
    mark_id = UUID(new_id())
    assert mark(config, "pasta", True, mark_id=mark_id).status_code == 204
    assert sold_out_at(config, tmp_path / "till.db") == {"pasta": True}
    back = server.admin("PUT", "/v1/admin/products/pasta/sold-out", json={"sold_out": False})
    assert back.status_code == 204
    assert mark(config, "pasta", True, mark_id=mark_id).status_code == 204
    assert sold_out_at(config, tmp_path / "till.db") == {"pasta": False}
    other = mark(config, "pasta", False, mark_id=mark_id)
    assert other.status_code == 409
    assert f"{mark_id} was taken already" in other.json()["detail"]


def test_a_tills_mark_needs_its_credential_and_a_product_of_its_unit(
    config: ServerConfig, server: Server, tmp_path: Path
) -> None:
    assert mark(config, "pasta", True, credential="not-a-credential").status_code == 401
    second = server.enrol_till("till-2")
    as_other = mark(config, "pasta", True, credential=second.credential)
    assert as_other.status_code == 403
    unknown = mark(config, "nothing", True)
    assert unknown.status_code == 404
    assert "unknown product nothing" in unknown.json()["detail"]
    elsewhere = mark(config, "cake", True)
    assert elsewhere.status_code == 403
    assert "not on the menu of this till's unit" in elsewhere.json()["detail"]
    naive = requests.put(
        f"{config.url}/v1/tills/{config.till_id}/products/pasta/sold-out",
        json={"mark_id": new_id(), "sold_out": True, "marked_at": "2026-11-21T11:30:00"},
        headers={"Authorization": f"Bearer {config.credential}"},
        timeout=10,
    )
    assert naive.status_code == 422
    assert sold_out_at(config, tmp_path / "till.db") == {"pasta": False}


def test_sold_out_from_the_shell(
    server: Server, config: ServerConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", server.db_url, "admin"]
    assert main([*db, "sold-out", "pasta"]) == 0
    assert "product pasta sold out" in capsys.readouterr().out
    assert sold_out_at(config, tmp_path / "till.db") == {"pasta": True}
    assert main([*db, "sold-out", "pasta", "--back"]) == 0
    assert "product pasta back on sale" in capsys.readouterr().out
    assert sold_out_at(config, tmp_path / "till.db") == {"pasta": False}
    assert main([*db, "sold-out", "nothing"]) == 1
    assert "unknown product nothing" in capsys.readouterr().err
