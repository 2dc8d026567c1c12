"""The screen of an enrolled till that has not received its scheme yet: it says it is waiting,
for what and from where, and what the last attempt to reach the server ran into."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from terminal.i18n import translate
from terminal.ui import theme

POLL_MS = 500


class WaitingWindow(QWidget):
    """Shown until `loaded()` says the scheme (unit, menu, cardholders) has arrived."""

    ready = Signal()

    def __init__(
        self,
        *,
        till_id: str,
        server_url: str,
        loaded: Callable[[], bool],
        link_state: Callable[[], tuple[bool, str | None]],
        font_scale: float = 1.0,
    ) -> None:
        super().__init__()
        self._loaded = loaded
        self._link_state = link_state
        self.setWindowTitle(f"canteen-till · {till_id} · waiting for the scheme")
        self.scale = font_scale
        self.setStyleSheet(theme.style(font_scale))
        self.resize(*theme.WINDOW_SIZE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 60, 60, 60)
        layout.addStretch(1)
        self.title = QLabel(translate("screen", "Waiting for the scheme data from the server …"))
        self.title.setStyleSheet(f"font-size: {self._px(34)}px; font-weight: 700;")
        self.title.setWordWrap(True)
        self.detail = QLabel(
            translate(
                "screen",
                "Till {till} is enrolled with {server}. It sells as soon as its unit, menu"
                " and cardholders have arrived; nothing needs to be done here.",
            ).format(till=till_id, server=server_url)
        )
        self.detail.setStyleSheet(f"font-size: {self._px(20)}px;")
        self.detail.setWordWrap(True)
        self.state = QLabel()
        self.state.setStyleSheet(f"font-size: {self._px(18)}px;")
        self.state.setWordWrap(True)
        for label in (self.title, self.detail, self.state):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(2)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(POLL_MS)
        self.check()

    def check(self) -> None:
        if self._loaded():
            self.timer.stop()
            self.ready.emit()
            return
        online, error = self._link_state()
        if online:
            self.state.setText(translate("screen", "● The server answers: receiving the scheme …"))
            self.state.setStyleSheet(f"font-size: {self._px(18)}px; color: {theme.APPROVED};")
        else:
            self.state.setText(
                translate("screen", "● The server has not answered yet: {error}").format(
                    error=error
                )
                if error
                else translate("screen", "● The server has not answered yet; trying again …")
            )
            self.state.setStyleSheet(f"font-size: {self._px(18)}px; color: {theme.OFFLINE};")

    def _px(self, size: int) -> int:
        return round(size * self.scale)

    def refresh_status(self) -> None:
        self.check()
