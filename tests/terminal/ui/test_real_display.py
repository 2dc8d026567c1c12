"""The till on a real X display (issue 10 item 11): Qt's xcb platform plugin loads, the window
opens, and the screenshot it takes is the window's, not a blank.

Xvfb is a real X server; the till connects to it with QT_QPA_PLATFORM=xcb exactly as on a
cashier's desktop. When a library the xcb plugin needs is missing, Qt aborts with the message
naming it, and this test fails with that message (scripts/bootstrap.sh installs them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from terminal.ui import theme

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[str]:
    """A private Xvfb on a display number it picks itself (-displayfd), killed at the end."""
    xvfb = shutil.which("Xvfb")
    assert xvfb is not None, "Xvfb is not installed: run scripts/bootstrap.sh (make setup)"
    read_fd, write_fd = os.pipe()
    log = (tmp_path / "xvfb.log").open("wb")
    process = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            number = pipe.readline().strip().decode()  # written once the server accepts clients
        assert number.isdigit(), f"Xvfb did not start: {(tmp_path / 'xvfb.log').read_text()}"
        yield f":{number}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def run_demo(tmp_path: Path, name: str, env: dict[str, str]) -> QImage:
    """`canteen-till demo` in its own process and data directory; the screenshot it wrote."""
    shot = tmp_path / f"{name}.png"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "terminal.cli", "demo", "--standalone"),
            *("--data-dir", str(tmp_path / name), "--screenshot", str(shot), "--exit-after", "3"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    where = env["QT_QPA_PLATFORM"] + " " + env.get("DISPLAY", "")
    assert result.returncode == 0, f"the till did not run on {where}:\n{result.stderr}"
    image = QImage(str(shot))
    assert not image.isNull(), f"no readable PNG at {shot}"
    return image


def test_the_demo_opens_on_a_real_x_display(tmp_path: Path, x_display: str) -> None:
    """The demo starts on Xvfb through the xcb plugin, exits 0 after its time, and its
    screenshot is a non-blank PNG of the size the till asks for (the screen's, 1366 x 768:
    nothing in the layout forces it wider), as on the offscreen platform."""
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_RUNTIME_DIR"] = str(tmp_path)
    real = run_demo(tmp_path, "xcb", env | {"QT_QPA_PLATFORM": "xcb", "DISPLAY": x_display})
    offscreen = run_demo(tmp_path, "offscreen", env | {"QT_QPA_PLATFORM": "offscreen"})
    assert (real.width(), real.height()) == (offscreen.width(), offscreen.height())
    assert (real.width(), real.height()) == theme.WINDOW_SIZE
    colours = {real.pixel(x, y) for x in range(0, real.width(), 16) for y in range(0, 400, 16)}
    assert len(colours) > 10, "the screenshot is blank"
