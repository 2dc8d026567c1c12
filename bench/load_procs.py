"""The processes of a load run: the server under test (one or N workers) and where CPU went.

CPU comes from /proc, not from the wall clock: the machine is shared, so what each process
tree spent is the stable evidence, and the machine's total shows what everything else took.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.server.live import ADMIN, START_BOUND_S, Server, die_with_parent, free_port

TICK = os.sysconf("SC_CLK_TCK")


def start_server(db_url: str, log: Path, *, workers: int) -> Server:
    """`canteen-server serve` on a free loopback port; `--workers N` only when N > 1, so the
    single-process run is the command every deployment has today."""
    port = free_port()
    command = [sys.executable, "-m", "server.cli", "--db", db_url, "serve", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CANTEEN_ADMIN_TOKEN": ADMIN},
            preexec_fn=die_with_parent,
        )
    url = f"http://127.0.0.1:{port}"
    # Only keeps a server that never answers from hanging the run; nothing is timed here.
    deadline = time.monotonic() + START_BOUND_S
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/v1/health", timeout=5).ok:
                return Server(url, db_url, proc)
        except (requests.ConnectionError, requests.Timeout):
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"server did not come up within {START_BOUND_S} s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


def postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().split()[0])


@dataclass(frozen=True)
class TreeCpu:
    """CPU seconds of a process and its descendants: each live one's own, plus what its
    exited children left in cutime/cstime (a PostgreSQL backend per connection comes and
    goes; its CPU lands in the postmaster's once reaped)."""

    total_s: float
    per_process_s: dict[int, float]


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(ppid, own CPU s, reaped children's CPU s), or None if it has gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # the name may hold spaces and parentheses
    ppid = int(fields[1])
    own = (int(fields[11]) + int(fields[12])) / TICK
    reaped = (int(fields[13]) + int(fields[14])) / TICK
    return ppid, own, reaped


def tree_cpu(root: int) -> TreeCpu:
    stats: dict[int, tuple[int, float, float]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (s := _stat(int(name))) is not None:
            stats[int(name)] = s
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    per: dict[int, float] = {}
    todo = [root] if root in stats else []
    while todo:
        pid = todo.pop()
        _, own, reaped = stats[pid]
        per[pid] = own + reaped
        todo.extend(children.get(pid, []))
    return TreeCpu(sum(per.values()), per)


def machine_busy_s() -> float:
    """CPU seconds every core of the machine spent not idle (from /proc/stat)."""
    first = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[:8])
    return (user + nice + system + irq + softirq + steal) / TICK
