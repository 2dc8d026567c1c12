"""Restores on both sides at once, in process (issue 8 item 2; found by review): the till put
back from an image of its disk and the server from a backup, in the orders that once lost
sales or left a till counting one twice. After each: every sale on the server once, the
outbox drained, nothing quarantined, the till showing the server's balance."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

from server import admin, tills
from server.db import Database
from server.feed import read_page
from server.ingest import ingest
from server.migrations import migrate
from sync.client import apply_page
from sync.protocol import EntryIn, EntryResult, JournalAck, JournalBatch, PageEnvelope
from sync.store import Store
from tests.terminal.till_scheme import UNIT, sell

NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
DAY = date(2026, 11, 21)


def copy(src: Path, dst: Path) -> None:
    """A consistent copy of a live SQLite file, as a backup tool makes it."""
    dst.unlink(missing_ok=True)
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


def put_back(copy_of: Path, target: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy_of, target)


class Scheme:
    """A server database and one till store, synced in process the way the client does."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.server_file = root / "server.db"
        self.db = Database(f"sqlite:///{self.server_file}")
        migrate(self.db)
        admin.add_unit(self.db, UNIT)
        admin.add_cardholder(
            self.db, cardholder_id="h1", name="H1", account_id="a1", card_id="C1", currency="EUR"
        )
        admin.deposit(self.db, "C1", 10000)
        tills.add_till(self.db, "till-1", UNIT.unit_id)
        self.till_file = root / "till.db"
        self.store = Store.open(self.till_file, till_id="till-1")
        self.pull()

    def sell(self, count: int) -> None:
        for _ in range(count):
            sell(self.store, 10, "a1", "C1")

    def push(self, *, answer: bool = True) -> JournalAck | None:
        pending = self.store.outbox_wire(500)
        if not pending:
            return None
        entries = [
            EntryIn.from_entry(replace(e, seq=seq), series=UUID(series))
            for e, series, seq in pending
        ]
        batch = JournalBatch(entries=entries, known_recv=self.store.known_recv())
        ack = ingest(self.db, "till-1", list(batch.entries), known_recv=batch.known_recv)
        if answer:
            self.store.settle(ack.results, last_recv=ack.last_recv, forgot=ack.forgot)
        return ack

    def pull(self) -> None:
        for _ in range(50):
            since = self.store.feed_cursor()
            page = read_page(
                self.db,
                "till-1",
                since,
                known_recv=self.store.known_recv(),
                after_recv=self.store.results_after(),
                series=self.store.all_series(),
            )
            envelope = PageEnvelope.model_validate(page.model_dump(mode="json"))
            if not apply_page(self.store, envelope, since=since, synced_at=NOW):
                return
        raise AssertionError("the feed never settles")

    def drain(self) -> None:
        for _ in range(20):
            self.push()
            self.pull()
            if self.store.outbox_stats().count == 0:
                return
        raise AssertionError(f"the outbox never drains: {self.store.outbox_stats()}")

    def image_till(self, name: str) -> Path:
        path = self.root / name
        copy(self.till_file, path)
        return path

    def restore_till(self, image: Path) -> None:
        self.store.close()
        put_back(image, self.till_file)
        self.store = Store.open(self.till_file, till_id="till-1")

    def back_up_server(self, name: str) -> Path:
        path = self.root / name
        copy(self.server_file, path)
        return path

    def restore_server(self, backup: Path) -> None:
        self.db.close()
        put_back(backup, self.server_file)
        self.db = Database(f"sqlite:///{self.server_file}")

    def held(self) -> list[str]:
        with self.db.transaction(write=False) as tx:
            return [r[0] for r in tx.all("SELECT entry_id FROM journal_ingest")]

    def assert_settled(self, confirmed: set[str]) -> None:
        held = self.held()
        assert len(held) == len(set(held))  # nothing twice
        assert confirmed <= set(held)  # nothing lost
        assert self.store.outbox_stats().count == 0
        assert self.store.quarantined() == []
        snap = self.store.lookup("C1", DAY)
        assert snap is not None
        assert snap.balance == admin.account_balance(self.db, "a1")

    def close(self) -> None:
        self.store.close()
        self.db.close()


def journal(scheme: Scheme) -> set[str]:
    return {e.entry_id for e in scheme.store.journal()}


def test_a_server_restore_is_not_hidden_by_the_push_that_meets_it(tmp_path: Path) -> None:
    """Sales moved to a recovery series were received last; the server is then restored to
    before them. The next push carries new sales: it must not be taken (it would hand out the
    forgotten receive numbers again and hide the restore); the till puts the lost sales back
    and sends them."""
    s = Scheme(tmp_path)
    s.sell(3)
    s.drain()
    image = s.image_till("image.db")
    s.sell(2)
    s.drain()
    lost_copy = journal(s)
    backup = s.back_up_server("backup.db")
    s.restore_till(image)
    s.sell(2)  # their seqs are the lost copy's: moved to a recovery series, received
    s.drain()
    confirmed = lost_copy | journal(s)
    s.restore_server(backup)
    s.sell(2)
    ack = s.push()
    assert ack is not None
    assert ack.forgot
    assert ack.results == []  # nothing taken from a till that knows more than the server
    s.drain()
    s.assert_settled(confirmed | journal(s))
    s.close()


def test_a_gap_nobody_can_fill_moves_the_entry_on(tmp_path: Path) -> None:
    """The entry that would fill the server's gap moved to a recovery series on this till,
    and the server was restored to before its original: the entries after the gap travel on
    in the recovery series rather than wait for it forever."""
    s = Scheme(tmp_path)
    s.sell(5)
    s.drain()
    image = s.image_till("image.db")
    backup = s.back_up_server("backup.db")
    s.sell(1)
    s.drain()
    s.restore_till(image)
    s.sell(1)  # at the lost copy's seq: moved to a recovery series
    s.drain()
    s.restore_server(backup)
    s.sell(2)  # after a seq nobody holds any more
    s.drain()
    s.assert_settled(journal(s))
    s.close()


def test_an_entry_sent_again_under_another_seq_is_the_same_entry(tmp_path: Path) -> None:
    """The till restored twice: the second image holds a sale pending at its first seq while
    the server has it from the recovery series. Sent again, it is the same entry (by its id
    and what happened), answered as received: not a conflict, not counted twice."""
    s = Scheme(tmp_path)
    s.sell(5)
    s.drain()
    first = s.image_till("first.db")
    s.sell(1)
    s.drain()
    s.restore_till(first)
    s.sell(1)
    second = s.image_till("second.db")
    s.drain()
    s.restore_till(second)
    s.drain()
    s.assert_settled(journal(s))
    s.close()


def test_a_forged_seq_taken_costs_nothing_but_a_resend(tmp_path: Path) -> None:
    """A proxy turns an `accepted` into `seq_taken`: the till moves the entry on and sends it
    again; the server answers with the original result, and nothing is counted twice."""
    s = Scheme(tmp_path)
    s.sell(3)
    s.drain()
    s.sell(1)
    ack = s.push(answer=False)
    assert ack is not None
    forged = [
        EntryResult(id=r.id, seq=r.seq, status="seq_taken", detail="forged") for r in ack.results
    ]
    s.store.settle(forged, last_recv=ack.last_recv)
    s.drain()
    s.assert_settled(journal(s))
    s.close()
