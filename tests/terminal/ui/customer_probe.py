"""Run in a child process by test_customer_display: a till with `customer_display = "screen"`
on Qt's offscreen platform with two simulated screens (the platform is chosen when the
QApplication is made, so it cannot be changed inside the test process). Prints what the
customer display shows, and where, as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel, QPushButton


class _Bot:
    def addWidget(self, widget: object) -> None:  # noqa: N802 (qtbot's name)
        pass


def main(data_dir: str, screens: str) -> None:
    app = QApplication(["probe", "-platform", f"offscreen:configfile={screens}"])
    from terminal.config import ScreenConfig
    from tests.terminal.ui.layout_check import layout_problems
    from tests.terminal.ui.test_layout import demo_window, ring, settle, tap

    win = demo_window(
        _Bot(),  # type: ignore[arg-type]
        Path(data_dir),
        ScreenConfig(language="en", customer_display="screen"),
    )
    win.present((1366, 768))
    settle()
    ring(win, "1", "7")
    tap(win, "72BF9961")
    settle()
    customer = win.customer
    assert customer is not None
    screen = customer.screen()
    shown = {
        "main_screen": win.screen().name(),
        "customer_screen": screen.name(),
        "customer_geometry": customer.geometry().getRect(),
        "screen_geometry": screen.geometry().getRect(),
        "full_screen": customer.isFullScreen(),
        "total": customer.total.text(),
        "banner": customer.banner.text(),
        "banner_tone": customer.banner.tone,
        "balance": customer.balance.text(),
        "rows": customer.table.rowCount(),
        "labels": [label.text() for label in customer.findChildren(QLabel)],
        "buttons": len(customer.findChildren(QPushButton)),
        "problems": layout_problems(customer),
    }
    win.close()
    app.processEvents()
    print(json.dumps(shown))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
