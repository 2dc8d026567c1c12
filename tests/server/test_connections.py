"""The server keeps its database connections: a pool on PostgreSQL, idle connections on
SQLite; a session holds one connection for several transactions; a transaction inside
another of the same database is refused (it would hold two connections at once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server import admin, tills
from server.db import ACCOUNT_KEY, TILL_KEY, Database, NotGuarded, Tx
from server.migrations import migrate
from tests.server.postgres import Cluster
from tests.terminal.till_scheme import UNIT


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


def advisory_locks(db: Database) -> int:
    """The advisory locks any connection holds now."""
    with db.transaction(write=False) as tx:
        return int(tx.scalar("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'"))


def test_a_guarded_push_takes_its_locks_only_with_the_credential(db: Database) -> None:
    """A push on PostgreSQL checks its till's credential in the statement that takes its
    locks: with the wrong one it holds no lock, writes nothing, and gives its connection
    back (a session keeps its own); SQLite has no such begin, and refuses a guard."""
    admin.add_unit(db, UNIT)
    tills.add_till(db, "till-1", UNIT.unit_id)
    right = tills.credential_guard("till-1.the-secret")
    wrong = tills.credential_guard("till-1.a-guess")
    assert right is not None
    assert wrong is not None
    keys = [(TILL_KEY, "till-1"), (ACCOUNT_KEY, "a1")]
    if db.dialect == "sqlite":
        with pytest.raises(ValueError, match="guard"), db.transaction(keyed=True, guard=right):
            pass
        return
    with db.transaction() as tx:
        tx.execute("UPDATE tills SET credential_hash = ? WHERE till_id = ?", (right[1], "till-1"))
    for _ in range(3):  # more than the pool's two connections: each refusal gave its own back
        with pytest.raises(NotGuarded), db.transaction(keyed=True, keys=keys, guard=wrong):
            raise AssertionError("a refused guard runs nothing")
        assert advisory_locks(db) == 0
    with db.session() as held:
        with pytest.raises(NotGuarded), held.transaction(keyed=True, keys=keys, guard=wrong):
            pass
        with held.transaction(keyed=True, keys=keys, guard=right) as tx:
            # the write lock (shared) and the till's and the account's
            assert tx.scalar("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'") == 3
            tx.execute("UPDATE tills SET last_recv = 7 WHERE till_id = ?", ("till-1",))
    with db.transaction(write=False) as tx:
        assert tx.scalar("SELECT last_recv FROM tills WHERE till_id = 'till-1'") == 7
    assert advisory_locks(db) == 0


@pytest.fixture
def one_connection(postgres: Cluster) -> Iterator[Database]:
    """A PostgreSQL database whose pool keeps one connection (SQLite connections are the
    process's own files: nothing ends them)."""
    database = Database(postgres.new_database())
    migrate(database)
    database.open_pool(1)
    yield database
    database.close()


def end_the_pooled_connection(db: Database) -> int:
    """The database ends the connection the pool keeps (an administrator, a restart, a
    failover); its backend's pid."""
    import psycopg

    with db.transaction(write=False) as tx:
        pid = int(tx.scalar("SELECT pg_backend_pid()"))
    with psycopg.connect(db.url, autocommit=True) as admin_conn:
        admin_conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
    return pid


def test_a_connection_the_database_ended_is_replaced(one_connection: Database) -> None:
    """A pooled connection the database ended since it was last used: the next lone read
    and the next transaction each run on a fresh one, their statement sent again."""
    db = one_connection
    ended = end_the_pooled_connection(db)
    with db.lone() as tx:
        assert tx.scalar("SELECT pg_backend_pid()") != ended
    ended = end_the_pooled_connection(db)
    with db.transaction() as tx:
        assert tx.scalar("SELECT pg_backend_pid()") != ended


def test_an_ended_connection_is_given_back_once_when_no_fresh_one_comes(
    one_connection: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database ended the pooled connection and the pool has no fresh one to give (the
    database is down): the read fails with the pool's error, and the ended connection goes
    back to the pool once (a second time would corrupt the pool's count)."""
    from psycopg_pool import PoolTimeout

    db = one_connection
    end_the_pooled_connection(db)
    given: list[int] = []
    give = db._give

    def recorded(conn: object) -> None:
        given.append(id(conn))
        give(conn)

    monkeypatch.setattr(db, "_give", recorded)
    real_getconn = db._pool.getconn
    calls = iter([real_getconn, None])

    def getconn(*args: object, **kwargs: object) -> object:
        take = next(calls)
        if take is None:
            raise PoolTimeout("no connection: the database is down")
        return take(*args, **kwargs)

    monkeypatch.setattr(db._pool, "getconn", getconn)
    with pytest.raises(PoolTimeout), db.lone() as tx:
        tx.scalar("SELECT 1")
    assert len(given) == len(set(given)) == 1
    monkeypatch.undo()  # the pool closes with its own getconn
