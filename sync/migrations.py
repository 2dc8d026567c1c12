"""The store's schema as named, ordered migrations; applied ones are recorded in `_migrations`.

A migration is never edited once released: change the schema by appending a new one. Each runs
in its own transaction together with its `_migrations` row, so a crash leaves it applied or not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from sync.ids import new_id

Migration = Callable[[sqlite3.Connection], None]


class UnknownMigrations(RuntimeError):
    """The database was migrated by a newer version of the till than this one."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(
            "database has migrations this version does not know: "
            + ", ".join(names)
            + " (written by a newer version of the till?)"
        )
        self.names = names


def _run(conn: sqlite3.Connection, statements: list[str]) -> None:
    # One statement at a time: executescript() would commit the migration's transaction.
    for sql in statements:
        conn.execute(sql)


def _cache_tables(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        [
            """CREATE TABLE till (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                till_id TEXT NOT NULL,
                unit_id TEXT)""",
            """CREATE TABLE units (
                unit_id TEXT PRIMARY KEY, name TEXT NOT NULL, unit_type TEXT NOT NULL,
                timezone TEXT NOT NULL, currency TEXT NOT NULL, seller_name TEXT NOT NULL,
                address TEXT NOT NULL, vat_number TEXT NOT NULL)""",
            # prices: JSON object {price level: minor units}
            """CREATE TABLE products (
                product_id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL,
                prices TEXT NOT NULL, vat_rate_bp INTEGER NOT NULL, shortcut TEXT,
                position INTEGER NOT NULL DEFAULT 0)""",
            "CREATE INDEX products_order ON products(category, position, name)",
            # allowed_unit_types, blocked_categories: JSON arrays
            """CREATE TABLE cardholders (
                cardholder_id TEXT PRIMARY KEY, name TEXT NOT NULL, photo_sha256 TEXT,
                allowed_unit_types TEXT NOT NULL, daily_limit INTEGER,
                blocked_categories TEXT NOT NULL)""",
            # day/day_spent/day_autoloads: what the server knows of the account's business day,
            # so lookup() adds only this till's unapplied entries on top (D-UNIT-3, D-AUTO-4).
            """CREATE TABLE accounts (
                account_id TEXT PRIMARY KEY, cardholder_id TEXT NOT NULL, currency TEXT NOT NULL,
                balance INTEGER NOT NULL CHECK (typeof(balance) = 'integer'),
                price_level TEXT NOT NULL, membership_expires TEXT,
                payment_blocked INTEGER NOT NULL DEFAULT 0, arrears INTEGER NOT NULL DEFAULT 0,
                version INTEGER NOT NULL DEFAULT 0,
                day TEXT, day_spent INTEGER NOT NULL DEFAULT 0,
                day_autoloads INTEGER NOT NULL DEFAULT 0)""",
            # D-CARD-3: the canonical card id is the primary key, so a tap is one index probe.
            """CREATE TABLE cards (
                card_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('active', 'blocked', 'closed')),
                replaced_by TEXT)""",
            "CREATE INDEX cards_account ON cards(account_id)",
            """CREATE TABLE autoload_agreements (
                account_id TEXT PRIMARY KEY, threshold INTEGER NOT NULL, amount INTEGER NOT NULL,
                active_from TEXT NOT NULL, ended INTEGER NOT NULL DEFAULT 0,
                collection_failed INTEGER NOT NULL DEFAULT 0)""",
            "CREATE TABLE policy (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL)",
            "CREATE TABLE photos (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)",
        ],
    )


