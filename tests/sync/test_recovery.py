"""Recovering from accidents without losing a sale (issue 8 item 2), with real processes on
loopback: a real server process restored from a real older copy of its database, a till
store lost and made afresh, a real proxy that tampers with the server's answers or adds
what this till cannot read, photos that fail to download, a server that trickles.

After each: every sale the till confirmed is on the server exactly once and balances agree.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.db import Database
from sync.client import ServerConfig, SyncClient, SyncError, Unreachable, enrol
from sync.store import Store
from tests.server.live import Server, start
from tests.sync.exactly_once import DAY, HOLDERS, assert_exactly_once, fill, scheme
from tests.sync.tamper_proxy import RewritingProxy
from tests.terminal.till_scheme import sell


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[tuple[Server, ServerConfig]]:
    server = start(database_url, tmp_path / "server.log")
    try:
        yield server, scheme(server)
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)


def settle_all(client: SyncClient, store: Store, *, rounds: int = 200) -> None:
    """Push and pull until the outbox is empty and the feed has nothing more."""
    for _ in range(rounds):
        try:
            client.push_once(store)
            more = client.pull_once(store)
        except SyncError:
            time.sleep(0.05)
            continue
        if store.outbox_stats().count == 0 and not more:
            return
    raise AssertionError(f"still {store.outbox_stats().count} unsent after {rounds} rounds")


def statuses_in(log: Path) -> set[int]:
    """The HTTP statuses the server answered, from its access log."""
    found = set()
    for line in log.read_text(errors="replace").splitlines():
        if '" ' in line and "HTTP/1.1" in line:
            found.add(int(line.rsplit('" ', 1)[1].split()[0]))
    return found


@pytest.mark.parametrize("sells_on", [True, False], ids=["sells-on", "only-pulls"])
def test_server_restored_from_an_older_backup_gets_back_what_it_forgot(
    live: tuple[Server, ServerConfig],
    tmp_path: Path,
    database_url: str,
    request: pytest.FixtureRequest,
    sells_on: bool,
) -> None:
    """The server is restored from a real older copy of its database: its feed head and its
    receive numbers are behind the till's. The till notices, sends again what the server no
    longer has, starts a new snapshot, and drops what the server no longer holds; the server
    never answers 422 or 500, and every sale is on it once (invariant 2, D-SYNC-2)."""
    server, config = live
    backup = tmp_path / "backup"
    client = SyncClient(tmp_path / "till.db", config)
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        fill(store, 40)
        settle_all(client, store)
        if database_url.startswith("sqlite"):
            src, dst = (
                sqlite3.connect(server.db_url.removeprefix("sqlite:///")),
                sqlite3.connect(backup),
            )
            try:
                src.backup(dst)
            finally:
                src.close()
                dst.close()
        else:
            request.getfixturevalue("postgres").dump(server.db_url, backup)
        for i in range(40):
            sell(store, 20 + i % 5, f"a{i % HOLDERS}", f"C{i % HOLDERS}")
        server.admin("PUT", "/v1/admin/products/late", json=_product("Spätes Menü"))
        settle_all(client, store)
        assert any(p.product_id == "late" for p in store.products())
        server.process.terminate()
        server.process.wait(timeout=10)
        if database_url.startswith("sqlite"):
            path = Path(server.db_url.removeprefix("sqlite:///"))
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            path.write_bytes(backup.read_bytes())
        else:
            request.getfixturevalue("postgres").restore(backup, server.db_url)
        restored = start(server.db_url, tmp_path / "server-restored.log")
        client.session.close()
        again = SyncClient(
            tmp_path / "till.db", ServerConfig(restored.url, config.till_id, config.credential)
        )
        try:
            # Selling on, its next push finds the server's gap; only pulling, the feed's
            # `forgot` alone must bring the lost sales back.
            for i in range(10 if sells_on else 0):
                sell(store, 30 + i, f"a{i % HOLDERS}", f"C{i % HOLDERS}")
            settle_all(again, store)
            assert_exactly_once(restored, store)
            assert store.quarantined() == []
            assert not any(p.product_id == "late" for p in store.products())  # it is gone
            statuses = statuses_in(tmp_path / "server-restored.log")
            assert statuses
            assert statuses <= {200, 204}
        finally:
            again.session.close()
            restored.process.terminate()
            restored.process.wait(timeout=10)


def _product(name: str) -> dict[str, Any]:
    from tests.terminal.till_scheme import UNIT

    return {
        "unit_id": UNIT.unit_id,
        "name": name,
        "category": "Mains",
        "prices": {"student": 300, "staff": 400, "guest": 500},
        "vat_rate_bp": 700,
    }


def server_entries(server: Server) -> list[str]:
    db = Database(server.db_url)
    try:
        with db.transaction(write=False) as tx:
            return [
                row[0]
                for row in tx.all("SELECT entry_id FROM journal_ingest WHERE till_id = 'till-1'")
            ]
    finally:
        db.close()


@pytest.mark.parametrize("re_enrolled", [True, False], ids=["re-enrolled", "same-credential"])
def test_a_store_lost_and_made_afresh_starts_a_new_series(
    live: tuple[Server, ServerConfig], tmp_path: Path, re_enrolled: bool
) -> None:
    """The till's disk is replaced: a new, empty store (the till enrolled again, or with its
    old server.json kept). It numbers in a series of its own, so nothing is "seq already
    taken"; the server holds both stores' sales, each once."""
    server, config = live
    first = tmp_path / "first.db"
    client = SyncClient(first, config)
    with Store.open(first, till_id="till-1") as store:
        fill(store, 30)
        settle_all(client, store)
        old_ids = {e.entry_id for e in store.journal()}
        old_series = store.series()
    client.session.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{first}{suffix}").unlink(missing_ok=True)
    if re_enrolled:
        code = server.admin(
            "POST", "/v1/admin/tills", json={"till_id": "till-1", "unit_id": "mensa-nord"}
        ).json()["enrolment_code"]
        config = enrol(server.url, code)
    second = tmp_path / "second.db"
    client = SyncClient(second, config)
    try:
        with Store.open(second, till_id="till-1") as store:
            settle_all(client, store)  # the first sync fills the new store's cache
            assert store.series() != old_series
            for i in range(30):
                sell(store, 15 + i % 4, f"a{i % HOLDERS}", f"C{i % HOLDERS}")
            settle_all(client, store)
            assert store.quarantined() == []
            new_ids = {e.entry_id for e in store.journal()}
            on_server = server_entries(server)
            assert sorted(on_server) == sorted(old_ids | new_ids)
            assert server.admin("GET", "/v1/admin/refusals").json() == []
            for n in range(HOLDERS):
                snap = store.lookup(f"C{n}", DAY)
                assert snap is not None
                balance = server.admin("GET", f"/v1/admin/accounts/a{n}").json()["balance"]
                assert snap.balance == balance
    finally:
        client.session.close()


