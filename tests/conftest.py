"""Fixtures shared across the test tree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.live import Server, start


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = start(f"sqlite:///{tmp_path / 'server.db'}", tmp_path / "server.log")
    yield srv
    srv.process.terminate()
    srv.process.wait(timeout=10)
