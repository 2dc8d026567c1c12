"""Invariants 2 and 3 as properties over random interleavings (issue 3 item 7, issue 8 item 2):

displayed balance = server balance + this till's entries the server does not hold, counting
what the till cannot know yet (central deposits since its last feed read). It never counts a
sale twice, whether the push's answer arrives, is lost, is overtaken by the feed, or the feed
page is older than the answer; an entry leaves the outbox only when the server holds it; a
server restored from an older backup gets back what it forgot; and when all is delivered the
till shows the server's balance and every sale is on the server once.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from uuid import UUID

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from server import admin, tills
from server.db import Database
from server.errors import ServerError
from server.feed import read_page
from server.ingest import ingest
from server.migrations import migrate
from sync.protocol import ChangePage, EntryIn, JournalBatch
from sync.store import Store
from tests.server.direct import apply
from tests.terminal.till_scheme import UNIT, sell

ACCOUNTS = ["a1", "a2"]
DAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
EXAMPLES = int(os.environ.get("BALANCE_EXAMPLES", "40"))  # `make soak` runs more


class TillAndServer(RuleBasedStateMachine):
    # A fresh server database for each example: an SQLite file, or a new PostgreSQL database.
    new_database: Callable[[Path], str] = staticmethod(lambda root: f"sqlite:///{root / 's.db'}")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = TemporaryDirectory()
        self.root = Path(self.tmp.name)
        self.url = self.new_database(self.root)
        self.db = Database(self.url)
        migrate(self.db)
        admin.add_unit(self.db, UNIT)
        for n, account in enumerate(ACCOUNTS, 1):
            admin.add_cardholder(
                self.db,
                cardholder_id=f"h{n}",
                name=f"H{n}",
                account_id=account,
                card_id=f"C{n}",
                currency="EUR",
            )
            admin.deposit(self.db, f"C{n}", 5000)
        tills.add_till(self.db, "till-1", UNIT.unit_id)
        self.store = Store.open(self.root / "till.db", till_id="till-1")
        self.unseen = dict.fromkeys(ACCOUNTS, 0)  # deposits made after the till's last feed read
        self.backup: Path | None = None
        # The server was restored and the till has not read its feed since: what it shows
        # may hold what the server lost (deposits after the backup) until it does.
        self.stale = False
        self.deliver()

    def teardown(self) -> None:
        self.store.close()
        self.db.close()
        self.tmp.cleanup()

    # -- what can happen ----------------------------------------------------------------------
    @rule(account=st.sampled_from(ACCOUNTS), amount=st.integers(1, 900))
    def sale(self, account: str, amount: int) -> None:
        card = f"C{ACCOUNTS.index(account) + 1}"
        sell(self.store, amount, account, card)

    def _batch(self, limit: int) -> JournalBatch:
        series = self.store.series()
        pending = self.store.outbox_pending(limit)
        entries = [EntryIn.from_entry(e, series=UUID(series)) for e in pending]
        return JournalBatch(entries=entries, known_recv=self.store.known_recv())

    @precondition(lambda self: self.store.outbox_stats().count > 0)
    @rule(answer_lost=st.booleans(), limit=st.integers(1, 5))
    def push(self, answer_lost: bool, limit: int) -> None:
        batch = self._batch(limit)
        ack = ingest(self.db, "till-1", list(batch.entries), known_recv=batch.known_recv)
        if not answer_lost:
            self.store.settle(ack.results, last_recv=ack.last_recv, forgot=ack.forgot)

    def _page(self) -> ChangePage:
        return read_page(
            self.db,
            "till-1",
            self.store.feed_cursor(),
            known_recv=self.store.known_recv(),
            after_recv=self.store.results_after(),
            series=[self.store.series()],
        )

    def _apply(self, page: ChangePage, since: str) -> bool:
        return apply(self.store, page, since, NOW)

    @rule()
    def deliver(self) -> None:
        more = True
        while more:
            since = self.store.feed_cursor()
            page = self._page()
            more = self._apply(page, since)
        self.unseen = dict.fromkeys(ACCOUNTS, 0)
        self.stale = False

    @precondition(lambda self: self.store.outbox_stats().count > 0)
    @rule(limit=st.integers(1, 5))
    def page_overtaken_by_the_answer(self, limit: int) -> None:
        """A page read before a push is applied after the push's answer."""
        since = self.store.feed_cursor()
        page = self._page()
        self.push(answer_lost=False, limit=limit)
        self._apply(page, since)
        if not page.more:
            self.unseen = dict.fromkeys(ACCOUNTS, 0)

    @rule(extra=st.integers(1, 10**6))
    def proxy_inflates_the_receive_number(self, extra: int) -> None:
        """A tampering proxy says the server received more than it did: nothing unsent may
        leave the outbox on that word. (What it shows may be wrong until an honest page comes:
        a proxy that rewrites pages can rewrite balances too; TLS is the defence there.)"""
        since = self.store.feed_cursor()
        page = self._page()
        page = page.model_copy(update={"last_recv": page.last_recv + extra})
        self._apply(page, since)
        self.stale = True

    @rule(account=st.sampled_from(ACCOUNTS), amount=st.integers(1, 3000))
    def central_deposit(self, account: str, amount: int) -> None:
        try:
            admin.deposit(self.db, f"C{ACCOUNTS.index(account) + 1}", amount)
        except ServerError:
            return  # over the cap: refused, nothing moved
        self.unseen[account] += amount

    @precondition(lambda self: self.url.startswith("sqlite"))
    @rule()
    def take_backup(self) -> None:
        self.backup = self.root / "backup.db"
        self.backup.unlink(missing_ok=True)
        src, dst = sqlite3.connect(self._server_file()), sqlite3.connect(self.backup)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()

    @precondition(lambda self: self.backup is not None)
    @rule()
    def restore_backup(self) -> None:
        """The operator restores the server from the older backup (a new server process)."""
        assert self.backup is not None
        self.db.close()
        target = self._server_file()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.backup, target)
        self.db = Database(self.url)
        self.stale = True

    def _server_file(self) -> Path:
        return Path(self.url.removeprefix("sqlite:///"))

    # -- what must always hold ----------------------------------------------------------------
    def server_applied(self) -> set[str]:
        with self.db.transaction(write=False) as tx:
            return {
                row[0]
                for row in tx.all("SELECT entry_id FROM journal_ingest WHERE till_id = 'till-1'")
            }

    @precondition(lambda self: not self.stale)
    @invariant()
    def displayed_is_server_plus_unapplied(self) -> None:
        applied = self.server_applied()
        for n, account in enumerate(ACCOUNTS, 1):
            snap = self.store.lookup(f"C{n}", DAY)
            assert snap is not None
            not_on_server = sum(
                e.amount
                for e in self.store.journal()
                if e.account_id == account and e.entry_id not in applied
            )
            server = admin.account_balance(self.db, account)
            assert snap.balance + self.unseen[account] == server + not_on_server

    @precondition(lambda self: not self.stale)
    @invariant()
    def only_what_the_server_holds_left_the_outbox(self) -> None:
        applied = self.server_applied()
        pending = {e.entry_id for e in self.store.outbox_pending(10_000)}
        journal = {e.entry_id for e in self.store.journal()}
        assert journal - pending <= applied  # sent and settled: the server has it
        assert applied <= journal
        assert admin.ledger_is_sound(self.db)

    def converged(self) -> None:
        """When everything is pushed (with answers) and delivered, the till shows the server,
        and every sale is on the server once."""
        self.deliver()
        while self.store.outbox_stats().count:
            self.push(answer_lost=False, limit=500)
        self.deliver()
        applied = self.server_applied()
        assert applied == {e.entry_id for e in self.store.journal()}
        for n, account in enumerate(ACCOUNTS, 1):
            snap = self.store.lookup(f"C{n}", DAY)
            assert snap is not None
            assert snap.balance == admin.account_balance(self.db, account)
            assert snap.pending_delta == 0


class ConvergingMachine(TillAndServer):
    def teardown(self) -> None:
        try:
            self.converged()
        finally:
            super().teardown()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_balance_invariant(kind: str, request: pytest.FixtureRequest) -> None:
    """Over SQLite (with backups restored) and over a real PostgreSQL."""

    class Machine(ConvergingMachine):
        pass

    if kind == "postgresql":
        cluster = request.getfixturevalue("postgres")
        Machine.new_database = staticmethod(lambda _root: cluster.new_database())
    run_state_machine_as_test(
        Machine, settings=settings(max_examples=EXAMPLES, stateful_step_count=25, deadline=None)
    )
