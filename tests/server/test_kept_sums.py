"""The sums the database keeps beside the ledger and the journal (migration 0011): each
card's balance, each account's spending and autoloads per business day. A push reads them
instead of summing the account's whole history; they must be the rows' sums whatever wrote
the rows (a push of one entry or of many, a COPY, the back office), and the audit must name
any that is not (D-SYNC-1 balances, D-UNIT-3 daily limit, D-AUTO-4 once a day).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from server import admin, catalogue, cli, migrations, tills
from server.db import COPY_FROM, Database
from server.ingest import ingest
from server.migrations import migrate
from sync.ids import new_id
from sync.protocol import EntryIn
from sync.records import AutoloadAgreement
from tests.server.holders import add_holders
from tests.server.test_checks import LINE
from tests.terminal.till_scheme import UNIT

NOW = datetime.now(UTC).replace(microsecond=0)  # agreements are versioned in real time
DAY = NOW.astimezone(ZoneInfo(UNIT.timezone)).date()
TODAY, TOMORROW = DAY.isoformat(), (DAY + timedelta(days=1)).isoformat()


@pytest.fixture
def db(database_url: str) -> Database:
    db = Database(database_url)
    migrate(db)
    admin.add_unit(db, UNIT)
    add_holders(db, range(3), deposit=10_000)
    tills.add_till(db, "till-1", UNIT.unit_id)
    return db


class Till:
    def __init__(self) -> None:
        self.series, self.seq = UUID(new_id()), 0

    def entry(
        self, kind: str, account: int, amount: int, body: dict[str, Any], day: date = DAY
    ) -> EntryIn:
        self.seq += 1
        return EntryIn(
            id=UUID(new_id()),
            series=self.series,
            seq=self.seq,
            kind=kind,  # type: ignore[arg-type]
            created_at=NOW,
            business_day=day,
            account_id=f"a{account}",
            card_id=f"C{account}",
            amount=amount,
            currency="EUR",
            receipt_no=self.seq,
            body=body,
        )

    def sale(self, account: int, price: int = 350, day: date = DAY) -> EntryIn:
        line = {**LINE, "unit_price": price}
        return self.entry("sale", account, -price, {"lines": [line], "total": price}, day)


def kept(db: Database) -> tuple[dict[str, int], dict[tuple[str, str], tuple[int, int]]]:
    with db.transaction(write=False) as tx:
        balances = {str(r[0]): int(r[1]) for r in tx.all("SELECT * FROM card_balances")}
        days = {
            (str(r[0]), str(r[1])): (int(r[2]), int(r[3]))
            for r in tx.all("SELECT account_id, business_day, spent, autoloads FROM account_days")
        }
    return balances, days


def test_kept_sums_follow_every_writer(db: Database) -> None:
    """D-SYNC-1, D-UNIT-3: single pushes, a batch large enough to go as COPY, a void, a
    top-up, a sale of another day and a central deposit: the kept sums are the rows' sums."""
    till = Till()
    first = till.sale(0)
    assert ingest(db, "till-1", [first]).results[0].status == "accepted"
    void = till.entry("void", 0, 350, {"voids": str(first.id), "lines": [LINE]})
    assert ingest(db, "till-1", [void]).results[0].status == "accepted"
    many = [till.sale(n % 3, 100 + n) for n in range(COPY_FROM + 10)]
    results = ingest(db, "till-1", many).results
    assert {r.status for r in results} == {"accepted"}
    other_day = till.sale(1, 200, DAY + timedelta(days=1))
    topup = till.entry("topup", 2, 1000, {"tender": "cash"})
    ingest(db, "till-1", [other_day, topup])
    admin.deposit(db, "C2", 300)
    balances, days = kept(db)
    spent = {n: sum(100 + k for k in range(len(many)) if k % 3 == n) for n in range(3)}
    assert balances == {
        "card:a0": 10_000 - spent[0],
        "card:a1": 10_000 - spent[1] - 200,
        "card:a2": 10_000 - spent[2] + 1000 + 300,
    }
    assert days == {
        ("a0", TODAY): (spent[0], 0),  # the sale and its void: no spending
        ("a1", TODAY): (spent[1], 0),
        ("a1", TOMORROW): (200, 0),
        ("a2", TODAY): (spent[2], 0),  # a top-up is no spending
    }
    assert admin.ledger_faults(db) == []
    assert admin.account_balance(db, "a2") == balances["card:a2"]


def test_a_refused_entry_keeps_no_sum(db: Database) -> None:
    """An entry refused for good is received but not booked: no balance, no spending."""
    till = Till()
    before = kept(db)
    wrong_currency = till.sale(0).model_copy(update={"currency": "DKK"})
    assert ingest(db, "till-1", [wrong_currency]).results[0].status == "refused"
    assert kept(db) == before


