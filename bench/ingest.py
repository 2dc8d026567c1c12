"""Journal ingest on PostgreSQL over HTTP, beside the bare database doing the same writes.

A real server process on loopback and a private PostgreSQL cluster (fsync on). Each round,
interleaved so the machine's load falls on all alike:

- single: tills each push one sale per request, as a till does right after each sale;
  open loop: every till sends at its set times whatever the answers do (a till whose
  previous push is unanswered sends the next as soon as it is, one request at a time, as a
  till must), together `RATE` sales/s. Ack time is from the sale's set time.
- batch: one till drains `BATCHES` batches of 500 back to back (the end of an outage);
  parallel batch: `DRAINS` tills drain theirs at once (the end of an outage at a canteen),
  each selling to cardholders of its own.
- bare: psycopg on the same rows the server writes for a sale (a journal row, two ledger
  rows, a change), into tables of the same shape: one sale per transaction from the same
  number of connections as tills; and 500 per transaction, by executemany and by COPY.

Server CPU per sale is read from /proc/PID/stat of the server process (and its workers);
the cluster's CPU beside it. Every figure with the load average when it was taken.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.report import emit, median
from sync.ids import new_id
from sync.protocol import EntryIn, JournalBatch
from tests.server.live import Server, start

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TILLS = 16
RATE = 600.0  # sales/s offered, all tills together
SINGLE_S = 4.0
BATCHES = 10
BATCH = 500
DRAINS = 4  # tills draining at once after an outage
ACCOUNTS = 50
NOW = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)
DAY = date(2026, 12, 2)
TICK = os.sysconf("SC_CLK_TCK")
BODY = {
    "lines": [
        {
            "product_id": "m",
            "name": "Menü",
            "category": "Mains",
            "quantity": 1,
            "unit_price": 350,
            "vat_rate_bp": 700,
        }
    ],
    "total": 350,
    "price_level": "student",
}


def sale(series: UUID, seq: int, account: int) -> EntryIn:
    return EntryIn(
        id=UUID(new_id()),
        series=series,
        seq=seq,
        kind="sale",
        created_at=NOW,
        business_day=DAY,
        account_id=f"a{account}",
        card_id=f"C{account}",
        amount=-350,
        currency="EUR",
        receipt_no=seq,
        body=BODY,
    )


def cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (all their threads)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile: ENOENT, or ESRCH while its stat was read
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def family(root: int) -> list[int]:
    """A process and every process below it."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):  # a process that ended as /proc was read
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


class Till:
    def __init__(
        self,
        server: Server,
        credential: str,
        path: str = "/v1/tills",
        accounts: range = range(ACCOUNTS),
    ) -> None:
        host, port = server.url.removeprefix("http://").split(":")
        self.accounts = accounts  # the cardholders it sells to, in turn
        self.path = path  # bench.push_floor points tills at its floor endpoints instead
        self.address = (host, int(port))
        self.conn = self.connect()
        self.till = credential.split(".")[0]
        self.headers = {"Authorization": f"Bearer {credential}", "Content-Type": "application/json"}
        self.series = UUID(new_id())
        self.seq = 0

    def connect(self) -> http.client.HTTPConnection:
        """A new keep-alive connection (the server ends one idle for 75 s)."""
        return http.client.HTTPConnection(*self.address, timeout=60)

    def push(self, entries: list[EntryIn]) -> int:
        body = JournalBatch(entries=entries).model_dump_json().encode()
        self.conn.request("POST", f"{self.path}/{self.till}/journal", body, self.headers)
        reply = self.conn.getresponse()
        data = reply.read()
        if reply.status != 200:
            raise RuntimeError(f"push answered {reply.status}: {data[:300]!r}")
        results = json.loads(data)["results"]
        return sum(1 for r in results if r["status"] == "accepted")

    def next_sales(self, count: int) -> list[EntryIn]:
        out = []
        for _ in range(count):
            self.seq += 1
            out.append(sale(self.series, self.seq, self.accounts[self.seq % len(self.accounts)]))
        return out


