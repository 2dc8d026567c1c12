"""The sync client against a real server on loopback: first sync, push, pull, propagation,
quarantine, and invariant 3 when the feed overtakes the push's answer (issue 3 items 5-6)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import requests

from sync.client import BadReply, Refused, ServerConfig, SyncClient, Unreachable, enrol
from sync.protocol import ChangePage, EntryIn, JournalAck, JournalBatch
from sync.records import CardState, PriceLevel, SaleLine
from sync.store import Store
from tests.server.live import Server
from tests.terminal.till_scheme import UNIT, sell

NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
DAY = date(2026, 11, 21)


def scheme(server: Server) -> ServerConfig:
    unit = {k: getattr(UNIT, k) for k in UNIT.__dataclass_fields__}
    server.admin("PUT", f"/v1/admin/units/{UNIT.unit_id}", json=unit)
    for n in (1, 2):
        server.admin(
            "POST",
            "/v1/admin/cardholders",
            json={
                "cardholder_id": f"h{n}",
                "name": f"Holder {n}",
                "account_id": f"a{n}",
                "card_id": f"C{n}",
                "currency": "EUR",
            },
        )
        server.admin("POST", "/v1/admin/deposits", json={"card_id": f"C{n}", "amount": 2000})
    code = server.admin(
        "POST", "/v1/admin/tills", json={"till_id": "till-1", "unit_id": UNIT.unit_id}
    ).json()["enrolment_code"]
    return enrol(server.url, code)


@pytest.fixture
def till(tmp_path: Path, server: Server) -> Iterator[tuple[Store, SyncClient, Server]]:
    config = scheme(server)
    client = SyncClient(tmp_path / "till.db", config, poll_wait_s=5)
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        while client.pull_once(store):
            pass
        yield store, client, server
    client.session.close()


def shown(store: Store, card: str = "C1") -> int:
    snap = store.lookup(card, DAY)
    assert snap is not None
    return snap.balance


def server_balance(server: Server, account: str = "a1") -> int:
    return int(server.admin("GET", f"/v1/admin/accounts/{account}").json()["balance"])


def test_first_sync_fills_the_cache(till: tuple[Store, SyncClient, Server]) -> None:
    """The first pull pages through the snapshot: unit, cardholders, accounts, cards."""
    store, _, _ = till
    assert store.unit() == UNIT
    assert shown(store) == 2000
    snap = store.lookup("C2", DAY)
    assert snap is not None
    assert snap.cardholder.name == "Holder 2"


def test_push_then_pull_counts_each_sale_once(till: tuple[Store, SyncClient, Server]) -> None:
    """Invariant 3: displayed = server balance + unapplied entries, before and after sync."""
    store, client, srv = till
    sell(store, 350)
    assert shown(store) == 1650
    assert client.push_once(store) == 1
    assert server_balance(srv) == 1650
    assert shown(store) == 1650
    assert store.outbox_stats().count == 0
    client.pull_once(store)
    assert shown(store) == 1650


def test_feed_overtaking_a_lost_ack_does_not_count_twice(
    till: tuple[Store, SyncClient, Server],
) -> None:
    """The push reached the server but its answer was lost; the feed then brings the new
    balance: the till must not subtract the sale a second time (invariant 3)."""
    store, client, srv = till
    sell(store, 350)
    series = UUID(store.series())
    batch = JournalBatch(
        entries=[EntryIn.from_entry(e, series=series) for e in store.outbox_pending()]
    )
    url = f"{srv.url}/v1/tills/till-1/journal"
    assert client.session.post(
        url, data=batch.model_dump_json(), timeout=10, headers={"Content-Type": "application/json"}
    ).ok  # answer dropped
    assert store.outbox_stats().count == 1
    client.pull_once(store)
    assert shown(store) == 1650
    assert store.outbox_stats().count == 0
    assert client.push_once(store) == 0  # nothing left to send, nothing sent twice
    assert server_balance(srv) == 1650


def test_central_deposit_and_block_reach_the_till(till: tuple[Store, SyncClient, Server]) -> None:
    """D-SYNC-1: a deposit and a block made centrally arrive through the long-poll."""
    store, client, srv = till
    srv.admin("POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": 500})
    srv.admin("POST", "/v1/admin/cards/C2/block")
    client.pull_once(store, wait=5)
    assert shown(store) == 2500
    snap = store.lookup("C2", DAY)
    assert snap is not None
    assert snap.card.state is CardState.BLOCKED


def test_long_poll_answers_when_something_changes(till: tuple[Store, SyncClient, Server]) -> None:
    """A waiting pull returns when a deposit lands, well before its wait runs out."""
    import threading

    store, client, srv = till
    timer = threading.Timer(
        0.5,
        lambda: srv.admin("POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": 100}),
    )
    timer.start()
    client.pull_once(store, wait=30)
    timer.join()
    assert shown(store) == 2100


def test_refused_entry_is_quarantined_not_lost(
    till: tuple[Store, SyncClient, Server], tmp_path: Path
) -> None:
    """An entry the server refuses stays on the till, listed for the operator, and the
    entries after it are still delivered."""
    store, client, srv = till
    from sync.records import Account, Card, Cardholder

    store.upsert_cardholders([Cardholder("ghost", "Ghost", None, frozenset({"mensa"}))])
    store.upsert_accounts([Account("a-ghost", "ghost", "EUR", 1000, PriceLevel.STUDENT)])
    store.upsert_cards([Card("C6", "a-ghost", CardState.ACTIVE)])
    sell(store, 100, account="a-ghost", card="C6")
    sell(store, 200)
    client.push_once(store)
    (entry, reason) = store.quarantined()[0]
    assert entry.account_id == "a-ghost"
    assert "unknown account" in reason
    assert store.outbox_stats().count == 0
    assert server_balance(srv) == 1800
    assert len(store.journal()) == 2


def test_background_client_keeps_the_till_in_step(till: tuple[Store, SyncClient, Server]) -> None:
    """With its jobs running, a sale reaches the server and a deposit reaches the till."""
    store, client, srv = till
    sell(store, 300)
    client.start()
    try:
        client.nudge()
        srv.admin("POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": 1000})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            # The sale leaves the outbox when the push's answer is settled, which may come
            # just after the server's balance shows it: wait for that too, not only for it.
            if (
                server_balance(srv) == 2700
                and shown(store) == 2700
                and store.outbox_stats().count == 0
                and client.is_online()
            ):
                break
            time.sleep(0.05)
        assert server_balance(srv) == 2700
        assert shown(store) == 2700
        assert store.outbox_stats().count == 0
        assert client.is_online()
    finally:
        client.stop()


def test_unreachable_server_is_offline_and_loses_nothing(tmp_path: Path) -> None:
    """No server: push fails with a clear error, the entry stays queued, the link is offline."""
    from sync.client import SyncError

    config = ServerConfig("http://127.0.0.1:9", "till-1", "till-1.x")
    client = SyncClient(tmp_path / "till.db", config, timeout_s=1)
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        from tests.terminal.till_scheme import seed_scheme

        seed_scheme(store)
        store.commit_sale(
            card_id="AA000001",
            account_id="a-anna",
            currency="EUR",
            lines=[SaleLine("m", "Menü", "Mains", 1, 350, 700)],
            price_level=PriceLevel.STUDENT,
            offline=True,
            autoload_amount=None,
            created_at=NOW,
            business_day=DAY,
        )
        with pytest.raises(SyncError, match="cannot reach") as caught:
            client.push_once(store)
        assert isinstance(caught.value, Unreachable)
        assert store.outbox_stats().count == 1
        assert not client.is_online()
    client.session.close()
    assert requests  # the client's own session was used, nothing global


def test_enroll_command_keeps_the_credential_private(server: Server, tmp_path: Path) -> None:
    """`canteen-till enroll` stores the credential readable by the till's user only; a used
    code is refused with a clear message and exit 1."""
    import os
    import stat

    from terminal.cli import main

    unit = {k: getattr(UNIT, k) for k in UNIT.__dataclass_fields__}
    server.admin("PUT", f"/v1/admin/units/{UNIT.unit_id}", json=unit)
    code = server.admin(
        "POST", "/v1/admin/tills", json={"till_id": "till-9", "unit_id": UNIT.unit_id}
    ).json()["enrolment_code"]
    data = tmp_path / "data"
    assert main(["enroll", "--server", server.url, "--code", code, "--data-dir", str(data)]) == 0
    saved = ServerConfig.load(data)
    assert saved is not None
    assert saved.till_id == "till-9"
    assert stat.S_IMODE(os.stat(data / "server.json").st_mode) == 0o600
    assert main(["enroll", "--server", server.url, "--code", code, "--data-dir", str(data)]) == 1


def test_feed_sends_only_the_own_unit_and_a_strange_cursor_starts_a_snapshot(
    till: tuple[Store, SyncClient, Server],
) -> None:
    """A till reads its own unit's data only; a cursor this server never issued (from the
    future, or garbage) is not an error forever: the answer is a new snapshot, `reset`."""
    from dataclasses import replace

    store, client, srv = till
    other = replace(UNIT, unit_id="cafe-sued", name="Café Süd")
    srv.admin(
        "PUT",
        "/v1/admin/units/cafe-sued",
        json={k: getattr(other, k) for k in other.__dataclass_fields__},
    )
    client.pull_once(store)
    assert store.unit() == UNIT
    for since in (f"{10**9}-0123456789ab", "garbage", "7-000000000000", f"{2**63}-0123456789ab"):
        reply = client.session.get(
            f"{srv.url}/v1/tills/till-1/changes", params={"since": since}, timeout=10
        )
        assert reply.status_code == 200
        page = ChangePage.model_validate_json(reply.content)
        assert page.reset
        assert {c.kind for c in page.changes} >= {"unit", "account", "card", "cardholder"}


def test_spending_at_one_till_counts_at_another(
    till: tuple[Store, SyncClient, Server], tmp_path: Path
) -> None:
    """D-UNIT-3 / D-AUTO-4 across tills: today's spending pushed by one till reaches another
    through the feed, so a daily limit holds wherever the card is used."""
    store, client, srv = till
    sell(store, 350)
    client.push_once(store)
    code = srv.admin(
        "POST", "/v1/admin/tills", json={"till_id": "till-2", "unit_id": UNIT.unit_id}
    ).json()["enrolment_code"]
    other = SyncClient(tmp_path / "till2.db", enrol(srv.url, code))
    try:
        with Store.open(tmp_path / "till2.db", till_id="till-2") as second:
            while other.pull_once(second):
                pass
            snap = second.lookup("C1", DAY)
            assert snap is not None
            assert snap.spent_today == 350
            assert snap.balance == 1650
    finally:
        other.session.close()


class Clock:
    """A monotonic clock moved by hand: the link's age without waiting for it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_link_goes_offline_after_the_scheme_policys_offline_after_s(
    till: tuple[Store, SyncClient, Server],
) -> None:
    """The offline threshold is the scheme policy's `offline_after_s`, read from the store,
    so a central change applies from the page that brings it: no answer for longer than it
    and the link reports offline."""
    store, first, srv = till
    clock = Clock()
    client = SyncClient(first.store_path, first.server, clock=clock)
    try:
        client.pull_once(store)
        clock.now += 20
        assert client.is_online()  # the default, 30 s: not offline yet
        srv.admin("PUT", "/v1/admin/policy", json={"offline_after_s": 1})
        client.pull_once(store)
        assert store.policy_data()["offline_after_s"] == 1
        clock.now += 0.5
        assert client.is_online()
        clock.now += 1
        assert not client.is_online()  # 1.5 s without an answer, over the policy's 1 s
        srv.admin("PUT", "/v1/admin/policy", json={"offline_after_s": 60})
        client.pull_once(store)
        clock.now += 30
        assert client.is_online()
    finally:
        client.session.close()