def _journal(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        [
            # reverses: the sale a void undoes; UNIQUE makes a second void of it impossible.
            """CREATE TABLE journal (
                entry_id TEXT PRIMARY KEY,
                seq INTEGER NOT NULL CHECK (seq > 0),
                till_id TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('sale', 'autoload', 'topup', 'void')),
                created_at TEXT NOT NULL CHECK (created_at LIKE '%+00:00'),
                business_day TEXT NOT NULL,
                account_id TEXT, card_id TEXT,
                amount INTEGER NOT NULL CHECK (typeof(amount) = 'integer'),
                currency TEXT NOT NULL,
                receipt_no INTEGER,
                body TEXT NOT NULL,
                reverses TEXT UNIQUE REFERENCES journal(entry_id),
                UNIQUE (till_id, seq))""",
            "CREATE INDEX journal_account ON journal(account_id)",
            "CREATE INDEX journal_receipt ON journal(receipt_no)",
            """CREATE TABLE outbox (
                entry_id TEXT PRIMARY KEY REFERENCES journal(entry_id),
                created_at TEXT NOT NULL,
                applied_at TEXT)""",
            "CREATE INDEX outbox_unapplied ON outbox(created_at) WHERE applied_at IS NULL",
            "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
            "INSERT INTO counters (name, value) VALUES ('receipt_no', 0)",
        ],
    )


def _sync_state(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        [
            """CREATE TABLE sync_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                cursor INTEGER NOT NULL DEFAULT 0,
                server_applied_seq INTEGER NOT NULL DEFAULT 0,
                last_sync TEXT
            )""",
            "INSERT INTO sync_state (id) VALUES (1)",
            # Refused by the server for good: kept, shown to the operator, not sent again.
            "ALTER TABLE outbox ADD COLUMN quarantined TEXT",
        ],
    )


NIL_SERIES = "00000000-0000-0000-0000-000000000000"  # sync.protocol.NIL_SERIES


def _series_receipts_snapshots(conn: sqlite3.Connection) -> None:
    # A store numbers its entries in a series of its own: a store made afresh (a new disk, a
    # re-enrolled till) starts a new series, so its seq 1 is never "already taken" on the
    # server. A store that journaled before series existed keeps the server's name for them.
    (entries,) = conn.execute("SELECT COUNT(*) FROM journal").fetchone()
    series = NIL_SERIES if entries else new_id()
    _run(
        conn,
        [
            "ALTER TABLE till ADD COLUMN series TEXT",
            f"UPDATE till SET series = '{series}'",
            # The server's receive number for an entry it holds; the outbox row stays until
            # the server has acknowledged the entry's id, and comes back if the server forgot.
            "ALTER TABLE outbox ADD COLUMN recv_no INTEGER",
            "CREATE INDEX outbox_recv ON outbox(recv_no) WHERE recv_no IS NOT NULL",
            # An entry whose seq the server had for another entry (this store was restored
            # from an older copy of itself) moves to a recovery series: its wire numbering.
            "ALTER TABLE till ADD COLUMN recovery_series TEXT",
            "ALTER TABLE outbox ADD COLUMN series TEXT",
            "ALTER TABLE outbox ADD COLUMN wire_seq INTEGER",
            "CREATE UNIQUE INDEX outbox_wire ON outbox(series, wire_seq) WHERE series IS NOT NULL",
            # The feed's cursor is opaque text now; snapshot = 1 while a snapshot is paging
            # in: at its end, what it did not hold is dropped (a server restored from a backup).
            "ALTER TABLE sync_state ADD COLUMN feed_cursor TEXT NOT NULL DEFAULT '0'",
            # The highest receive number of the entry results feed pages have listed, this
            # store's or not (a lost copy's): the next page lists only those after it.
            "ALTER TABLE sync_state ADD COLUMN results_after INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE sync_state ADD COLUMN snapshot INTEGER NOT NULL DEFAULT 0",
            """CREATE TABLE snapshot_seen (
                kind TEXT NOT NULL, item_key TEXT NOT NULL,
                PRIMARY KEY (kind, item_key)) WITHOUT ROWID""",
            # Feed items this till could not read (skipped) or read without some fields.
            """CREATE TABLE feed_problems (
                id INTEGER PRIMARY KEY, seen_at TEXT NOT NULL, seq INTEGER, kind TEXT NOT NULL,
                item_key TEXT, problem TEXT NOT NULL, skipped INTEGER NOT NULL,
                reported INTEGER NOT NULL DEFAULT 0, resolved INTEGER NOT NULL DEFAULT 0)""",
        ],
    )


