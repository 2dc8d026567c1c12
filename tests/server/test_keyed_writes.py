"""Pushes of different tills run side by side on PostgreSQL (`Database.transaction(keyed=
True)`): what must stay exact when they do, on a real PostgreSQL with writers at once.

- a feed reader never moves its cursor past a change that commits later (the feed's lock);
- balances and receive numbers stay exact when tills push on the same accounts at once;
- an entry id two tills send at once is taken once, the other answered as a conflict.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from uuid import UUID

import pytest

from server import admin, tills
from server.db import Database
from server.ingest import push
from server.migrations import migrate
from sync.ids import new_id
from tests.server.holders import add_holders
from tests.server.postgres import Cluster
from tests.server.test_ingest_rules import sale
from tests.terminal.till_scheme import UNIT

TILLS = 8


@pytest.fixture
def db(postgres: Cluster) -> Iterator[Database]:
    """Tills t0.. of one unit; accounts a0.. (cards C0..) holding 100,00 EUR each."""
    database = Database(postgres.new_database())
    migrate(database)
    admin.add_unit(database, UNIT)
    add_holders(database, range(TILLS), deposit=10_000)
    for n in range(TILLS):
        tills.add_till(database, f"t{n}", UNIT.unit_id)
    database.open_pool(TILLS + 2)
    yield database
    database.close()


def at_once(work: list[Callable[[], None]]) -> None:
    """Run each in a thread of its own, started together; re-raise the first failure."""
    failures: list[BaseException] = []
    start = threading.Barrier(len(work))

    def run(job: Callable[[], None]) -> None:
        start.wait()
        try:
            job()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]


def head(db: Database) -> int:
    with db.transaction(write=False) as tx:
        return int(tx.scalar("SELECT COALESCE(MAX(seq), 0) FROM changes"))


def test_a_feed_reader_never_skips_a_change_of_concurrent_pushes(db: Database) -> None:
    """Each till pushes sales on an account of its own (nothing to wait for but the feed's
    lock) while a reader reads the feed as a till does: the changes after its cursor, and
    its cursor moved to the highest it read. Every change ever committed must be read: a
    seq committed after a higher one was read would be skipped for good."""
    start = head(db)
    writing = threading.Event()
    read: list[int] = []

    def reader() -> None:
        cursor = start
        while True:
            last = not writing.is_set()
            with db.transaction(write=False) as tx:
                seqs = [r[0] for r in tx.all("SELECT seq FROM changes WHERE seq > ?", (cursor,))]
            read.extend(seqs)
            cursor = max([cursor, *seqs])
            if last:
                return

    def till(n: int) -> Callable[[], None]:
        def sell() -> None:
            series = UUID(new_id())
            for seq in range(1, 41):
                got = push(
                    db, f"t{n}", [sale(seq=seq, series=series, account=f"a{n}", card=f"C{n}")]
                )
                assert [r.status for r in got.results] == ["accepted"]

        return sell

    writing.set()
    feed = threading.Thread(target=reader)
    feed.start()
    try:
        at_once([till(n) for n in range(TILLS)])
    finally:
        writing.clear()
        feed.join()
    with db.transaction(write=False) as tx:
        committed = [r[0] for r in tx.all("SELECT seq FROM changes WHERE seq > ?", (start,))]
    assert len(committed) == TILLS * 40
    assert sorted(read) == sorted(committed), "the reader skipped a change for good"


def test_tills_pushing_on_the_same_accounts_at_once_keep_balances_exact(db: Database) -> None:
    """Four tills sell on the same two accounts at once: every sale booked once, each
    till's receive numbers without a gap, each balance exactly what was sold."""
    per_till = 25

    def till(n: int) -> Callable[[], None]:
        def sell() -> None:
            series = UUID(new_id())
            for seq in range(1, per_till + 1):
                account = seq % 2
                entry = sale(100, seq=seq, series=series, account=f"a{account}", card=f"C{account}")
                got = push(db, f"t{n}", [entry])
                assert [(r.status, r.recv_no) for r in got.results] == [("accepted", seq)]

        return sell

    at_once([till(n) for n in range(4)])
    sold = {"a0": 0, "a1": 0}
    for seq in range(1, per_till + 1):
        sold[f"a{seq % 2}"] += 4 * 100
    assert admin.account_balance(db, "a0") == 10_000 - sold["a0"]
    assert admin.account_balance(db, "a1") == 10_000 - sold["a1"]


def test_one_entry_id_from_two_tills_at_once_is_taken_once(db: Database) -> None:
    """The same id sent by two tills at the same moment (a store copied to another till):
    one is accepted, the other answered as a conflict; nothing fails. (The ids of a till's
    own entries are its own; an entry sent again travels on the same till's lock.)"""
    for _ in range(10):
        entry_id = new_id()
        answers: dict[int, str] = {}

        def till(
            n: int, entry_id: str = entry_id, answers: dict[int, str] = answers
        ) -> Callable[[], None]:
            def sell() -> None:
                # Each on an account of its own: nothing makes one push wait for the other
                # before their inserts of the one id meet.
                series = UUID(new_id())
                entry = sale(seq=1, series=series, entry_id=entry_id, account=f"a{n}", card=f"C{n}")
                answers[n] = push(db, f"t{n}", [entry]).results[0].status

            return sell

        at_once([till(1), till(2)])
        assert sorted(answers.values()) == ["accepted", "conflict"]
