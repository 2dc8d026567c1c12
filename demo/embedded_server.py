"""The demo's central server: `canteen-server serve` on SQLite, on a free loopback port.

Started and stopped by `canteen-till demo`; its database lives in the demo's data directory,
so `canteen-server --db … admin deposit …` reaches the same scheme while the demo runs.

It runs as a child process that dies with the demo however the demo ends: `stop()` on every
path Python gets to run (an error, Ctrl+C, SIGTERM), and the kernel's parent-death signal when
it does not (Qt aborting with SIGABRT, SIGKILL): nothing is left listening on its port.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
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
            preexec_fn=_die_with_parent(os.getpid()),
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


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent: int) -> Callable[[], None]:
    """Run in the child between fork and exec: the kernel kills it when the demo dies.

    SIGKILL, not SIGTERM: a server whose till is gone has nobody to finish a long-poll for,
    and SQLite's WAL keeps its database sound either way. The signal is tied to the thread
    that forked, which is the demo's main thread, alive as long as the demo.
    """

    def arm() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            os._exit(70)  # without the guard the server could outlive the demo: do not start
        if os.getppid() != parent:  # the demo died before the guard was set
            os._exit(70)

    return arm
