"""Start the Qt till: window, devices, and the demo's screenshot and timed exit."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from sync.link import Link, NoServer
from sync.store import Store
from terminal.app import Till
from terminal.config import TillConfig
from terminal.session import NotSetUp

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from terminal.ui.main_window import MainWindow


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


def screen_options(config: TillConfig, options: argparse.Namespace) -> TillConfig:
    """The config with the screen flags given on the command line in place of its own."""
    given = {
        "fullscreen": getattr(options, "fullscreen", None),
        "font_scale": getattr(options, "font_scale", None),
        "customer_display": getattr(options, "customer_display", None),
        "language": getattr(options, "language", None),
    }
    changes = {key: value for key, value in given.items() if value is not None}
    if not changes:
        return config
    return replace(config, screen=replace(config.screen, **changes))


def run_window(
    config: TillConfig,
    *,
    link: Link,
    options: argparse.Namespace,
    on_window: Callable[[MainWindow], None] | None = None,
) -> int:
    """Run the till's window until it closes; `on_window` is told when the till's window is up
    (the demo attaches its counter socket to it)."""
    config = screen_options(config, options)
    if getattr(options, "offscreen", False):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_qt_message)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    launcher = _Launcher(config, link, options, on_window)
    # Ctrl+C in the terminal, or SIGTERM from a service manager: close the till properly
    # (devices, sync, the demo's server). Qt's loop gives Python a moment to run handlers;
    # set before the window opens and queued, so a signal while it opens is not lost.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: QTimer.singleShot(0, launcher.close))
    launcher.begin()
    if getattr(options, "exit_after", None) is not None:
        QTimer.singleShot(int(options.exit_after * 1000), launcher.finish)
    heartbeat = QTimer()
    heartbeat.start(250)
    heartbeat.timeout.connect(lambda: None)
    code = app.exec()
    launcher.shutdown()
    return launcher.code if launcher.code is not None else code


class _Launcher:
    """The window on screen: the till, or while an enrolled till waits for its scheme, the
    waiting screen, replaced by the till as soon as the scheme has arrived."""

    def __init__(
        self,
        config: TillConfig,
        link: Link,
        options: argparse.Namespace,
        on_window: Callable[[MainWindow], None] | None = None,
    ) -> None:
        self.config = config
        self.on_window = on_window
        self.link = link
        self.options = options
        self.store = Store.open(config.store_path, till_id=config.till_id)
        self.till: Till | None = None
        self.window: QWidget | None = None
        self.code: int | None = None

    def begin(self) -> None:
        if self.store.unit() is not None:
            self._start_till()
            return
        if isinstance(self.link, NoServer):
            self.store.close()
            raise NotSetUp(
                "this till has no sales unit yet and is not enrolled: enrol it first with"
                " `canteen-till enroll --server URL --code CODE` (or try the demo:"
                " canteen-till demo)"
            )
        from sync.client import ServerConfig
        from terminal.ui.waiting import WaitingWindow

        self.link.start()  # the sync client pulls the scheme; the till starts when it is in
        server = ServerConfig.load(self.config.data_dir)
        waiting = WaitingWindow(
            till_id=self.config.till_id,
            server_url=server.url if server is not None else "the central server",
            loaded=self.store.scheme_loaded,
            link_state=lambda: (self.link.is_online(), getattr(self.link, "last_error", None)),
            font_scale=self.config.screen.font_scale,
        )
        waiting.ready.connect(self._scheme_arrived)
        self.window = waiting
        if self.config.screen.fullscreen:
            waiting.showFullScreen()
        else:
            waiting.show()
        print("waiting for the scheme data from the server", flush=True)

    def _scheme_arrived(self) -> None:
        waiting = self.window
        self._start_till()
        if waiting is not None:
            waiting.hide()
            waiting.deleteLater()

    def _start_till(self) -> None:
        from PySide6.QtWidgets import QApplication

        from terminal.ui.main_window import MainWindow

        till = Till(self.config, link=self.link, store=self.store)
        self.till = till
        window = MainWindow(till)
        self.window = window
        window.attach_devices()
        window.present(getattr(self.options, "size", None))
        QApplication.processEvents()
        if self.on_window is not None:
            self.on_window(window)
        print(f"ready in {_since_process_start():.2f} s", flush=True)
        ring = [k.strip() for k in (getattr(self.options, "ring", "") or "").split(",")]
        for key in filter(None, ring):
            product = next((p for p in till.products if p.shortcut == key), None)
            if product is None:
                print(f"canteen-till: --ring {key}: no product has that shortcut", file=sys.stderr)
                self.code = 2
                window.close()
                QApplication.quit()
                return
            window.add_product(product)
        if getattr(self.options, "tap_card", None):
            _tap_later(till, self.options.tap_card)

    def finish(self) -> None:
        """--exit-after: the screenshot of whatever is on screen, then quit."""
        from PySide6.QtWidgets import QApplication

        screenshot: Path | None = getattr(self.options, "screenshot", None)
        window = self.window
        if window is not None and screenshot is not None:
            refresh = getattr(window, "refresh_status", None)
            if callable(refresh):
                refresh()
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(screenshot)):
                print(f"canteen-till: could not write {screenshot}", file=sys.stderr)
        self.close()
        QApplication.quit()

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
        from PySide6.QtWidgets import QApplication

        if self.till is None:
            QApplication.quit()  # the waiting screen: nothing else to close first

    def shutdown(self) -> None:
        if self.till is not None:
            self.till.close()  # closes the store too
        else:
            self.link.stop()
            self.store.close()


def _qt_message(kind: object, context: object, message: str) -> None:
    # The offscreen platform warns once per window about size hints it cannot pass on.
    if "propagateSizeHints" not in message:
        logging.getLogger("qt").warning("%s", message)


def _tap_later(till: Till, card: str) -> None:
    """Tap through the simulated reader's socket, the same path `canteen-till tap` takes."""
    from drivers.cards import tap_simulated

    def tap() -> None:
        try:
            tap_simulated(till.config.data_dir, card)
        except Exception as exc:
            print(f"canteen-till: --tap {card}: {exc}", file=sys.stderr)

    threading.Thread(target=tap, name="demo-tap", daemon=True).start()
