"""What a batch of journal entries is judged by, read in one statement.

A push of one sale needs a dozen small reads (its till, series, entry ids, accounts, cards,
balances, agreements, the day's spending, the policy). Sent a statement each, they cost the
server's process more CPU than the database spends on them (psycopg takes 50 to 90 µs of
client CPU a statement here, pipelined or not), so they go as one `UNION ALL` of every part:
each row names its part and carries its values as text, turned back into numbers here. The
same SQL runs on both databases.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from server.checks import AccountFacts, AgreementVersion, Facts, SaleFacts
from server.db import Tx
from server.ledger import cardholder_ledger
from server.policy import CURRENCIES_SQL, POLICY_SQL, policy_of
from sync.entry_body import SaleBody, VoidBody, line_json
from sync.protocol import EntryIn, read_body

WIDTH = 8  # the values of the widest part; narrower ones are padded with NULLs
SHORT = 8  # a list of values up to this long is sent as placeholders (`_Parts`)

Row = tuple[Any, ...]


@dataclass
class BatchReads:
    """Everything a batch reads before it judges its first entry."""

    unit_id: str
    last_recv: int
    applied: dict[str, int]  # a series' last applied seq (0: new)
    new_series: set[str]  # series the server has no row of yet
    seen: dict[str, tuple[str, str, str, int]]  # entry id: till, digest, result, recv no
    facts: Facts


def read_batch(tx: Tx, till_id: str, entries: list[EntryIn]) -> BatchReads:
    """The batch's facts, in one statement."""
    series = sorted({str(e.series) for e in entries})
    accounts = sorted({e.account_id for e in entries if e.account_id is not None})
    ask = _Parts(tx.dialect)
    ask.add(
        "till",
        4,
        "SELECT t.unit_id, CAST(t.last_recv AS TEXT), u.currency, u.unit_type FROM tills t"
        " JOIN units u ON u.unit_id = t.unit_id WHERE t.till_id = ?",
        before=[till_id],
    )
    ask.add(
        "series",
        2,
        "SELECT series, CAST(applied_seq AS TEXT) FROM till_series WHERE till_id = ? AND series {}",
        series,
        before=[till_id],
    )
    ask.add(
        "seen",
        5,
        "SELECT entry_id, till_id, content_hash, result, CAST(recv_no AS TEXT)"
        " FROM journal_ingest WHERE entry_id {}",
        [str(e.id) for e in entries],
    )
    ask.add(
        "account",
        6,
        "SELECT a.account_id, a.currency, CAST(a.payment_blocked AS TEXT),"
        " h.allowed_unit_types, CAST(h.daily_limit AS TEXT), CAST(a.arrears AS TEXT)"
        " FROM accounts a JOIN cardholders h ON h.cardholder_id = a.cardholder_id"
        " WHERE a.account_id {}",
        accounts,
    )
    ask.add(
        "card",
        3,
        "SELECT card_id, account_id, state FROM cards WHERE card_id {}",
        sorted({e.card_id for e in entries if e.card_id is not None}),
    )
    ask.add(
        "balance",
        2,
        "SELECT ledger_account, CAST(balance AS TEXT) FROM card_balances WHERE ledger_account {}",
        [cardholder_ledger(a) for a in accounts],
    )
    ask.add(
        "voided",
        8,
        # with the leg the sale or top-up went to: the other row of its card's transaction,
        # found through the card's rows (indexed by account), not a scan of every source
        "SELECT j.entry_id, j.till_id, j.account_id, CAST(j.amount AS TEXT), j.content,"
        " j.voided_by, j.kind, (SELECT o.ledger_account FROM ledger c"
        " JOIN ledger o ON o.txn_id = c.txn_id AND o.ledger_account <> c.ledger_account"
        " WHERE c.ledger_account = 'card:' || j.account_id"
        " AND c.source = 'till:' || j.till_id || ':' || j.entry_id LIMIT 1)"
        " FROM journal_ingest j WHERE j.kind IN ('sale', 'topup')"
        " AND j.account_id IS NOT NULL AND j.entry_id {}",
        sorted({v for e in entries if e.kind == "void" for v in [_voids(e)] if v}),
    )
    ask.add(
        "agreement",
        8,
        "SELECT account_id, CAST(amount AS TEXT), active_from, CAST(ended AS TEXT),"
        " CAST(collection_failed AS TEXT), valid_from, valid_to, CAST(id AS TEXT)"
        " FROM agreement_history WHERE account_id {}",
        accounts,
    )
    if accounts:  # and so entries, each with its business day
        ask.add(
            "day",
            4,
            "SELECT account_id, business_day, CAST(spent AS TEXT), CAST(autoloads AS TEXT)"
            " FROM account_days WHERE account_id {} AND business_day {}",
            accounts,
            sorted({e.business_day.isoformat() for e in entries}),
        )
    ask.add("policy", 1, POLICY_SQL)
    ask.add("currency", 1, CURRENCIES_SQL)
    return _sorted_out(ask.read(tx), till_id, series, accounts)


