"""Invariant 3, as a property over random interleavings (issue 3 item 7):

displayed balance = server balance + this till's entries the server has not applied yet,
counting what the till cannot know yet (central deposits since its last feed read). It never
counts a sale twice, whether the push's answer arrives, is lost, or is overtaken by the feed,
and it converges to the server's value when all is delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

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
from server.feed import read_page
from server.ingest import ingest
from server.migrations import migrate
from sync.client import _records
from sync.protocol import EntryIn
from sync.store import Store
from tests.terminal.till_scheme import UNIT, sell

ACCOUNTS = ["a1", "a2"]
DAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)


class TillAndServer(RuleBasedStateMachine):
    # A fresh server database for each example: an SQLite file, or a new PostgreSQL database.
    new_database: Callable[[Path], str] = staticmethod(lambda root: f"sqlite:///{root / 's.db'}")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = TemporaryDirectory()
        root = Path(self.tmp.name)
        self.db = Database(self.new_database(root))
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
        self.store = Store.open(root / "till.db", till_id="till-1")
        self.unseen = dict.fromkeys(ACCOUNTS, 0)  # deposits made after the till's last feed read
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

    @precondition(lambda self: self.store.outbox_stats().count > 0)
    @rule(answer_lost=st.booleans(), limit=st.integers(1, 5))
    def push(self, answer_lost: bool, limit: int) -> None:
        pending = self.store.outbox_pending(limit)
        ack = ingest(self.db, "till-1", [EntryIn.from_entry(e) for e in pending])
        if not answer_lost:
            self.store.settle(ack.applied_seq, [])

    @rule()
    def deliver(self) -> None:
        more = True
        while more:
            page = read_page(
                self.db,
                "till-1",
                self.store.sync_cursor(),
                after_seq=self.store.server_applied_seq(),
            )
            self.store.apply_changes(
                cursor=page.cursor, applied_seq=page.applied_seq, synced_at=NOW, **_records(page)
            )
            more = page.more
        self.unseen = dict.fromkeys(ACCOUNTS, 0)

    @rule(account=st.sampled_from(ACCOUNTS), amount=st.integers(1, 3000))
    def central_deposit(self, account: str, amount: int) -> None:
        try:
            admin.deposit(self.db, f"C{ACCOUNTS.index(account) + 1}", amount)
        except admin.AdminError:
            return  # over the cap: refused, nothing moved
        self.unseen[account] += amount

    # -- what must always hold ----------------------------------------------------------------
    def server_applied(self) -> set[str]:
        with self.db.transaction(write=False) as tx:
            return {
                row[0]
                for row in tx.all("SELECT entry_id FROM journal_ingest WHERE till_id = 'till-1'")
            }

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

    @invariant()
    def nothing_lost_nothing_twice(self) -> None:
        applied = self.server_applied()
        journal = {e.entry_id for e in self.store.journal()}
        assert applied <= journal
        assert admin.ledger_is_balanced(self.db)

    def converged(self) -> None:
        """When everything is pushed (with answers) and delivered, the till shows the server."""
        while self.store.outbox_stats().count:
            self.push(answer_lost=False, limit=500)
        self.deliver()
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
    """Over SQLite and over a real PostgreSQL: the server's reads and writes differ."""

    class Machine(ConvergingMachine):
        pass

    if kind == "postgresql":
        cluster = request.getfixturevalue("postgres")
        Machine.new_database = staticmethod(lambda _root: cluster.new_database())
    run_state_machine_as_test(
        Machine, settings=settings(max_examples=40, stateful_step_count=25, deadline=None)
    )