def test_a_proxy_claiming_more_than_was_pushed_marks_nothing_sent(
    live: tuple[Server, ServerConfig], tmp_path: Path
) -> None:
    """A tampering proxy inflates the receive number in every feed page far beyond what the
    till pushed, adds results for entry ids it made up, and loses half the push answers: no
    entry leaves the till's outbox on that word (only on an acknowledgement of its id), and
    once the proxy is gone every sale is on the server once and the balances agree."""
    server, config = live
    answers = {"n": 0}

    def tamper(method: str, path: str, status: int, body: bytes) -> bytes | None:
        if path.endswith("/journal"):
            answers["n"] += 1
            return None if answers["n"] % 2 else body
        if path.endswith("/changes") and status == 200:
            page = json.loads(body)
            forged = [{"id": str(_uuid7()), "seq": 1, "status": "accepted", "recv_no": 1}]
            page["last_recv"] = page["last_recv"] + 10**6
            page["results"] = page["results"] + forged
            return json.dumps(page).encode()
        return body

    proxy = RewritingProxy(server.url, tamper)
    client = SyncClient(
        tmp_path / "till.db", ServerConfig(proxy.url, config.till_id, config.credential)
    )
    try:
        with Store.open(tmp_path / "till.db", till_id="till-1") as store:
            fill(store, 0)
            for round_ in range(30):
                for i in range(3):
                    sell(store, 11 + i, f"a{(round_ + i) % HOLDERS}", f"C{(round_ + i) % HOLDERS}")
                for call in (client.push_once, client.pull_once):
                    with contextlib.suppress(SyncError):
                        call(store)
                held = set(server_entries(server))
                pending = {e.entry_id for e in store.outbox_pending(10_000)}
                left = {e.entry_id for e in store.journal()} - pending
                assert left <= held  # settled on the till means held by the server
            honest = SyncClient(tmp_path / "till.db", config)
            try:
                settle_all(honest, store)
                assert_exactly_once(server, store)
            finally:
                honest.session.close()
    finally:
        client.session.close()
        proxy.close()
    assert answers["n"] > 10