class _Parts:
    """Parts of one `UNION ALL`, each a query of its own.

    A long list of values is one parameter (an array on PostgreSQL, a JSON array on
    SQLite), not a placeholder each: the statement's text is then the same for every large
    batch, and psycopg parses it once and keeps it (a batch's thousand placeholders cost it
    1.6 ms to parse, every time). A short one, as a push of one sale has, is a placeholder
    each: psycopg takes 10 to 20 µs more client CPU to send a list as an array."""

    def __init__(self, dialect: str) -> None:
        self.parts: list[tuple[str, int, str, tuple[int, ...]]] = []
        self.params: list[Any] = []
        self.postgresql = dialect == "postgresql"

    def add(
        self,
        name: str,
        width: int,
        sql: str,
        *lists: Sequence[str],
        before: Sequence[Any] = (),
    ) -> None:
        """A part of `width` values; each `{}` in `sql` is a test that a column is one of the
        texts of a list of `lists`, in order (nothing to ask when a list is empty), after the
        `before` parameters."""
        if any(not values for values in lists):
            return
        counts = tuple(len(values) if len(values) <= SHORT else 0 for values in lists)
        self.parts.append((name, width, sql, counts))
        self.params += before
        for values, count in zip(lists, counts, strict=True):
            if count:
                self.params += values
            else:
                self.params.append(list(values) if self.postgresql else json.dumps(list(values)))

    def read(self, tx: Tx) -> dict[str, list[Row]]:
        # The statement's text depends only on which parts it has and how long their short
        # lists are: made once per shape (a push of one sale has the same shape every time).
        shape = (self.postgresql, tuple((name, counts) for name, _, _, counts in self.parts))
        sql = _SHAPES.get(shape)
        if sql is None:
            sql = self._text()
            if len(_SHAPES) < MAX_SHAPES:  # a sender of odd batches cannot grow it forever
                _SHAPES[shape] = sql
        parts: dict[str, list[Row]] = {}
        for row in tx.all(sql, self.params):
            parts.setdefault(row[0], []).append(tuple(row[1:]))
        return parts

    def _text(self) -> str:
        selects = []
        for name, width, sql, counts in self.parts:
            sql = sql.format(*(self._member(count) for count in counts))
            padding = "".join(", NULL" for _ in range(WIDTH - width))
            # A subquery each: a part may order or limit its own rows.
            selects.append(f"SELECT '{name}', p.*{padding} FROM ({sql}) p")
        return " UNION ALL ".join(selects)

    def _member(self, count: int) -> str:
        if count:
            return f"IN ({', '.join('?' * count)})"
        if self.postgresql:
            return "= ANY(CAST(? AS TEXT[]))"
        return "IN (SELECT value FROM json_each(?))"


# A statement's text by its shape (`_Parts.read`): the tills' pushes have a few dozen.
MAX_SHAPES = 512
_SHAPES: dict[tuple[bool, tuple[tuple[str, tuple[int, ...]], ...]], str] = {}


