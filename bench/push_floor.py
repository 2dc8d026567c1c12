"""How close can one sale per request get on this machine? The real push beside the floor.

One private PostgreSQL (fsync on); the real server (`canteen-server serve`, 1 worker) and a
floor app (`bench.floor_app`: the same FastAPI, uvicorn and psycopg pool, a handler doing one
INSERT and a durable COMMIT) each in a process of their own. Each round drives, one after
another with the same open-loop generator (`bench.ingest.run_single`, 16 tills, 600/s
offered): the server, the floor with the body only read, the floor with the body validated
and answered through the wire models. Per request: wall throughput and the serving
process's CPU from /proc.

`python -m bench.push_floor`; `PUSH_FLOOR_SPY=1` also records a py-spy flame graph of the
server under the load (/tmp/push_floor_server.txt, collapsed stacks of the samples holding the
GIL: where its CPU goes) if py-spy is on the PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.ingest import (
    ACCOUNTS,
    BARE_TABLES,
    RATE,
    SINGLE_S,
    TILLS,
    Till,
    cpu_s,
    family,
    run_single,
)
from bench.report import emit, median
from tests.server.live import Server, die_with_parent, free_port, start

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def serve_floor(url: str, log: Path) -> subprocess.Popen[bytes]:
    port = free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", "--factory", "bench.floor_app:create"),
        # as `canteen-server serve` logs: no line a request
        *("--port", str(port), "--log-level", "info", "--no-access-log"),
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "FLOOR_DB": url},
            preexec_fn=die_with_parent,
        )
    proc.port = port  # type: ignore[attr-defined]
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)
    raise RuntimeError("floor app did not come up")


def drive(tills: list[Till], pid: int) -> dict[str, float]:
    load = os.getloadavg()[0]
    cpu0 = cpu_s(family(pid))
    got = run_single(tills, RATE, SINGLE_S)
    cpu = cpu_s(family(pid)) - cpu0
    return {
        "sales_per_s": got["sales"] / got["elapsed"],
        "cpu_ms_per_sale": cpu / got["sales"] * 1000,
        "load": load,
    }


def main() -> None:
    from tests.server.postgres import Cluster

    cluster = Cluster()
    figures: dict[str, list[float]] = {}
    try:
        url = cluster.new_database()
        with tempfile.TemporaryDirectory() as tmp:
            server = start(url, Path(tmp) / "server.log", access_log=False)
            floor = None
            try:
                server.put_unit()
                server.add_holders(ACCOUNTS)
                import psycopg

                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(BARE_TABLES)
                floor = serve_floor(url, Path(tmp) / "floor.log")
                at = Server(f"http://127.0.0.1:{floor.port}", url, floor)  # type: ignore[attr-defined]
                creds = [server.enrol_till(f"t{k}").credential for k in range(TILLS)]
                kinds = {
                    "server": ([Till(server, c) for c in creds], server.process.pid),
                    "floor_raw": ([Till(at, c, "/floor/raw") for c in creds], floor.pid),
                    "floor_model": ([Till(at, c, "/floor/model") for c in creds], floor.pid),
                }
                for tills, _ in kinds.values():
                    run_single(tills, 50, 1.0)  # warm: connections, pools, prepared plans
                spy = os.environ.get("PUSH_FLOOR_SPY") and shutil.which("py-spy")
                for n in range(ROUNDS):
                    for kind, (tills, pid) in kinds.items():
                        recorder = None
                        if spy and n == 0 and kind == "server":
                            recorder = subprocess.Popen(
                                [
                                    spy,
                                    "record",
                                    "-p",
                                    str(pid),
                                    "-o",
                                    "/tmp/push_floor_server.txt",
                                    "-f",
                                    "raw",
                                    "-d",
                                    str(int(SINGLE_S) + 4),
                                    "-r",
                                    "200",
                                    "--gil",
                                ],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                            )
                            time.sleep(1)
                        for name, value in drive(tills, pid).items():
                            figures.setdefault(f"{kind}_{name}", []).append(value)
                        if recorder is not None:
                            recorder.wait()
            finally:
                for proc in (server.process, floor):
                    if proc is not None:
                        proc.terminate()
                        proc.wait(timeout=20)
    finally:
        cluster.stop()
    for name, values in figures.items():
        unit = "ms" if "_ms" in name else ("load" if name.endswith("load") else "per s")
        emit(
            f"push_floor_{name}",
            median(values),
            unit,
            "",
            min=round(min(values), 3),
            max=round(max(values), 3),
            runs=len(values),
        )


if __name__ == "__main__":
    main()
