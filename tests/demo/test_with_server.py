"""`canteen-till demo` runs with its own central server: a deposit made with
`canteen-server admin` while the demo runs reaches the till within seconds (issue 3 item 8)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from demo.scheme import local_today
from sync.store import Store


def test_central_deposit_reaches_the_running_demo(tmp_path: Path) -> None:
    """Start the demo offscreen, deposit 5,00 € on Anna's card centrally, watch the till."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "terminal.cli",
            "demo",
            "--offscreen",
            "--exit-after",
            "30",
            "--data-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert demo.stdout is not None
    db_url = None
    try:
        for line in demo.stdout:
            found = re.search(r"canteen-server --db (\S+) admin deposit", line)
            if found:
                db_url = found.group(1)
            if line.startswith("ready in"):
                break
        assert db_url is not None
        deposit = subprocess.run(
            [
                sys.executable,
                "-m",
                "server.cli",
                "--db",
                db_url,
                "admin",
                "deposit",
                "72BF9961",
                "500",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert deposit.returncode == 0, deposit.stderr
        assert "balance 47,50 €" in deposit.stdout
        today = local_today(datetime.now(UTC))
        deadline = time.monotonic() + 20
        balance = None
        with Store.open(tmp_path / "till.db", till_id="till-1") as store:
            while time.monotonic() < deadline:
                snap = store.lookup("72BF9961", today)
                balance = snap.balance if snap else None
                if balance == 4750:
                    break
                time.sleep(0.1)
        assert balance == 4750
    finally:
        demo.terminate()
        demo.wait(timeout=30)
        demo.stdout.close()