def _unit_locale_sold_out(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        [
            "ALTER TABLE units ADD COLUMN locale TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE products ADD COLUMN sold_out INTEGER NOT NULL DEFAULT 0",
        ],
    )


def _journal_arrears_payment(conn: sqlite3.Connection) -> None:
    """D-AUTO-7: the journal takes arrears payments. SQLite cannot change a CHECK in place,
    so the table is rebuilt; the outbox rows that point at it are put aside meanwhile (a
    migration runs with foreign keys on, inside its transaction, where they cannot be
    switched off), and the copy's self-reference names the copy, which the rename follows."""
    _run(
        conn,
        [
            "CREATE TEMP TABLE outbox_kept AS SELECT * FROM outbox",
            "DELETE FROM outbox",
            """CREATE TABLE journal_v6 (
                entry_id TEXT PRIMARY KEY,
                seq INTEGER NOT NULL CHECK (seq > 0),
                till_id TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN
                    ('sale', 'autoload', 'topup', 'void', 'arrears_payment')),
                created_at TEXT NOT NULL CHECK (created_at LIKE '%+00:00'),
                business_day TEXT NOT NULL,
                account_id TEXT, card_id TEXT,
                amount INTEGER NOT NULL CHECK (typeof(amount) = 'integer'),
                currency TEXT NOT NULL,
                receipt_no INTEGER,
                body TEXT NOT NULL,
                reverses TEXT UNIQUE REFERENCES journal_v6(entry_id),
                UNIQUE (till_id, seq))""",
            "INSERT INTO journal_v6 SELECT entry_id, seq, till_id, kind, created_at,"
            " business_day, account_id, card_id, amount, currency, receipt_no, body, reverses"
            " FROM journal",
            "DELETE FROM journal",
            "DROP TABLE journal",
            "ALTER TABLE journal_v6 RENAME TO journal",
            "CREATE INDEX journal_account ON journal(account_id)",
            "CREATE INDEX journal_receipt ON journal(receipt_no)",
            "INSERT INTO outbox SELECT * FROM outbox_kept",
            "DROP TABLE outbox_kept",
        ],
    )


# What the till's screen shows: a write to any of these moves the menu version, so the screen
# polls one row instead of reading the menu again (and a tap pays nothing for it).
_MENU_TABLES = ("products", "units", "policy")


def _menu_version(conn: sqlite3.Connection) -> None:
    statements = [
        """CREATE TABLE menu_version (
            id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)""",
        "INSERT INTO menu_version (id, version) VALUES (1, 0)",
        # A supervisor's sold-out mark, kept until the server has it (D-SYNC-2).
        """CREATE TABLE sold_out_marks (
            mark_id TEXT PRIMARY KEY, product_id TEXT NOT NULL,
            sold_out INTEGER NOT NULL CHECK (sold_out IN (0, 1)),
            marked_at TEXT NOT NULL, sent_at TEXT, problem TEXT)""",
        "CREATE INDEX sold_out_marks_unsent ON sold_out_marks(mark_id) WHERE sent_at IS NULL",
        """CREATE TRIGGER menu_till_unit AFTER UPDATE OF unit_id ON till
            BEGIN UPDATE menu_version SET version = version + 1 WHERE id = 1; END""",
    ]
    for table in _MENU_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER menu_{table}_{event.lower()} AFTER {event} ON {table}"
                " BEGIN UPDATE menu_version SET version = version + 1 WHERE id = 1; END"
            )
    _run(conn, statements)


