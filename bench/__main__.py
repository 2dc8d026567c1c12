"""`python -m bench`: run every benchmark, one JSON object per line on stdout."""

from __future__ import annotations

import subprocess
import sys

BENCHES = [
    "bench.commit_ratio",
    "bench.backlog",
    "bench.cold_start",
    "bench.tap_to_verdict",
    "bench.drain",
    "bench.ingest",
    "bench.push_floor",  # the push beside a bare FastAPI handler: this stack's floor here
    "bench.propagation",
    "bench.menu_change",
    "bench.server_load",
    "bench.first_sync",  # 100,000 cardholders, 3 runs (FIRST_SYNC_1M=1 adds 1,000,000)
    "bench.pcsc_insert",
]


def main() -> int:
    failed = 0
    for module in BENCHES:
        # Each in its own process: one's memory and Qt state never colour another's figures.
        code = subprocess.call([sys.executable, "-m", module])
        if code:
            print(f"# {module} exited with {code}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