def _uuid7() -> Any:
    from uuid import UUID

    from sync.ids import new_id

    return UUID(new_id())


def test_unreadable_feed_items_are_skipped_reported_and_the_rest_applied(
    live: tuple[Server, ServerConfig], tmp_path: Path
) -> None:
    """A feed page with an item of a kind the till does not know, one with a balance beyond
    64 bits, a cardholder without a name, and a product with a field of a newer server: the
    till skips the three it cannot read, applies the product (ignoring the field) and every
    other change, shows the count in its status, and reports them to the server; a later
    readable change of the same account clears it."""
    server, config = live
    injected = {"done": False}

    def add_items(method: str, path: str, status: int, body: bytes) -> bytes | None:
        if not path.endswith("/changes") or status != 200 or injected["done"]:
            return body
        page = json.loads(body)
        if not page["changes"] or page["more"]:
            return body
        injected["done"] = True
        seq = page["changes"][-1]["seq"]
        page["changes"] += [
            {"seq": seq, "kind": "voucher", "key": "v1", "data": {"value": 500}},
            {
                "seq": seq,
                "kind": "account",
                "key": "a1",
                "data": {
                    "account_id": "a1",
                    "cardholder_id": "h1",
                    "currency": "EUR",
                    "balance": 2**70,
                    "price_level": "student",
                },
            },
            {"seq": seq, "kind": "cardholder", "key": "h2", "data": {"cardholder_id": "h2"}},
            {
                "seq": seq,
                "kind": "product",
                "key": "soup",
                "data": {
                    "product_id": "soup",
                    "name": "Suppe",
                    "category": "Mains",
                    "prices": {"student": 150, "staff": 200, "guest": 250},
                    "vat_rate_bp": 700,
                    "allergens": ["celery"],
                },
            },
        ]
        return json.dumps(page).encode()

    proxy = RewritingProxy(server.url, add_items)
    client = SyncClient(
        tmp_path / "till.db", ServerConfig(proxy.url, config.till_id, config.credential)
    )
    try:
        with Store.open(tmp_path / "till.db", till_id="till-1") as store:
            while client.pull_once(store):
                pass
            server.admin("POST", "/v1/admin/deposits", json={"card_id": "C0", "amount": 300})
            client.pull_once(store, wait=5)
            assert injected["done"]
            assert store.skipped_changes() == 3
            assert any(p.product_id == "soup" for p in store.products())
            snap = store.lookup("C0", DAY)
            assert snap is not None
            assert snap.balance == 10300  # the rest of the feed went on
            a1 = store.lookup("C1", DAY)
            assert a1 is not None
            assert a1.balance == 10000  # the unreadable balance was not applied
            reports = server.admin("GET", "/v1/admin/reports").json()
            assert {(r["kind"], r["skipped"]) for r in reports} == {
                ("voucher", True),
                ("account", True),
                ("cardholder", True),
                ("product", False),
            }
            server.admin("POST", "/v1/admin/deposits", json={"card_id": "C1", "amount": 100})
            client.pull_once(store, wait=5)
            assert store.skipped_changes() == 2  # account a1 read again, in a newer change
    finally:
        client.session.close()
        proxy.close()


