"""The docs say what the code does: the server's rules table, and every rule id resolves."""

from __future__ import annotations

import re
from pathlib import Path

from server.checks import RULES

ROOT = Path(__file__).resolve().parent.parent


def test_architecture_lists_every_rule_the_server_checks() -> None:
    """docs/architecture.md's table of refusals and flags is server.checks.RULES, row by row."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [rule for rule, what, why in RULES if f"| {rule} | {what} | {why} |" not in doc]
    assert missing == []


def test_every_rule_id_cited_in_the_code_is_in_rules_md() -> None:
    """A newcomer finds every D-… id the code and tests cite in docs/rules.md."""
    rules = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    defined = set(re.findall(r"\*\*(D-[A-Z]+-\d+)\*\*", rules))
    cited: set[str] = set()
    for folder in ("terminal", "drivers", "sync", "server", "demo", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            cited.update(re.findall(r"D-[A-Z]+-\d+", path.read_text(encoding="utf-8")))
    assert defined
    assert cited - defined == set()
