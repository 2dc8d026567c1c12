"""The till's journal and outbox: every sale, autoload, top-up, void and arrears payment,
gap-free per till."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from sync import entry_body
from sync.entry_body import ArrearsPaymentBody, AutoloadBody, SaleBody, TopupBody, VoidBody
from sync.errors import (
    AlreadyVoided,
    BadValue,
    NotPayable,
    NotVoidable,
    TopupSpent,
    UnknownAccount,
    UnknownEntry,
)
from sync.ids import new_id
from sync.records import (
    EntryKind,
    JournalEntry,
    PriceLevel,
    SaleLine,
)
from sync.store_base import StoreBase, _currency, _day, _int, _positive, _text, _utc


@dataclass(frozen=True, slots=True)
class Committed:
    """What one journal write produced: its entries, the receipt number, the balance after."""

    entries: list[JournalEntry]
    receipt_no: int
    balance_after: int
    arrears_after: int | None = None  # an arrears payment: what the account still owes


@dataclass(frozen=True, slots=True)
class OutboxStats:
    count: int
    oldest_created_at: datetime | None


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs more, on the tap path
class _Head:
    """The columns the entries of one commit share."""

    created_at: str
    business_day: str
    account_id: str | None
    card_id: str | None
    currency: str
    receipt_no: int


def _line(i: int, line: SaleLine) -> SaleLine:
    """D-PAY-3: a sale keeps its lines; each is checked before anything is written."""
    if (  # a well-formed line (every line, at a till) passes without the messages being built
        type(line) is SaleLine
        and type(line.quantity) is int
        and line.quantity > 0
        and type(line.unit_price) is int
        and line.unit_price >= 0
        and type(line.vat_rate_bp) is int
        and line.vat_rate_bp >= 0
        and type(line.product_id) is str
        and line.product_id
    ):
        return line
    where = f"lines[{i}]"
    if not isinstance(line, SaleLine):
        raise BadValue(f"{where} must be a SaleLine, got {type(line).__name__}")
    _positive(f"{where}.quantity", line.quantity)
    for name in ("unit_price", "vat_rate_bp"):
        if _int(f"{where}.{name}", getattr(line, name)) < 0:
            raise BadValue(f"{where}.{name} must not be negative")
    _text(f"{where}.product_id", line.product_id)
    return line


def _tender(tender: str) -> Literal["cash", "bank_card"]:
    if tender == "cash":
        return "cash"
    if tender == "bank_card":
        return "bank_card"
    raise BadValue(f"tender must be cash or bank_card, got {tender!r}")


def _sale_lines(stored: str) -> list[SaleLine]:
    sale = entry_body.read("sale", json.loads(stored))
    assert isinstance(sale, SaleBody)  # the caller checked the entry is a sale
    return sale.lines


def _topup_tender(stored: str) -> Literal["cash", "bank_card"]:
    topup = entry_body.read("topup", json.loads(stored))
    assert isinstance(topup, TopupBody)  # the caller checked the entry is a top-up
    return topup.tender


# This till's arrears payments the server has not acknowledged yet: what the cached arrears
# (the server's) do not show (as invariant 3 for the balance). A quarantined one counts, as
# its cash was taken.
PENDING_ARREARS_PAID = """
SELECT COALESCE(SUM(arrears_paid), 0) FROM pending_days WHERE account_id = ?
"""


# The journal is keyed by seq, so its last seq is its last row. The receipt number is one
# past the last entry's, never below the counter (the highest number when sync migration
# 0010 ran, or a store's counter ahead of its journal): since 0010 numbers rise with seq, so
# neither a counter row nor a receipt index is written by a sale (a page each).
_NUMBERS = """(SELECT COALESCE(MAX(seq), 0) + 1 FROM journal),
       MAX(COALESCE((SELECT receipt_no FROM journal ORDER BY seq DESC LIMIT 1), 0),
           (SELECT value FROM counters WHERE name = 'receipt_no')) + 1"""
_NEXT_NUMBERS = f"SELECT {_NUMBERS}"
_OPEN_ACCOUNT = f"""
SELECT a.currency,
       a.balance + COALESCE((SELECT SUM(p.delta) FROM pending_days p
                             WHERE p.account_id = a.account_id), 0),
       {_NUMBERS}