def test_a_photo_that_fails_to_download_is_fetched_again_until_it_arrives(
    live: tuple[Server, ServerConfig], tmp_path: Path
) -> None:
    """D-CARD-4: the photo's bytes arrive corrupted twice, then its answer is lost: nothing
    wrong is stored, and the till tries again with backoff until the right bytes arrive."""
    import requests

    from demo.portraits import generate_portrait
    from tests.server.live import ADMIN

    server, config = live
    data = generate_portrait(3, "H3")
    reply = requests.put(
        f"{server.url}/v1/admin/cardholders/h3/photo",
        data=data,
        headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "image/png"},
        timeout=10,
    )
    assert reply.status_code == 200
    sha = reply.json()["sha256"]
    seen = {"n": 0}

    def break_photos(method: str, path: str, status: int, body: bytes) -> bytes | None:
        if not path.startswith("/v1/photos/"):
            return body
        seen["n"] += 1
        if seen["n"] <= 2:
            return body[:-10] + b"0123456789"  # flipped bytes: not the content's address
        if seen["n"] == 3:
            return None
        return body

    proxy = RewritingProxy(server.url, break_photos)
    client = SyncClient(
        tmp_path / "till.db",
        ServerConfig(proxy.url, config.till_id, config.credential),
        photo_retry_s=0.05,
    )
    try:
        with Store.open(tmp_path / "till.db", till_id="till-1") as store:
            while client.pull_once(store):
                pass
            for _ in range(200):
                if store.photo(sha) is not None:
                    break
                client.fetch_photos(store)
                time.sleep(0.05)
            assert store.photo(sha) == data
            assert seen["n"] == 4
    finally:
        client.session.close()
        proxy.close()


def _trickler(at_once: bytes, trickled: bytes) -> tuple[socket.socket, threading.Event]:
    """A TCP server that answers every request with `at_once`, then `trickled` one byte at a
    time, 0.2 s apart."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                try:
                    conn.sendall(at_once)
                    for byte in trickled:
                        if stop.wait(0.2):
                            return
                        conn.sendall(bytes([byte]))
                except OSError:
                    continue

    threading.Thread(target=serve, daemon=True).start()
    return listener, stop


@pytest.mark.parametrize("where", ["status line", "body"])
def test_a_trickling_server_cannot_hang_the_pull(tmp_path: Path, where: str) -> None:
    """A server (or proxy) that sends a byte every 0.2 s never trips a per-read timeout: the
    pull's overall deadline cuts it off, and the till stays offline and selling."""
    body = json.dumps({"changes": [], "cursor": "0", "more": False}).encode() + b" " * 500
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(
        body
    )
    if where == "body":
        listener, stop = _trickler(head, body)
    else:
        listener, stop = _trickler(b"", head + body)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    client = SyncClient(
        tmp_path / "till.db", ServerConfig(url, "till-1", "till-1.x"), deadline_s=1.5
    )
    outcome: list[BaseException | None] = []

    def pull() -> None:
        with Store.open(tmp_path / "till.db", till_id="till-1") as store:
            try:
                client.pull_once(store)
                outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)

    worker = threading.Thread(target=pull, daemon=True)
    worker.start()
    worker.join(timeout=60)  # a generous bound: the trickle alone would take minutes
    stop.set()
    listener.close()
    client.session.close()
    assert not worker.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], Unreachable)
    assert "cut off" in str(outcome[0])
    assert not client.is_online()


def test_series_ids_are_fresh_per_store(tmp_path: Path) -> None:
    """Each new store starts a series of its own (a UUIDv7), never the shared NIL series."""
    from uuid import UUID

    from sync.protocol import NIL_SERIES

    names = set()
    for n in range(3):
        with Store.open(tmp_path / f"s{n}.db", till_id="till-1") as store:
            names.add(UUID(store.series()))
    assert len(names) == 3
    assert all(name.version == 7 and name != NIL_SERIES for name in names)


