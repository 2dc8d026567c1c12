"""A sale commit against a bare sqlite3 INSERT + COMMIT at its best, sample by sample.

Both files use the same pragmas (WAL, synchronous=FULL) on the same disk, and both are at
their steady state before anything is timed: each side commits untimed until its WAL has
wrapped (a checkpoint ran and the writer restarted the WAL from its first frame) twice and
the WAL file has stopped growing, so no timed commit extends a file. Then the two alternate,
one store commit, one bare commit, so the machine's load falls on both alike.

Pages: the WAL index header in the `-shm` file holds mxFrame, the number of valid frames in
the WAL; its growth over one commit is the pages that commit wrote (a commit that wraps the
WAL restarts, as the checkpoint sequence number in the WAL header shows, counts mxFrame
itself). Each frame is one page.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import struct
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.report import emit, percentile
from sync.ids import new_id
from sync.records import Account, Card, Cardholder, CardState, PriceLevel, SaleLine, Unit
from sync.store import Store

ROUNDS = 3
SAMPLES = 400  # per side and round
ACCOUNTS = 200
UNIT = Unit("u", "Mensa", "mensa", "Europe/Berlin", "EUR", "StW", "Weg 1", "DE1")
LINES = [
    SaleLine("meal", "Menü 1", "Mains", 1, 350, 700),
    SaleLine("cof", "Kaffee", "Drinks", 1, 120, 1900),
]
MAX_WARM_UP = 20_000


def wal_frames(db: Path) -> int:
    """mxFrame of the WAL index header (offset 16 of the -shm file, native byte order)."""
    with open(f"{db}-shm", "rb") as shm:
        header = shm.read(24)
    return int(struct.unpack_from("=I", header, 16)[0])


def wal_resets(db: Path) -> int:
    """The checkpoint sequence number of the WAL header: it counts the WAL's restarts."""
    with open(f"{db}-wal", "rb") as wal:
        header = wal.read(16)
    return int(struct.unpack_from(">I", header, 12)[0])


def wal_size(db: Path) -> int:
    return os.stat(f"{db}-wal").st_size


class Side:
    """One file and its commit; counts the WAL frames of every commit."""

    def __init__(self, path: Path, commit: Callable[[int], None]) -> None:
        self.path = path
        self.commit = commit
        self.n = 0
        self.wraps = 0
        self.last_frames = 0
        self.last_reset = -1

    def step(self) -> tuple[float, float, int]:
        t0, c0 = time.perf_counter(), time.thread_time()
        self.commit(self.n)
        wall, cpu = time.perf_counter() - t0, time.thread_time() - c0
        self.n += 1
        frames, reset = wal_frames(self.path), wal_resets(self.path)
        written = frames - self.last_frames
        if reset != self.last_reset:  # the WAL restarted from its first frame
            self.wraps += self.last_reset >= 0
            written = frames
        self.last_frames, self.last_reset = frames, reset
        return wall, cpu, written

    def warm_up(self) -> int:
        """Commit untimed until the WAL has wrapped twice and its file no longer grows."""
        size_at_wrap = -1
        while self.n < MAX_WARM_UP:
            wraps = self.wraps
            self.step()
            if self.wraps > wraps:
                size = wal_size(self.path)
                if self.wraps >= 2 and size == size_at_wrap:
                    return size
                size_at_wrap = size
        raise RuntimeError(f"{self.path.name}: WAL never settled in {MAX_WARM_UP} commits")


def sale_side(path: Path) -> tuple[Side, Store]:
    store = Store.open(path, till_id="till-1")
    store.upsert_unit(UNIT)
    # A queue of customers, as at a real till: each account has a few unsent sales.
    store.upsert_cardholders(
        Cardholder(f"h{i}", "A", None, frozenset({"mensa"})) for i in range(ACCOUNTS)
    )
    store.upsert_accounts(
        Account(f"a{i}", f"h{i}", "EUR", 10**9, PriceLevel.STUDENT) for i in range(ACCOUNTS)
    )
    store.upsert_cards(Card(f"C{i}", f"a{i}", CardState.ACTIVE) for i in range(ACCOUNTS))
    now = datetime.now(UTC)

    def commit(k: int) -> None:
        i = k % ACCOUNTS
        store.commit_sale(
            card_id=f"C{i}",
            account_id=f"a{i}",
            currency="EUR",
            lines=LINES,
            price_level=PriceLevel.STUDENT,
            offline=False,
            autoload_amount=None,
            created_at=now,
            business_day=now.date(),
        )

    return Side(path, commit), store


class Bare:
    """A bare table with a text UUID key, as the journal's, and a body as long as a sale's."""

    def __init__(self, path: Path, body: str) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)")
        self.body = body
        self.side = Side(path, self.commit)

    def commit(self, _: int) -> None:
        self._conn.execute("BEGIN")
        self._conn.execute("INSERT INTO t VALUES (?, ?)", (new_id(), self.body))
        self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()


