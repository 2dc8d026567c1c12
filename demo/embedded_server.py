"""The demo's central server: `canteen-server serve` on SQLite, on a free loopback port.

Started and stopped by `canteen-till demo`; its database lives in the demo's data directory,
so `canteen-server --db … admin deposit …` reaches the same scheme while the demo runs.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import requests

from server.db import Database


class EmbeddedServer:
    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "server"
        self.db_url = f"sqlite:///{self.folder / 'canteen.db'}"
        self.token = secrets.token_urlsafe(16)
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    @property
    def exists(self) -> bool:
        return (self.folder / "canteen.db").exists()

    def seed(self, *, now: datetime) -> str:
        """A fresh demo scheme; returns the demo till's enrolment code."""
        from demo.scheme import build_demo, local_today
        from demo.server_seed import seed

        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.folder / 'canteen.db'}{suffix}").unlink(missing_ok=True)
        db = Database(self.db_url)
        try:
            return seed(db, build_demo(local_today(now)), now=now)
        finally:
            db.close()

    def start(self, *, timeout_s: float = 20.0) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "--db", self.db_url, "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CANTEEN_ADMIN_TOKEN": self.token},
        )
        log.close()
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the demo server stopped; see {self.folder / 'server.log'}")
            try:
                if requests.get(self.url + "/v1/health", timeout=1).ok:
                    return self.url
            except requests.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the demo server did not start; see {self.folder / 'server.log'}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
