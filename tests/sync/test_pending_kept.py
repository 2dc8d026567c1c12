"""Invariant 3 kept, not summed: the journal's triggers keep each account's unapplied figures
(balance delta, debits, arrears paid; spending and autoloads per business day) equal to the
sums over the journal they replace, whatever sequence of sales, top-ups, voids, arrears
payments, acknowledgements and roll-backs the till goes through (issue 11)."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.records import Account, Card, Cardholder, CardState, PriceLevel, SaleLine
from sync.store import AlreadyVoided, NotPayable, NotVoidable, Store

DAYS = (date(2026, 11, 20), date(2026, 11, 21))
NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)
ACCOUNTS = ("a1", "a2")
# The journal's columns as migration 0007 knew them (0010 added the outbox's).
JOURNAL = (
    "entry_id, seq, till_id, kind, created_at, business_day, account_id, card_id, amount,"
    " currency, receipt_no, body, reverses"
)

# The sums the lookup read before the figures were kept (the oracle).
SUMMED = """
SELECT COALESCE(SUM(j.amount), 0),
       COALESCE(SUM(CASE WHEN j.amount < 0 THEN -j.amount ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN j.business_day = :day
                          AND (j.kind = 'sale' OR (j.kind = 'void' AND j.amount > 0))
                         THEN -j.amount ELSE 0 END), 0),
       COUNT(CASE WHEN j.business_day = :day AND j.kind = 'autoload' THEN 1 END),
       COALESCE(SUM(CASE WHEN j.kind = 'arrears_payment'
                         THEN json_extract(j.body, '$.amount') ELSE 0 END), 0)
FROM journal j WHERE j.account_id = :account AND j.applied_at IS NULL
"""

step = st.one_of(
    st.tuples(st.just("sale"), st.sampled_from(ACCOUNTS), st.integers(1, 900), st.booleans()),
    st.tuples(st.just("topup"), st.sampled_from(ACCOUNTS), st.integers(100, 5000)),
    st.tuples(st.just("void")),
    st.tuples(st.just("arrears"), st.sampled_from(ACCOUNTS), st.integers(1, 300)),
    st.tuples(st.just("apply"), st.integers(0, 50)),
    st.tuples(st.just("unapply"), st.integers(0, 50)),
)


def seed(store: Store) -> None:
    store.upsert_cardholders([Cardholder("h", "Holder", None, frozenset({"mensa"}))])
    store.upsert_accounts(
        [Account(a, "h", "EUR", 50_000, PriceLevel.STUDENT, None, True, 1000) for a in ACCOUNTS]
    )
    store.upsert_cards([Card(f"C{a}", a, CardState.ACTIVE) for a in ACCOUNTS])


def run(store: Store, action: tuple[object, ...], n: int) -> None:
    kind, *args = action
    day = DAYS[n % 2]
    if kind == "sale":
        account, amount, autoload = args
        store.commit_sale(
            card_id=f"C{account}",
            account_id=str(account),
            currency="EUR",
            lines=[SaleLine("m", "Meal", "Mains", 1, int(amount), 700)],  # type: ignore[call-overload]
            price_level=PriceLevel.STUDENT,
            offline=False,
            autoload_amount=1000 if autoload else None,
            created_at=NOW,
            business_day=day,
        )
    elif kind == "topup":
        account, amount = args
        store.commit_topup(
            card_id=f"C{account}",
            account_id=str(account),
            currency="EUR",
            amount=int(amount),  # type: ignore[call-overload]
            tender="cash",
            created_at=NOW,
            business_day=day,
        )
    elif kind == "void":
        entry = store.last_voidable()
        if entry is not None:
            with contextlib.suppress(AlreadyVoided, NotVoidable):
                store.commit_void(entry_id=entry.entry_id, created_at=NOW, business_day=day)
    elif kind == "arrears":
        account, amount = args
        with contextlib.suppress(NotPayable):
            store.commit_arrears_payment(
                card_id=f"C{account}",
                account_id=str(account),
                currency="EUR",
                amount=int(amount),  # type: ignore[call-overload]
                tender="cash",
                created_at=NOW,
                business_day=day,
            )
    else:
        # The server acknowledged an entry, or (after a restore) no longer has it: the entry
        # moves in or out of the outbox as the sync code moves it.
        (pick,) = args
        conn = store.db.conn
        applied = kind == "apply"
        rows = conn.execute(
            "SELECT entry_id FROM journal WHERE (applied_at IS NULL) = ? ORDER BY entry_id",
            (applied,),
        ).fetchall()
        if rows:
            entry_id = rows[int(pick) % len(rows)][0]  # type: ignore[call-overload]
            with conn:
                conn.execute(
                    "UPDATE journal SET applied_at = ? WHERE entry_id = ?",
                    (NOW.isoformat() if applied else None, entry_id),
                )


def kept(store: Store, account: str, day: date) -> tuple[int, ...]:
    from sync.cache import _PENDING

    row = store.db.conn.execute(_PENDING, {"account": account, "day": day.isoformat()}).fetchone()
    return tuple(int(v) for v in row)


def summed(store: Store, account: str, day: date) -> tuple[int, ...]:
    row = store.db.conn.execute(SUMMED, {"account": account, "day": day.isoformat()}).fetchone()
    return tuple(int(v) for v in row)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, max_size=40))
def test_kept_pending_figures_equal_the_sums_after_any_sequence(
    actions: list[tuple[object, ...]],
) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        Store.open(Path(tmp) / "till.db", till_id="till-1") as store,
    ):
        seed(store)
        for n, action in enumerate(actions):
            run(store, action, n)
            for account in ACCOUNTS:
                for day in DAYS:
                    assert kept(store, account, day) == summed(store, account, day), action


def test_a_store_with_a_backlog_is_migrated_to_the_same_figures(tmp_path: Path) -> None:
    """A store from before the figures were kept (migration 0007), with unsent entries, gets
    them from its journal once, in migration 0008, and keeps them through 0009 and 0010."""
    import sqlite3

    from sync import migrations

    with Store.open(tmp_path / "made.db", till_id="till-1") as store:
        seed(store)
        for n, action in enumerate(
            [("sale", "a1", 350, True), ("topup", "a2", 1000), ("sale", "a1", 120, False)]
        ):
            run(store, action, n)
        run(store, ("apply", 1), 3)
        before = {(a, d): summed(store, a, d) for a in ACCOUNTS for d in DAYS}
        rows = store.db.conn.execute(f"SELECT {JOURNAL}, applied_at FROM journal").fetchall()
    assert before[("a1", DAYS[0])][0] != 0  # a backlog to carry over
    assert sum(applied is not None for *_, applied in rows) == 1
    path = tmp_path / "till.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, migrations.MIGRATIONS[:7])
    conn.execute("INSERT INTO till (id, till_id, series) VALUES (1, 'till-1', 's1')")
    for *entry, applied in rows:  # the journal and outbox rows as the till of 0007 wrote them
        conn.execute(f"INSERT INTO journal ({JOURNAL}) VALUES ({', '.join('?' * 13)})", entry)
        conn.execute(
            "INSERT INTO outbox (entry_id, created_at, applied_at) VALUES (?, ?, ?)",
            (entry[0], entry[4], applied),
        )
    conn.close()
    with Store.open(path, till_id="till-1") as store:
        assert {(a, d): kept(store, a, d) for a in ACCOUNTS for d in DAYS} == before
