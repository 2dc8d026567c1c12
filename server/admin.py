"""Back-office operations, shared by the admin HTTP API and `canteen-server admin`."""

from __future__ import annotations

import json
from typing import Any

from server.db import Database, Tx
from server.feed import emit
from server.ledger import balance, cardholder_ledger, ensure_account, post
from sync.policy import DEFAULTS, Policy
from sync.records import Unit


class AdminError(ValueError):
    """A back-office request that cannot be done; the message says why."""


def add_unit(db: Database, unit: Unit) -> None:
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id) DO UPDATE SET"
            " name = excluded.name, unit_type = excluded.unit_type, timezone = excluded.timezone,"
            " currency = excluded.currency, seller_name = excluded.seller_name,"
            " address = excluded.address, vat_number = excluded.vat_number",
            (
                unit.unit_id,
                unit.name,
                unit.unit_type,
                unit.timezone,
                unit.currency,
                unit.seller_name,
                unit.address,
                unit.vat_number,
            ),
        )
        emit(tx, "unit", unit.unit_id)


def add_cardholder(
    db: Database,
    *,
    cardholder_id: str,
    name: str,
    account_id: str,
    card_id: str | None,
    currency: str,
    price_level: str = "student",
    allowed_unit_types: list[str] | None = None,
) -> None:
    """A cardholder with their one account (D-ACC-1) and a first active card, or none yet
    (a card produced later is given with `issue_card`)."""
    with db.transaction() as tx:
        if card_id and tx.one("SELECT 1 FROM cards WHERE card_id = ?", (card_id,)) is not None:
            raise AdminError(f"card {card_id} is already issued")
        if tx.one("SELECT 1 FROM cardholders WHERE cardholder_id = ?", (cardholder_id,)):
            raise AdminError(f"cardholder {cardholder_id} already exists")
        if tx.one("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)):
            raise AdminError(f"account {account_id} already exists")
        tx.execute(
            "INSERT INTO cardholders VALUES (?, ?, NULL, ?, NULL, '[]')",
            (cardholder_id, name, json.dumps(sorted(allowed_unit_types or ["mensa"]))),
        )
        tx.execute(
            "INSERT INTO accounts (account_id, cardholder_id, currency, price_level)"
            " VALUES (?, ?, ?, ?)",
            (account_id, cardholder_id, currency, price_level),
        )
        ensure_account(tx, cardholder_ledger(account_id), "cardholder", currency)
        emit(tx, "cardholder", cardholder_id)
        emit(tx, "account", account_id)
        if card_id:
            tx.execute("INSERT INTO cards VALUES (?, ?, 'active', NULL)", (card_id, account_id))
            emit(tx, "card", card_id)


def _account_of_card(tx: Tx, card_id: str) -> tuple[str, str, str]:
    row = tx.one(
        "SELECT c.account_id, c.state, a.currency FROM cards c"
        " JOIN accounts a ON a.account_id = c.account_id WHERE c.card_id = ?",
        (card_id,),
    )
    if row is None:
        raise AdminError(f"unknown card {card_id}")
    return row[0], row[1], row[2]


def deposit(db: Database, card_id: str, amount: int) -> int:
    """Money received by the back office onto a card's account; returns the new balance.

    Refused to a blocked or replaced card (D-PAY-4, D-CARD-2) and over the scheme policy's
    balance cap (D-AUTO-5).
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise AdminError(f"a deposit is a positive whole number of minor units, got {amount!r}")
    with db.transaction() as tx:
        account_id, state, currency = _account_of_card(tx, card_id)
        if state != "active":
            raise AdminError(f"card {card_id} is {state}: no deposit (D-PAY-4)")
        ledger = cardholder_ledger(account_id)
        current = balance(tx, ledger)
        cap = scheme_policy(tx).balance_cap
        if current + amount > cap:
            raise AdminError(
                f"deposit would take the balance to {current + amount}, over the cap of {cap}"
            )
        ensure_account(tx, "deposits", "deposits", currency)
        post(tx, [(ledger, amount), ("deposits", -amount)], source=f"deposit:{card_id}")
        emit(tx, "account", account_id)
        return current + amount


def scheme_policy(tx: Tx) -> Policy:
    """The scheme policy the server holds (invariant 4), or the defaults before one is set."""
    data = tx.scalar("SELECT data FROM policy WHERE id = 1")
    return DEFAULTS if data is None else Policy.from_mapping(json.loads(data), source="policy")


def set_card_state(db: Database, card_id: str, state: str) -> None:
    """Block or unblock a card (D-CARD-2); a replaced card stays closed."""
    if state not in ("active", "blocked"):
        raise AdminError(f"a card can be set active or blocked, not {state!r}")
    with db.transaction() as tx:
        _, current, _ = _account_of_card(tx, card_id)
        if current == "closed":
            raise AdminError(f"card {card_id} was replaced; it cannot be reopened")
        tx.execute("UPDATE cards SET state = ? WHERE card_id = ?", (state, card_id))
        emit(tx, "card", card_id)


def account_balance(db: Database, account_id: str) -> int:
    with db.transaction(write=False) as tx:
        if tx.one("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)) is None:
            raise AdminError(f"unknown account {account_id}")
        return balance(tx, cardholder_ledger(account_id))


def refusals(db: Database, till_id: str | None = None) -> list[dict[str, Any]]:
    """What the server refused from the tills, for the operator."""
    sql = "SELECT till_id, entry_id, seq, reason, received_at FROM ingest_refusals"
    params: tuple[str, ...] = ()
    if till_id is not None:
        sql += " WHERE till_id = ?"
        params = (till_id,)
    with db.transaction(write=False) as tx:
        rows = tx.all(sql + " ORDER BY id", params)
    keys = ("till_id", "entry_id", "seq", "reason", "received_at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def ledger_is_balanced(db: Database) -> bool:
    """Every transaction sums to zero, so all money is accounted for."""
    with db.transaction(write=False) as tx:
        bad = tx.scalar(
            "SELECT COUNT(*) FROM (SELECT txn_id FROM ledger GROUP BY txn_id"
            " HAVING SUM(amount) <> 0) AS unbalanced"
        )
    return int(bad) == 0


def update_cardholder(
    db: Database,
    cardholder_id: str,
    *,
    name: str | None = None,
    allowed_unit_types: list[str] | None = None,
    daily_limit: int | None = None,
    remove_daily_limit: bool = False,
    blocked_categories: list[str] | None = None,
) -> None:
    """The name, where the card may be used (D-UNIT-2) and the guardian's restrictions
    (D-UNIT-3). What is left out (None) stays as it is; `remove_daily_limit` wins over a
    `daily_limit` given with it.
    """
    sets: list[str] = []
    params: list[Any] = []
    if name is not None:
        if not name.strip():
            raise AdminError("a cardholder's name cannot be empty")
        sets.append("name = ?")
        params.append(name.strip())
    if allowed_unit_types is not None:
        sets.append("allowed_unit_types = ?")
        params.append(json.dumps(sorted(allowed_unit_types)))
    if remove_daily_limit:
        sets.append("daily_limit = NULL")
    elif daily_limit is not None:
        if isinstance(daily_limit, bool) or daily_limit < 0:
            raise AdminError("a daily limit is a non-negative whole number of minor units")
        sets.append("daily_limit = ?")
        params.append(daily_limit)
    if blocked_categories is not None:
        sets.append("blocked_categories = ?")
        params.append(json.dumps(sorted(blocked_categories)))
    if not sets:
        return
    with db.transaction() as tx:
        done = tx.rows_changed(
            f"UPDATE cardholders SET {', '.join(sets)} WHERE cardholder_id = ?",
            (*params, cardholder_id),
        )
        if done == 0:
            raise AdminError(f"unknown cardholder {cardholder_id}")
        emit(tx, "cardholder", cardholder_id)


def update_account(
    db: Database,
    account_id: str,
    *,
    price_level: str | None = None,
    membership_expires: str | bool | None = False,
) -> None:
    """Price level and membership expiry (D-ACC-3)."""
    sets: list[str] = []
    params: list[Any] = []
    if price_level is not None:
        if price_level not in ("student", "staff", "guest"):
            raise AdminError(f"unknown price level {price_level!r}")
        sets.append("price_level = ?")
        params.append(price_level)
    if membership_expires is not False:
        sets.append("membership_expires = ?")
        params.append(membership_expires)
    if not sets:
        return
    with db.transaction() as tx:
        done = tx.rows_changed(
            f"UPDATE accounts SET {', '.join(sets)} WHERE account_id = ?", (*params, account_id)
        )
        if done == 0:
            raise AdminError(f"unknown account {account_id}")
        emit(tx, "account", account_id)


def set_arrears(db: Database, account_id: str, arrears: int) -> None:
    """D-AUTO-7: a returned direct debit blocks payment until its arrears (fee included)
    are paid; arrears of 0 unblock."""
    if isinstance(arrears, bool) or not isinstance(arrears, int) or arrears < 0:
        raise AdminError("arrears are a non-negative whole number of minor units")
    with db.transaction() as tx:
        done = tx.rows_changed(
            "UPDATE accounts SET arrears = ?, payment_blocked = ? WHERE account_id = ?",
            (arrears, int(arrears > 0), account_id),
        )
        if done == 0:
            raise AdminError(f"unknown account {account_id}")
        emit(tx, "account", account_id)


def issue_card(db: Database, account_id: str, card_id: str) -> None:
    """A card for an account that has none in use (D-CARD-1: at most one active card);
    an account whose card is active or blocked gets a replacement instead."""
    with db.transaction() as tx:
        if tx.one("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)) is None:
            raise AdminError(f"unknown account {account_id}")
        if tx.one("SELECT 1 FROM cards WHERE card_id = ?", (card_id,)) is not None:
            raise AdminError(f"card {card_id} is already issued")
        in_use = tx.one(
            "SELECT card_id, state FROM cards WHERE account_id = ? AND state <> 'closed'",
            (account_id,),
        )
        if in_use is not None:
            raise AdminError(
                f"account {account_id} already has card {in_use[0]} ({in_use[1]}):"
                " replace it instead (D-CARD-1)"
            )
        tx.execute("INSERT INTO cards VALUES (?, ?, 'active', NULL)", (card_id, account_id))
        emit(tx, "card", card_id)


def tills_overview(db: Database) -> list[dict[str, Any]]:
    """Every till with its unit, enrolment and the last entry it delivered: what an operator
    running many tills looks at first."""
    with db.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT t.till_id, t.unit_id, t.enrolled_at, t.applied_seq,"
            " (SELECT MAX(received_at) FROM journal_ingest j WHERE j.till_id = t.till_id),"
            " (SELECT COUNT(*) FROM ingest_refusals r WHERE r.till_id = t.till_id)"
            " FROM tills t ORDER BY t.till_id"
        )
    keys = ("till_id", "unit_id", "enrolled_at", "applied_seq", "last_entry_at", "refusals")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def replace_card(db: Database, old_card: str, new_card: str, *, fee: int) -> None:
    """D-CARD-1: a new card for the same account; the fee comes off the balance, which must
    cover it; the old card is closed and points at the new one."""
    with db.transaction() as tx:
        account_id, state, currency = _account_of_card(tx, old_card)
        if state == "closed":
            raise AdminError(f"card {old_card} was already replaced")
        if tx.one("SELECT 1 FROM cards WHERE card_id = ?", (new_card,)) is not None:
            raise AdminError(f"card {new_card} is already issued")
        ledger = cardholder_ledger(account_id)
        if fee:
            if balance(tx, ledger) < fee:
                raise AdminError(f"the balance does not cover the replacement fee of {fee}")
            ensure_account(tx, "fees", "fees", currency)
            post(tx, [(ledger, -fee), ("fees", fee)], source=f"replace:{old_card}")
        tx.execute(
            "UPDATE cards SET state = 'closed', replaced_by = ? WHERE card_id = ?",
            (new_card, old_card),
        )
        tx.execute("INSERT INTO cards VALUES (?, ?, 'active', NULL)", (new_card, account_id))
        emit(tx, "card", old_card)
        emit(tx, "card", new_card)
        emit(tx, "account", account_id)
