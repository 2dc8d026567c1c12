"""The README's "Running a real till" section, followed command by command (issue 8 item 9).

The server commands and the back office run as written, on a scratch database; the till is
configured from the README's own TOML, with what this machine lacks replaced: a simulated
card reader for the PC/SC one, and a pretend ESC/POS printer on loopback for the one on
10.0.0.7. Only paths, the port, the token and the enrolment code are substituted. Then a card
is presented and the sale must reach the server, and the receipt the printer.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from demo.portraits import generate_portrait
from tests.drivers.printers.escpos_listener import Listener
from tests.server.live import free_port
from tests.terminal.till_scheme import wait_for_photo

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "readme-test-token"


def section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"### {title}\n")
    end = text.find("\n### ", start + 1)
    return text[start : end if end > 0 else len(text)]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def commands(block: str) -> list[str]:
    """One command per line, with `\\` continuations joined and comments dropped."""
    joined = block.replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


class Shell:
    """Runs README lines in bash, keeping the variables they set (S=…, A=…, T=…)."""

    def __init__(self, cwd: Path, substitutions: dict[str, str]) -> None:
        self.cwd = cwd
        self.substitutions = substitutions
        self.variables: list[str] = []
        self.env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    def prepare(self, line: str) -> str:
        for old, new in self.substitutions.items():
            line = line.replace(old, new)
        return line

    def script(self, line: str) -> str:
        return "\n".join([*self.variables, self.prepare(line)])

    def run(self, line: str) -> str:
        if re.match(r"^[A-Z]+=\"", line):
            self.variables.append(self.prepare(line))
            return ""
        done = subprocess.run(
            ["bash", "-euc", self.script(line)],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self, line: str) -> subprocess.Popen[str]:
        """A long-running command (the server, the till), as the process itself."""
        script = "\n".join([*self.variables, "exec env " + self.prepare(line)])
        return subprocess.Popen(
            ["bash", "-euc", script],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


def test_the_readme_sets_up_a_server_and_a_till_that_sells(tmp_path: Path) -> None:
    """Every command of the README's server, back-office and till blocks runs as written;
    the enrolled till waits for its scheme, then sells a meal to the card the README
    issued, the sale reaches the server and the receipt the printer."""
    port = free_port()
    data = tmp_path / "till-data"
    shell = Shell(
        tmp_path,
        {
            ".venv/bin/": f"{ROOT}/.venv/bin/",
            "sqlite:///var/server/canteen.db": f"sqlite:///{tmp_path}/server/canteen.db",
            "/var/lib/canteen-till": str(data),
            "/etc/canteen-till/till.toml": str(tmp_path / "till.toml"),
            "CANTEEN_ADMIN_TOKEN=…": f"CANTEEN_ADMIN_TOKEN={TOKEN}",
            "--port 8080": f"--port {port}",
            "127.0.0.1:8080": f"127.0.0.1:{port}",
        },
    )
    (tmp_path / "anna.jpg").write_bytes(_jpeg(generate_portrait(1, "Anna Berg")))
    server_block, back_office = blocks(section("The central server"), "sh")
    till_text = section("The till PC")
    (toml,) = blocks(till_text, "toml")
    (till_block,) = blocks(till_text, "sh")
    server: subprocess.Popen[str] | None = None
    till: subprocess.Popen[str] | None = None
    printer = Listener()
    code = ""
    try:
        for line in commands(server_block):
            if " serve " in f"{line} ":
                server = shell.start(line)
                _wait_healthy(f"http://127.0.0.1:{port}", server)
            else:
                out = shell.run(line)
                found = re.search(r"enrolment code (\S+)", out)
                if found:
                    code = found.group(1)
        assert code
        for line in commands(back_office):
            shell.run(line)
        config = toml.replace("/var/lib/canteen-till", str(data))
        config = config.replace('kind = "pcsc:ACR122"', 'kind = "simulated"')
        config = re.sub(r'kind = "escpos:tcp:10\.0\.0\.7[^"]*"', f'kind = "{printer.spec}"', config)
        (tmp_path / "till.toml").write_text(config, encoding="utf-8")
        shell.substitutions["CODE"] = code
        for line in commands(till_block):
            if line.endswith(" run"):
                till = shell.start(line + " --ring 1")  # the cashier rings up Menü 1 (key 1)
                _expect(till, "waiting for the scheme data from the server")
                _expect(till, "ready in")
                wait_for_photo(data / "till.db")  # else the tap waits for an identity check
                _sell(data, port)
                till.send_signal(signal.SIGTERM)
                till.wait(timeout=30)
                assert till.returncode == 0
            else:
                out = shell.run(line)
                if "check-store" in line:
                    assert "ok" in out
        assert printer.connections(1)[0]  # the receipt went to the printer
    finally:
        for process in (till, server):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
            if process is not None and process.stdout is not None:
                process.stdout.close()
        printer.close()


def _wait_healthy(url: str, process: subprocess.Popen[str]) -> None:
    for _ in range(300):
        try:
            if requests.get(f"{url}/v1/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        assert process.poll() is None, "the server exited"
        time.sleep(0.05)
    raise AssertionError("the server did not come up")


def _expect(process: subprocess.Popen[str], text: str) -> None:
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"{text!r} never printed: {''.join(seen)}")


def _sell(data: Path, port: int) -> None:
    """Present the README's card (replaced: the new one) and wait for the sale on the server."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    url = f"http://127.0.0.1:{port}/v1/admin/accounts/a1"
    before = requests.get(url, headers=headers, timeout=10).json()["balance"]
    tap = subprocess.run(
        [sys.executable, "-m", "terminal.cli", "tap", "04579A22352680", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert tap.returncode == 0, tap.stderr
    for _ in range(300):
        after = requests.get(url, headers=headers, timeout=10).json()["balance"]
        if after < before:
            break
        time.sleep(0.1)
    assert before - after == 520  # Menü 1 at staff prices: the README made Anna staff


def _jpeg(png: bytes) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").save(out, "JPEG")
    return out.getvalue()
