"""Back-office operations, shared by the admin HTTP API and `canteen-server admin`.

Every input is checked here against the wire's own types and limits (`sync.protocol`,
`sync.limits`), so the shell and the HTTP API refuse the same things with the same words;
every card id goes through the tills' normalisation (D-CARD-3).
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.db import Database, Tx
from server.errors import Conflict, Invalid, NotFound, valid
from server.feed import emit
from server.ledger import balance, cardholder_ledger, currency_ledger, ensure_account, post
from server.migrations import AUTOLOADS_SQL, SPENT_SQL
from server.policy import scheme_policy
from sync import limits
from sync.card_ids import BadCardId, canonical_card_id
from sync.money import UnknownMoneyLocale, check_locale, format_money
from sync.protocol import Currency, Key, Name, PriceLevelName, ProductText, Text
from sync.records import Unit

KeyList = list[Key]


def card_id_of(text: str, field: str = "card_id") -> str:
    """D-CARD-3: the canonical spelling of a card id typed in the back office."""
    try:
        return canonical_card_id(text)
    except BadCardId as exc:
        raise Invalid(f"{field}: {exc}") from None


def _amount(value: object, field: str, *, positive: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{field} must be a whole number of minor units, got {value!r:.40}")
    low = 1 if positive else 0
    if not low <= value <= limits.MAX_AMOUNT:
        raise Invalid(f"{field} must be from {low} to {limits.MAX_AMOUNT} minor units")
    return value


def add_unit(db: Database, unit: Unit) -> None:
    valid(Key, unit.unit_id, "unit_id")
    valid(Name, unit.name, "name")
    valid(Key, unit.unit_type, "unit_type")
    valid(Currency, unit.currency, "currency")
    valid(Name, unit.seller_name, "seller_name")
    valid(Text, unit.address, "address")
    valid(Text, unit.vat_number, "vat_number")
    if unit.locale:
        try:
            check_locale(unit.locale)
        except UnknownMoneyLocale as exc:
            raise Invalid(f"locale: {exc}") from None
    try:
        ZoneInfo(unit.timezone)
    except (ZoneInfoNotFoundError, ValueError):  # ValueError: a key that is no zone name (a path)
        raise Invalid(
            f"timezone = {unit.timezone!r:.60}: not a time zone (Europe/Berlin)"
        ) from None
    with db.transaction() as tx:
        before = tx.scalar("SELECT unit_type FROM units WHERE unit_id = ?", (unit.unit_id,))
        tx.execute(
            "INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id) DO UPDATE"
            " SET name = excluded.name, unit_type = excluded.unit_type,"
            " timezone = excluded.timezone, currency = excluded.currency,"
            " seller_name = excluded.seller_name, address = excluded.address,"
            " vat_number = excluded.vat_number, locale = excluded.locale",
            (
                unit.unit_id,
                unit.name,
                unit.unit_type,
                unit.timezone,
                unit.currency,
                unit.seller_name,
                unit.address,
                unit.vat_number,
                unit.locale,
            ),
        )
        emit(tx, "unit", unit.unit_id)
        if before is not None and before != unit.unit_type:
            # Which cardholders this unit's tills may see depends on its type (D-UNIT-2):
            # they drop those of the old type only, and receive those of the new.
            new_type = {unit.unit_type}
            for (holder,) in tx.all("SELECT cardholder_id FROM cardholders"):
                emit(tx, "cardholder", holder, drop_for=new_type)
            for (account_id,) in tx.all("SELECT account_id FROM accounts"):
                _emit_holdings_of_account(tx, account_id, drop_for=new_type)


def scheme_currencies(tx: Tx) -> set[str]:
    """The currencies the scheme uses: those its units sell in."""
    return {str(row[0]) for row in tx.all("SELECT DISTINCT currency FROM units")}


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
    valid(Key, cardholder_id, "cardholder_id")
    valid(Key, account_id, "account_id")
    name = valid(Name, name.strip(), "name")
    valid(Currency, currency, "currency")
    valid(PriceLevelName, price_level, "price_level")
    allowed = _unit_types(allowed_unit_types or ["mensa"])
    card = None if not card_id else card_id_of(card_id)
    with db.transaction() as tx:
        used = scheme_currencies(tx)
        if currency not in used:
            raise Invalid(
                f"currency = {currency!r}: the scheme's units sell in"
                f" {', '.join(sorted(used)) or 'no currency yet (add a unit first)'}"
            )
        if card and tx.one("SELECT 1 FROM cards WHERE card_id = ?", (card,)) is not None:
            raise Conflict(f"card {card} is already issued")
        if tx.one("SELECT 1 FROM cardholders WHERE cardholder_id = ?", (cardholder_id,)):
            raise Conflict(f"cardholder {cardholder_id} already exists")
        if tx.one("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)):
            raise Conflict(f"account {account_id} already exists")
        tx.execute(
            "INSERT INTO cardholders VALUES (?, ?, NULL, ?, NULL, '[]')",
            (cardholder_id, name, json.dumps(allowed)),
        )
        tx.execute(
            "INSERT INTO accounts (account_id, cardholder_id, currency, price_level)"
            " VALUES (?, ?, ?, ?)",
            (account_id, cardholder_id, currency, price_level),
        )
        ensure_account(tx, cardholder_ledger(account_id), "cardholder", currency)
        emit(tx, "cardholder", cardholder_id)
        emit(tx, "account", account_id)
        if card:
            tx.execute("INSERT INTO cards VALUES (?, ?, 'active', NULL)", (card, account_id))
            emit(tx, "card", card)


def _unit_types(types: list[str]) -> list[str]:
    return sorted(set(valid(KeyList, [t.strip() for t in types if t.strip()], "allowed")))


def _account_of_card(tx: Tx, card_id: str) -> tuple[str, str, str]:
    row = tx.one(
        "SELECT c.account_id, c.state, a.currency FROM cards c"
        " JOIN accounts a ON a.account_id = c.account_id WHERE c.card_id = ?",
        (card_id,),
    )
    if row is None:
        raise NotFound(f"unknown card {card_id}")
    return row[0], row[1], row[2]


def deposit(db: Database, card_id: str, amount: int) -> int:
    """Money received by the back office onto a card's account; returns the new balance.

    Refused to a blocked or replaced card (D-PAY-4, D-CARD-2) and over the scheme policy's
    balance cap (D-AUTO-5).
    """
    amount = _amount(amount, "amount", positive=True)
    card = card_id_of(card_id)
    with db.transaction() as tx:
        account_id, state, currency = _account_of_card(tx, card)
        if state != "active":
            raise Conflict(f"card {card} is {state}: no deposit (D-PAY-4)")
        ledger = cardholder_ledger(account_id)
        current = balance(tx, ledger)
        cap = scheme_policy(tx).for_currency(currency).balance_cap  # the account's money
        if current + amount > cap:
            raise Conflict(
                f"deposit would take the balance to {format_money(current + amount, currency)},"
                f" over the cap of {format_money(cap, currency)}"
                " (D-AUTO-5)"
            )
        deposits = currency_ledger("deposits", currency)
        ensure_account(tx, deposits, "deposits", currency)
        post(tx, [(ledger, amount), (deposits, -amount)], source=f"deposit:{card}")
        emit(tx, "account", account_id)
        return current + amount


def set_card_state(db: Database, card_id: str, state: str) -> None:
    """Block or unblock a card (D-CARD-2); a replaced card stays closed."""
    if state not in ("active", "blocked"):
        raise Invalid(f"a card can be set active or blocked, not {state!r}")
    card = card_id_of(card_id)
    with db.transaction() as tx:
        _, current, _ = _account_of_card(tx, card)
        if current == "closed":
            raise Conflict(f"card {card} was replaced; it cannot be reopened")
        tx.execute("UPDATE cards SET state = ? WHERE card_id = ?", (state, card))
        emit(tx, "card", card)


def currency_of(db: Database, *, account_id: str | None = None, card_id: str | None = None) -> str:
    """The currency of an account, or of a card's account: what its amounts are shown in."""
    with db.transaction(write=False) as tx:
        if card_id is not None:
            return _account_of_card(tx, card_id_of(card_id))[2]
        row = tx.one("SELECT currency FROM accounts WHERE account_id = ?", (account_id,))
        if row is None:
            raise NotFound(f"unknown account {account_id}")
        return str(row[0])


