"""Launch to ready: the demo till started offscreen on data already in place, until it paints."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import emit, median

RUNS = 5


def launch(data_dir: Path, *, keep: bool) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    # --standalone: the till's own start-up, without the demo's central server beside it.
    args = [
        sys.executable,
        "-m",
        "terminal.cli",
        "demo",
        "--standalone",
        "--offscreen",
        "--exit-after",
        "0.2",
        "--data-dir",
        str(data_dir),
    ] + (["--keep"] if keep else [])
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert proc.stdout is not None
    ready = None
    for line in proc.stdout:
        if line.startswith("ready in"):
            ready = time.perf_counter() - t0
    proc.wait(timeout=60)
    if ready is None:
        raise RuntimeError(f"the till never said it was ready (exit {proc.returncode})")
    return ready


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        first = launch(Path(tmp), keep=False)  # installs the demo data, like a till's first boot
        runs = [launch(Path(tmp), keep=True) for _ in range(RUNS)]
    emit(
        "cold_start_s",
        median(runs),
        "s",
        "<= 2",
        runs=RUNS,
        first_boot_with_seeding_s=round(first, 2),
    )


if __name__ == "__main__":
    main()
