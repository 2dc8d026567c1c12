"""Enrolment, journal ingest and the back office over real HTTP on loopback (issue 3 items 1-4)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.protocol import EntryIn
from sync.records import Account, Card, Cardholder, CardState, PriceLevel, SaleLine
from sync.store import Store
from tests.server.live import Server
from tests.terminal.till_scheme import UNIT

NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
DAY = date(2026, 11, 21)


def setup_scheme(server: Server) -> str:
    """Unit, till-1 and one cardholder with 20,00 €; returns till-1's credential."""
    unit = {k: getattr(UNIT, k) for k in UNIT.__dataclass_fields__}
    assert server.admin("PUT", f"/v1/admin/units/{UNIT.unit_id}", json=unit).status_code == 204
    holder = {
        "cardholder_id": "h1",
        "name": "Anna",
        "account_id": "a1",
        "card_id": "C1",
        "currency": "EUR",
    }
    assert server.admin("POST", "/v1/admin/cardholders", json=holder).status_code == 201
    assert server.admin("POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": 2000}).ok
    return enrol(server, "till-1")


def enrol(server: Server, till_id: str) -> str:
    code = server.admin(
        "POST", "/v1/admin/tills", json={"till_id": till_id, "unit_id": UNIT.unit_id}
    ).json()["enrolment_code"]
    reply = requests.post(server.url + "/v1/enrol", json={"code": code}, timeout=10)
    assert reply.status_code == 200
    return str(reply.json()["credential"])


def till_entries(tmp_path: Path, amounts: list[int], *, account: str = "a1") -> list[EntryIn]:
    """Entries made by a real till store, as the sync client will send them."""
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        store.upsert_unit(UNIT)
        store.upsert_cardholders([Cardholder("h1", "Anna", None, frozenset({"mensa"}))])
        store.upsert_accounts([Account(account, "h1", "EUR", 2000, PriceLevel.STUDENT)])
        store.upsert_cards([Card("C1", account, CardState.ACTIVE)])
        for amount in amounts:
            store.commit_sale(
                card_id="C1",
                account_id=account,
                currency="EUR",
                lines=[SaleLine("m", "Menü", "Mains", 1, amount, 700)],
                price_level=PriceLevel.STUDENT,
                offline=False,
                autoload_amount=None,
                created_at=NOW,
                business_day=DAY,
            )
        return [EntryIn.from_entry(e) for e in store.journal()]


def push(
    server: Server, credential: str, entries: list[EntryIn], till: str = "till-1"
) -> requests.Response:
    body = {"entries": [e.model_dump(mode="json") for e in entries]}
    return requests.post(
        f"{server.url}/v1/tills/{till}/journal",
        json=body,
        timeout=10,
        headers={"Authorization": f"Bearer {credential}"},
    )


def balance(server: Server) -> int:
    return int(server.admin("GET", "/v1/admin/accounts/a1").json()["balance"])


def test_enrolment_code_is_single_use(server: Server) -> None:
    """A till trades its one-time code for a credential; the code cannot be used twice."""
    setup_scheme(server)
    code = server.admin(
        "POST", "/v1/admin/tills", json={"till_id": "till-2", "unit_id": UNIT.unit_id}
    ).json()["enrolment_code"]
    assert requests.post(server.url + "/v1/enrol", json={"code": code}, timeout=10).ok
    again = requests.post(server.url + "/v1/enrol", json={"code": code}, timeout=10)
    assert again.status_code == 403


def test_sales_are_applied_once_and_replays_get_the_original_answer(
    server: Server, tmp_path: Path
) -> None:
    """D-SYNC-2: pushed sales move the ledger once; a replay returns the same results."""
    cred = setup_scheme(server)
    entries = till_entries(tmp_path, [350, 120])
    first = push(server, cred, entries)
    assert first.status_code == 200
    assert [r["status"] for r in first.json()["results"]] == ["accepted", "accepted"]
    assert first.json()["last_recv"] == 2
    assert balance(server) == 2000 - 470
    replay = push(server, cred, entries)
    assert replay.json() == first.json()
    assert balance(server) == 2000 - 470


def test_same_id_different_content_is_a_logged_conflict(server: Server, tmp_path: Path) -> None:
    """The same id with other content is refused, logged for the operator, changes nothing."""
    cred = setup_scheme(server)
    (entry,) = till_entries(tmp_path, [350])
    push(server, cred, [entry])
    forged = entry.model_copy(update={"amount": -1})
    result = push(server, cred, [forged]).json()["results"][0]
    assert result["status"] == "conflict"
    assert balance(server) == 2000 - 350
    refusals = server.admin("GET", "/v1/admin/refusals").json()
    assert refusals[0]["entry_id"] == str(entry.id)
    assert "conflict" in refusals[0]["reason"]


