"""A real central server: `canteen-server serve` in its own process on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from server.embedded import die_with_parent

ADMIN = "test-admin-token"


@dataclass
class Server:
    url: str
    db_url: str
    process: subprocess.Popen[bytes]

    def admin(self, method: str, path: str, json: Any = None) -> requests.Response:
        return requests.request(
            method,
            self.url + path,
            json=json,
            timeout=10,
            headers={"Authorization": f"Bearer {ADMIN}"},
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(db_url: str, log: Path) -> Server:
    port = free_port()
    env = {**os.environ, "CANTEEN_ADMIN_TOKEN": ADMIN}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "--db", db_url, "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=die_with_parent,  # no server outlives a test run that was cut short
        )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if requests.get(url + "/v1/health", timeout=1).ok:
                return Server(url, db_url, proc)
        except requests.ConnectionError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')}")
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not come up")