def account_balance(db: Database, account_id: str) -> int:
    with db.transaction(write=False) as tx:
        if tx.one("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)) is None:
            raise NotFound(f"unknown account {account_id}")
        return balance(tx, cardholder_ledger(account_id))


def explain(db: Database, account_id: str) -> dict[str, Any]:
    """Every movement of an account's balance with where it came from: the server explains
    every cent (a till entry's id, kind, till, flags and lines; a deposit; a fee)."""
    with db.transaction(write=False) as tx:
        row = tx.one("SELECT currency FROM accounts WHERE account_id = ?", (account_id,))
        if row is None:
            raise NotFound(f"unknown account {account_id}")
        rows = tx.all(
            "SELECT l.created_at, l.amount, l.source, j.kind, j.flags, j.content FROM ledger l"
            " LEFT JOIN journal_ingest j ON l.source = 'till:' || j.till_id || ':' || j.entry_id"
            " WHERE l.ledger_account = ? ORDER BY l.id",
            (cardholder_ledger(account_id),),
        )
    running = 0
    movements = []
    for at, amount, source, kind, flags, content in rows:
        running += int(amount)
        item: dict[str, Any] = {
            "at": at,
            "amount": int(amount),
            "balance": running,
            "source": source,
        }
        if kind is not None:
            body = json.loads(content)["body"] if content else {}
            item |= {"kind": kind, "flags": json.loads(flags), "lines": body.get("lines", [])}
        movements.append(item)
    return {
        "account_id": account_id,
        "currency": row[0],
        "balance": running,
        "movements": movements,
    }


def _of_till(
    db: Database, sql: str, where: str, order: str, till_id: str | None
) -> list[tuple[Any, ...]]:
    """Rows of an operator's list, all tills' or one till's."""
    clause = f" {where} till_id = ?" if till_id is not None else ""
    with db.transaction(write=False) as tx:
        rows = tx.all(f"{sql}{clause} ORDER BY {order}", () if till_id is None else (till_id,))
    return [tuple(row) for row in rows]


def refusals(db: Database, till_id: str | None = None) -> list[dict[str, Any]]:
    """What the server refused from the tills, for the operator."""
    keys = ("till_id", "entry_id", "seq", "reason", "received_at")
    sql = "SELECT till_id, entry_id, seq, reason, received_at FROM ingest_refusals"
    return [dict(zip(keys, row, strict=True)) for row in _of_till(db, sql, "WHERE", "id", till_id)]


def flagged(db: Database, till_id: str | None = None) -> list[dict[str, Any]]:
    """Entries booked although they broke a rule (they happened offline), for the operator."""
    sql = (
        "SELECT till_id, entry_id, kind, account_id, amount, business_day, flags, received_at"
        " FROM journal_ingest WHERE flags <> '[]'"
    )
    keys = ("till_id", "entry_id", "kind", "account_id", "amount", "business_day", "flags")
    return [
        dict(zip(keys, (*row[:6], json.loads(row[6])), strict=True)) | {"received_at": row[7]}
        for row in _of_till(db, sql, "AND", "recv_no", till_id)
    ]


def till_reports(db: Database, till_id: str | None = None) -> list[dict[str, Any]]:
    """What tills reported they could not read in the feed (or read without some fields)."""
    sql = "SELECT till_id, received_at, seq, kind, item_key, problem, skipped FROM till_reports"
    keys = ("till_id", "received_at", "seq", "kind", "key", "problem", "skipped")
    return [
        dict(zip(keys, (*row[:6], bool(row[6])), strict=True))
        for row in _of_till(db, sql, "WHERE", "id", till_id)
    ]


def add_till_reports(
    db: Database, till_id: str, problems: list[tuple[int | None, str, str | None, str, bool]]
) -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC).isoformat()
    with db.transaction() as tx:
        tx.executemany(
            "INSERT INTO till_reports (till_id, received_at, seq, kind, item_key, problem,"
            " skipped) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    till_id,
                    now,
                    seq,
                    _text(kind),
                    None if key is None else _text(key),
                    _text(text),
                    int(skip),
                )
                for seq, kind, key, text, skip in problems
            ],
        )


