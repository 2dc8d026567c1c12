"""A private pcscd with vsmartcard's vpcd virtual readers, for the PC/SC driver tests.

Debian's `pcscd` and `vsmartcard-vpcd` give the daemon and the virtual reader driver;
`ensure_installed` installs them when running as root and fails with the apt line otherwise.

pcscd 1.9.9 always binds /run/pcscd/pcscd.comm and writes /run/pcscd/pcscd.pid (only the client
library reads PCSCLITE_CSOCK_NAME), so a private daemon runs in its own mount namespace
(`unshare --mount`, plus `--map-root-user` when not root) where a fresh tmpfs hides /run and our
own folder is bound on /run/pcscd. The test process reaches it through PCSCLITE_CSOCK_NAME set
to the socket in that folder. The client library reads that variable once, at its first call,
so `PcscDaemon.use()` must run before anything in the process talks PC/SC.

Readers come from a private reader.conf.d (`-c`) holding the vpcd entry of a `VirtualReader`
on free TCP ports instead of the system's 35963/35964; the daemon is started with it or without
it (restart) to plug or unplug the reader: pcscd 1.9.9 reads reader.conf only at start. A vpcd
entry gives two reader slots, "NAME 00 00" on `port` and "NAME 00 01" on port + 1, which serve
as two readers; vpcd keeps one entry's state per process, so a second entry would break the first.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGES = ("pcscd", "vsmartcard-vpcd")
INSTALL_COMMAND = ("apt-get", "install", "-y", "--no-install-recommends", *PACKAGES)
PCSCD = Path("/usr/sbin/pcscd")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SOCKET_ENV = "PCSCLITE_CSOCK_NAME"
READY_LINE = "daemon ready"
_LAUNCH = (  # in the new mount namespace: $1 = our run folder, $2 = pcscd, $3 = reader.conf.d
    'mount -t tmpfs tmpfs /run && mkdir /run/pcscd && mount --bind "$1" /run/pcscd'
    ' && exec "$2" --foreground --info -c "$3"'
)


def ensure_installed() -> None:
    """pcscd and vpcd are there, or get installed (as root), or the test fails saying how."""
    if PCSCD.exists() and VPCD_DRIVER.exists():
        return
    line = " ".join(INSTALL_COMMAND)
    if os.geteuid() != 0:
        pytest.fail(f"pcscd / vsmartcard-vpcd missing; install them with: sudo {line}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(INSTALL_COMMAND, env=env, capture_output=True).returncode != 0:
        subprocess.run(("apt-get", "update"), env=env, capture_output=True, check=True)
        subprocess.run(INSTALL_COMMAND, env=env, capture_output=True, check=True)
    if not (PCSCD.exists() and VPCD_DRIVER.exists()):
        pytest.fail(f"{line} did not install {PCSCD} and {VPCD_DRIVER}")


@dataclass(frozen=True, slots=True)
class VirtualReader:
    """One vpcd reader entry: pcscd names its first slot "<name> 00 00", served on `port`."""

    name: str
    port: int

    @property
    def slot_name(self) -> str:
        return self.slot(0)[0]

    def slot(self, index: int) -> tuple[str, int]:
        """The reader name pcscd lists for slot 0 or 1, and the port its card connects to."""
        return f"{self.name} 00 {index:02d}", self.port + index

    def conf(self) -> str:
        return (
            f'FRIENDLYNAME "{self.name}"\n'
            f"DEVICENAME /dev/null:0x{self.port:04X}\n"
            f"LIBPATH {VPCD_DRIVER}\n"
            f"CHANNELID 0x{self.port:04X}\n"
        )


def free_port_pair() -> int:
    """A TCP port p with p and p + 1 free on all addresses (vpcd binds both, on 0.0.0.0)."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("0.0.0.0", 0))
            port = int(probe.getsockname()[1])
        if port >= 0xFFFF:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("0.0.0.0", port))
                b.bind(("0.0.0.0", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no two adjacent free TCP ports for vpcd")


class PcscDaemon:
    """A private pcscd under `root`; start / stop / restart it with a list of virtual readers."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.run_dir = root / "run"
        self.conf_dir = root / "reader.conf.d"
        self.log_path = root / "pcscd.log"
        self.socket_path = self.run_dir / "pcscd.comm"
        self.process: subprocess.Popen[bytes] | None = None
        self.run_dir.mkdir(parents=True, exist_ok=True)

    def use(self) -> None:
        """Point this process's PC/SC client library at this daemon (before its first call)."""
        os.environ[SOCKET_ENV] = str(self.socket_path)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, reader: VirtualReader | None = None, timeout: float = 10.0) -> None:
        """Start pcscd with this reader (or none); returns when pcscd lists its slots."""
        if self.running:
            raise RuntimeError("pcscd is already running")
        shutil.rmtree(self.conf_dir, ignore_errors=True)
        self.conf_dir.mkdir()
        slot_names = []
        if reader is not None:
            (self.conf_dir / "vpcd").write_text(reader.conf())
            slot_names = [reader.slot(0)[0], reader.slot(1)[0]]
        for stale in self.run_dir.iterdir():
            stale.unlink()
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        namespace = ["unshare", "--mount", "--propagation", "private"]
        if os.geteuid() != 0:
            namespace.append("--map-root-user")
        command = [
            *namespace,
            "--",
            "setpriv",
            "--pdeathsig",
            "TERM",  # pcscd goes when the test process dies, even killed
            "--",
            "sh",
            "-c",
            _LAUNCH,
            "sh",
            str(self.run_dir),
            str(PCSCD),
            str(self.conf_dir),
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_ready(offset, slot_names, timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop pcscd (SIGTERM, then SIGKILL); idempotent."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10.0)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10.0)
        for leftover in self.run_dir.iterdir():
            leftover.unlink()

    def restart(self, reader: VirtualReader | None = None, timeout: float = 10.0) -> None:
        self.stop()
        self.start(reader, timeout)

    def _wait_ready(self, offset: int, slot_names: list[str], timeout: float) -> None:
        from smartcard.scard import (  # the client side, through PCSCLITE_CSOCK_NAME
            SCARD_S_SUCCESS,
            SCARD_SCOPE_USER,
            SCardEstablishContext,
            SCardListReaders,
            SCardReleaseContext,
        )

        deadline = time.monotonic() + timeout
        listed: list[str] = []
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"pcscd exited at start; its log:\n{self.log_text()[offset:]}")
            if READY_LINE in self.log_text()[offset:]:
                hresult, context = SCardEstablishContext(SCARD_SCOPE_USER)
                if hresult == SCARD_S_SUCCESS:
                    _, listed = SCardListReaders(context, [])
                    SCardReleaseContext(context)
                    if set(slot_names) <= set(listed or []):
                        return
            time.sleep(0.05)
        raise RuntimeError(
            f"pcscd did not list {slot_names} within {timeout} s (listed {listed}; "
            f"{SOCKET_ENV}={os.environ.get(SOCKET_ENV)!r}); its log:\n{self.log_text()[offset:]}"
        )

    def wait_card(self, slot_name: str, present: bool = True, timeout: float = 10.0) -> None:
        """Wait until pcscd itself sees a card on (or no card on) the reader slot."""
        from smartcard.scard import (
            SCARD_S_SUCCESS,
            SCARD_SCOPE_USER,
            SCARD_STATE_PRESENT,
            SCARD_STATE_UNAWARE,
            SCardEstablishContext,
            SCardGetStatusChange,
            SCardReleaseContext,
        )

        hresult, context = SCardEstablishContext(SCARD_SCOPE_USER)
        assert hresult == SCARD_S_SUCCESS, "pcscd is not running"
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                hresult, states = SCardGetStatusChange(
                    context, 0, [(slot_name, SCARD_STATE_UNAWARE)]
                )
                if (
                    hresult == SCARD_S_SUCCESS
                    and bool(states[0][1] & SCARD_STATE_PRESENT) == present
                ):
                    return
                time.sleep(0.05)
        finally:
            SCardReleaseContext(context)
        raise AssertionError(f"pcscd did not see the card {'on' if present else 'off'} {slot_name}")
