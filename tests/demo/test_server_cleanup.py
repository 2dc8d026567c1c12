"""The demo never leaves its central server running (issue 10 item 12): not when Qt cannot
start and aborts, not when the demo is killed, not when it is asked to stop."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start_demo(data_dir: Path, platform: str) -> subprocess.Popen[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": platform}
    return subprocess.Popen(
        [sys.executable, "-m", "terminal.cli", "demo", "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(demo: subprocess.Popen[str], pattern: str, seen: list[str]) -> re.Match[str]:
    assert demo.stdout is not None
    for line in demo.stdout:
        seen.append(line)
        if found := re.search(pattern, line):
            return found
    raise AssertionError(f"the demo ended before printing {pattern!r}:\n{''.join(seen)}")


def server_processes(data_dir: Path) -> list[int]:
    """The processes whose command line names this demo's database: its server, if alive."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if "server.cli" in cmdline and str(data_dir) in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def assert_server_gone(data_dir: Path, port: int) -> None:
    deadline = time.monotonic() + 10  # the kernel's parent-death signal is delivered at once
    while server_processes(data_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = server_processes(data_dir)
    for pid in left:  # do not leave it for the next test, then fail
        os.kill(pid, signal.SIGKILL)
    assert not left, f"the demo's server outlived the demo: pids {left}"
    with socket.socket() as probe:
        try:
            probe.connect(("127.0.0.1", port))
        except ConnectionRefusedError:
            return
        # A connect to a free port of the ephemeral range can meet itself (TCP's simultaneous
        # open, when the kernel picks that very port as the source): nothing listens then.
        ends = probe.getsockname(), probe.getpeername()
        assert ends[0] == ends[1], f"something still answers on the demo server's port: {ends}"


def test_qt_failing_to_start_leaves_no_server(tmp_path: Path) -> None:
    """Qt finds no platform plugin and aborts the process (SIGABRT): the server dies too."""
    data_dir = tmp_path / "demo"
    with start_demo(data_dir, "nonexistent") as demo:
        port = int(read_until(demo, r"central server: http://127\.0\.0\.1:(\d+)", [])[1])
        assert demo.stderr is not None
        stderr = demo.stderr.read()
        demo.wait(timeout=60)
    assert demo.returncode == -signal.SIGABRT
    assert 'Could not find the Qt platform plugin "nonexistent"' in stderr
    assert_server_gone(data_dir, port)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_signal_to_the_running_demo_leaves_no_server(tmp_path: Path, sig: int) -> None:
    """SIGTERM closes the till and stops the server; SIGKILL, which nothing can catch,
    takes the server with it through the parent-death signal."""
    data_dir = tmp_path / "demo"
    seen: list[str] = []
    with start_demo(data_dir, "offscreen") as demo:
        port = int(read_until(demo, r"central server: http://127\.0\.0\.1:(\d+)", seen)[1])
        read_until(demo, r"^ready in", seen)
        assert server_processes(data_dir), "the demo's server is not running while the till is"
        demo.send_signal(sig)
        demo.communicate(timeout=60)
    assert demo.returncode == (0 if sig == signal.SIGTERM else -sig)
    assert_server_gone(data_dir, port)
