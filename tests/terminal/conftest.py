"""Fixtures of the terminal tests: a small scheme in a real store on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.store import Store
from tests.terminal.till_scheme import seed_scheme


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "till.db", till_id="till-1") as s:
        seed_scheme(s)
        yield s