def _add_pending(sign: str, row: str) -> str:
    """Statements adding (sign "+1") or taking away ("-1") one outbox row's journal entry to
    its account's pending figures; the sums `_PENDING` in sync/cache.py used to compute."""
    return f"""
        INSERT INTO pending_accounts (account_id, delta, debits, arrears_paid)
        SELECT j.account_id, {sign} * j.amount,
               {sign} * (CASE WHEN j.amount < 0 THEN -j.amount ELSE 0 END),
               {sign} * (CASE WHEN j.kind = 'arrears_payment'
                              THEN COALESCE(json_extract(j.body, '$.amount'), 0) ELSE 0 END)
        FROM journal j WHERE j.entry_id = {row}.entry_id AND j.account_id IS NOT NULL
        ON CONFLICT (account_id) DO UPDATE SET delta = delta + excluded.delta,
            debits = debits + excluded.debits, arrears_paid = arrears_paid + excluded.arrears_paid;
        INSERT INTO pending_days (account_id, business_day, spent, autoloads)
        SELECT j.account_id, j.business_day,
               {sign} * (CASE WHEN j.kind = 'sale' OR (j.kind = 'void' AND j.amount > 0)
                              THEN -j.amount ELSE 0 END),
               {sign} * (CASE WHEN j.kind = 'autoload' THEN 1 ELSE 0 END)
        FROM journal j WHERE j.entry_id = {row}.entry_id AND j.account_id IS NOT NULL
        ON CONFLICT (account_id, business_day) DO UPDATE SET spent = spent + excluded.spent,
            autoloads = autoloads + excluded.autoloads;"""


def _pending_per_account(conn: sqlite3.Connection) -> None:
    """Invariant 3 kept, not summed: what this till has journaled for an account that the
    server has not applied, per account (and its spending and autoloads per business day),
    moved by triggers on the outbox in the transaction that moves the outbox row, so a tap
    and a commit read one row whatever the backlog (issue 11)."""
    unapplied = "FROM journal j JOIN outbox o ON o.entry_id = j.entry_id"
    unapplied += " WHERE o.applied_at IS NULL AND j.account_id IS NOT NULL"
    _run(
        conn,
        [
            """CREATE TABLE pending_accounts (
                account_id TEXT PRIMARY KEY, delta INTEGER NOT NULL DEFAULT 0,
                debits INTEGER NOT NULL DEFAULT 0, arrears_paid INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID""",
            """CREATE TABLE pending_days (
                account_id TEXT NOT NULL, business_day TEXT NOT NULL,
                spent INTEGER NOT NULL DEFAULT 0, autoloads INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (account_id, business_day)) WITHOUT ROWID""",
            f"""INSERT INTO pending_accounts (account_id, delta, debits, arrears_paid)
                SELECT j.account_id, SUM(j.amount),
                       SUM(CASE WHEN j.amount < 0 THEN -j.amount ELSE 0 END),
                       SUM(CASE WHEN j.kind = 'arrears_payment'
                                THEN COALESCE(json_extract(j.body, '$.amount'), 0) ELSE 0 END)
                {unapplied} GROUP BY j.account_id""",
            f"""INSERT INTO pending_days (account_id, business_day, spent, autoloads)
                SELECT j.account_id, j.business_day,
                       SUM(CASE WHEN j.kind = 'sale' OR (j.kind = 'void' AND j.amount > 0)
                                THEN -j.amount ELSE 0 END),
                       SUM(CASE WHEN j.kind = 'autoload' THEN 1 ELSE 0 END)
                {unapplied} GROUP BY j.account_id, j.business_day""",
            *_pending_triggers(),
        ],
    )


def _pending_triggers() -> list[str]:
    return [
        f"""CREATE TRIGGER pending_outbox_insert AFTER INSERT ON outbox
            WHEN NEW.applied_at IS NULL BEGIN {_add_pending("+1", "NEW")} END""",
        f"""CREATE TRIGGER pending_outbox_applied AFTER UPDATE OF applied_at ON outbox
            WHEN OLD.applied_at IS NULL AND NEW.applied_at IS NOT NULL
            BEGIN {_add_pending("-1", "NEW")} END""",
        f"""CREATE TRIGGER pending_outbox_unapplied AFTER UPDATE OF applied_at ON outbox
            WHEN OLD.applied_at IS NOT NULL AND NEW.applied_at IS NULL
            BEGIN {_add_pending("+1", "NEW")} END""",
        f"""CREATE TRIGGER pending_outbox_delete AFTER DELETE ON outbox
            WHEN OLD.applied_at IS NULL BEGIN {_add_pending("-1", "OLD")} END""",
    ]