def test_the_running_client_opens_the_store_once_per_job(
    till: tuple[Store, SyncClient, Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Push ticks reuse the push job's store: opened at the first tick, closed at stop."""
    store, first, _ = till
    opened: list[Store] = []
    real_open = Store.open

    def counting_open(*args: Any, **kwargs: Any) -> Store:
        handle = real_open(*args, **kwargs)
        opened.append(handle)
        return handle

    monkeypatch.setattr(Store, "open", counting_open)
    client = SyncClient(first.store_path, first.server)
    for price in (110, 120, 130):
        sell(store, price)
        client._push_tick()
    assert store.outbox_stats().count == 0  # each tick pushed its sale
    client._photo_tick()
    client._photo_tick()
    assert len(opened) == 2  # one for the push job, one for the photo job
    client.stop()
    for handle in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            handle.journal()
    client._push_tick()  # a stopped client opens nothing again
    assert len(opened) == 2
    client.session.close()


def test_error_answers_carry_the_servers_error_body(
    till: tuple[Store, SyncClient, Server],
) -> None:
    """A refusal keeps the status and the server's ErrorBody; an answer that is not the
    protocol's is a BadReply, not an outage."""
    store, first, srv = till
    wrong = SyncClient(first.store_path, ServerConfig(srv.url, "till-1", "till-1.wrong"))
    try:
        with pytest.raises(Refused) as refused:
            wrong.pull_once(store)
        assert refused.value.status == 401
        assert refused.value.body is not None
        assert refused.value.body.detail in str(refused.value)
    finally:
        wrong.session.close()
    health = SyncClient(first.store_path, first.server)
    try:
        reply = health._call("GET", f"{srv.url}/v1/health")
        with pytest.raises(BadReply, match="not a JournalAck"):
            health._parse(JournalAck, reply)
    finally:
        health.session.close()
