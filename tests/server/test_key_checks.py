"""The two keys every ingested entry names, a ledger row's ledger account and a journal row's
till, are checked once a statement on PostgreSQL (migration 0013: triggers over the
statement's new rows) and by SQLite's own foreign keys: either way a row naming what does not
exist is refused with nothing kept, and what rows name is neither deleted nor renamed. The
ledger explains every cent only if every row's account exists.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from server import admin, tills
from server.db import Database
from server.migrations import migrate
from sync.ids import new_id
from tests.server.postgres import Cluster
from tests.terminal.till_scheme import UNIT

LEDGER = "INSERT INTO ledger (txn_id, ledger_account, amount, created_at, source) VALUES "


@pytest.fixture
def db(database_url: str) -> Database:
    db = Database(database_url)
    migrate(db)
    admin.add_unit(db, UNIT)
    tills.add_till(db, "till-1", UNIT.unit_id)
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO ledger_accounts (ledger_account, kind, currency) VALUES"
            " ('card:a1', 'cardholder', 'EUR'), ('revenue:x:EUR', 'revenue', 'EUR'),"
            " ('card:unused', 'cardholder', 'EUR')"
        )
    return db


def ledger_rows(names: list[str]) -> tuple[str, list[Any]]:
    txn = new_id()
    values = ", ".join("(?, ?, 1, '2026-12-04T10:00:00+00:00', 'test')" for _ in names)
    return LEDGER + values, [v for name in names for v in (txn, name)]


def journal_row(till: str) -> tuple[str, tuple[Any, ...]]:
    return (
        "INSERT INTO journal_ingest (entry_id, till_id, series, seq, recv_no, content_hash,"
        " kind, result, received_at) VALUES (?, ?, 's', 1, 1, 'h', 'sale', '{}', 'now')",
        (new_id(), till),
    )


def refused(db: Database, write: Any) -> BaseException:
    """`write(tx)` fails as a foreign key fails, and leaves nothing behind."""
    before = counts(db)
    with pytest.raises((sqlite3.IntegrityError, psycopg.Error)) as caught, db.transaction() as tx:
        write(tx)
    assert counts(db) == before
    error = caught.value
    if isinstance(error, psycopg.Error):
        assert error.sqlstate == "23503", error  # what a foreign key answers
    else:
        assert "FOREIGN KEY" in str(error), error
    return error


def counts(db: Database) -> tuple[int, ...]:
    with db.transaction(write=False) as tx:
        return tuple(
            int(tx.scalar(f"SELECT count(*) FROM {t}"))
            for t in ("ledger", "ledger_accounts", "journal_ingest", "tills")
        )


def test_rows_naming_what_does_not_exist_are_refused(db: Database) -> None:
    sql, params = ledger_rows(["card:a1", "revenue:x:EUR"])
    with db.transaction() as tx:
        tx.execute(sql, params)
    error = refused(db, lambda tx: tx.execute(*ledger_rows(["card:a1", "card:nobody"])))
    if isinstance(error, psycopg.Error):
        assert "card:nobody" in str(error)
    many = [("card:a1" if n != 57 else "card:nobody") for n in range(200)]
    refused(db, lambda tx: tx.insert_many("ledger", COLUMNS, rows(many)))  # a COPY
    refused(db, lambda tx: tx.execute(*journal_row("till-9")))
    refused(
        db,
        lambda tx: tx.execute(
            "UPDATE ledger SET ledger_account = 'card:nobody' WHERE ledger_account = 'card:a1'"
        ),
    )
    with db.transaction() as tx:
        tx.execute(*journal_row("till-1"))  # what exists is taken
    assert counts(db)[2] == 1


COLUMNS = ("txn_id", "ledger_account", "amount", "created_at", "source")


def rows(names: list[str]) -> list[tuple[Any, ...]]:
    txn = new_id()
    return [(txn, name, 1, "2026-12-04T10:00:00+00:00", "test") for name in names]


def test_what_rows_name_is_neither_deleted_nor_renamed(db: Database) -> None:
    with db.transaction() as tx:
        tx.execute(*ledger_rows(["card:a1", "revenue:x:EUR"]))
        tx.execute(*journal_row("till-1"))
    refused(
        db, lambda tx: tx.execute("DELETE FROM ledger_accounts WHERE ledger_account = 'card:a1'")
    )
    refused(
        db,
        lambda tx: tx.execute(
            "UPDATE ledger_accounts SET ledger_account = 'card:a2' WHERE ledger_account = 'card:a1'"
        ),
    )
    refused(db, lambda tx: tx.execute("DELETE FROM tills WHERE till_id = 'till-1'"))
    refused(db, lambda tx: tx.execute("UPDATE tills SET till_id = 'till-x'"))
    refused(db, lambda tx: tx.execute("DELETE FROM ledger_accounts"))
    if db.dialect == "postgresql":  # no row trigger fires on a TRUNCATE, nor its CASCADE
        refused(db, lambda tx: tx.execute("TRUNCATE tills CASCADE"))  # the key's tables go
        refused(db, lambda tx: tx.execute("TRUNCATE ledger_accounts CASCADE"))
    with db.transaction() as tx:  # what no row names may go; a row may change otherwise
        tx.execute("UPDATE ledger_accounts SET kind = kind WHERE ledger_account = 'card:a1'")
        tx.execute("DELETE FROM ledger_accounts WHERE ledger_account = 'card:unused'")
    assert counts(db)[1] == 2


@pytest.fixture
def pg(postgres: Cluster) -> Iterator[Database]:
    database = Database(postgres.new_database())
    migrate(database)
    admin.add_unit(database, UNIT)
    tills.add_till(database, "till-2", UNIT.unit_id)
    database.open_pool(3)
    yield database
    database.close()


def test_a_delete_waits_for_the_rows_being_written_and_then_finds_them(pg: Database) -> None:
    """PostgreSQL: the statement's check locks the till as a foreign key's would. A delete of
    it (on a connection of its own, no lock of the server's between them) while rows naming
    it are uncommitted waits for their transaction, and is then refused."""
    outcome: list[BaseException | None] = []
    with psycopg.connect(pg.url) as writer, psycopg.connect(pg.url, autocommit=True) as other:
        sql, params = journal_row("till-2")
        writer.execute(sql.replace("?", "%s"), params)  # its transaction stays open

        def delete() -> None:
            try:
                other.execute("DELETE FROM tills WHERE till_id = 'till-2'")
                outcome.append(None)
            except psycopg.Error as exc:
                outcome.append(exc)

        deleter = threading.Thread(target=delete)
        deleter.start()
        time.sleep(0.5)
        assert outcome == [], "the delete did not wait for the rows being written"
        writer.commit()
        deleter.join(20)
    assert len(outcome) == 1
    error = outcome[0]
    assert isinstance(error, psycopg.Error), error
    assert error.sqlstate == "23503", error
    assert counts(pg)[2:] == (1, 1)
