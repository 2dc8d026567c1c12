"""The status bar: network, unsent entries and their age, reader, printer, unit and till."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from terminal.status import TillStatus
from terminal.ui import theme


class TillStatusBar(QStatusBar):
    def __init__(self) -> None:
        super().__init__()
        self.setSizeGripEnabled(False)
        self.network = QLabel()
        self.unsent = QLabel()
        self.reader = QLabel()
        self.printer = QLabel()
        self.feed = QLabel()
        self.place = QLabel()
        self.clock = QLabel()
        for label in (self.network, self.unsent, self.reader, self.printer, self.feed):
            self.addWidget(label)
        self.addPermanentWidget(self.place)
        self.addPermanentWidget(self.clock)

    def show_status(self, status: TillStatus, clock_text: str) -> None:
        self.network.setText(status.network_text)
        self.network.setStyleSheet(_colour(theme.APPROVED if status.online else theme.OFFLINE))
        self.unsent.setText(status.unsent_text)
        self.unsent.setStyleSheet(_colour(theme.REFUSED) if status.alarm else "")
        self.reader.setText(f"Reader: {status.reader_text}")
        self.reader.setStyleSheet("" if status.reader_ok else _colour(theme.REFUSED))
        self.printer.setText(f"Printer: {status.printer_text}")
        self.printer.setStyleSheet("" if status.printer_ok else _colour(theme.REFUSED))
        self.feed.setText(status.feed_text)
        self.feed.setVisible(bool(status.feed_text))
        self.feed.setStyleSheet(_colour(theme.REFUSED))
        self.place.setText(f"{status.unit_name} · {status.till_id}")
        self.clock.setText(clock_text)


def _colour(colour: str) -> str:
    return f"color: {colour}; font-weight: 700;"