def _text(text: str) -> str:
    """A till's free text as it can be stored: PostgreSQL's text holds no NUL."""
    return text.replace("\x00", "\ufffd")


def ledger_faults(db: Database) -> list[str]:
    """What is wrong with the ledger, in words (nothing, when all is well): a transaction
    that does not sum to zero, or a sum the database keeps beside the rows (a card's
    balance, an account's spending and autoloads of a day) that is not the rows' sum."""
    with db.transaction(write=False) as tx:
        faults = [
            f"transaction {txn} sums to {total}, not 0"
            for txn, total in tx.all(
                "SELECT txn_id, SUM(amount) FROM ledger GROUP BY txn_id HAVING SUM(amount) <> 0"
            )
        ]
        summed = {
            str(r[0]): int(r[1])
            for r in tx.all(
                "SELECT ledger_account, SUM(amount) FROM ledger"
                " WHERE substr(ledger_account, 1, 5) = 'card:' GROUP BY ledger_account"
            )
        }
        kept = {str(r[0]): int(r[1]) for r in tx.all("SELECT * FROM card_balances")}
        faults += [
            f"{ledger}: balance kept {kept.get(ledger, 'none')}, its rows sum to"
            f" {summed.get(ledger, 0)}"
            for ledger in sorted(summed.keys() | kept.keys())
            if kept.get(ledger, 0) != summed.get(ledger, 0)
        ]
        days = {
            (str(r[0]), str(r[1])): (int(r[2]), int(r[3]))
            for r in tx.all(
                f"SELECT account_id, business_day, SUM({SPENT_SQL}), SUM({AUTOLOADS_SQL})"
                " FROM journal_ingest WHERE account_id IS NOT NULL AND business_day IS NOT NULL"
                " GROUP BY account_id, business_day"
            )
        }
        kept_days = {
            (str(r[0]), str(r[1])): (int(r[2]), int(r[3]))
            for r in tx.all("SELECT account_id, business_day, spent, autoloads FROM account_days")
        }
        faults += [
            f"account {day[0]} on {day[1]}: spending and autoloads kept"
            f" {kept_days.get(day, 'none')}, its entries sum to {days.get(day, 'none')}"
            for day in sorted(days.keys() | kept_days.keys())
            if kept_days.get(day) != days.get(day)
        ]
    return faults


