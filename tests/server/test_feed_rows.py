"""A large feed page as rows (issue 11 item 4): a till that reads rows ends with the same store
as one that reads every item as a change, through a snapshot, a burst with a removal and a
stored row the wire refuses; a malformed row is skipped and reported on its own; a new till's
snapshot notes nothing to sweep, an older store's still sweeps."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import population
from server import admin, feed, tills
from server.db import Database
from server.feed import read_page_json
from sync.client import apply_page, read_envelope
from sync.records import Cardholder
from sync.store import Store
from tests.terminal.till_scheme import UNIT

HOLDERS = 1_200  # 3,900 items: pages of 1,500 go as rows
LIMIT = 1_500
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
TABLES = ("cardholders", "accounts", "cards", "autoload_agreements", "products", "policy")


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    population.build_server(db, HOLDERS)
    for till in ("plain", "rows"):
        tills.add_till(db, till, UNIT.unit_id)
    yield db
    db.close()


def pull(db: Database, store: Store, till: str, *, rows: bool) -> list[bytes]:
    """Every page to the feed's head as the sync client reads it; the bodies."""
    bodies, more = [], True
    while more:
        since = store.feed_cursor()
        body = read_page_json(
            db,
            till,
            since,
            known_recv=store.known_recv(),
            after_recv=store.results_after(),
            series=[store.series()],
            limit=LIMIT,
            rows=rows,
        ).body
        bodies.append(body)
        more = apply_page(store, read_envelope(body), since=since, synced_at=NOW)
    return bodies


def held(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


def test_rows_and_changes_make_the_same_store(db: Database, tmp_path: Path) -> None:
    with db.transaction() as tx:  # stored data the wire refuses: not sent either way
        tx.execute("UPDATE cardholders SET name = ? WHERE cardholder_id = ?", ("x\x01", "bench-h3"))
    with (
        Store.open(tmp_path / "plain.db", till_id="plain") as plain,
        Store.open(tmp_path / "rows.db", till_id="rows") as rows,
    ):
        assert not any(b'"rows":' in body for body in pull(db, plain, "plain", rows=False))
        bodies = pull(db, rows, "rows", rows=True)
        assert len(bodies) > 2
        assert all(b'"rows":' in body for body in bodies[:-1])
        assert held(tmp_path / "rows.db") == held(tmp_path / "plain.db")
        holders = {h.cardholder_id for h in rows.cardholders()}
        assert "bench-h3" not in holders
        assert "bench-h4" in holders
        assert len(holders) == population.visible_at_mensa(HOLDERS)["cardholders"] - 1
        # A burst of more than ROWS_FROM items: a removal (a cardholder now for the library
        # only), a blocked card, a deposit, and a thousand cards written again.
        admin.update_cardholder(db, "bench-h0", allowed_unit_types=["library"])
        admin.set_card_state(db, population.card_id(1), "blocked")
        admin.deposit(db, population.card_id(2), 700)
        with db.transaction() as tx:
            feed.emit_many(tx, "card", [population.card_id(i) for i in range(10, 1_110)])
        bodies = pull(db, rows, "rows", rows=True)
        assert b'"rows":' in bodies[0]
        assert b'"data":null' in bodies[0]
        pull(db, plain, "plain", rows=False)
        assert held(tmp_path / "rows.db") == held(tmp_path / "plain.db")
        assert rows.lookup(population.card_id(0), NOW.date()) is None
        tapped = rows.lookup(population.card_id(2), NOW.date())
        assert tapped is not None
        assert tapped.account.balance == admin.account_balance(db, "bench-a2")
        assert plain.feed_cursor() == rows.feed_cursor()


def test_a_malformed_row_is_skipped_and_reported_the_rest_applied(
    db: Database, tmp_path: Path
) -> None:
    body = read_page_json(db, "rows", "0", limit=LIMIT, rows=True).body
    page = json.loads(body)
    bad_card, bad_holder = page["rows"]["card"][0], page["rows"]["cardholder"][1]
    bad_card[3] = "lost"
    bad_holder[3] = "not a sha256"
    page["rows"]["voucher"] = [[7, "v-1", 100]]
    with Store.open(tmp_path / "till.db", till_id="rows") as store:
        apply_page(store, read_envelope(json.dumps(page).encode()), since="0", synced_at=NOW)
        problems = {(p.kind, p.key, p.seq): p for _, p in store.unreported_problems()}
        card = problems.pop(("card", bad_card[1], bad_card[0]))
        assert card.skipped
        assert "3" in card.problem
        assert "active" in card.problem
        holder = problems.pop(("cardholder", bad_holder[1], bad_holder[0]))
        assert holder.skipped
        assert "pattern" in holder.problem
        voucher = problems.pop(("voucher", "v-1", 7))
        assert "unknown kind" in voucher.problem
        assert problems == {}
        with sqlite3.connect(tmp_path / "till.db") as conn:
            cards = {r[0] for r in conn.execute("SELECT card_id FROM cards")}
            holders = {r[0] for r in conn.execute("SELECT cardholder_id FROM cardholders")}
        assert bad_card[1] not in cards
        assert len(cards) == len(page["rows"]["card"]) - 1
        assert bad_holder[1] not in holders
        assert len(holders) == len(page["rows"]["cardholder"]) - 1


def snapshot_state(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        (snapshot,) = conn.execute("SELECT snapshot FROM sync_state").fetchone()
        (seen,) = conn.execute("SELECT COUNT(*) FROM snapshot_seen").fetchone()
    return int(snapshot), int(seen)


def test_a_new_till_notes_nothing_an_older_store_still_sweeps(db: Database, tmp_path: Path) -> None:
    stale = Cardholder("stale", "Stale One", None, frozenset({"mensa"}))
    for name, fresh in (("new.db", True), ("old.db", False)):
        with Store.open(tmp_path / name, till_id="rows") as store:
            if not fresh:
                store.upsert_cardholders([stale])
            since = store.feed_cursor()
            body = read_page_json(db, "rows", since, limit=LIMIT, rows=True).body
            assert apply_page(store, read_envelope(body), since=since, synced_at=NOW)
            snapshot, seen = snapshot_state(tmp_path / name)
            assert (snapshot, seen > 0) == ((2, False) if fresh else (1, True))
            pull(db, store, "rows", rows=True)
            assert snapshot_state(tmp_path / name) == (0, 0)
            assert store.scheme_loaded()
            holders = {h.cardholder_id for h in store.cardholders()}
            assert "stale" not in holders
            assert len(holders) == population.visible_at_mensa(HOLDERS)["cardholders"]
