"""A real till on a tmp data directory: store on disk, simulated reader socket, folder printer."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot

from demo.training import TrainingServer
from sync.store import Store
from terminal.app import Till
from terminal.config import PrinterConfig, ReaderConfig, ScreenConfig, TillConfig
from terminal.ui.main_window import MainWindow
from tests.terminal.till_scheme import NOW, seed_scheme


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        seed_scheme(store)
    return tmp_path


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    config = TillConfig(
        till_id="till-1",
        data_dir=data_dir,
        reader=ReaderConfig("simulated"),
        printer=PrinterConfig("simulated"),
        source="test",
    )
    link = TrainingServer(config.store_path, till_id="till-1", online=True, interval_s=0.2)
    till = Till(config, link=link, clock=lambda: NOW)
    win = MainWindow(till)
    qtbot.addWidget(win)
    win.attach_devices()
    win.show()
    yield win
    win.close()


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., MainWindow]]:
    """A till on the demo scheme at a window size, with a [screen] config; closed at the end."""
    from tests.terminal.ui.test_layout import demo_window, settle

    made: list[MainWindow] = []

    def make(width: int, height: int, **screen: Any) -> MainWindow:
        screen.setdefault("language", "en")
        win = demo_window(qtbot, tmp_path / f"till-{len(made)}", ScreenConfig(**screen))
        win.resize(width, height)
        win.show()
        made.append(win)
        settle()
        return win

    yield make
    for win in made:
        win.close()