class _Timed:
    """The store's connection with the CPU time of each statement added up, by its first
    three words, for the commit under way."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.spent: dict[str, float] = {}
        self._names: dict[str, str] = {}  # named once: the noting counts as Python

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        c0 = time.thread_time()
        try:
            return self._conn.execute(sql, *args)
        finally:
            spent = time.thread_time() - c0
            name = self._names.get(sql)
            if name is None:
                name = self._names[sql] = " ".join(sql.split()[:3])
            self.spent[name] = self.spent.get(name, 0.0) + spent

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)


def where_the_cpu_goes(side: Side, owner: Any, samples: int) -> dict[str, float]:
    """A commit's CPU split into its statements (COMMIT: the WAL writes and the fsync call)
    and the Python around them (the rest of the commit's CPU time): medians over the commits
    of each part's sum in one commit. A separate phase, as the noting itself costs a little.
    `owner._conn` is the connection the commit uses."""
    conn = owner._conn
    timed = owner._conn = _Timed(conn)
    parts: dict[str, list[float]] = {}
    try:
        for _ in range(samples):
            timed.spent = {}
            cpu = side.step()[1]
            for name, value in {**timed.spent, "python": cpu - sum(timed.spent.values())}.items():
                parts.setdefault(name, []).append(value)
    finally:
        owner._conn = conn
    return {name: round(statistics.median(values) * 1000, 4) for name, values in parts.items()}


def stats(values: list[float], scale: float = 1000.0) -> dict[str, float]:
    return {
        "median": round(statistics.median(values) * scale, 4),
        # the cost of a commit the machine's load left alone, on a machine shared with others
        "p10": round(percentile(values, 10) * scale, 4),
        "p99": round(percentile(values, 99) * scale, 4),
        "mean": round(statistics.fmean(values) * scale, 4),
    }


def main() -> None:
    load = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        sale, store = sale_side(Path(tmp) / "till.db")
        sale.step()  # one sale first: the bare side stores a body as long as its body
        (body,) = store.db.conn.execute("SELECT body FROM journal LIMIT 1").fetchone()
        bare_db = Bare(Path(tmp) / "bare.db", str(body))
        bare = bare_db.side
        wal_bytes = {"sale": sale.warm_up(), "bare": bare.warm_up()}
        warm = {"sale": sale.n, "bare": bare.n}
        got: dict[str, dict[str, list[float]]] = {
            s: {"wall": [], "cpu": [], "pages": []} for s in ("sale", "bare")
        }
        rounds = []
        for _ in range(ROUNDS):
            before = {s: len(got[s]["wall"]) for s in got}
            for _ in range(SAMPLES):
                for name, side in (("sale", sale), ("bare", bare)):
                    for key, value in zip(("wall", "cpu", "pages"), side.step(), strict=True):
                        got[name][key].append(value)
            rounds.append(
                round(
                    statistics.median(got["sale"]["wall"][before["sale"] :])
                    / statistics.median(got["bare"]["wall"][before["bare"] :]),
                    3,
                )
            )
        grown = {"sale": wal_size(sale.path) - wal_bytes["sale"], "bare": wal_size(bare.path)}
        grown["bare"] -= wal_bytes["bare"]
        split = {
            "sale": where_the_cpu_goes(sale, store, SAMPLES),
            "bare": where_the_cpu_goes(bare, bare_db, SAMPLES),
        }
        store.close()
        bare_db.close()
    wall = {s: stats(got[s]["wall"]) for s in got}
    cpu = {s: stats(got[s]["cpu"]) for s in got}
    pages = {s: round(statistics.fmean(got[s]["pages"]), 2) for s in got}
    emit(
        "commit_ratio_vs_sqlite",
        wall["sale"]["median"] / wall["bare"]["median"],
        "ratio",
        "<= 1.5",
        ratio_per_round=rounds,
        cpu_ratio=round(cpu["sale"]["median"] / cpu["bare"]["median"], 3),
        sale_commit_ms=wall["sale"],
        bare_commit_ms=wall["bare"],
        sale_cpu_ms=cpu["sale"],
        bare_cpu_ms=cpu["bare"],
        sale_wal_pages_per_commit=pages["sale"],
        bare_wal_pages_per_commit=pages["bare"],
        sale_cpu_split_ms=split["sale"],
        bare_cpu_split_ms=split["bare"],
        samples_per_side=len(got["sale"]["wall"]),
        warm_up_commits=warm,
        wal_bytes_at_steady_state=wal_bytes,
        wal_growth_while_timed_bytes=grown,
        sale_body_bytes=len(body),
        loadavg=load,
        loadavg_after=[round(x, 2) for x in os.getloadavg()],
    )


if __name__ == "__main__":
    main()