_FIGURES = "delta, debits, arrears_paid, spent, autoloads"


def _terms(j: str) -> list[str]:
    """One journal row's (`j`) share of its account's pending figures, in `_FIGURES` order."""
    return [
        f"{j}.amount",
        f"CASE WHEN {j}.amount < 0 THEN -{j}.amount ELSE 0 END",
        f"""CASE WHEN {j}.kind = 'arrears_payment'
                 THEN COALESCE(json_extract({j}.body, '$.amount'), 0) ELSE 0 END""",
        f"""CASE WHEN {j}.kind = 'sale' OR ({j}.kind = 'void' AND {j}.amount > 0)
                 THEN -{j}.amount ELSE 0 END""",
        f"CASE WHEN {j}.kind = 'autoload' THEN 1 ELSE 0 END",
    ]


def _figures(sign: str, j: str) -> str:
    return ", ".join(f"{sign} * ({term})" for term in _terms(j))


def _add_figures(sign: str, j: str, source: str) -> str:
    return f"""
        INSERT INTO pending_days (account_id, business_day, {_FIGURES})
        SELECT {j}.account_id, {j}.business_day, {_figures(sign, j)}
        {source} ON CONFLICT (account_id, business_day) DO UPDATE SET
            delta = delta + excluded.delta, debits = debits + excluded.debits,
            arrears_paid = arrears_paid + excluded.arrears_paid,
            spent = spent + excluded.spent, autoloads = autoloads + excluded.autoloads;"""


def _move_figures(sign: str, row: str) -> str:
    """An outbox row's entry in (+1) or out (-1) of the figures; a day left with nothing
    unapplied goes, so an account has as many rows as days with unsent entries."""
    moved = _add_figures(
        sign, "j", f"FROM journal j WHERE j.entry_id = {row}.entry_id AND j.account_id IS NOT NULL"
    )
    if sign == "-1":
        moved += f"""
        DELETE FROM pending_days WHERE (account_id, business_day) =
            (SELECT account_id, business_day FROM journal WHERE entry_id = {row}.entry_id)
          AND delta = 0 AND debits = 0 AND arrears_paid = 0 AND spent = 0 AND autoloads = 0;"""
    return moved


def _figures_triggers() -> list[str]:
    return [
        # A new entry is unapplied: its outbox row, and its figures from the row itself.
        f"""CREATE TRIGGER journal_outbox AFTER INSERT ON journal BEGIN
            INSERT INTO outbox (entry_id, created_at) VALUES (NEW.entry_id, NEW.created_at);
            {_add_figures("+1", "NEW", "WHERE NEW.account_id IS NOT NULL")} END""",
        f"""CREATE TRIGGER pending_outbox_applied AFTER UPDATE OF applied_at ON outbox
            WHEN OLD.applied_at IS NULL AND NEW.applied_at IS NOT NULL
            BEGIN {_move_figures("-1", "NEW")} END""",
        f"""CREATE TRIGGER pending_outbox_unapplied AFTER UPDATE OF applied_at ON outbox
            WHEN OLD.applied_at IS NOT NULL AND NEW.applied_at IS NULL
            BEGIN {_move_figures("+1", "NEW")} END""",
        f"""CREATE TRIGGER pending_outbox_delete AFTER DELETE ON outbox
            WHEN OLD.applied_at IS NULL BEGIN {_move_figures("-1", "OLD")} END""",
    ]


def _sums() -> str:
    return ", ".join(f"SUM({term})" for term in _terms("j"))


_TRIGGERS = ("insert", "applied", "unapplied", "delete")