def run_single(tills: list[Till], rate: float, seconds: float) -> dict[str, float]:
    """Open loop: till k sends its i-th sale at start + (i + k / n) * n / rate."""
    per_till = int(seconds * rate / len(tills))
    every = len(tills) / rate
    acks: list[float] = []
    accepted = [0] * len(tills)
    lock = threading.Lock()
    for till in tills:
        till.conn.close()
        till.conn = till.connect()
    start_at = time.perf_counter() + 0.2

    def drive(k: int, till: Till) -> None:
        mine = []
        for i in range(per_till):
            due = start_at + (i + k / len(tills)) * every
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            accepted[k] += till.push(till.next_sales(1))
            mine.append(time.perf_counter() - due)
        with lock:
            acks.extend(mine)

    threads = [threading.Thread(target=drive, args=(k, t)) for k, t in enumerate(tills)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start_at
    sent = per_till * len(tills)
    if sum(accepted) != sent:
        raise RuntimeError(f"{sum(accepted)} of {sent} sales accepted")
    acks.sort()
    return {
        "sales": sent,
        "elapsed": elapsed,
        "ack_p50_ms": acks[len(acks) // 2] * 1000,
        "ack_p99_ms": acks[int(len(acks) * 0.99)] * 1000,
    }


def run_batches(till: Till) -> tuple[int, float]:
    till.conn.close()
    till.conn = till.connect()
    batches = [till.next_sales(BATCH) for _ in range(BATCHES)]
    started = time.perf_counter()
    taken = sum(till.push(b) for b in batches)
    if taken != BATCH * BATCHES:
        raise RuntimeError(f"{taken} of {BATCH * BATCHES} entries accepted")
    return taken, time.perf_counter() - started


def run_parallel_batches(tills: list[Till]) -> tuple[int, float]:
    """The end of an outage at a canteen: every till drains `BATCHES` // 2 batches of 500
    at once, each one batch at a time, as its sync client does."""
    for till in tills:
        till.conn.close()
        till.conn = till.connect()
    work = [[till.next_sales(BATCH) for _ in range(BATCHES // 2)] for till in tills]
    taken = [0] * len(tills)

    def drain(k: int) -> None:
        taken[k] = sum(tills[k].push(b) for b in work[k])

    threads = [threading.Thread(target=drain, args=(k,)) for k in range(len(tills))]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if sum(taken) != BATCH * (BATCHES // 2) * len(tills):
        raise RuntimeError(f"{sum(taken)} of {BATCH * (BATCHES // 2) * len(tills)} accepted")
    return sum(taken), elapsed


BARE_TABLES = """
CREATE TABLE bare_ingest (LIKE journal_ingest INCLUDING ALL);
CREATE TABLE bare_ledger (LIKE ledger INCLUDING ALL);
CREATE TABLE bare_changes (LIKE changes INCLUDING ALL);
"""
INGEST_COLS = (
    "entry_id, till_id, series, seq, recv_no, content_hash, kind, result, received_at,"
    " account_id, amount, business_day, content, flags"
)
LEDGER_COLS = "txn_id, ledger_account, amount, created_at, source"


def bare_rows(entries: list[EntryIn]) -> tuple[list[tuple[Any, ...]], ...]:
    """The rows the server writes for these sales, as it builds them."""
    now, till = datetime.now(UTC).isoformat(), new_id()  # a till of its own: unique numbers
    ingest, ledger, changes = [], [], []
    for n, e in enumerate(entries):
        result = json.dumps({"id": str(e.id), "seq": e.seq, "status": "accepted", "recv_no": n})
        ingest.append(
            (
                str(e.id),
                till,
                str(e.series),
                e.seq,
                n,
                e.content_hash(),
                "sale",
                result,
                now,
                e.account_id,
                e.amount,
                DAY.isoformat(),
                e.model_dump_json(),
                "[]",
            )
        )
        txn, source = new_id(), f"till:bare:{e.id}"
        ledger += [
            (txn, f"card:{e.account_id}", e.amount, now, source),
            (txn, "revenue:EUR", -e.amount, now, source),
        ]
    for account in sorted({str(e.account_id) for e in entries}):
        changes.append(("account", account, now))
    return ingest, ledger, changes


def bare_executemany(conn: Any, rows: tuple[list[tuple[Any, ...]], ...]) -> None:
    ingest, ledger, changes = rows
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO bare_ingest ({INGEST_COLS}) VALUES ({', '.join(['%s'] * 14)})", ingest
        )
        cur.executemany(f"INSERT INTO bare_ledger ({LEDGER_COLS}) VALUES (%s,%s,%s,%s,%s)", ledger)
        cur.executemany(
            "INSERT INTO bare_changes (kind, item_key, created_at) VALUES (%s,%s,%s)", changes
        )


def bare_copy(conn: Any, rows: tuple[list[tuple[Any, ...]], ...]) -> None:
    ingest, ledger, changes = rows
    with conn.transaction(), conn.cursor() as cur:
        for table, cols, data in (
            ("bare_ingest", INGEST_COLS, ingest),
            ("bare_ledger", LEDGER_COLS, ledger),
            ("bare_changes", "kind, item_key, created_at", changes),
        ):
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)


def bare_single(url: str, connections: int, sales_each: int) -> float:
    """One sale per transaction, each connection as fast as it can: sales/s."""
    import psycopg

    conns = [psycopg.connect(url) for _ in range(connections)]
    work = [
        [bare_rows([sale(UUID(new_id()), i + 1, i % ACCOUNTS)]) for i in range(sales_each)]
        for _ in conns
    ]
    started = time.perf_counter()

    def each(conn: Any, rows: list[tuple[list[tuple[Any, ...]], ...]]) -> None:
        for sale_rows in rows:
            bare_executemany(conn, sale_rows)

    threads = [threading.Thread(target=each, args=(c, w)) for c, w in zip(conns, work, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    for c in conns:
        c.close()
    return connections * sales_each / elapsed


def bare_batches(url: str, how: str) -> float:
    import psycopg

    batches = [
        bare_rows([sale(UUID(new_id()), i + 1, i % ACCOUNTS) for i in range(BATCH)])
        for _ in range(BATCHES)
    ]
    with psycopg.connect(url) as conn:
        write = bare_copy if how == "copy" else bare_executemany
        started = time.perf_counter()
        for rows in batches:
            write(conn, rows)
        return BATCH * BATCHES / (time.perf_counter() - started)


def main() -> None:
    from tests.server.postgres import Cluster

    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    cluster = Cluster()
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    figures: dict[str, list[float]] = {}

    def note(name: str, value: float) -> None:
        figures.setdefault(name, []).append(value)

    try:
        url = cluster.new_database()
        with tempfile.TemporaryDirectory() as tmp:
            server = start(
                url, Path(tmp) / "server.log", args=["--workers", str(workers)], access_log=False
            )
            try:
                server.put_unit()
                server.add_holders(ACCOUNTS)
                tills = [Till(server, server.enrol_till(f"t{k}").credential) for k in range(TILLS)]
                drain = Till(server, server.enrol_till("drain").credential)
                # a canteen's tills serve different cardholders: each drain its own
                share = ACCOUNTS // DRAINS
                drains = [
                    Till(
                        server,
                        server.enrol_till(f"drain{k}").credential,
                        accounts=range(k * share, (k + 1) * share),
                    )
                    for k in range(DRAINS)
                ]
                import psycopg

                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(BARE_TABLES)
                run_single(tills, 50, 1.0)  # warm: every till's connection and the server's
                for _ in range(ROUNDS):
                    load = os.getloadavg()[0]
                    srv, pg = family(server.process.pid), family(postmaster)
                    cpu0, pg0, t0 = cpu_s(srv), cpu_s(pg), time.process_time()
                    single = run_single(tills, RATE, SINGLE_S)
                    cpu1, pg1 = cpu_s(family(server.process.pid)), cpu_s(family(postmaster))
                    sales = single["sales"]
                    note("single_sales_per_s", sales / single["elapsed"])
                    note("single_ack_p50_ms", single["ack_p50_ms"])
                    note("single_ack_p99_ms", single["ack_p99_ms"])
                    note("single_server_cpu_ms_per_sale", (cpu1 - cpu0) / sales * 1000)
                    note("single_pg_cpu_ms_per_sale", (pg1 - pg0) / sales * 1000)
                    note("single_client_cpu_ms_per_sale", (time.process_time() - t0) / sales * 1e3)
                    note("single_load", load)
                    note("bare_single_sales_per_s_1conn", bare_single(url, 1, 2000))
                    note("bare_single_sales_per_s_16conn", bare_single(url, TILLS, 250))
                    load = os.getloadavg()[0]
                    drains_by_name: list[tuple[str, Callable[[], tuple[int, float]]]] = [
                        ("batch", lambda: run_batches(drain)),
                        ("parallel_batch", lambda: run_parallel_batches(drains)),
                    ]
                    for name, drained in drains_by_name:
                        cpu0 = cpu_s(family(server.process.pid))
                        taken, elapsed = drained()
                        note(f"{name}_entries_per_s", taken / elapsed)
                        note(
                            f"{name}_server_cpu_ms_per_entry",
                            (cpu_s(family(server.process.pid)) - cpu0) / taken * 1000,
                        )
                    note("batch_load", load)
                    note("bare_batch_executemany_entries_per_s", bare_batches(url, "many"))
                    note("bare_batch_copy_entries_per_s", bare_batches(url, "copy"))
            finally:
                server.process.terminate()
                server.process.wait(timeout=20)
    finally:
        cluster.stop()
    for name, values in figures.items():
        unit = "ms" if "_ms" in name else ("load" if name.endswith("load") else "per s")
        target = {
            "single_sales_per_s": ">= 500",
            "single_server_cpu_ms_per_sale": "<= 1",
            "batch_entries_per_s": ">= 15000",
            "parallel_batch_entries_per_s": ">= 15000",
        }.get(name, "")
        emit(
            f"ingest_{name}",
            median(values),
            unit,
            target,
            min=round(min(values), 3),
            max=round(max(values), 3),
            runs=len(values),
            workers=workers,
            offered_rate=RATE if name.startswith("single") else None,
        )


if __name__ == "__main__":
    main()
