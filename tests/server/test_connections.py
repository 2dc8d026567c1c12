"""The server keeps its database connections: a pool on PostgreSQL, idle connections on
SQLite; a session holds one connection for several transactions; a transaction inside
another of the same database is refused (it would hold two connections at once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.db import Database, Tx
from server.migrations import migrate


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    migrate(database)
    database.open_pool(2)
    yield database
    database.close()


def connection_of(tx: Tx) -> object:
    """Which connection a transaction runs on: PostgreSQL's backend, SQLite's object."""
    if tx.dialect == "postgresql":
        return tx.scalar("SELECT pg_backend_pid()")
    return id(tx._conn)


def test_transactions_reuse_kept_connections(db: Database) -> None:
    seen = set()
    for _ in range(20):
        with db.transaction(write=False) as tx:
            seen.add(connection_of(tx))
    assert len(seen) <= 2  # a pool of two, or SQLite's one idle connection taken again


def test_a_session_keeps_one_connection_for_its_transactions(db: Database) -> None:
    with db.session() as session:
        with session.transaction(write=False) as tx:
            first = connection_of(tx)
        with session.transaction() as tx:
            second = connection_of(tx)
            tx.execute("INSERT INTO _migrations VALUES (?, ?)", ("test-session", "now"))
        with session.transaction(write=False) as tx:
            third = connection_of(tx)
            assert tx.scalar("SELECT COUNT(*) FROM _migrations WHERE name = 'test-session'") == 1
    assert first == second == third


def test_a_transaction_inside_another_is_refused(db: Database) -> None:
    with (
        db.transaction(write=False),
        pytest.raises(RuntimeError, match="inside another"),
        db.transaction(write=False),
    ):
        pass
    with db.transaction(write=False) as tx:  # and the database is usable after it
        assert tx.scalar("SELECT 1") == 1


def test_a_write_is_on_disk_when_its_transaction_returns(db: Database) -> None:
    """A PostgreSQL write commits without waiting for the disk (its lock is free at once)
    and the flush that follows it in the same round trip waits for it: when the
    transaction returns, the WAL is on disk past everything the transaction wrote."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite commits with synchronous=FULL itself")
    for n in range(20):  # an unflushed commit would show within a few (the WAL writer is slow)
        with db.transaction() as tx:
            tx.execute("INSERT INTO _migrations VALUES (?, ?)", (f"test-durable-{n}", "now"))
            written = tx.scalar("SELECT pg_current_wal_insert_lsn()::text")
        with db.transaction(write=False) as tx:
            flushed = tx.scalar("SELECT pg_current_wal_flush_lsn() >= ?::pg_lsn", (written,))
        assert flushed, f"write {n} answered before its WAL was flushed"


@pytest.mark.parametrize("in_session", [False, True])
def test_a_pipeline_a_database_error_aborted_leaves_no_phantom_prepared_statement(
    db: Database, in_session: bool
) -> None:
    """psycopg prepares a statement on its sixth run; when that run is in a pipeline an
    earlier statement's error aborted, the server never prepared it, yet psycopg believes it
    did, and the connection's next run of it failed ('prepared statement "_pg3_N" does not
    exist': two tills pushing one entry id at once met it). The next transaction must work."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite prepares nothing across transactions")
    again = "SELECT pg_advisory_xact_lock(7399)"
    with db.session() as session:
        owner = session if in_session else db
        # A connection's first ROLLBACK clears psycopg's cache: one is spent first.
        with pytest.raises(Exception, match="division by zero"), owner.transaction() as tx:
            tx.execute("SELECT 1 / 0")
        for _ in range(5):  # run five times: the sixth run prepares it
            with owner.transaction() as tx:
                tx.execute(again)
        with pytest.raises(Exception, match="duplicate key"):
            aborted(owner, again)
        for _ in range(3):
            with owner.transaction() as tx:
                tx.execute(again)
                assert tx.scalar("SELECT COUNT(*) FROM _migrations WHERE name = 'twice'") == 0


def aborted(owner: Database, again: str) -> None:
    """A transaction whose pipeline meets a duplicate key before it runs `again`."""
    with owner.transaction() as tx:
        tx.execute("INSERT INTO _migrations VALUES (?, ?)", ("twice", "now"))
        with tx.pipeline():
            tx.execute("INSERT INTO _migrations VALUES (?, ?)", ("twice", "now"))
            tx.execute(again)
