"""Cash at the counter end to end: a till's store, its sync client, a live server over HTTP
(D-PAY-4 a top-up voided, D-AUTO-7 arrears paid in cash)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sync.client import SyncClient
from sync.records import PriceLevel, SaleLine
from sync.store import Store
from tests.server.live import Server
from tests.terminal.till_scheme import UNIT

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = NOW.astimezone(ZoneInfo(UNIT.timezone)).date()


@contextmanager
def synced_till(server: Server, path: Path, till_id: str) -> Iterator[tuple[SyncClient, Store]]:
    """An enrolled till with the scheme pulled into its store."""
    client = SyncClient(path, server.enrol_till(till_id), poll_wait_s=5)
    try:
        with Store.open(path, till_id=till_id) as store:
            pull(client, store)
            yield client, store
    finally:
        client.session.close()


def pull(client: SyncClient, store: Store) -> None:
    while client.pull_once(store):
        pass


def cash(store: Store, kind: str, amount: int, account: str, card: str) -> str:
    """A top-up or an arrears payment in cash; its entry id."""
    commit = store.commit_topup if kind == "topup" else store.commit_arrears_payment
    committed = commit(
        card_id=card,
        account_id=account,
        currency="EUR",
        amount=amount,
        tender="cash",
        created_at=NOW,
        business_day=DAY,
    )
    return committed.entries[0].entry_id


def arrears(store: Store, card: str) -> tuple[int, bool]:
    snap = store.lookup(card, DAY)
    assert snap is not None
    return snap.account.arrears, snap.account.payment_blocked


def test_d_auto_7_arrears_paid_at_one_till_unblock_the_card_at_every_till(
    server: Server, tmp_path: Path
) -> None:
    """D-AUTO-7, D-PAY-4 over HTTP: a till takes a top-up and voids it, and takes the
    arrears in cash: the server books all three (no flags, no refusals), the card's balance
    is as before, and the lifted block reaches another till through its feed."""
    server.put_unit()
    server.add_holders(2, deposit=2000)
    assert server.admin("PATCH", "/v1/admin/accounts/a1", {"arrears": 600}).status_code == 204
    with (
        synced_till(server, tmp_path / "till-1.db", "till-1") as (client, store),
        synced_till(server, tmp_path / "till-2.db", "till-2") as (other_client, other),
    ):
        assert arrears(store, "C1") == arrears(other, "C1") == (600, True)
        topped = cash(store, "topup", 1500, "a0", "C0")
        store.commit_void(entry_id=topped, created_at=NOW, business_day=DAY)
        cash(store, "arrears_payment", 600, "a1", "C1")
        assert arrears(store, "C1") == (0, False)  # at once, before the server has it
        assert arrears(other, "C1") == (600, True)
        assert client.push_once(store) == 3
        assert store.outbox_stats().count == 0
        assert store.quarantined() == []
        pull(client, store)
        pull(other_client, other)
        assert arrears(store, "C1") == arrears(other, "C1") == (0, False)
        assert store.lookup("C0", DAY).balance == 2000  # type: ignore[union-attr]
    balances = [server.admin("GET", f"/v1/admin/accounts/a{n}").json()["balance"] for n in (0, 1)]
    assert balances == [2000, 2000]
    assert server.admin("GET", "/v1/admin/refusals").json() == []
    assert server.admin("GET", "/v1/admin/flagged").json() == []


def test_d_pay_1_a_top_up_spent_at_another_till_is_quarantined_when_voided(
    server: Server, tmp_path: Path
) -> None:
    """D-PAY-1 over HTTP: a till that did not hear of a sale at another till voids its top-up
    in good faith; the server refuses it (the money was spent: no till creates money), and
    the till keeps it in its quarantine with the reason."""
    server.put_unit()
    server.add_holders(1, deposit=2000)
    with (
        synced_till(server, tmp_path / "till-1.db", "till-1") as (client, store),
        synced_till(server, tmp_path / "till-2.db", "till-2") as (other_client, other),
    ):
        topped = cash(store, "topup", 1500, "a0", "C0")
        assert client.push_once(store) == 1
        other.commit_sale(
            card_id="C0",
            account_id="a0",
            currency="EUR",
            lines=[SaleLine("meal", "Menü 1", "Mains", 1, 3000, 700)],
            price_level=PriceLevel.STUDENT,
            offline=True,
            autoload_amount=None,
            created_at=NOW,
            business_day=DAY,
        )
        assert other_client.push_once(other) == 1
        void = store.commit_void(entry_id=topped, created_at=NOW, business_day=DAY)
        client.push_once(store)
        ((entry, reason),) = store.quarantined()
    assert entry.entry_id == void.entries[0].entry_id
    assert reason == (
        f"refused: top-up {topped} of 1500 has been spent: account a0 holds 500, its void"
        " cannot take it back (D-PAY-1)"
    )
    assert server.admin("GET", "/v1/admin/accounts/a0").json()["balance"] == 500