FROM accounts a WHERE a.account_id = ?
"""


def _entry(row: sqlite3.Row) -> JournalEntry:
    return JournalEntry(
        entry_id=row["entry_id"],
        seq=row["seq"],
        till_id=row["till_id"],
        kind=EntryKind(row["kind"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        business_day=date.fromisoformat(row["business_day"]),
        account_id=row["account_id"],
        card_id=row["card_id"],
        amount=row["amount"],
        currency=row["currency"],
        receipt_no=row["receipt_no"],
        body=json.loads(row["body"]),
    )


_JOURNAL_COLUMNS = (
    "j.entry_id, j.seq, j.till_id, j.kind, j.created_at, j.business_day, j.account_id, "
    "j.card_id, j.amount, j.currency, j.receipt_no, j.body"
)


# The unsent entries, through their partial index (`journal_unsent`, by seq): the batch to
# push reads the few entries still to send, not the journal (sync migration 0010).
_UNSENT = "FROM journal j INDEXED BY journal_unsent"
_TO_SEND = "WHERE j.applied_at IS NULL AND j.quarantined IS NULL ORDER BY j.seq LIMIT ?"
OUTBOX_PENDING = f"SELECT {_JOURNAL_COLUMNS} {_UNSENT} {_TO_SEND}"


class JournalMixin(StoreBase):
    # -- journal writes --------------------------------------------------------------------

    def _append(
        self,
        conn: sqlite3.Connection,
        head: _Head,
        *,
        entry_id: str,
        seq: int,
        kind: EntryKind,
        amount: int,
        body: entry_body.Body,
        reverses: str | None = None,
    ) -> JournalEntry:
        """Journal one entry at `seq` in the caller's transaction; the journal's trigger adds
        its figures; the row is its own outbox entry, unsent (sync migration 0010)."""
        data = entry_body.to_json(body)
        text = entry_body.encode(data)
        conn.execute(
            """INSERT INTO journal (entry_id, seq, till_id, kind, created_at, business_day,
                   account_id, card_id, amount, currency, receipt_no, body, reverses)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                entry_id,
                seq,
                self.till_id,
                kind.value,
                head.created_at,
                head.business_day,
                head.account_id,
                head.card_id,
                amount,
                head.currency,
                head.receipt_no,
                text,
                reverses,
            ),
        )
        # Built from what was written rather than read back: the commit is on the tap path.
        # `data` is JSON's own types already (what reading `body` back would give).
        return JournalEntry(
            entry_id=entry_id,
            seq=seq,
            till_id=self.till_id,
            kind=kind,
            created_at=datetime.fromisoformat(head.created_at),
            business_day=date.fromisoformat(head.business_day),
            account_id=head.account_id,
            card_id=head.card_id,
            amount=amount,
            currency=head.currency,
            receipt_no=head.receipt_no,
            body=data,
        )

    @staticmethod
    def _next_numbers(conn: sqlite3.Connection) -> tuple[int, int]:
        """(the next seq, the next receipt number): one past the journal's last ones."""
        (seq, receipt_no) = conn.execute(_NEXT_NUMBERS).fetchone()
        return int(seq), int(receipt_no)

    @staticmethod
    def _account_balance(conn: sqlite3.Connection, account_id: str, currency: str) -> int:
        """The account must exist in this currency; its balance by invariant 3 (server balance
        plus this till's unapplied entries)."""
        return JournalMixin._open_account(conn, account_id, currency)[0]

    @staticmethod
    def _open_account(
        conn: sqlite3.Connection, account_id: str, currency: str
    ) -> tuple[int, int, int]:
        """(balance, next seq, next receipt number) in one statement, since this is on the
        tap path; the account must exist in this currency."""
        row = conn.execute(_OPEN_ACCOUNT, (account_id,)).fetchone()
        if row is None:
            raise UnknownAccount(f"unknown account {account_id!r}")
        if row[0] != currency:
            raise BadValue(f"account {account_id!r} is in {row[0]}, not {currency}")
        return int(row[1]), int(row[2]), int(row[3])

    def commit_sale(
        self,
        *,
        card_id: str,
        account_id: str,
        currency: str,
        lines: Sequence[SaleLine],
        price_level: PriceLevel,
        offline: bool,
        autoload_amount: int | None,
        created_at: datetime,
        business_day: date,
        verdict: str = "",
    ) -> Committed:
        """One transaction: the autoload entry when accepted (D-AUTO-3), then the sale with its
        lines (D-PAY-3), their outbox rows and one receipt number for both (D-PAY-6)."""
        _text("card_id", card_id)
        _text("account_id", account_id)
        _currency(currency)
        if not lines:
            raise BadValue("lines must not be empty: a sale sells something")
        body_lines = [_line(i, line) for i, line in enumerate(lines)]
        total = sum(line.amount for line in body_lines)
        if autoload_amount is not None:
            _positive("autoload_amount", autoload_amount)
        at, day = _utc(created_at), _day(business_day)
        level = PriceLevel(price_level)
        autoload_id = new_id() if autoload_amount is not None else None
        sale_id = new_id()  # after the autoload's, so ids sort in seq order
        with self._write() as conn:
            before, seq, receipt_no = self._open_account(conn, account_id, currency)
            head = _Head(at, day, account_id, card_id, currency, receipt_no)
            # The receipt (and any reprint of it) shows the balance after: keep it with the sale.
            after = before + (autoload_amount or 0) - total
            entries = []
            if autoload_id is not None and autoload_amount is not None:
                entries.append(
                    self._append(
                        conn,
                        head,
                        entry_id=autoload_id,
                        seq=seq,
                        kind=EntryKind.AUTOLOAD,
                        amount=autoload_amount,
                        body=AutoloadBody(True, bool(offline), UUID(sale_id)),
                    )
                )
                seq += 1
            entries.append(
                self._append(
                    conn,
                    head,
                    entry_id=sale_id,
                    seq=seq,
                    kind=EntryKind.SALE,
                    amount=-total,
                    body=SaleBody(
                        lines=body_lines,
                        total=total,
                        offline=bool(offline),
                        autoload_entry_id=UUID(autoload_id) if autoload_id else None,
                        price_level=level.value,
                        verdict=verdict,
                        balance_after=after,
                    ),
                )
            )
            return Committed(entries, receipt_no, after)

    def commit_topup(
        self,
        *,
        card_id: str,
        account_id: str,
        currency: str,
        amount: int,
        tender: str,
        created_at: datetime,
        business_day: date,
    ) -> Committed:
        """D-PAY-4: a top-up at the till with cash or a bank card; its own receipt."""
        _text("card_id", card_id)
        _text("account_id", account_id)
        _currency(currency)
        _positive("amount", amount)
        _text("tender", tender)
        at, day = _utc(created_at), _day(business_day)
        entry_id = new_id()
        with self._write() as conn:
            before, seq, receipt_no = self._open_account(conn, account_id, currency)
            head = _Head(at, day, account_id, card_id, currency, receipt_no)
            after = before + amount
            entry = self._append(
                conn,
                head,
                entry_id=entry_id,
                seq=seq,
                kind=EntryKind.TOPUP,
                amount=amount,
                body=TopupBody(_tender(tender), after),
            )
            return Committed([entry], receipt_no, after)

    def commit_void(self, *, entry_id: str, created_at: datetime, business_day: date) -> Committed:
        """Reverse a sale or a top-up with a new entry (the journal is append-only), once; its
        own receipt. A sale's lines go back to the card; a top-up's money leaves the card and
        goes back to its tender (the cash out of the drawer), so a top-up the balance no longer
        covers (spent already) is not voidable: the till never creates money."""
        at, day = _utc(created_at), _day(business_day)
        void_id = new_id()
        with self._write() as conn:
            voided = conn.execute(
                "SELECT kind, account_id, card_id, amount, currency, receipt_no, body FROM journal"
                " WHERE entry_id = ?",
                (entry_id,),
            ).fetchone()
            if voided is None:
                raise UnknownEntry(f"no journal entry {entry_id!r} to void")
            kind, account_id, card_id, amount, currency, voided_receipt, voided_body = voided
            if kind not in (EntryKind.SALE, EntryKind.TOPUP):
                raise NotVoidable(
                    f"entry {entry_id!r} is a {kind}, only a sale or a top-up can be voided"
                )
            if conn.execute("SELECT 1 FROM journal WHERE reverses = ?", (entry_id,)).fetchone():
                raise AlreadyVoided(f"{kind} {entry_id!r} is already voided")
            before = self._account_balance(conn, account_id, currency)
            after = before - amount
            if kind == EntryKind.TOPUP:
                if after < 0:
                    raise TopupSpent(receipt_no=voided_receipt, amount=amount, balance=before)
                body = VoidBody(
                    voids=UUID(entry_id),
                    voided_receipt_no=voided_receipt,
                    tender=_topup_tender(voided_body),
                    balance_after=after,
                    voided_kind="topup",
                )
            else:
                body = VoidBody(
                    voids=UUID(entry_id),
                    # the void receipt lists what is given back (D-PAY-3)
                    lines=_sale_lines(voided_body),
                    voided_receipt_no=voided_receipt,
                    balance_after=after,
                )
            seq, receipt_no = self._next_numbers(conn)
            head = _Head(at, day, account_id, card_id, currency, receipt_no)
            entry = self._append(
                conn,
                head,
                entry_id=void_id,
                seq=seq,
                kind=EntryKind.VOID,
                amount=-amount,
                reverses=entry_id,
                body=body,
            )
            return Committed([entry], receipt_no, after)

    def last_voidable(self) -> JournalEntry | None:
        """The sale or top-up of the last receipt, when not voided yet: what F8 voids ("the
        last receipt", whatever it was). None when the last receipt is a void, an arrears
        payment or an autoload alone, or was voided. A top-up found here may have been spent
        since: `commit_void` then raises NotVoidable saying so."""
        last = self.last_receipt_no()
        if last is None:
            return None
        for entry in reversed(self.entries_for_receipt(last)):
            if entry.kind in (EntryKind.SALE, EntryKind.TOPUP) and not self._rows(
                "SELECT 1 FROM journal WHERE reverses = ?", (entry.entry_id,)
            ):
                return entry
        return None

    def account_arrears(self, account_id: str) -> int:
        """What the account owes (D-AUTO-7) as this till knows it: the server's arrears less
        this till's payments the server has not acknowledged yet."""
        with self._read() as cur:
            row = cur.execute(
                "SELECT arrears FROM accounts WHERE account_id = ?", (account_id,)
            ).fetchone()
            if row is None:
                raise UnknownAccount(f"unknown account {account_id!r}")
            (paid,) = cur.execute(PENDING_ARREARS_PAID, (account_id,)).fetchone()
        return max(0, int(row[0]) - int(paid))

    def commit_arrears_payment(
        self,
        *,
        card_id: str,
        account_id: str,
        currency: str,
        amount: int,
        tender: str,
        created_at: datetime,
        business_day: date,
    ) -> Committed:
        """D-AUTO-7: arrears of a returned direct debit paid in cash at the till; its own
        receipt. The card's stored value does not change (the entry moves 0); the arrears the
        till shows drop at once, and when they reach 0 the till lifts the payment block at
        once (the guide: paid at a till, the card "wird dann wieder entsperrt"): the server
        books the payment when it arrives and lifts the block for every till."""
        _text("card_id", card_id)
        _text("account_id", account_id)
        _currency(currency)
        _positive("amount", amount)
        if tender != "cash":
            raise BadValue(f"tender must be cash: arrears are paid in cash, got {tender!r}")
        at, day = _utc(created_at), _day(business_day)
        entry_id = new_id()
        with self._write() as conn:
            balance, seq, receipt_no = self._open_account(conn, account_id, currency)
            (cached,) = conn.execute(
                "SELECT arrears FROM accounts WHERE account_id = ?", (account_id,)
            ).fetchone()
            (paid,) = conn.execute(PENDING_ARREARS_PAID, (account_id,)).fetchone()
            before = max(0, int(cached) - int(paid))
            if amount > before:  # none owed included
                raise NotPayable(account_id=account_id, amount=amount, owed=before)
            head = _Head(at, day, account_id, card_id, currency, receipt_no)
            entry = self._append(
                conn,
                head,
                entry_id=entry_id,
                seq=seq,
                kind=EntryKind.ARREARS_PAYMENT,
                amount=0,
                body=ArrearsPaymentBody(amount, "cash", before, before - amount, balance),
            )
            return Committed([entry], receipt_no, balance, before - amount)

    # -- journal reads ---------------------------------------------------------------------

    def _entries(self, where: str, params: Sequence[Any] = ()) -> list[JournalEntry]:
        sql = f"SELECT {_JOURNAL_COLUMNS} FROM journal j {where}"
        return [_entry(r) for r in self._rows(sql, params)]

    def journal(self, after_seq: int = 0) -> list[JournalEntry]:
        return self._entries("WHERE j.seq > ? ORDER BY j.seq", (after_seq,))

    def entry(self, entry_id: str) -> JournalEntry | None:
        found = self._entries("WHERE j.entry_id = ?", (entry_id,))
        return found[0] if found else None

    def entries_for_receipt(self, receipt_no: int) -> list[JournalEntry]:
        """Journaled before sync migration 0010: through the receipt index of those entries.
        Since: numbers rise with seq, so the first entry of the receipt is found by halving
        the seqs after them, and its entries follow it."""
        (indexed_to,) = self._rows("SELECT value FROM counters WHERE name = 'receipts_indexed_to'")[
            0
        ]
        old = self._entries(
            f"INDEXED BY journal_receipt WHERE j.receipt_no = ? AND j.seq <= {int(indexed_to)}"
            " ORDER BY j.seq",
            (receipt_no,),
        )
        if old:
            return old
        start = self._first_seq_numbered(receipt_no, int(indexed_to) + 1)
        if start is None:
            return []
        found = []
        for entry in self._entries("WHERE j.seq >= ? ORDER BY j.seq LIMIT ?", (start, 8)):
            if entry.receipt_no != receipt_no:
                break
            found.append(entry)
        return found

    def _first_seq_numbered(self, receipt_no: int, low: int) -> int | None:
        """The lowest seq from `low` on whose entry (or the next one after it) has this
        receipt number or a higher one; None when none has."""

        def number_from(seq: int) -> int | None:
            rows = self._rows(
                "SELECT receipt_no FROM journal WHERE seq >= ? ORDER BY seq LIMIT 1", (seq,)
            )
            return None if not rows or rows[0][0] is None else int(rows[0][0])

        (high,) = self._rows("SELECT COALESCE(MAX(seq), 0) FROM journal")[0]
        high = int(high)
        if high < low or (number_from(high) or 0) < receipt_no:
            return None
        while low < high:
            middle = (low + high) // 2
            if (number_from(middle) or 0) >= receipt_no:
                high = middle
            else:
                low = middle + 1
        return low

    def last_receipt_no(self) -> int | None:
        (_, value) = self._rows(_NEXT_NUMBERS)[0]
        return int(value) - 1 or None

    def last_receipt_entries(self) -> list[JournalEntry]:
        """The entries of the most recent receipt (for a reprint); empty when none yet."""
        last = self.last_receipt_no()
        return [] if last is None else self.entries_for_receipt(last)

    # -- outbox ----------------------------------------------------------------------------

    def outbox_stats(self) -> OutboxStats:
        (count, oldest) = self._rows(
            "SELECT COUNT(*), MIN(created_at) FROM journal INDEXED BY journal_unsent"
            " WHERE applied_at IS NULL AND quarantined IS NULL"
        )[0]
        return OutboxStats(int(count), None if oldest is None else datetime.fromisoformat(oldest))

    def outbox_pending(self, limit: int = 500) -> list[JournalEntry]:
        """Unapplied entries in seq order: the next batch to push."""
        rows = self._rows(OUTBOX_PENDING, (_positive("limit", limit),))
        return [_entry(r) for r in rows]

    def outbox_wire(self, limit: int = 500) -> list[tuple[JournalEntry, str, int]]:
        """The next batch to push, each entry with the series and seq it travels under: the
        store's own, or a recovery series it was moved to."""
        rows = self._rows(
            f"SELECT {_JOURNAL_COLUMNS}, COALESCE(j.series, t.series) AS wire_series,"
            f" COALESCE(j.wire_seq, j.seq) AS wire_seq {_UNSENT} CROSS JOIN till t ON t.id = 1"
            f" {_TO_SEND}",
            (_positive("limit", limit),),
        )
        return [(_entry(r), str(r["wire_series"]), int(r["wire_seq"])) for r in rows]

    def quarantine(self, entry_id: str, reason: str) -> None:
        """The server refused this entry for good: keep it, show it, stop sending it."""
        with self._write() as conn:
            done = conn.execute(
                "UPDATE journal SET quarantined = ? WHERE entry_id = ? AND applied_at IS NULL",
                (_text("reason", reason), entry_id),
            )
            if done.rowcount != 1:
                raise UnknownEntry(f"no unsent entry {entry_id!r} to quarantine")

    def quarantined(self) -> list[tuple[JournalEntry, str]]:
        """What the server refused, for the operator (the money stays in the local balance)."""
        rows = self._rows(
            f"SELECT {_JOURNAL_COLUMNS}, j.quarantined FROM journal j"
            " WHERE j.quarantined IS NOT NULL ORDER BY j.seq"
        )
        return [(_entry(row), str(row["quarantined"])) for row in rows]
