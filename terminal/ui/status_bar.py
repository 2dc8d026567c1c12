"""The status bar: network, unsent entries and their age, reader, printer, unit and till.

Each text takes the room it needs while there is room, and is shortened with "…" (its whole
text as a tooltip) when there is not: a long printer fault never widens the window.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QStatusBar, QVBoxLayout, QWidget

from terminal.i18n import translate
from terminal.status import TillStatus
from terminal.ui import theme
from terminal.ui.texts import ElidedLabel


class TillStatusBar(QStatusBar):
    def __init__(self) -> None:
        super().__init__()
        self.setSizeGripEnabled(False)
        self.network = ElidedLabel()
        self.unsent = ElidedLabel()
        self.reader = ElidedLabel()
        self.printer = ElidedLabel()
        self.feed = ElidedLabel()
        self.place = ElidedLabel()
        self.clock = ElidedLabel()
        names = ("network", "unsent", "reader", "printer", "feed", "place", "clock")
        for name in names:
            getattr(self, name).setObjectName(name)
        self.body = QWidget()
        self.lines = QVBoxLayout(self.body)
        self.lines.setContentsMargins(0, 0, 0, 0)
        self.lines.setSpacing(0)
        self.addWidget(self.body, 1)
        self.rows = 0
        self.set_rows(1)

    def set_rows(self, rows: int) -> None:
        """One row on a wide screen; two on a narrow (portrait) one, so less is shortened."""
        if rows == self.rows:
            return
        self.rows = rows
        while self.lines.count():
            old = self.lines.takeAt(0)  # the old rows; their labels move into the new ones
            row = old.layout() if old is not None else None
            if row is not None:
                while row.count():
                    row.takeAt(0)
                row.deleteLater()
        if rows == 1:
            line = [self.network, self.unsent, self.reader, self.printer, self.feed]
            groups = [(line, [self.place, self.clock])]
        else:
            groups = [
                ([self.network, self.unsent, self.feed], [self.clock]),
                ([self.reader, self.printer], [self.place]),
            ]
        for left, right in groups:
            row = QHBoxLayout()
            row.setSpacing(4)
            for label in left:
                row.addWidget(label)
            row.addStretch(1)
            for label in right:
                row.addWidget(label)
            self.lines.addLayout(row)

    def labels(self) -> list[ElidedLabel]:
        return [self.network, self.unsent, self.reader, self.printer, self.feed, self.place]

    def show_status(self, status: TillStatus, clock_text: str) -> None:
        self.network.set_full_text(status.network_text)
        self.network.setStyleSheet(_colour(theme.APPROVED if status.online else theme.OFFLINE))
        self.unsent.set_full_text(status.unsent_text)
        self.unsent.setStyleSheet(_colour(theme.STATUS_REFUSED) if status.alarm else "")
        self.reader.set_full_text(
            translate("screen", "Reader: {state}").format(state=status.reader_text)
        )
        self.reader.setStyleSheet("" if status.reader_ok else _colour(theme.STATUS_REFUSED))
        self.printer.set_full_text(
            translate("screen", "Printer: {state}").format(state=status.printer_text)
        )
        self.printer.setStyleSheet("" if status.printer_ok else _colour(theme.STATUS_REFUSED))
        self.feed.set_full_text(status.feed_text)
        self.feed.setVisible(bool(status.feed_text))
        self.feed.setStyleSheet(_colour(theme.STATUS_REFUSED))
        self.place.set_full_text(f"{status.unit_name} · {status.till_id}")
        self.clock.set_full_text(clock_text)


def _colour(colour: str) -> str:
    return f"color: {colour}; font-weight: 700;"