def ledger_is_sound(db: Database) -> bool:
    """Every transaction sums to zero, so all money is accounted for, and every sum kept
    beside the rows is theirs (`ledger_faults`)."""
    return not ledger_faults(db)


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
            raise Invalid("a cardholder's name cannot be empty")
        sets.append("name = ?")
        params.append(valid(Name, name.strip(), "name"))
    if allowed_unit_types is not None:
        sets.append("allowed_unit_types = ?")
        params.append(json.dumps(_unit_types(allowed_unit_types)))
    if remove_daily_limit:
        sets.append("daily_limit = NULL")
    elif daily_limit is not None:
        sets.append("daily_limit = ?")
        params.append(_amount(daily_limit, "daily_limit"))
    if blocked_categories is not None:
        categories = [c.strip() for c in blocked_categories if c.strip()]
        sets.append("blocked_categories = ?")
        params.append(json.dumps(sorted(set(valid(list[ProductText], categories, "blocked")))))
    if not sets:
        return
    with db.transaction() as tx:
        before = tx.scalar(
            "SELECT allowed_unit_types FROM cardholders WHERE cardholder_id = ?", (cardholder_id,)
        )
        done = tx.rows_changed(
            f"UPDATE cardholders SET {', '.join(sets)} WHERE cardholder_id = ?",
            (*params, cardholder_id),
        )
        if done == 0:
            raise NotFound(f"unknown cardholder {cardholder_id}")
        taken_away: set[str] = set()
        if allowed_unit_types is not None and before is not None:
            taken_away = set(json.loads(before)) - set(_unit_types(allowed_unit_types))
        emit(tx, "cardholder", cardholder_id, drop_for=taken_away)
        if allowed_unit_types is not None:
            # The tills of a unit type added get the cardholder's account and cards; those of
            # a unit type taken away drop them (least data, D-UNIT-2).
            for (account_id,) in tx.all(
                "SELECT account_id FROM accounts WHERE cardholder_id = ?", (cardholder_id,)
            ):
                _emit_holdings_of_account(tx, account_id, drop_for=taken_away)


def _emit_holdings_of_account(tx: Tx, account_id: str, *, drop_for: set[str]) -> None:
    emit(tx, "account", account_id, drop_for=drop_for)
    for (card_id,) in tx.all("SELECT card_id FROM cards WHERE account_id = ?", (account_id,)):
        emit(tx, "card", card_id, drop_for=drop_for)
    if tx.one("SELECT 1 FROM agreements WHERE account_id = ?", (account_id,)) is not None:
        emit(tx, "agreement", account_id, drop_for=drop_for)


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
            raise Invalid(f"unknown price level {price_level!r}")
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
            raise NotFound(f"unknown account {account_id}")
        emit(tx, "account", account_id)


