"""Shared by the fault and recovery tests: a scheme on a live server, a till filled with
sales, draining the outbox through faults, and the exactly-once check (invariant 2)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from server.db import Database
from sync.client import ServerConfig, SyncClient, SyncError
from sync.records import Account, Card, Cardholder, CardState, PriceLevel
from sync.store import Store
from tests.server.live import Server
from tests.terminal.till_scheme import UNIT, sell

NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
DAY = date(2026, 11, 21)
HOLDERS = 10


def scheme(server: Server) -> ServerConfig:
    server.put_unit()
    server.add_holders(HOLDERS, deposit=10000)
    return server.enrol_till("till-1")


def fill(store: Store, sales: int) -> None:
    """The till's cache as the first sync leaves it, then `sales` sales made offline."""
    store.upsert_unit(UNIT)
    store.upsert_cardholders(
        Cardholder(f"h{n}", f"H{n}", None, frozenset({"mensa"})) for n in range(HOLDERS)
    )
    store.upsert_accounts(
        Account(f"a{n}", f"h{n}", "EUR", 10000, PriceLevel.STUDENT) for n in range(HOLDERS)
    )
    store.upsert_cards(Card(f"C{n}", f"a{n}", CardState.ACTIVE) for n in range(HOLDERS))
    for i in range(sales):
        sell(store, 10 + i % 7, f"a{i % HOLDERS}", f"C{i % HOLDERS}", offline=True)


def drain(client: SyncClient, store: Store, *, rounds: int = 400) -> None:
    """Push and pull until nothing is unsent, riding out every failure (bounded)."""
    for _ in range(rounds):
        try:
            client.push_once(store, limit=50)
            client.pull_once(store)
        except SyncError:
            continue
        if store.outbox_stats().count == 0:
            return
    raise AssertionError(f"still {store.outbox_stats().count} unsent after {rounds} rounds")


def assert_exactly_once(server: Server, store: Store) -> None:
    db = Database(server.db_url)
    try:
        with db.transaction(write=False) as tx:
            on_server = [
                row[0]
                for row in tx.all("SELECT entry_id FROM journal_ingest WHERE till_id = 'till-1'")
            ]
            unbalanced = tx.scalar(
                "SELECT COUNT(*) FROM (SELECT txn_id FROM ledger GROUP BY"
                " txn_id HAVING SUM(amount) <> 0) AS u"
            )
    finally:
        db.close()
    journal = [e.entry_id for e in store.journal()]
    assert sorted(on_server) == sorted(journal)  # every confirmed sale, once
    assert len(set(on_server)) == len(on_server)
    assert int(unbalanced) == 0
    for n in range(HOLDERS):
        snap = store.lookup(f"C{n}", DAY)
        assert snap is not None
        server_balance = server.admin("GET", f"/v1/admin/accounts/a{n}").json()["balance"]
        assert snap.balance == server_balance
        assert snap.pending_delta == 0