def test_autoloads_are_counted_per_day(db: Database) -> None:
    """D-AUTO-4: the day's autoloads are kept, as the once-a-day check reads them."""
    agreement = AutoloadAgreement("a0", 500, 2000, DAY - timedelta(days=30))
    catalogue.set_agreement(db, agreement, at=NOW - timedelta(days=1))
    till = Till()
    load = till.entry("autoload", 0, 2000, {"consent": True})
    assert ingest(db, "till-1", [load]).results[0].status == "accepted"
    assert kept(db)[1][("a0", TODAY)] == (0, 1)
    assert admin.ledger_faults(db) == []


def test_the_audit_names_a_sum_that_is_not_its_rows(db: Database, capsys: Any) -> None:
    """Tampering with a kept sum, or with a ledger row behind the database's back, is named
    by `canteen-server admin audit`, which then exits 1."""
    till = Till()
    ingest(db, "till-1", [till.sale(0), till.sale(1)])
    assert cli.main(["--db", db.url, "admin", "audit"]) == 0
    assert capsys.readouterr().out.strip() == "ledger audit: sound"
    with db.transaction() as tx:
        tx.execute(
            "UPDATE card_balances SET balance = balance + 1 WHERE ledger_account = 'card:a0'"
        )
        tx.execute("UPDATE account_days SET spent = 0 WHERE account_id = 'a1'")
        tx.execute("UPDATE ledger SET amount = amount - 5 WHERE ledger_account = 'card:a2'")
    faults = admin.ledger_faults(db)
    assert any(f.startswith("card:a0: balance kept 9651, its rows sum to 9650") for f in faults)
    assert any(
        f.startswith(f"account a1 on {TODAY}: spending and autoloads kept (0, 0)") for f in faults
    )
    assert any("sums to -5, not 0" in f for f in faults)  # the deposit's transaction
    assert any(f.startswith("card:a2: balance kept 10000, its rows sum to 9995") for f in faults)
    assert not admin.ledger_is_sound(db)
    assert cli.main(["--db", db.url, "admin", "audit"]) == 1
    out = capsys.readouterr().out
    assert "card:a0: balance kept 9651" in out
    assert out.strip().endswith("ledger audit: 4 faults")


def test_the_migration_sums_what_was_there(
    database_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    """A database kept before 0011 gets its sums from its rows when it is migrated."""
    before = [m for m in migrations.MIGRATIONS if m[0] < "0011"]
    monkeypatch.setattr(migrations, "MIGRATIONS", before)
    db = Database(database_url)
    migrate(db)
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO ledger_accounts VALUES ('card:a0', 'cardholder', 'EUR'),"
            " ('card:a1', 'cardholder', 'EUR'), ('revenue:mensa:EUR', 'revenue', 'EUR')"
        )
        rows = [
            *(("t1", "card:a0", -350), ("t1", "revenue:mensa:EUR", 350)),
            *(("t2", "card:a0", -200), ("t2", "revenue:mensa:EUR", 200)),
            *(("t3", "card:a1", 900), ("t3", "revenue:mensa:EUR", -900)),
        ]
        for txn, account, amount in rows:
            tx.execute(
                "INSERT INTO ledger (txn_id, ledger_account, amount, created_at, source)"
                " VALUES (?, ?, ?, ?, 'test')",
                (txn, account, amount, NOW.isoformat()),
            )
        tx.execute(
            "INSERT INTO units (unit_id, name, unit_type, timezone, currency,"
            " seller_name, address, vat_number) VALUES ('mensa', 'M', 'mensa',"
            " 'Europe/Berlin', 'EUR', 'S', 'A', 'V')"
        )
        tx.execute("INSERT INTO tills (till_id, unit_id) VALUES ('t', 'mensa')")
        entries: list[tuple[str, str | None, int, str]] = [
            ("sale", "a0", -350, "2026-12-01"),
            ("sale", "a0", -200, "2026-12-01"),
            ("void", "a0", 200, "2026-12-01"),
            ("autoload", "a0", 2000, "2026-12-02"),
            ("topup", "a1", 900, "2026-12-02"),
            ("sale", None, -100, "2026-12-02"),  # refused: no account kept
        ]
        for n, (kind, holder, amount, day) in enumerate(entries):
            tx.execute(
                "INSERT INTO journal_ingest (entry_id, till_id, series, seq, recv_no,"
                " content_hash, kind, result, received_at, account_id, amount, business_day)"
                " VALUES (?, 't', 's', ?, ?, 'h', ?, '{}', 'now', ?, ?, ?)",
                (f"e{n}", n + 1, n + 1, kind, holder, amount, day),
            )
    monkeypatch.undo()
    assert migrate(db)[0] == "0011_kept_sums"
    balances, days = kept(db)
    assert balances == {"card:a0": -550, "card:a1": 900}
    assert days == {
        ("a0", "2026-12-01"): (350, 0),
        ("a0", "2026-12-02"): (0, 1),
        ("a1", "2026-12-02"): (0, 0),
    }