def set_arrears(db: Database, account_id: str, arrears: int) -> None:
    """D-AUTO-7: a returned direct debit blocks payment until its arrears (fee included)
    are paid; arrears of 0 unblock."""
    arrears = _amount(arrears, "arrears")
    with db.transaction() as tx:
        done = tx.rows_changed(
            "UPDATE accounts SET arrears = ?, payment_blocked = ? WHERE account_id = ?",
            (arrears, int(arrears > 0), account_id),
        )
        if done == 0:
            raise NotFound(f"unknown account {account_id}")
        emit(tx, "account", account_id)


def issue_card(db: Database, account_id: str, card_id: str) -> str:
    """A card for an account that has none in use (D-CARD-1: at most one active card);
    an account whose card is active or blocked gets a replacement instead. Returns the card
    id as stored (D-CARD-3)."""
    card = card_id_of(card_id)
    with db.transaction() as tx:
        if tx.one("SELECT 1 FROM accounts WHERE account_id = ?", (account_id,)) is None:
            raise NotFound(f"unknown account {account_id}")
        if tx.one("SELECT 1 FROM cards WHERE card_id = ?", (card,)) is not None:
            raise Conflict(f"card {card} is already issued")
        in_use = tx.one(
            "SELECT card_id, state FROM cards WHERE account_id = ? AND state <> 'closed'",
            (account_id,),
        )
        if in_use is not None:
            raise Conflict(
                f"account {account_id} already has card {in_use[0]} ({in_use[1]}):"
                " replace it instead (D-CARD-1)"
            )
        tx.execute("INSERT INTO cards VALUES (?, ?, 'active', NULL)", (card, account_id))
        emit(tx, "card", card)
    return card


def tills_overview(db: Database) -> list[dict[str, Any]]:
    """Every till with its unit, enrolment and the last entry it delivered: what an operator
    running many tills looks at first."""
    with db.transaction(write=False) as tx:
        rows = tx.all(
            "SELECT t.till_id, t.unit_id, t.enrolled_at, t.revoked_at, t.last_recv,"
            " (SELECT MAX(received_at) FROM journal_ingest j WHERE j.till_id = t.till_id),"
            " (SELECT COUNT(*) FROM ingest_refusals r WHERE r.till_id = t.till_id),"
            " (SELECT COUNT(*) FROM journal_ingest j WHERE j.till_id = t.till_id"
            "  AND j.flags <> '[]'),"
            " (SELECT COUNT(*) FROM till_reports p WHERE p.till_id = t.till_id)"
            " FROM tills t ORDER BY t.till_id"
        )
    keys = (
        "till_id",
        "unit_id",
        "enrolled_at",
        "revoked_at",
        "entries_received",
        "last_entry_at",
        "refusals",
        "flagged",
        "reports",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]


def replace_card(db: Database, old_card: str, new_card: str, *, fee: int) -> str:
    """D-CARD-1: a new card for the same account; the fee comes off the balance, which must
    cover it; the old card is closed and points at the new one. Returns the new card's id."""
    old, new = card_id_of(old_card, "card_id"), card_id_of(new_card, "new_card_id")
    fee = _amount(fee, "fee")
    with db.transaction() as tx:
        account_id, state, currency = _account_of_card(tx, old)
        if state == "closed":
            raise Conflict(f"card {old} was already replaced")
        if tx.one("SELECT 1 FROM cards WHERE card_id = ?", (new,)) is not None:
            raise Conflict(f"card {new} is already issued")
        ledger = cardholder_ledger(account_id)
        if fee:
            if balance(tx, ledger) < fee:
                raise Conflict(
                    "the balance does not cover the replacement fee of"
                    f" {format_money(fee, currency)}"
                )
            fees = currency_ledger("fees", currency)
            ensure_account(tx, fees, "fees", currency)
            post(tx, [(ledger, -fee), (fees, fee)], source=f"replace:{old}")
        tx.execute(
            "UPDATE cards SET state = 'closed', replaced_by = ? WHERE card_id = ?", (new, old)
        )
        tx.execute("INSERT INTO cards VALUES (?, ?, 'active', NULL)", (new, account_id))
        emit(tx, "card", old)
        emit(tx, "card", new)
        emit(tx, "account", account_id)
    return new