def test_gap_is_reported_not_accepted(server: Server, tmp_path: Path) -> None:
    """An entry after a missing seq is not taken; the answer names the missing seq."""
    cred = setup_scheme(server)
    first, second, third = till_entries(tmp_path, [100, 200, 300])
    push(server, cred, [first])
    results = push(server, cred, [third]).json()
    assert results["results"][0]["status"] == "gap"
    assert "expected seq 2" in results["results"][0]["detail"]
    assert balance(server) == 1900
    done = push(server, cred, [second, third]).json()
    assert [r["status"] for r in done["results"]] == ["accepted", "accepted"]
    assert done["last_recv"] == 3


def test_offline_overdraft_is_accepted_and_flagged(server: Server, tmp_path: Path) -> None:
    """D-OFF-3: a sale made offline that overdraws happened: it is kept and flagged."""
    cred = setup_scheme(server)
    entries = till_entries(tmp_path, [1500, 1500])
    results = push(server, cred, entries).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted"]
    assert "overdraft" in results[1]["flags"]
    assert balance(server) == -1000


def test_refused_entry_does_not_block_the_stream(server: Server, tmp_path: Path) -> None:
    """An entry for an account the server does not know is refused (quarantined on the till),
    and the entries behind it are still taken."""
    cred = setup_scheme(server)
    (ghost,) = till_entries(tmp_path / "ghost", [100], account="nobody")
    (real,) = till_entries(tmp_path / "real", [100])
    real = real.model_copy(update={"seq": 2})
    results = push(server, cred, [ghost, real]).json()
    assert [r["status"] for r in results["results"]] == ["refused", "accepted"]
    assert results["last_recv"] == 2


def test_credentials_are_checked(server: Server, tmp_path: Path) -> None:
    """No or a wrong credential: 401; another till's credential: 403; nothing changes."""
    cred = setup_scheme(server)
    other = enrol(server, "till-2")
    entries = till_entries(tmp_path, [350])
    assert push(server, "", entries).status_code == 401
    assert push(server, "till-1.wrong", entries).status_code == 401
    assert push(server, other, entries).status_code == 403
    assert push(server, cred, entries, till="till-2").status_code == 403
    assert balance(server) == 2000


def raw_post(server: Server, cred: str, data: bytes) -> requests.Response:
    return requests.post(
        f"{server.url}/v1/tills/till-1/journal",
        data=data,
        timeout=10,
        headers={"Authorization": f"Bearer {cred}", "Content-Type": "application/json"},
    )


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"amount": "350"}, 422),
        ({"amount": -3.5}, 422),
        ({"surprise": 1}, 422),
        ({"created_at": "2026-11-21T11:30:00"}, 422),
        ({"currency": "USD"}, 422),
        ({"id": "not-a-uuid"}, 422),
    ],
    ids=["string-amount", "fractional-amount", "unknown-field", "naive-time", "currency", "id"],
)
def test_bad_entries_get_a_clear_4xx_and_store_nothing(
    server: Server, tmp_path: Path, change: dict[str, Any], status: int
) -> None:
    """Wrong types, fractions, unknown fields, zone-less times: 422 naming the field."""
    cred = setup_scheme(server)
    (entry,) = till_entries(tmp_path, [350])
    bad = {**entry.model_dump(mode="json"), **change}
    reply = requests.post(
        f"{server.url}/v1/tills/till-1/journal",
        json={"entries": [bad]},
        timeout=10,
        headers={"Authorization": f"Bearer {cred}"},
    )
    assert reply.status_code == status
    assert next(iter(change)) in str(reply.json()["detail"])
    assert balance(server) == 2000


def test_malformed_and_oversized_bodies(server: Server) -> None:
    """Broken JSON is a 422; a body over 1 MiB is a 413; nothing is stored."""
    cred = setup_scheme(server)
    assert raw_post(server, cred, b'{"entries": [').status_code == 422
    assert raw_post(server, cred, b"x" * (2 << 20)).status_code == 413
    assert balance(server) == 2000


def test_deposits_refused_to_blocked_cards_and_over_the_cap(server: Server) -> None:
    """D-PAY-4 and D-AUTO-5 on the server: no deposit to a blocked card, none over the cap."""
    setup_scheme(server)
    assert server.admin("POST", "/v1/admin/cards/C1/block").status_code == 204
    blocked = server.admin("POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": 500})
    assert blocked.status_code == 409
    assert "blocked" in blocked.json()["detail"]
    server.admin("POST", "/v1/admin/cards/C1/unblock")
    over = server.admin("POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": 10001})
    assert over.status_code == 409
    negative = server.admin("POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": -5})
    assert negative.status_code == 422
    assert balance(server) == 2000
    assert requests.get(server.url + "/v1/admin/accounts/a1", timeout=10).status_code == 401
