"""The sync client sends a supervisor's sold-out marks (issue 10 item 3): each once in effect,
whatever is lost on the way, and one the server refuses for good is kept with its reason."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.client import ServerConfig, SyncClient, Unreachable
from sync.store import Store
from tests.server.live import Server
from tests.terminal.till_scheme import NOW, UNIT

PASTA = {
    "unit_id": UNIT.unit_id,
    "name": "Pasta-Bar",
    "category": "Mains",
    "prices": {"student": 290, "staff": 390, "guest": 490},
    "vat_rate_bp": 700,
}


@pytest.fixture
def till(server: Server, tmp_path: Path) -> Iterator[tuple[Store, SyncClient, ServerConfig]]:
    server.put_unit()
    for product in ("pasta", "soup"):
        answer = server.admin("PUT", f"/v1/admin/products/{product}", json=PASTA)
        assert answer.status_code == 204
    config = server.enrol_till("till-1")
    client = SyncClient(tmp_path / "till.db", config)
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        while client.pull_once(store):
            pass
        yield store, client, config
    client.session.close()


def second_till(server: Server, path: Path) -> dict[str, bool]:
    """What another till of the unit shows after reading the feed: product id -> sold out."""
    client = SyncClient(path, server.enrol_till("till-2"))
    try:
        with Store.open(path, till_id="till-2") as store:
            while client.pull_once(store):
                pass
            return {p.product_id: p.sold_out for p in store.products()}
    finally:
        client.session.close()


def test_a_mark_is_sent_once_and_reaches_the_other_tills(
    till: tuple[Store, SyncClient, ServerConfig], server: Server, tmp_path: Path
) -> None:
    store, client, _ = till
    store.mark_sold_out("pasta", True, marked_at=NOW)
    assert client.push_marks(store) == 1
    assert store.pending_marks() == []
    assert client.push_marks(store) == 0  # nothing left to send
    assert second_till(server, tmp_path / "till-2.db") == {"pasta": True, "soup": False}
    while client.pull_once(store):
        pass
    assert next(p for p in store.products() if p.product_id == "pasta").sold_out


def test_a_mark_whose_answer_was_lost_changes_nothing_when_sent_again(
    till: tuple[Store, SyncClient, ServerConfig], server: Server, tmp_path: Path
) -> None:
    """Idempotent by the mark's id (D-PAY-5): the back office put the product back on sale
    after the mark arrived; the same mark again (the till never saw the answer) leaves it."""
    store, client, _ = till
    mark_id = store.mark_sold_out("pasta", True, marked_at=NOW)
    assert client.push_marks(store) == 1
    back = server.admin("PUT", "/v1/admin/products/pasta/sold-out", json={"sold_out": False})
    assert back.status_code == 204
    with sqlite3.connect(store.path) as conn:  # as if the till had died before noting it
        conn.execute("UPDATE sold_out_marks SET sent_at = NULL WHERE mark_id = ?", (mark_id,))
    assert [m.mark_id for m in store.pending_marks()] == [mark_id]
    assert client.push_marks(store) == 1
    assert store.pending_marks() == []
    assert second_till(server, tmp_path / "till-2.db") == {"pasta": False, "soup": False}


def test_a_mark_the_server_refuses_for_good_is_kept_with_its_reason_and_not_sent_again(
    till: tuple[Store, SyncClient, ServerConfig], server: Server
) -> None:
    store, client, _ = till
    mark_id = store.mark_sold_out("pasta", True, marked_at=NOW)
    store.mark_sold_out("soup", True, marked_at=NOW)
    assert server.admin("DELETE", "/v1/admin/products/pasta").status_code == 204
    assert client.push_marks(store) == 1  # soup; pasta is no longer on the menu
    assert store.pending_marks() == []
    with sqlite3.connect(store.path) as conn:
        (problem,) = conn.execute(
            "SELECT problem FROM sold_out_marks WHERE mark_id = ?", (mark_id,)
        ).fetchone()
    assert "404" in problem
    assert "unknown product pasta" in problem


def test_a_mark_made_offline_waits_and_goes_when_the_server_answers(
    till: tuple[Store, SyncClient, ServerConfig], server: Server, tmp_path: Path
) -> None:
    """D-SYNC-2: offline, the mark stays queued; it is sent when the server is back."""
    store, client, config = till
    offline = SyncClient(
        Path(store.path),
        ServerConfig("http://127.0.0.1:9", config.till_id, config.credential),
        deadline_s=2.0,
    )
    store.mark_sold_out("soup", True, marked_at=NOW)
    with pytest.raises(Unreachable):
        offline.push_marks(store)
    offline.session.close()
    assert [m.product_id for m in store.pending_marks()] == ["soup"]
    assert client.push_marks(store) == 1
    assert second_till(server, tmp_path / "till-2.db") == {"pasta": False, "soup": True}
