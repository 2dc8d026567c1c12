"""The two set-up commands stay true: README, Makefile, CI, lock file, and lint that runs clean."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_readme_names_both_commands() -> None:
    """The README gives `make demo` and `make test` as the set-up commands (sqlite-utils style)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme


def test_makefile_has_the_targets_the_readme_names() -> None:
    """Every `make X` the README mentions is a Makefile target."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    assert {"demo", "test", "bench"} <= targets
    assert set(re.findall(r"`make ([a-z-]+)", readme)) <= targets


def test_ci_runs_make_test() -> None:
    """.ci/run runs the README's test command and stops on the first failure."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
    assert "set -euo pipefail" in ci


def test_lock_file_and_qt_essentials() -> None:
    """uv.lock is committed and the till depends on PySide6-Essentials, not the full PySide6."""
    assert (ROOT / "uv.lock").is_file()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.split(r"[<>=!~ \[]", dep)[0].lower() for dep in project["dependencies"]]
    assert "pyside6-essentials" in names
    assert "pyside6" not in names
    assert project["scripts"]["canteen-till"] == "terminal.cli:main"


def test_readme_lists_every_demo_card() -> None:
    """The README's table of demo cards matches the demo data."""
    from demo import scheme

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    data = scheme.build_demo(scheme.local_today(datetime.now(UTC)))
    missing = [p.card_id for p in data.people if p.card_id not in readme]
    assert missing == []


def test_ruff_is_clean() -> None:
    """ruff check passes on the whole tree."""
    done = subprocess.run(
        [str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean() -> None:
    """mypy (strict) passes on terminal, drivers, sync, tests and bench."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
