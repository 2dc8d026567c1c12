"""A new till's first sync: the whole scheme's snapshot from a real server into its store.

The server's database holds `bench.population.build_server`'s scheme (100,000 cardholders;
1,000,000 with FIRST_SYNC_1M=1, about a minute a run plus some minutes to build). Each run
starts the server afresh (no page or state of an earlier run cached: the honest "first till"
of a scheme, the figure reported), enrols a new till, and a child process (the till's sync
client, `SyncClient.pull_once` until the feed says no more) pulls from its first request until
its store holds every cardholder, account, card and agreement its unit may see. Then a second
till of the same unit syncs from the same server process (`warm_*`: the pages it is sent may
still be in the server's page cache, 64 MB). Reported: wall time, the till's and the server's
CPU time, the feed bytes over the wire and decoded, the till process's peak RSS (VmHWM), and
the load average.

    python -m bench.first_sync                 # 100,000, 3 runs
    FIRST_SYNC_1M=1 python -m bench.first_sync # and 1,000,000, 3 runs
    FIRST_SYNC_SIZES=20000 FIRST_SYNC_RUNS=1 python -m bench.first_sync
    FIRST_SYNC_SCHEME=/tmp/schemes python -m bench.first_sync  # keep each built scheme there

The scheme is deterministic (seeded), so FIRST_SYNC_SCHEME=DIR keeps each size's built
database as DIR/server-N.db and copies it for later invocations (1,000,000 takes minutes to
build); every run still gets a copy no till has read from and a fresh server process.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import population
from bench.report import emit

RUNS = int(os.environ.get("FIRST_SYNC_RUNS", "3"))
TARGETS = {100_000: 5.0, 1_000_000: 60.0}
MAX_FAILURES = 20  # failed pulls (a timeout on a loaded machine) a run takes before it gives up


def _sizes() -> list[int]:
    given = os.environ.get("FIRST_SYNC_SIZES")
    if given:
        return [int(n) for n in given.split(",")]
    return [100_000, 1_000_000] if os.environ.get("FIRST_SYNC_1M") else [100_000]


def _label(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


def _cpu_s(pid: int) -> float:
    """User + system CPU of a process so far, from /proc (clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def till_main(data_dir: Path) -> None:
    """The till's side, in a process of its own so its peak RSS is the sync's alone."""
    from sync.client import ServerConfig, SyncClient, SyncError
    from sync.store import Store

    config = ServerConfig.load(data_dir)
    assert config is not None
    store_path = data_dir / "till.db"
    client = SyncClient(store_path, config)
    failures: list[str] = []
    with Store.open(store_path, till_id=config.till_id) as store:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        pages = 0
        more = True
        while more:
            try:
                more = client.pull_once(store, photos=False)
            except SyncError as exc:  # as the till's pull loop does: logged, asked again
                failures.append(str(exc)[:200])
                print(f"pull failed, asking again: {exc}", file=sys.stderr, flush=True)
                if len(failures) > MAX_FAILURES:
                    raise
                time.sleep(0.5)
                continue
            pages += 1
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    hwm = next(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    with sqlite3.connect(store_path) as conn:
        counts = {
            table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in ("cardholders", "accounts", "cards", "autoload_agreements")
        }
    print(
        json.dumps(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "pages": pages,
                "wire_bytes": getattr(client, "received", [0, 0])[0],
                "raw_bytes": getattr(client, "received", [0, 0])[1],  # before issue 11: none
                "peak_rss_mb": hwm / 1024,
                "counts": counts,
                "failures": failures,
            }
        ),
        flush=True,
    )


def _one_run(root: Path, db_url: str, n: int, run: int) -> dict[str, Any]:
    from tests.server.live import start

    server = start(db_url, root / f"server-{run}.log")
    try:
        result = _one_till(root, server, n, f"till-{run}")
        warm = _one_till(root, server, n, f"till-{run}-warm")
        result.update({f"warm_{key}": warm[key] for key in ("wall_s", "cpu_s", "server_cpu_s")})
    finally:
        server.process.terminate()
        server.process.wait(timeout=30)
    return result


def _one_till(root: Path, server: Any, n: int, till: str) -> dict[str, Any]:
    data_dir = root / till
    config = server.enrol_till(till)
    config.save(data_dir)
    server_cpu0 = _cpu_s(server.process.pid)
    load0 = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, "-m", "bench.first_sync", "--till", str(data_dir)],
        check=True,
        stdout=subprocess.PIPE,  # its errors go to this run's stderr, where they are seen
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["server_cpu_s"] = _cpu_s(server.process.pid) - server_cpu0
    result["load"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
    expected = population.visible_at_mensa(n)
    if result["counts"] != expected:
        raise SystemExit(f"the till holds {result['counts']}, not {expected}")
    return result


def main() -> None:
    from server.db import Database

    for n in _sizes():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            db_url = f"sqlite:///{root / 'server.db'}"
            built = time.perf_counter()
            kept = os.environ.get("FIRST_SYNC_SCHEME")
            if kept and (Path(kept) / f"server-{n}.db").exists():
                shutil.copyfile(Path(kept) / f"server-{n}.db", root / "server.db")
            else:
                db = Database(db_url)
                population.build_server(db, n)
                db.close()
                if kept:
                    Path(kept).mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(root / "server.db", Path(kept) / f"server-{n}.db")
            built = time.perf_counter() - built
            runs = [_one_run(root, db_url, n, run) for run in range(RUNS)]
        walls = [r["wall_s"] for r in runs]
        label = _label(n)

        def spread(key: str, runs: list[dict[str, Any]] = runs) -> dict[str, float]:
            values = [float(r[key]) for r in runs]
            return {
                "min": round(min(values), 3),
                "median": round(statistics.median(values), 3),
                "max": round(max(values), 3),
            }

        emit(
            f"first_sync_s_{label}",
            statistics.median(walls),
            "s",
            f"<= {TARGETS.get(n, 'a figure')}",
            cardholders=n,
            runs=len(runs),
            wall_s=spread("wall_s"),
            till_cpu_s=spread("cpu_s"),
            server_cpu_s=spread("server_cpu_s"),
            warm_wall_s=spread("warm_wall_s"),
            warm_till_cpu_s=spread("warm_cpu_s"),
            warm_server_cpu_s=spread("warm_server_cpu_s"),
            peak_rss_mb=spread("peak_rss_mb"),
            wire_bytes=runs[0]["wire_bytes"],
            raw_bytes=runs[0]["raw_bytes"],
            pages=runs[0]["pages"],
            load=[r["load"] for r in runs],
            failed_pulls=[len(r["failures"]) for r in runs],
            build_s=round(built, 1),
        )
        emit(
            f"first_sync_peak_rss_mb_{label}",
            max(r["peak_rss_mb"] for r in runs),
            "MB",
            "<= 250",
            cardholders=n,
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--till":
        till_main(Path(sys.argv[2]))
    else:
        main()
