"""The customer display (issue 10, item 10): a second window facing the cardholder, with the
tray, the total, the verdict (word and icon) and the balance after, and nothing for the cashier
alone; on a second screen when the till has one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from terminal.ui.main_window import MainWindow
from tests.terminal.ui.layout_check import layout_problems
from tests.terminal.ui.test_layout import long_refusal, paid_tray, settle

ROOT = Path(__file__).resolve().parents[3]

# Qt's offscreen platform reads its screens from a JSON file (-platform offscreen:configfile=).
TWO_SCREENS = {
    "synchronousWindowSystemEvents": False,
    "windowFrameMargins": False,
    "screens": [
        {"name": "1-till", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96},
        {"name": "2-customer", "x": 1366, "y": 0, "width": 800, "height": 480, "logicalDpi": 96},
    ],
}


def test_customer_display_lands_on_the_second_screen(tmp_path: Path) -> None:
    """With two screens and `customer_display = "screen"`, the display fills the second one
    and shows the sale's total, the verdict and the balance after, uncut."""
    screens = tmp_path / "screens.json"
    screens.write_text(json.dumps(TWO_SCREENS), encoding="utf-8")
    data = tmp_path / "till"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.terminal.ui.customer_probe", str(data), str(screens)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["customer_screen"] == "2-customer"
    assert shown["main_screen"] != "2-customer"
    assert shown["full_screen"]
    assert shown["customer_geometry"] == shown["screen_geometry"] == [1366, 0, 800, 480]
    assert shown["total"] == "Total 4,70 €"
    assert shown["banner"] == "PAID 4,70 €"
    assert shown["banner_tone"] == "approved"
    assert shown["balance"] == "Balance after: 37,80 €"
    assert shown["rows"] == 2
    assert shown["buttons"] == 0
    assert shown["problems"] == []


def test_customer_display_window_follows_every_refresh(
    make_window: Callable[..., MainWindow],
) -> None:
    """`customer_display = "window"`: the tray and total as they are rung up, the verdict in
    word and icon; a refusal shows its headline but not the cashier's note."""
    win = make_window(1366, 768, customer_display="window")
    win.present()
    customer = win.customer
    assert customer is not None
    settle()
    assert customer.isVisible()
    assert customer.welcome.isVisible()
    assert win.press_shortcut("1")
    settle()
    assert customer.table.rowCount() == 1
    assert customer.total.text() == "Total 3,50 €"
    assert customer.banner.text() == ""
    long_refusal(win)
    settle()
    assert customer.banner.text() == "REFUSED: payment blocked for arrears"
    assert customer.banner.tone == "refused"
    cashier_note = win.card_panel.message.text()
    assert cashier_note
    shown = " ".join(label.text() for label in customer.findChildren(type(win.card_panel.name)))
    assert cashier_note not in shown
    assert layout_problems(customer) == []
    paid_tray(win)
    settle()
    assert customer.banner.text().startswith("PAID")
    assert customer.balance.text().startswith("Balance after:")
