"""The verdict in large type on its colour, with a drawn icon, so it is never colour alone:
a tick for approved, "!" for approved offline, a cross for refused, a bar for the rest."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QWidget

from terminal.ui import theme
from terminal.ui.texts import wrapping_label


class VerdictIcon(QWidget):
    """A white disc with the tone's mark in the tone's colour, as high as a line of the text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tone = ""
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_tone(self, tone: str, side: int) -> None:
        self.tone = tone
        self.setFixedSize(side, side)
        self.setVisible(bool(tone))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        if not self.tone:
            return
        side = min(self.width(), self.height())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#ffffff"))
        painter.drawEllipse(QRectF(1, 1, side - 2, side - 2))
        pen = QPen(QColor(theme.TONE_COLOUR.get(self.tone, theme.NEUTRAL)), max(2.0, side / 8))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)

        def at(x: float, y: float) -> QPointF:
            return QPointF(x * side, y * side)

        if self.tone == "approved":
            painter.drawPolyline([at(0.27, 0.52), at(0.44, 0.69), at(0.74, 0.34)])
        elif self.tone == "refused":
            painter.drawLine(at(0.32, 0.32), at(0.68, 0.68))
            painter.drawLine(at(0.68, 0.32), at(0.32, 0.68))
        elif self.tone in {"offline", "attention"}:
            painter.drawLine(at(0.5, 0.24), at(0.5, 0.58))
            painter.drawPoint(at(0.5, 0.76))
        else:
            painter.drawLine(at(0.3, 0.5), at(0.7, 0.5))
        painter.end()


class VerdictBanner(QFrame):
    """Spans its panel; a long verdict wraps onto more lines in the same large type."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.setSpacing(10)
        self.icon = VerdictIcon()
        self.label = wrapping_label("", "bannerText")
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.label, 1)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.tone = ""
        self.show_verdict("", "")

    def text(self) -> str:
        return self.label.text()

    def show_verdict(self, text: str, tone: str) -> None:
        """`tone`: "approved", "offline", "refused", "neutral", or "" for no verdict."""
        self.tone = tone
        self.label.setText(text)
        colour = theme.TONE_COLOUR.get(tone)
        if colour is None:
            self.setStyleSheet("#banner { background: none; }")
        else:
            self.setStyleSheet(
                f"#banner {{ background: {colour}; border-radius: 8px; }}"
                " #banner QLabel { color: white; background: none; }"
            )
        self._size_icon()

    def _size_icon(self) -> None:
        self.icon.set_tone(
            self.tone if self.label.text() else "", self.label.fontMetrics().height()
        )

    def changeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)  # type: ignore[arg-type]
        self._size_icon()
