"""Start the Qt till: window, devices, and the demo's screenshot and timed exit."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from sync.link import Link
from terminal.app import Till
from terminal.config import TillConfig


def _since_process_start() -> float:
    """Seconds since this process was started, interpreter start-up included."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            now = float(uptime.read().split()[0])
        return now - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


_IMPORTED = time.monotonic()


def run_window(config: TillConfig, *, link: Link, options: argparse.Namespace) -> int:
    if getattr(options, "offscreen", False):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_qt_message)

    from terminal.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    till = Till(config, link=link)
    window = MainWindow(till)
    window.attach_devices()
    if config.reader.kind == "simulated":
        till.reader.set_command_handler(lambda word, args: _command(window, word, args))  # type: ignore[attr-defined]
    window.show()
    app.processEvents()
    print(f"ready in {_since_process_start():.2f} s", flush=True)

    ring = [k.strip() for k in (getattr(options, "ring", "") or "").split(",") if k.strip()]
    for key in ring:
        product = next((p for p in till.session.products if p.shortcut == key), None)
        if product is None:
            print(f"canteen-till: --ring {key}: no product has that shortcut", file=sys.stderr)
            return 2
        window.add_product(product)
    if getattr(options, "tap_card", None):
        _tap_later(till, options.tap_card)
    if getattr(options, "exit_after", None) is not None:
        QTimer.singleShot(
            int(options.exit_after * 1000), lambda: _finish(window, options.screenshot)
        )
    # Ctrl+C in the terminal, or SIGTERM from a service manager: close the till properly
    # (devices, sync, the demo's server). Qt's loop gives Python a moment to run handlers.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: window.close())
    heartbeat = QTimer()
    heartbeat.start(250)
    heartbeat.timeout.connect(lambda: None)
    code = app.exec()
    till.close()
    return code


def _qt_message(kind: object, context: object, message: str) -> None:
    # The offscreen platform warns once per window about size hints it cannot pass on.
    if "propagateSizeHints" not in message:
        logging.getLogger("qt").warning("%s", message)


def _tap_later(till: Till, card: str) -> None:
    """Tap through the simulated reader's socket, the same path `canteen-till tap` takes."""
    from drivers.cards.simulated import reader_socket_path, send_tap

    def tap() -> None:
        try:
            send_tap(reader_socket_path(till.config.data_dir), card)
        except Exception as exc:
            print(f"canteen-till: --tap {card}: {exc}", file=sys.stderr)

    threading.Thread(target=tap, name="demo-tap", daemon=True).start()


def _finish(window: object, screenshot: Path | None) -> None:
    from PySide6.QtWidgets import QApplication

    from terminal.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    if screenshot is not None:
        window.refresh_status()
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(screenshot)):
            print(f"canteen-till: could not write {screenshot}", file=sys.stderr)
    window.close()
    QApplication.quit()


def _command(window: object, word: str, args: list[str]) -> str:
    from terminal.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    if word == "net" and args and args[0] in ("online", "offline"):
        window.till.link.set_online(args[0] == "online")
        return f"network {args[0]}"
    raise ValueError(f"unknown command {word} {' '.join(args)}".strip())
