"""What "nothing off-screen, nothing cut" means for a window, as a list of findings.

Shared by the layout test and the customer display's test: every visible label, button and
table lies inside the window and inside each of its ancestors, and its text fits the space the
widget was given (a word-wrapped label is tall enough for its lines at its width; any other
label and any button is wide and tall enough for its longest line).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from terminal.ui.texts import ElidedLabel


def _rect_in(widget: QWidget, top: QWidget) -> QRect:
    return QRect(widget.mapTo(top, QPoint(0, 0)), widget.size())


def _name(widget: QWidget) -> str:
    text = getattr(widget, "text", lambda: "")()
    return f"{type(widget).__name__} {widget.objectName()!r} {text!r}"


def _text_lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _label_problem(label: QLabel) -> str | None:
    # An eliding label shortens its text on purpose: what must fit is what it paints.
    text = label.shown_text() if isinstance(label, ElidedLabel) else label.text()
    if not text or not label.pixmap().isNull():
        return None
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        if need > label.height():
            return f"wraps to {need} px but is {label.height()} px high"
        return None
    metrics = label.fontMetrics()
    room = label.contentsRect()
    widest = max(metrics.horizontalAdvance(line) for line in _text_lines(text))
    if widest > room.width():
        return f"needs {widest} px but has {room.width()} px"
    tall = metrics.height() * len(_text_lines(text))
    if tall > room.height():
        return f"needs {tall} px of height but has {room.height()} px"
    return None


def _button_problem(button: QPushButton) -> str | None:
    text = button.text()
    if not text:
        return None
    option = QStyleOptionButton()
    button.initStyleOption(option)
    room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    metrics = button.fontMetrics()
    widest = max(metrics.horizontalAdvance(line) for line in _text_lines(text))
    if widest > room.width():
        return f"text needs {widest} px but the button has {room.width()} px"
    tall = metrics.height() * len(_text_lines(text))
    if tall > room.height():
        return f"text needs {tall} px of height but the button has {room.height()} px"
    return None


def layout_problems(window: QWidget) -> list[str]:
    """Every visible control or text that is outside the window, clipped or cut."""
    found: list[str] = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, QLabel | QAbstractButton | QAbstractScrollArea):
            continue
        if not widget.isVisibleTo(window) or not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and not widget.text() and widget.pixmap().isNull():
            continue  # an empty label shows nothing that could be cut
        where = _rect_in(widget, window)
        if widget.width() <= 0 or widget.height() <= 0:
            found.append(f"{_name(widget)} has no room ({widget.width()}x{widget.height()})")
            continue
        if not window.rect().contains(where):
            found.append(f"{_name(widget)} at {where.getRect()} is outside the window")
            continue
        parent = widget.parentWidget()
        while parent is not None and parent is not window:
            if not _rect_in(parent, window).contains(where):
                found.append(
                    f"{_name(widget)} at {where.getRect()} is cut by its parent "
                    f"{type(parent).__name__} {parent.objectName()!r}"
                )
                break
            parent = parent.parentWidget()
        problem = None
        if isinstance(widget, QLabel):
            problem = _label_problem(widget)
        elif isinstance(widget, QPushButton):
            problem = _button_problem(widget)
        if problem:
            found.append(f"{_name(widget)}: {problem}")
    return found
