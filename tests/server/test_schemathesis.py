"""Schemathesis against a running `canteen-server serve` (issue item A): every operation of the
document it serves, admin and till alike, with the right credential and the test scheme's
own ids, finds no server error and no answer that disagrees with the document (status code,
content type, body schema, headers).

Each run is `schemathesis run` as an operator would start it, with a config file made here:
the admin token for /v1/admin/*, the till's credential for /v1/tills/{till}/* and /v1/photos/*
with `till` fixed to the enrolled till, so the calls get past authentication and reach the
handlers. $SCHEMATHESIS_EXAMPLES (default 25) sets the examples per operation and
$SCHEMATHESIS_SEED the seed (default fixed, so a run is repeatable).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from demo.portraits import generate_portrait
from server.api_models import PolicySettings
from sync.policy import Policy
from tests.server.live import ADMIN, Server
from tests.terminal.till_scheme import UNIT

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261121")

# A long-poll may wait up to 60 s when nothing is new; the runs here ask for at most 1 s, so
# that the wait is exercised and no call sits out a minute. Every other value goes as made.
HOOKS = """
import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    query = case.query
    if not isinstance(query, dict) or "wait" not in query:
        return
    try:
        wait = float(query["wait"])
    except (TypeError, ValueError):
        return
    if 1 < wait <= 60:
        query["wait"] = 1
"""

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]


def scheme(server: Server) -> tuple[str, str]:
    """A small scheme: the unit, h0/h1 with cards C0/C1 and 10,00 €, a product, an autoload
    agreement, a photo, and till-1 enrolled. Returns (till-1's credential, the photo's sha)."""
    server.put_unit()
    server.add_holders(2, deposit=1000)
    product = {
        "unit_id": UNIT.unit_id,
        "name": "Menü 1",
        "category": "Mains",
        "prices": {"student": 350, "staff": 520, "guest": 690},
        "vat_rate_bp": 700,
    }
    assert server.admin("PUT", "/v1/admin/products/meal", json=product).status_code == 204
    agreement = {"threshold": 500, "amount": 2000, "active_from": "2026-11-01"}
    assert server.admin("PUT", "/v1/admin/accounts/a1/agreement", json=agreement).ok
    photo = requests.put(
        f"{server.url}/v1/admin/cardholders/h0/photo",
        data=generate_portrait(5, "Anna"),
        headers={"Authorization": f"Bearer {ADMIN}"},
        timeout=10,
    )
    assert photo.status_code == 200, photo.text
    return server.enrol_till("till-1").credential, str(photo.json()["sha256"])


def config_file(folder: Path, server: Server, credential: str, sha: str) -> Path:
    """schemathesis.toml: checks, generation, credentials and the scheme's ids."""
    checks = "\n".join(f"{name}.enabled = true" for name in CHECKS)

    def words(*values: str) -> str:
        return "[" + ", ".join(f'"{v}"' for v in values) + "]"

    def half(name: str) -> str:  # half the values from the scheme, half made up
        return f'{{ dictionary = "{name}", probability = 0.5 }}'

    text = f"""
base-url = "{server.url}"
seed = {SEED}
hooks = "{folder / "hooks.py"}"

[generation]
max-examples = {EXAMPLES}
database = "none"

[checks]
enabled = false
{checks}

[dictionaries.accounts]
values = {words("a0", "a1")}
[dictionaries.cards]
values = {words("C0", "C1")}
[dictionaries.holders]
values = {words("h0", "h1")}
[dictionaries.products]
values = {words("meal")}
[dictionaries.units]
values = {words(UNIT.unit_id)}
[dictionaries.photos]
values = {words(sha)}

[[operations]]
include-path-regex = "^/v1/admin/"
headers = {{ Authorization = "Bearer {ADMIN}" }}

[operations.parameters]
"path.account_id" = {half("accounts")}
"path.card_id" = {half("cards")}
"body.card_id" = {half("cards")}
"path.cardholder_id" = {half("holders")}
"path.product_id" = {half("products")}
"path.unit_id" = {half("units")}
"body.unit_id" = {half("units")}

[[operations]]
include-path-regex = "^/v1/(tills|photos)/"
headers = {{ Authorization = "Bearer {credential}" }}

[operations.parameters]
"path.till" = "till-1"
"path.sha256" = {half("photos")}
"""
    path = folder / "schemathesis.toml"
    path.write_text(text, encoding="utf-8")
    (folder / "hooks.py").write_text(HOOKS, encoding="utf-8")
    return path


def run(folder: Path, server: Server, config: Path, *paths: str) -> None:
    """`schemathesis run` on the operations whose path matches; fails with its report."""
    done = subprocess.run(
        [
            *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run"),
            *("--include-path-regex", "|".join(paths), "--request-timeout", "15"),
            *("--output-truncate", "false", "--workers", "1"),
            f"{server.url}/openapi.json",
        ],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=600,
        env={**os.environ, "NO_COLOR": "1"},
    )
    print(done.stdout)  # shown with -s, and on failure
    assert done.returncode == 0, f"schemathesis found problems:\n{done.stdout}\n{done.stderr}"
    assert " passed" in done.stdout
    assert "Tested:" in done.stdout


def test_schemathesis_finds_no_server_error_and_nothing_the_document_does_not_say(
    server: Server, tmp_path: Path
) -> None:
    """Every operation, positive and negative data, coverage, fuzzing and stateful phases: no
    5xx, every status documented, every body and header as documented. The till's operations
    run first, the back office's after (it may block the cards and revoke nothing the first
    run needs)."""
    credential, sha = scheme(server)
    config = config_file(tmp_path, server, credential, sha)
    run(tmp_path, server, config, "^/v1/tills/", "^/v1/photos/", "^/v1/enrol$", "^/v1/health$")
    run(tmp_path, server, config, "^/v1/admin/")
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "a bug" not in log
    assert "Traceback" not in log


def test_the_documented_policy_has_every_key_the_policy_has() -> None:
    """PUT/GET /v1/admin/policy document each key of `sync.policy.Policy`, no more, no fewer:
    a key added to the policy must be added to the document, or the API would refuse it."""
    assert set(PolicySettings.model_fields) == set(Policy().to_mapping())  # the data's keys