def _fewer_pages_per_sale(conn: sqlite3.Connection) -> None:
    """Issue 11: a sale wrote 13 pages, one for every b-tree it touched. The journal is
    keyed by its seq (the rowid: no separate (till_id, seq) index, and the next seq is the
    last row's); a void's `reverses` is unique through a partial index, so a sale adds
    nothing to it; `journal_account` goes, as nothing reads the journal by account any more
    (the pending figures are kept); the outbox is one b-tree keyed by its entry id (WITHOUT
    ROWID); the pending figures are one row per account and business day (`pending_days`,
    the account's are the sum over its days with unsent entries) instead of two rows in two
    tables; the outbox row and the figures come from a trigger of the journal row, one
    statement for all of them, the figures from the new row instead of read back; and the
    receipt number is the journal's highest (through `journal_receipt`) instead of a counter
    row rewritten by every sale. `counters.receipt_no` stays as it was, the floor of the
    numbers (a store numbered before this migration). Column orders are unchanged.

    The outbox's triggers are dropped first, so moving its rows moves no pending figure; the
    figures are summed from the journal once, here."""
    columns = (
        "entry_id, seq, till_id, kind, created_at, business_day, account_id, card_id, amount,"
        " currency, receipt_no, body, reverses"
    )
    outbox = "entry_id, created_at, applied_at, quarantined, recv_no, series, wire_seq"
    # A store that journaled under two till ids (before 0004 tied a store to one till)
    # numbered each id from 1: its seqs repeat, and one key for all would refuse the
    # copy and leave the till unable to open its store. Such a store is numbered again in
    # the order it wrote, and an unsent entry whose number changed keeps the one it goes out
    # under (its `wire_seq`), so the server sees what it would have seen.
    repeats = conn.execute(
        "SELECT 1 FROM journal GROUP BY seq HAVING COUNT(*) > 1 LIMIT 1"
    ).fetchone()
    seq_of = "ROW_NUMBER() OVER (ORDER BY created_at, rowid)" if repeats else "seq"
    copied = columns.replace("entry_id, seq,", f"entry_id, {seq_of},", 1)
    _run(
        conn,
        [
            *(f"DROP TRIGGER pending_outbox_{name}" for name in _TRIGGERS),
            """CREATE TABLE journal_v9 (
                entry_id TEXT NOT NULL UNIQUE,
                seq INTEGER PRIMARY KEY CHECK (seq > 0),
                till_id TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN
                    ('sale', 'autoload', 'topup', 'void', 'arrears_payment')),
                created_at TEXT NOT NULL CHECK (created_at LIKE '%+00:00'),
                business_day TEXT NOT NULL,
                account_id TEXT, card_id TEXT,
                amount INTEGER NOT NULL CHECK (typeof(amount) = 'integer'),
                currency TEXT NOT NULL,
                receipt_no INTEGER,
                body TEXT NOT NULL,
                reverses TEXT REFERENCES journal_v9(entry_id))""",
            f"INSERT INTO journal_v9 ({columns}) SELECT {copied} FROM journal ORDER BY rowid",
            """CREATE TABLE outbox_v9 (
                entry_id TEXT PRIMARY KEY REFERENCES journal_v9(entry_id),
                created_at TEXT NOT NULL,
                applied_at TEXT,
                quarantined TEXT,
                recv_no INTEGER,
                series TEXT,
                wire_seq INTEGER) WITHOUT ROWID""",
            f"INSERT INTO outbox_v9 ({outbox}) SELECT {outbox} FROM outbox",
            """UPDATE outbox_v9 SET wire_seq =
                    (SELECT j.seq FROM journal j WHERE j.entry_id = outbox_v9.entry_id)
                WHERE wire_seq IS NULL AND
                    (SELECT j.seq FROM journal j WHERE j.entry_id = outbox_v9.entry_id) !=
                    (SELECT v.seq FROM journal_v9 v WHERE v.entry_id = outbox_v9.entry_id)""",
            "DROP TABLE outbox",
            "DELETE FROM journal",
            "DROP TABLE journal",
            "ALTER TABLE journal_v9 RENAME TO journal",
            "ALTER TABLE outbox_v9 RENAME TO outbox",
            "CREATE INDEX journal_receipt ON journal(receipt_no)",
            "CREATE UNIQUE INDEX journal_reverses ON journal(reverses) WHERE reverses IS NOT NULL",
            "CREATE INDEX outbox_unapplied ON outbox(created_at) WHERE applied_at IS NULL",
            "CREATE INDEX outbox_recv ON outbox(recv_no) WHERE recv_no IS NOT NULL",
            "CREATE UNIQUE INDEX outbox_wire ON outbox(series, wire_seq) WHERE series IS NOT NULL",
            # One row per account and day with all its figures: a sale writes one page
            # of them, not two; the account's are the sum over its (few) days.
            """CREATE TABLE pending_v9 (
                account_id TEXT NOT NULL, business_day TEXT NOT NULL,
                delta INTEGER NOT NULL DEFAULT 0, debits INTEGER NOT NULL DEFAULT 0,
                arrears_paid INTEGER NOT NULL DEFAULT 0, spent INTEGER NOT NULL DEFAULT 0,
                autoloads INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (account_id, business_day)) WITHOUT ROWID""",
            f"""INSERT INTO pending_v9 (account_id, business_day, {_FIGURES})
                SELECT j.account_id, j.business_day, {_sums()}
                FROM journal j JOIN outbox o ON o.entry_id = j.entry_id
                WHERE o.applied_at IS NULL AND j.account_id IS NOT NULL
                GROUP BY j.account_id, j.business_day""",
            "DROP TABLE pending_accounts",
            "DROP TABLE pending_days",
            "ALTER TABLE pending_v9 RENAME TO pending_days",
            *_figures_triggers(),
        ],
    )


