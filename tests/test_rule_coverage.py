"""Every domain rule the till implements is named by at least one test (ids from docs/rules.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

# The rules implemented so far; ids of later work (payouts, statements, …) join as it lands.
IMPLEMENTED = [
    "D-ACC-3",
    "D-ACC-4",
    "D-CARD-1",
    "D-CARD-2",
    "D-CARD-3",
    "D-CARD-4",
    "D-UNIT-2",
    "D-UNIT-3",
    "D-PAY-1",
    "D-PAY-2",
    "D-PAY-3",
    "D-PAY-4",
    "D-PAY-5",
    "D-PAY-6",
    "D-AUTO-1",
    "D-AUTO-2",
    "D-AUTO-3",
    "D-AUTO-4",
    "D-AUTO-5",
    "D-AUTO-6",
    "D-AUTO-7",
    "D-AUTO-8",
    "D-OFF-3",
    "D-SYNC-1",
    "D-SYNC-2",
]


def named_ids() -> set[str]:
    found: set[str] = set()
    for path in TESTS.rglob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r"D-[A-Z]+-\d+", text))
        # "D-AUTO-2..5" names a range
        for prefix, lo, hi in re.findall(r"(D-[A-Z]+-)(\d+)\.\.(\d+)", text):
            found.update(f"{prefix}{n}" for n in range(int(lo), int(hi) + 1))
    return found


@pytest.mark.parametrize("rule", IMPLEMENTED)
def test_rule_is_named_by_a_test(rule: str) -> None:
    """The rule's id appears in a test's name or docstring."""
    assert rule in named_ids()
