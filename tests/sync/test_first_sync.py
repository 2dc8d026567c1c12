"""A new till's first sync of a large scheme (issue 11 item 4): pages are applied one by one
in short transactions, so the till taps and sells while the snapshot loads; pages travel
gzipped when the till accepts it, and a page that unpacks past the limit is refused."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from bench import population
from server.db import Database
from sync import limits
from sync.client import SyncClient
from sync.errors import BadReply
from sync.http import call, deadline_session
from sync.store import Store
from tests.server.live import Server
from tests.terminal.till_scheme import TODAY, sell

HOLDERS = 12_000  # three pages of cardholders, accounts and cards: the snapshot takes several


def _scheme(server: Server, holders: int = HOLDERS) -> None:
    db = Database(server.db_url)
    try:
        population.build_server(db, holders)
    finally:
        db.close()


def test_a_sale_commits_while_the_snapshot_loads(server: Server, tmp_path: Path) -> None:
    _scheme(server)
    config = server.enrol_till("till-1")
    client = SyncClient(tmp_path / "till.db", config)
    first_page, sold = threading.Event(), threading.Event()
    pages: list[int] = []
    failed: list[BaseException] = []

    def pull() -> None:
        try:
            with Store.open(tmp_path / "till.db", till_id="till-1") as store:
                more = client.pull_once(store, photos=False)
                pages.append(1)
                first_page.set()
                # Hold the rest of the snapshot until the till has sold: the sale must not
                # need the snapshot to finish (a store held for the whole load would time out).
                assert sold.wait(60)
                while more:
                    more = client.pull_once(store, photos=False)
                    pages.append(1)
        except BaseException as exc:
            failed.append(exc)
            first_page.set()

    puller = threading.Thread(target=pull)
    puller.start()
    card, account = population.card_id(0), "bench-a0"
    with Store.open(tmp_path / "till.db", till_id="till-1") as till:
        assert first_page.wait(60)
        assert not failed, failed
        tapped = till.lookup(card, TODAY)  # the first page brought cardholder 0
        assert tapped is not None
        loading = till.cardholders()
        assert 0 < len(loading) < population.visible_at_mensa(HOLDERS)["cardholders"]
        committed = sell(till, 350, account=account, card=card, offline=True)
        sold.set()
        puller.join(120)
        assert not puller.is_alive()
        assert not failed, failed
        assert len(pages) > 2  # the sale came between pages of one snapshot
        held = population.visible_at_mensa(HOLDERS)
        assert len(till.cardholders()) == held["cardholders"]
        server_balance = server.admin("GET", f"/v1/admin/accounts/{account}").json()["balance"]
        after = till.lookup(card, TODAY)
        assert after is not None
        assert after.balance == server_balance - 350  # the sale, pending, on the snapshot's
        assert [e.entry_id for e, _, _ in till.outbox_wire(10)] == [
            e.entry_id for e in committed.entries
        ]
    client.session.close()


def test_pages_travel_gzipped_and_unpack_to_the_same_page(server: Server) -> None:
    _scheme(server, 2000)  # more than a page
    config = server.enrol_till("till-1")
    url = f"{server.url}/v1/tills/till-1/changes"
    auth = {"Authorization": f"Bearer {config.credential}"}
    packed = requests.get(url, headers={**auth, "Accept-Encoding": "gzip"}, stream=True)
    wire = packed.raw.read(decode_content=False)
    assert packed.headers["Content-Encoding"] == "gzip"
    plain = requests.get(url, headers={**auth, "Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(wire) == plain.content
    assert len(wire) * 4 < len(plain.content)
    assert plain.json()["more"] is True
    assert 0 < len(plain.json()["changes"]) <= limits.MAX_PAGE_ITEMS


class _Bomb(BaseHTTPRequestHandler):
    """A feed page that is 64 KiB on the wire and 64 MiB unpacked."""

    body = gzip.compress(b" " * (64 << 20), 9)

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bomb() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Bomb)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/changes"
    httpd.shutdown()
    httpd.server_close()


def test_a_page_that_unpacks_past_the_limit_is_refused(bomb: str) -> None:
    """The limit is on what the page unpacks to, checked while it unpacks: a small gzip that
    unpacks to more than MAX_PAGE_BYTES is refused, not unpacked into memory."""
    assert len(_Bomb.body) < limits.MAX_PAGE_BYTES // 100
    session = deadline_session()
    with pytest.raises(BadReply, match="unpacks to more than"):
        call(session, "GET", bomb, deadline_s=30, max_bytes=limits.MAX_PAGE_BYTES)
    session.close()
