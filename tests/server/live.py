"""A real central server: `canteen-server serve` in its own process on a loopback port."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from sync.client import ServerConfig

ADMIN = "test-admin-token"

START_BOUND_S = 120.0


def die_with_parent() -> None:
    """In the child: end when the process that started it ends, however it ends (Linux)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class Server:
    url: str
    db_url: str
    process: subprocess.Popen[bytes]
    ca_file: str | None = None  # the certificate to trust, for a server with --tls-cert

    def put_unit(self) -> None:
        """The test scheme's unit (tests/terminal/till_scheme.py)."""
        from tests.terminal.till_scheme import UNIT

        unit = {k: getattr(UNIT, k) for k in UNIT.__dataclass_fields__}
        assert self.admin("PUT", f"/v1/admin/units/{UNIT.unit_id}", json=unit).status_code == 204

    def add_holders(self, count: int, *, deposit: int = 0) -> None:
        """Cardholders h0.. with accounts a0.. and cards C0.., each with `deposit` on it."""
        for n in range(count):
            self.admin(
                "POST",
                "/v1/admin/cardholders",
                json={
                    "cardholder_id": f"h{n}",
                    "name": f"H{n}",
                    "account_id": f"a{n}",
                    "card_id": f"C{n}",
                    "currency": "EUR",
                },
            )
            if deposit:
                self.admin(
                    "POST", "/v1/admin/deposits", json={"card_id": f"C{n}", "amount": deposit}
                )

    def enrol_till(self, till_id: str) -> ServerConfig:
        """Register a till of the test unit and enrol it: its server configuration."""
        from sync.client import enrol
        from tests.terminal.till_scheme import UNIT

        code = self.admin(
            "POST", "/v1/admin/tills", json={"till_id": till_id, "unit_id": UNIT.unit_id}
        ).json()
        return enrol(self.url, code["enrolment_code"], ca_file=self.ca_file)

    def admin(self, method: str, path: str, json: Any = None) -> requests.Response:
        return requests.request(
            method,
            self.url + path,
            json=json,
            timeout=10,
            headers={"Authorization": f"Bearer {ADMIN}"},
            verify=self.ca_file or True,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(
    db_url: str,
    log: Path,
    *,
    port: int | None = None,
    tls: tuple[Path, Path] | None = None,
    ca_file: Path | None = None,
    env: dict[str, str] | None = None,
    args: Sequence[str] = (),
    access_log: bool = True,
) -> Server:
    """`canteen-server serve` on a free loopback port (or `port`: the same one again); with
    `tls` (certificate, key) it serves HTTPS, trusted through `ca_file` (or the certificate
    itself); `env` adds to its environment; `args` to `serve`'s options (`--workers 2`);
    `access_log`: a line a request in `log` (tests read the statuses answered from it; a
    benchmark measures without it, as the server runs by default)."""
    port = port or free_port()
    env = {**os.environ, "CANTEEN_ADMIN_TOKEN": ADMIN, **(env or {})}
    command = [
        *(sys.executable, "-m", "server.cli", "--db", db_url, "serve", "--port", str(port)),
        *args,
        *(["--access-log"] if access_log else []),
    ]
    if tls is not None:
        command += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=die_with_parent,  # no server outlives a test run that was cut short
        )
    url = f"{'http' if tls is None else 'https'}://127.0.0.1:{port}"
    trusted = None if tls is None else str(ca_file or tls[0])
    # A generous bound: on a loaded machine start-up alone can take many seconds. It only
    # keeps a server that never answers from hanging the run; nothing asserts on the time.
    deadline = time.monotonic() + START_BOUND_S
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/v1/health", timeout=5, verify=trusted or True).ok:
                return Server(url, db_url, proc, trusted)
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or too busy starting to answer
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')}")
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"server did not come up within {START_BOUND_S} s")