def _sorted_out(
    parts: dict[str, list[Row]], till_id: str, series: list[str], accounts: list[str]
) -> BatchReads:
    unit_id, last_recv, unit_currency, unit_type = parts["till"][0][:4]
    applied = dict.fromkeys(series, 0)
    new_series = set(series)
    for name, seq, *_ in parts.get("series", []):
        applied[name] = int(seq)
        new_series.discard(name)
    seen = {
        row[0]: (str(row[1]), str(row[2]), str(row[3]), int(row[4]))
        for row in parts.get("seen", [])
    }
    data = next((str(row[0]) for row in parts.get("policy", [])), None)
    currencies = tuple(sorted(str(row[0]) for row in parts.get("currency", [])))
    account_rows = parts.get("account", [])
    facts = Facts(
        till_id=till_id,
        unit_currency=str(unit_currency),
        unit_type=str(unit_type),
        policy=policy_of(data, currencies),
        accounts={
            row[0]: AccountFacts(
                str(row[1]), int(row[2]) != 0, frozenset(json.loads(row[3])), _int(row[4])
            )
            for row in account_rows
        },
        cards={row[0]: (str(row[1]), str(row[2])) for row in parts.get("card", [])},
        balances=dict.fromkeys(accounts, 0),
        sales={},
        agreements={},
    )
    facts.arrears = {str(row[0]): int(row[5]) for row in account_rows}
    for ledger, total, *_ in parts.get("balance", []):
        facts.balances[str(ledger).removeprefix("card:")] = int(total)
    for row in parts.get("voided", []):
        revenue = row[7]
        topup = row[6] == "topup"
        facts.sales[row[0]] = SaleFacts(
            str(row[1]),
            str(row[2]),
            int(row[3]),
            [] if topup else _lines_of(row[4]),
            row[5],
            revenue,
            kind=str(row[6]),
            tender=_tender_of(revenue) if topup else "card",
        )
    for row in sorted(parts.get("agreement", []), key=lambda r: int(r[7])):  # oldest first
        facts.agreements.setdefault(row[0], []).append(
            AgreementVersion(
                int(row[1]),
                date.fromisoformat(row[2]),
                int(row[3]) != 0,
                int(row[4]) != 0,
                datetime.fromisoformat(row[5]),
                None if row[6] is None else datetime.fromisoformat(row[6]),
            )
        )
    for account, day, spent, loads, *_ in parts.get("day", []):
        key = (str(account), date.fromisoformat(day))
        facts.day_spent[key] = int(spent)
        facts.day_autoloads[key] = int(loads)
    return BatchReads(str(unit_id), int(last_recv), applied, new_series, seen, facts)


def _int(text: Any) -> int | None:
    return None if text is None else int(text)


def _voids(entry: EntryIn) -> str | None:
    """The sale a void names, read as `server.checks` reads it: a UUID in any spelling the
    body model takes (upper case, say) names the same booked sale, and must find it."""
    try:
        body = read_body("void", entry.body)
    except ValidationError:
        return None  # not a void's body: refused as such, no sale to look up
    assert isinstance(body, VoidBody)
    return str(body.voids)


def _tender_of(leg: str | None) -> str:
    """A booked top-up's tender, from the leg it was booked to (its till's card terminal or
    drawer): what the ledger holds, whatever its content kept."""
    return "bank_card" if leg is not None and leg.startswith("card-terminal:") else "cash"


def _lines_of(content: str | None) -> list[dict[str, object]] | None:
    if content is None:  # booked before entries kept their content: lines unknown
        return None
    try:
        body = read_body("sale", json.loads(content)["body"])
    except (json.JSONDecodeError, ValidationError, KeyError, TypeError):
        return []  # a sale booked is one that read: not reached but for a damaged row
    return [line_json(line) for line in body.lines] if isinstance(body, SaleBody) else []
