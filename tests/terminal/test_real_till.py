"""The real till as an operator sets it up (issue 8 item 9): enrolment codes, plain http
refused, an enrolled till that waits on its screen for the scheme and then sells."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from server import tills
from sync.client import ServerConfig
from tests.server.live import ADMIN, Server, free_port, start
from tests.terminal.till_scheme import PORTRAIT, UNIT, wait_for_photo


def test_enrolment_codes_never_start_with_a_dash_and_are_read_as_typed() -> None:
    """A code starting with "-" would be an option to a shell tool: none does; a code typed in
    lower case or without its dashes is the same code."""
    codes = [tills.new_code() for _ in range(5000)]
    assert not any(code.startswith("-") for code in codes)
    assert len(set(codes)) == len(codes)
    code = codes[0]
    assert tills.canonical_code(code.lower()) == tills.canonical_code(code.replace("-", ""))


def test_a_code_that_starts_with_a_dash_is_taken_as_the_code(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--code -K7Q…` reaches the server as the code (argparse would call it an unknown
    option); here the server does not know it, and says so."""
    from terminal.cli import main

    args = ["enroll", "--server", server.url, "--data-dir", str(tmp_path)]
    assert main([*args, "--code", "-K7QM-2XPD-9HRT-3MNP"]) == 1
    assert "unknown or already used enrolment code" in capsys.readouterr().err
    assert main([*args, "--code=-K7QM-2XPD-9HRT-3MNP"]) == 1
    server.put_unit()
    code = server.admin(
        "POST", "/v1/admin/tills", json={"till_id": "till-7", "unit_id": UNIT.unit_id}
    ).json()["enrolment_code"]
    assert main([*args, "--code", code.lower().replace("-", "")]) == 0
    saved = ServerConfig.load(tmp_path)
    assert saved is not None
    assert saved.till_id == "till-7"


def test_plain_http_to_another_machine_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The till's credential and cardholders' photos never cross a network in clear text,
    unless the operator says --insecure; loopback (the demo, tests) is fine."""
    from terminal.cli import main

    base = ["enroll", "--code", "K7QM-2XPD-9HRT-3MNP", "--data-dir", str(tmp_path)]
    assert main([*base, "--server", "http://192.0.2.10:8080"]) == 1
    err = capsys.readouterr().err
    assert "unencrypted" in err
    assert "https://" in err
    assert "--insecure" in err
    assert main([*base, "--server", "http://till-server.invalid:8080", "--insecure"]) == 1
    assert "name is not known" in capsys.readouterr().err  # it did try: the operator said so
    assert not (tmp_path / "server.json").exists()


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "till.toml"
    config.write_text(
        "[till]\n"
        'till_id = "till-1"\n'
        f'data_dir = "{tmp_path / "data"}"\n'
        "[reader]\n"
        'kind = "simulated"\n'
        "[printer]\n"
        'kind = "simulated"\n',
        encoding="utf-8",
    )
    return config


def _wait_for(process: subprocess.Popen[str], text: str, seen: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"the till ended without printing {text!r}: {''.join(seen)}")


def test_an_enrolled_till_waits_for_its_scheme_on_screen_and_then_sells(
    database_url: str, tmp_path: Path
) -> None:
    """Enrolled while its server is down, the till starts with an empty store: it says it is
    waiting for the scheme (instead of refusing to start), pulls it as soon as the server is
    there, and sells: a card tapped on its reader is charged and the sale reaches the server.
    The card was registered in lower case, as typed (D-CARD-3): the till reads it all the
    same."""
    port = free_port()
    server = start(database_url, tmp_path / "server.log", port=port)
    server.put_unit()
    holder = {
        "cardholder_id": "h0",
        "name": "Anna Berg",
        "account_id": "a0",
        "card_id": "72bf9961",
        "currency": "EUR",
    }
    assert server.admin("POST", "/v1/admin/cardholders", json=holder).status_code == 201
    # With her photo on file the tap charges at once; without, the till would hold the charge
    # for the cashier to check her identity (D-CARD-4).
    photo = requests.put(
        server.url + "/v1/admin/cardholders/h0/photo",
        data=PORTRAIT,
        headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "image/png"},
        timeout=10,
        verify=server.ca_file or True,
    )
    assert photo.status_code == 200, photo.text
    deposit = {"card_id": "72bf9961", "amount": 2000}
    assert server.admin("POST", "/v1/admin/deposits", json=deposit).status_code == 200
    server.admin(
        "PUT",
        "/v1/admin/products/meal",
        json={
            "unit_id": UNIT.unit_id,
            "name": "Menü 1",
            "category": "Mains",
            "prices": {"student": 350, "staff": 520, "guest": 690},
            "vat_rate_bp": 700,
            "shortcut": "1",
        },
    )
    config = server.enrol_till("till-1")
    config.save(tmp_path / "data")
    server.process.terminate()
    server.process.wait(timeout=10)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    till = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "terminal.cli",
            "--config",
            str(_config(tmp_path)),
            "run",
            "--ring",
            "1",
            "--exit-after",
            "120",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    seen: list[str] = []
    again: Server | None = None
    try:
        _wait_for(till, "waiting for the scheme data from the server", seen)
        again = start(server.db_url, tmp_path / "server2.log", port=port)
        _wait_for(till, "ready in", seen)
        wait_for_photo(tmp_path / "data" / "till.db")
        tap = subprocess.run(
            [
                sys.executable,
                "-m",
                "terminal.cli",
                "tap",
                "72BF9961",
                "--data-dir",
                str(tmp_path / "data"),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert tap.returncode == 0, tap.stderr
        for _ in range(300):
            balance = again.admin("GET", "/v1/admin/accounts/a0").json()["balance"]
            if balance == 2000 - 350:
                break
            time.sleep(0.1)
        assert balance == 2000 - 350
    finally:
        till.send_signal(signal.SIGTERM)
        till.wait(timeout=30)
        if till.stdout is not None:
            seen.append(till.stdout.read())
            till.stdout.close()
        if again is not None:
            again.process.terminate()
            again.process.wait(timeout=10)
    assert till.returncode == 0, "".join(seen)