def _journal_figures(sign: str) -> str:
    """A journal row's (NEW's) move in (+1) or out (-1) of its account's figures, from the
    row itself; a day left with nothing unapplied goes."""
    moved = _add_figures(sign, "NEW", "WHERE NEW.account_id IS NOT NULL")
    if sign == "-1":
        moved += """
        DELETE FROM pending_days WHERE account_id = NEW.account_id
          AND business_day = NEW.business_day AND delta = 0 AND debits = 0
          AND arrears_paid = 0 AND spent = 0 AND autoloads = 0;"""
    return moved


_OUTBOX_TYPED = (
    "applied_at TEXT",
    "quarantined TEXT",
    "recv_no INTEGER",
    "series TEXT",
    "wire_seq INTEGER",
)
_OUTBOX_COLUMNS = tuple(typed.split()[0] for typed in _OUTBOX_TYPED)


def _outbox_in_the_journal(conn: sqlite3.Connection) -> None:
    """Issue 11: the outbox was a b-tree of its own, one more page (and a foreign-key check,
    and a trigger's insert) for every sale, for one row per entry anyway. Its columns move
    into the journal row; a sale writes them as NULL (unsent) with the row itself, and the
    unsent entries are a partial index of the journal (`journal_unsent`, by seq). The
    outbox's `created_at` was the entry's own (the trigger copied it): derived, not stored.

    Every entry keeps what its outbox row said (applied or not, its quarantine, receive
    number, recovery series and the seq it travels under), so nothing unsent is lost and
    nothing sent goes out again. An entry without an outbox row (no till wrote one: the row
    came with its entry in one statement) was neither sent nor counted: it is marked applied,
    as it was not in the outbox, so it stays out of the figures and is not sent now.

    The figures' triggers move to the journal and read the row itself; the pending figures
    are not touched (the triggers are dropped before the rows move). `outbox` stays as a
    view with its old columns, for readers of the file (a diagnosis, `readonly_counts`).

    The receipt index keeps the entries journaled so far only (`seq <=` the last seq now,
    also kept as `counters.receipts_indexed_to`), and the receipt counter becomes the highest
    number so far: from here on an entry's number is one past the last entry's (or the
    counter's), so numbers rise with seq and a receipt's entries are found by seq, and a
    sale writes no receipt index entry (one page fewer)."""
    moved = ", ".join(_OUTBOX_COLUMNS)
    (last,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM journal").fetchone()
    _run(
        conn,
        [
            """UPDATE counters SET value = MAX(value,
                    (SELECT COALESCE(MAX(receipt_no), 0) FROM journal))
                WHERE name = 'receipt_no'""",
            f"INSERT INTO counters (name, value) VALUES ('receipts_indexed_to', {int(last)})",
            "DROP INDEX journal_receipt",
            f"CREATE INDEX journal_receipt ON journal(receipt_no) WHERE seq <= {int(last)}",
            "DROP TRIGGER journal_outbox",
            *(f"DROP TRIGGER pending_outbox_{name}" for name in _TRIGGERS[1:]),
            *(f"ALTER TABLE journal ADD COLUMN {column}" for column in _OUTBOX_TYPED),
            f"""UPDATE journal SET ({moved}) = (SELECT {moved} FROM outbox o
                    WHERE o.entry_id = journal.entry_id)
                WHERE entry_id IN (SELECT entry_id FROM outbox WHERE applied_at IS NOT NULL
                    OR quarantined IS NOT NULL OR recv_no IS NOT NULL OR series IS NOT NULL
                    OR wire_seq IS NOT NULL)""",
            """UPDATE journal SET applied_at = created_at
                WHERE entry_id NOT IN (SELECT entry_id FROM outbox)""",
            "DROP TABLE outbox",
            "CREATE INDEX journal_unsent ON journal(seq) WHERE applied_at IS NULL",
            "CREATE INDEX journal_recv ON journal(recv_no) WHERE recv_no IS NOT NULL",
            """CREATE UNIQUE INDEX journal_wire ON journal(series, wire_seq)
                WHERE series IS NOT NULL""",
            f"CREATE VIEW outbox AS SELECT entry_id, created_at, {moved} FROM journal",
            f"""CREATE TRIGGER journal_figures AFTER INSERT ON journal
                WHEN NEW.applied_at IS NULL BEGIN {_journal_figures("+1")} END""",
            f"""CREATE TRIGGER journal_applied AFTER UPDATE OF applied_at ON journal
                WHEN OLD.applied_at IS NULL AND NEW.applied_at IS NOT NULL
                BEGIN {_journal_figures("-1")} END""",
            f"""CREATE TRIGGER journal_unapplied AFTER UPDATE OF applied_at ON journal
                WHEN OLD.applied_at IS NOT NULL AND NEW.applied_at IS NULL
                BEGIN {_journal_figures("+1")} END""",
        ],
    )


MIGRATIONS: list[tuple[str, Migration]] = [
    ("0001_cache_tables", _cache_tables),
    ("0002_journal_outbox", _journal),
    ("0003_sync_state_quarantine", _sync_state),
    ("0004_series_receipts_snapshots", _series_receipts_snapshots),
    ("0005_unit_locale_product_sold_out", _unit_locale_sold_out),
    ("0006_journal_arrears_payment", _journal_arrears_payment),
    ("0007_menu_version", _menu_version),
    ("0008_pending_per_account", _pending_per_account),
    ("0009_fewer_pages_per_sale", _fewer_pages_per_sale),
    ("0010_outbox_in_the_journal", _outbox_in_the_journal),
]


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names recorded in `_migrations`, in the order they were applied."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
    ).fetchone()
    if exists is None:
        return []
    rows = conn.execute("SELECT name FROM _migrations ORDER BY rowid").fetchall()
    return [str(name) for (name,) in rows]


def migrate(
    conn: sqlite3.Connection, migrations: list[tuple[str, Migration]] | None = None
) -> list[str]:
    """Apply the migrations not yet recorded; return their names. Idempotent.

    Raises UnknownMigrations before touching anything when the database records a migration
    this code does not have: an older till must not write a newer schema.
    """
    todo = MIGRATIONS if migrations is None else migrations
    known = {name for name, _ in todo}
    done = applied_migrations(conn)
    unknown = [name for name in done if name not in known]
    if unknown:
        raise UnknownMigrations(unknown)
    applied: list[str] = []
    for name, migration in todo:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations"
                " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            # Another process may have applied it while we waited for the write lock.
            if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("ROLLBACK")
                continue
            migration(conn)
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
