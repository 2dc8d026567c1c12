"""Fixtures shared across the test tree."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.money import CURRENCIES, use_locale
from terminal.i18n import set_date_locale, set_screen_language
from tests.drivers.cards.pcscd import SOCKET_ENV, PcscDaemon, ensure_installed
from tests.server.live import Server, start
from tests.server.postgres import Cluster


@pytest.fixture(autouse=True)
def _screen_language_and_money_locales() -> Iterator[None]:
    """A till sets the process's screen language and its unit's money locale: each test starts
    and ends with English and the currencies' own locales."""
    yield
    set_screen_language("en")
    set_date_locale("de_DE")
    for currency in CURRENCIES:
        use_locale(currency, None)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """One private PostgreSQL cluster for the whole run."""
    cluster = Cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The server's database: embedded SQLite, and a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.new_database()


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    srv = start(database_url, tmp_path / "server.log")
    yield srv
    srv.process.terminate()
    srv.process.wait(timeout=10)


@pytest.fixture(scope="session")
def pcsc_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscDaemon]:
    """One private pcscd home for the whole run, started and stopped by each test: the PC/SC
    client library reads its socket path once per process, at its first call."""
    ensure_installed()
    old = os.environ.get(SOCKET_ENV)
    pcscd = PcscDaemon(tmp_path_factory.mktemp("pcsc"))
    pcscd.use()
    try:
        yield pcscd
    finally:
        pcscd.stop()
        if old is None:
            os.environ.pop(SOCKET_ENV, None)
        else:
            os.environ[SOCKET_ENV] = old