def test_a_till_store_restored_from_an_older_copy_of_itself_loses_no_new_sale(
    live: tuple[Server, ServerConfig], tmp_path: Path
) -> None:
    """The till PC is put back from last week's disk image: its store is an older copy of
    itself, and its new sales take seqs the server already has for the sales made since the
    copy. Those new sales are not refused as "seq taken": they travel on in a recovery series
    of their own, and every sale ever confirmed, before and after, is on the server once."""
    server, config = live
    path = tmp_path / "till.db"
    client = SyncClient(path, config)
    try:
        with Store.open(path, till_id="till-1") as store:
            fill(store, 30)
            settle_all(client, store)
        image = tmp_path / "image.db"
        src, dst = sqlite3.connect(path), sqlite3.connect(image)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        with Store.open(path, till_id="till-1") as store:
            for i in range(30):
                sell(store, 40 + i % 3, f"a{i % HOLDERS}", f"C{i % HOLDERS}")
            settle_all(client, store)
            lost_with_the_disk = {e.entry_id for e in store.journal()}
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.write_bytes(image.read_bytes())
        with Store.open(path, till_id="till-1") as store:
            for i in range(20):
                sell(store, 60 + i % 4, f"a{i % HOLDERS}", f"C{i % HOLDERS}")
            settle_all(client, store)
            assert store.quarantined() == []
            assert store.outbox_wire() == []
            db = Database(server.db_url)
            try:
                with db.transaction(write=False) as tx:
                    used = tx.all("SELECT series FROM till_series WHERE till_id = 'till-1'")
            finally:
                db.close()
            assert len(used) == 2  # the store's own series, and the recovery series
            confirmed = lost_with_the_disk | {e.entry_id for e in store.journal()}
            held = server_entries(server)
            assert len(held) == len(set(held))
            assert set(held) == confirmed
            assert server.admin("GET", "/v1/admin/refusals").json() == []
            for n in range(HOLDERS):
                snap = store.lookup(f"C{n}", DAY)
                assert snap is not None
                balance = server.admin("GET", f"/v1/admin/accounts/a{n}").json()["balance"]
                assert snap.balance == balance
    finally:
        client.session.close()


def test_an_upgraded_till_and_server_catch_up_on_results_stored_before_numbers(
    tmp_path: Path,
) -> None:
    """Data from before receive numbers: the server's stored results have none, the till's
    settled entries have none. The feed lists the results with their numbers from the
    column, the till takes them, and it catches up in a few pages instead of being sent the
    same 2,000 results again and again (issue 8, upgrade path)."""
    from datetime import UTC, datetime

    from server import admin, tills
    from server.feed import read_page
    from server.ingest import ingest
    from server.migrations import migrate
    from sync.protocol import EntryIn
    from tests.server.direct import apply
    from tests.terminal.till_scheme import UNIT

    db = Database(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(db)
    admin.add_unit(db, UNIT)
    for n in range(HOLDERS):
        admin.add_cardholder(
            db,
            cardholder_id=f"h{n}",
            name=f"H{n}",
            account_id=f"a{n}",
            card_id=f"C{n}",
            currency="EUR",
        )
        admin.deposit(db, f"C{n}", 10000)
    tills.add_till(db, "till-1", UNIT.unit_id)
    now = datetime.now(UTC)
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        fill(store, 2500)
        series = __import__("uuid").UUID(store.series())
        entries = [EntryIn.from_entry(e, series=series) for e in store.outbox_pending(10_000)]
        for start_at in range(0, len(entries), 500):
            ingest(db, "till-1", entries[start_at : start_at + 500])
        store.mark_applied(e.entry_id for e in store.journal())  # settled before numbers
        with db.transaction() as tx:  # results as migration 0005 left them: no numbers
            for entry_id, result in tx.all("SELECT entry_id, result FROM journal_ingest"):
                bare = json.loads(result)
                bare.pop("recv_no", None)
                tx.execute(
                    "UPDATE journal_ingest SET result = ? WHERE entry_id = ?",
                    (json.dumps(bare), entry_id),
                )
        assert store.known_recv() == 0
        pages = 0
        more = True
        while more:
            pages += 1
            assert pages < 20, "the feed keeps sending the same results"
            since = store.feed_cursor()
            page = read_page(
                db,
                "till-1",
                since,
                known_recv=store.known_recv(),
                after_recv=store.results_after(),
                series=[store.series()],
            )
            more = apply(store, page, since, now)
        assert store.known_recv() == 2500
        for n in range(HOLDERS):
            snap = store.lookup(f"C{n}", DAY)
            assert snap is not None
            assert snap.balance == admin.account_balance(db, f"a{n}")
    db.close()
