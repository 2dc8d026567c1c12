"""End to end over a real server on loopback (issue 10 item 3): two enrolled tills with their
sync clients running and their windows up. The back office marks a product sold out and it
greys on a till's screen; a supervisor marks one at a till and it greys on the other's, and
the tray rung up there says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sync.client import SyncClient
from sync.store import Store
from terminal.app import Till
from terminal.config import PrinterConfig, ReaderConfig, TillConfig, pin_hash
from terminal.ui.main_window import MainWindow
from tests.server.live import Server, start
from tests.terminal.till_scheme import UNIT

# A bound that only keeps a broken propagation from hanging the run; nothing is timed.
ARRIVES_MS = 30_000


def product(name: str) -> dict[str, object]:
    return {
        "unit_id": UNIT.unit_id,
        "name": name,
        "category": "Mains",
        "prices": {"student": 290, "staff": 390, "guest": 490},
        "vat_rate_bp": 700,
    }


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Server]:
    server = start(f"sqlite:///{tmp_path / 'server.db'}", tmp_path / "server.log")
    try:
        server.put_unit()
        for key, name in (("pasta", "Pasta-Bar"), ("soup", "Suppe")):
            assert server.admin("PUT", f"/v1/admin/products/{key}", json=product(name)).ok
        yield server
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)


def open_till(qtbot: QtBot, server: Server, root: Path, till_id: str) -> MainWindow:
    data_dir = root / till_id
    link = SyncClient(data_dir / "till.db", server.enrol_till(till_id), poll_wait_s=5)
    with Store.open(data_dir / "till.db", till_id=till_id) as store:
        while link.pull_once(store):
            pass
    config = TillConfig(
        till_id=till_id,
        data_dir=data_dir,
        reader=ReaderConfig("simulated"),
        printer=PrinterConfig("none"),
        supervisor_pin_sha256=pin_hash("4711"),
        source="test",
    )
    window = MainWindow(Till(config, link=link))
    qtbot.addWidget(window)
    window.attach_devices()  # starts the sync client's jobs, as on a till
    window.show()
    return window


def greyed(window: MainWindow, product_id: str) -> bool:
    button = window.grid.buttons.get(product_id)
    return button is not None and not button.isEnabled() and "sold out" in button.text()


def test_sold_out_centrally_and_at_a_till_greys_on_every_till_of_the_unit(
    qtbot: QtBot, live: Server, tmp_path: Path
) -> None:
    first = open_till(qtbot, live, tmp_path, "till-1")
    second = open_till(qtbot, live, tmp_path, "till-2")
    try:
        assert first.grid.buttons["pasta"].isEnabled()
        second.add_product(next(p for p in second.till.products if p.product_id == "soup"))

        put = live.admin("PUT", "/v1/admin/products/pasta/sold-out", json={"sold_out": True})
        assert put.status_code == 204
        qtbot.waitUntil(
            lambda: greyed(first, "pasta") and greyed(second, "pasta"), timeout=ARRIVES_MS
        )

        assert first.till.mark_sold_out("soup", True, "4711")
        first.refresh_menu()  # what the window does after the supervisor marked it
        assert greyed(first, "soup")  # at once on the till that marked it
        qtbot.waitUntil(lambda: greyed(second, "soup"), timeout=ARRIVES_MS)
        assert second.till.session.menu_changes == ["Suppe is sold out"]
        assert second.till.session.unavailable == {"soup"}
        assert first.till.store.pending_marks() == []  # sent, and taken by the server
    finally:
        first.close()
        second.close()
