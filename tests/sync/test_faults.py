"""Faults between a till and its server, with real processes on loopback (issue 3 item 9).

After each: every sale the till confirmed is on the server exactly once, the balances agree,
and the ledger balances.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client import ServerConfig, SyncClient, SyncError, Unreachable
from sync.store import Store
from tests.server.live import Server, start
from tests.sync.exactly_once import assert_exactly_once, drain, fill, scheme
from tests.sync.faulty_proxy import FaultyProxy


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[tuple[Server, ServerConfig]]:
    server = start(database_url, tmp_path / "server.log")
    try:
        yield server, scheme(server)
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_misbehaving_network_loses_nothing_and_doubles_nothing(
    live: tuple[Server, ServerConfig], tmp_path: Path, seed: int
) -> None:
    """D-SYNC-2: dropped requests, dropped answers after the commit, 500s, garbage and delays."""
    server, config = live
    proxy = FaultyProxy(server.url, seed=seed)
    client = SyncClient(
        tmp_path / "till.db",
        ServerConfig(proxy.url, config.till_id, config.credential),
        timeout_s=5,
    )
    try:
        with Store.open(tmp_path / "till.db", till_id="till-1") as store:
            fill(store, 300)
            drain(client, store)
            direct = SyncClient(tmp_path / "till.db", config)
            while direct.pull_once(store):
                pass
            direct.session.close()
            assert_exactly_once(server, store)
    finally:
        client.session.close()
        proxy.close()
    assert proxy.counts["drop_response"] > 0
    assert proxy.counts["garbage"] > 0


def test_server_killed_mid_batch_then_restarted(
    live: tuple[Server, ServerConfig], tmp_path: Path
) -> None:
    """The server dies (SIGKILL) while batches arrive; after a restart the till finishes."""
    server, config = live
    client = SyncClient(tmp_path / "till.db", config, timeout_s=5)
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        fill(store, 4000)
        killer = threading.Timer(0.3, lambda: os.kill(server.process.pid, signal.SIGKILL))
        killer.start()
        for _ in range(200):
            try:
                client.push_once(store, limit=50)
            except SyncError:
                break
        killer.join()
        server.process.wait(timeout=10)
        assert store.outbox_stats().count > 0  # it died with entries still on their way
        restarted = start(server.db_url, tmp_path / "server2.log")
        client2 = SyncClient(
            tmp_path / "till.db", ServerConfig(restarted.url, config.till_id, config.credential)
        )
        try:
            drain(client2, store)
            while client2.pull_once(store):
                pass
            assert_exactly_once(restarted, store)
        finally:
            client2.session.close()
            restarted.process.terminate()
            restarted.process.wait(timeout=10)
    client.session.close()


def test_outage_with_ten_thousand_queued_sales(
    live: tuple[Server, ServerConfig], tmp_path: Path
) -> None:
    """D-SYNC-2: the server is unreachable while 10,000 sales are made; when it is back the
    queue drains, every sale once."""
    server, config = live
    down = SyncClient(
        tmp_path / "till.db",
        ServerConfig("http://127.0.0.1:9", config.till_id, config.credential),
        timeout_s=1,
    )
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        fill(store, 10_000)
        with pytest.raises(Unreachable):
            down.push_once(store)
        assert not down.is_online()
        assert store.outbox_stats().count == 10_000
        client = SyncClient(tmp_path / "till.db", config)
        try:
            while store.outbox_stats().count:
                client.push_once(store, limit=500)
            while client.pull_once(store):
                pass
            assert client.is_online()
            assert_exactly_once(server, store)
        finally:
            client.session.close()
    down.session.close()


SELLER = """
import sys, time
from datetime import UTC, date, datetime
from sync.client import ServerConfig, SyncClient, SyncError
from sync.records import PriceLevel, SaleLine
from sync.store import Store
url, till, credential, path = sys.argv[1:5]
client = SyncClient(__import__("pathlib").Path(path), ServerConfig(url, till, credential),
                    timeout_s=5)
with Store.open(path, till_id=till) as store:
    for i in range(100_000):
        n = i % 10
        store.commit_sale(card_id=f"C{n}", account_id=f"a{n}", currency="EUR",
                          lines=[SaleLine("m", "M", "Mains", 1, 10, 700)],
                          price_level=PriceLevel.STUDENT, offline=False, autoload_amount=None,
                          created_at=datetime.now(UTC), business_day=date(2026, 11, 21))
        print(i, flush=True)
        if i % 7 == 0:
            try:
                client.push_once(store, limit=20)
                client.pull_once(store)
            except SyncError:
                pass
"""


@pytest.mark.parametrize("kill_after", [40, 150, 333])
def test_till_killed_during_sales_and_syncs(
    live: tuple[Server, ServerConfig], tmp_path: Path, kill_after: int
) -> None:
    """The till process dies (SIGKILL) while selling and syncing; restarted, it delivers every
    sale it confirmed, once."""
    import subprocess
    import sys

    server, config = live
    path = tmp_path / "till.db"
    with Store.open(path, till_id="till-1") as store:
        fill(store, 0)
    child = subprocess.Popen(
        [sys.executable, "-c", SELLER, config.url, config.till_id, config.credential, str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    confirmed = -1
    for line in child.stdout:
        confirmed = int(line)
        if confirmed >= kill_after:
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    client = SyncClient(path, config)
    try:
        with Store.open(path, till_id="till-1") as store:
            assert len(store.journal()) >= confirmed + 1  # every confirmed sale survived
            drain(client, store)
            while client.pull_once(store):
                pass
            assert_exactly_once(server, store)
    finally:
        client.session.close()
