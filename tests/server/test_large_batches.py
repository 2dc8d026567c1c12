"""A batch of `COPY_FROM` entries or more has its journal rows streamed to the database as
its entries are judged (`server.ingest.ingest_in`, `Tx.streamed`): it must be answered and
stored exactly as the same entries are in small batches, whatever they hold (D-SYNC-2:
kept until the server has it; D-PAY-5: applied once by entry id), and an entry id another
till took while the batch was judged must still end as a conflict, not as an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from server import admin, ingest, tills
from server.db import COPY_FROM, Database
from server.migrations import migrate
from sync.protocol import EntryIn, EntryResult
from tests.server.holders import add_holders
from tests.server.postgres import Cluster
from tests.server.test_kept_sums import Till
from tests.terminal.till_scheme import UNIT


def scheme(db: Database) -> Database:
    migrate(db)
    admin.add_unit(db, UNIT)
    add_holders(db, range(3), deposit=10_000)
    for name in ("till-1", "till-2"):
        tills.add_till(db, name, UNIT.unit_id)
    return db


@pytest.fixture
def db(database_url: str) -> Database:
    return scheme(Database(database_url))


def mixed(till: Till, stored: EntryIn) -> list[EntryIn]:
    """Sales and, among them, a refusal, a void of a sale of the same batch, the replay of an
    entry stored before, an entry reusing its id with other content, and a gap at the end."""
    entries = [till.sale(n % 3, 100 + n) for n in range(COPY_FROM + 6)]
    entries[10] = entries[10].model_copy(update={"currency": "DKK"})  # refused
    sale = entries[5]
    void = till.entry(
        "void", voided_account(sale), 105, {"voids": str(sale.id), "lines": sale.body["lines"]}
    )
    till.seq -= 1  # the void takes the place of the 21st sale: its seq
    entries[20] = void.model_copy(update={"seq": entries[20].seq, "receipt_no": entries[20].seq})
    entries.append(stored)  # the same entry again: its first answer
    till.seq += 1
    entries.append(stored.model_copy(update={"amount": -1, "seq": till.seq}))  # its id: conflict
    gap = till.sale(0)
    entries.append(gap.model_copy(update={"seq": gap.seq + 3}))
    return entries


def voided_account(entry: EntryIn) -> int:
    assert entry.account_id is not None
    return int(entry.account_id[1:])


def stored_rows(db: Database, till_id: str) -> list[tuple[Any, ...]]:
    with db.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT entry_id, seq, recv_no, kind, result, account_id, amount, voided_by"
            " FROM journal_ingest WHERE till_id = ? ORDER BY recv_no",
            (till_id,),
        )
    return [tuple(r) for r in rows]


def test_a_large_batch_is_answered_and_stored_as_small_ones(db: Database) -> None:
    """D-SYNC-2, D-PAY-5: the same entries sent as one batch of `COPY_FROM` + 9 and as
    batches of one, by two tills with the same history: the same answers and the same rows
    (ids aside), and the ledger sound."""
    answers: dict[str, list[EntryResult]] = {}
    for till_id, sizes in (("till-1", None), ("till-2", 1)):
        till = Till()
        stored = till.sale(1, 999)
        assert ingest.ingest(db, till_id, [stored]).results[0].status == "accepted"
        entries = mixed(till, stored)
        if sizes is None:
            answers[till_id] = ingest.ingest(db, till_id, entries).results
        else:
            answers[till_id] = [ingest.ingest(db, till_id, [e]).results[0] for e in entries]
    large, small = answers["till-1"], answers["till-2"]
    statuses = [r.status for r in large]
    assert statuses.count("refused") == 1
    assert statuses.count("conflict") == 1
    assert statuses.count("gap") == 1
    assert sorted((r.seq, r.status, r.recv_no, r.flags) for r in large) == sorted(
        (r.seq, r.status, r.recv_no, r.flags) for r in small
    )
    one, two = stored_rows(db, "till-1"), stored_rows(db, "till-2")
    assert len(one) == len(two) == COPY_FROM + 6 + 1  # the stored one, then the batch's
    assert [r[1:4] + r[5:7] for r in one] == [r[1:4] + r[5:7] for r in two]
    voided = [r for r in one if r[7] is not None]
    assert len(voided) == 1  # the sale the batch's own void voided
    assert admin.ledger_faults(db) == []


@pytest.fixture
def pg(postgres: Cluster) -> Iterator[Database]:
    database = scheme(Database(postgres.new_database()))
    database.open_pool(4)
    yield database
    database.close()


def test_an_id_taken_meanwhile_ends_as_a_conflict(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another till's push commits an entry id after a large batch read what was taken and
    before its streamed rows reach the table: the COPY meets the key, the batch is rolled
    back and taken again, and then answers that entry as a conflict (PostgreSQL: SQLite's
    writers do not overlap)."""
    other = Till()
    taken = other.sale(0)
    assert ingest.push(pg, "till-2", [taken]).results[0].status == "accepted"
    till = Till()
    entries = [till.sale(n % 3) for n in range(COPY_FROM + 1)]
    till.seq += 1  # last: a conflict takes no seq, and what came after it would be a gap
    entries.append(taken.model_copy(update={"series": till.series, "seq": till.seq}))
    real = ingest.read_batch  # type: ignore[attr-defined]
    reads: list[Any] = []

    def as_before_the_other_push(*args: Any) -> Any:
        read = real(*args)
        if not reads:  # the first read: before the other push committed
            del read.seen[str(taken.id)]
        reads.append(read)
        return read

    monkeypatch.setattr(ingest, "read_batch", as_before_the_other_push)
    results = ingest.push(pg, "till-1", entries).results
    assert len(reads) == 2, "taken again after the COPY met the key"
    assert results[-1].status == "conflict"
    assert {r.status for r in results[:-1]} == {"accepted"}
    assert [r[1] for r in stored_rows(pg, "till-1")] == [e.seq for e in entries[:-1]]
    assert admin.ledger_faults(pg) == []
