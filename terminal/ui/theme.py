"""Colours and sizes of the till screen: read at arm's length, touched with a thumb."""

from __future__ import annotations

from terminal.decide import Outcome

APPROVED = "#1b7a36"
OFFLINE = "#a65c00"  # approved offline: amber, so the cashier notices the difference (D-OFF-3)
REFUSED = "#c3201b"
NEUTRAL = "#46505a"
INK = "#1d232a"
PANEL = "#ffffff"
BACKGROUND = "#eef1f4"
ACCENT = "#1f5fa8"

TOUCH_MIN_HEIGHT = 72  # px; large enough for a thumb on a 15" touch screen
WINDOW_SIZE = (1366, 768)

OUTCOME_COLOUR = {
    Outcome.APPROVED: APPROVED,
    Outcome.APPROVED_OFFLINE: OFFLINE,
    Outcome.REFUSED: REFUSED,
}

STYLE = f"""
QWidget {{ font-family: 'DejaVu Sans'; font-size: 15px; color: {INK}; }}
QMainWindow, #root {{ background: {BACKGROUND}; }}
#panel {{ background: {PANEL}; border-radius: 10px; }}
QPushButton {{
    background: #ffffff; border: 1px solid #b8c2cc; border-radius: 8px; padding: 6px;
}}
QPushButton:pressed {{ background: #dde6ef; }}
QPushButton:disabled {{ color: #9aa4ae; background: #f3f5f7; }}
QPushButton#product {{ font-size: 16px; font-weight: 600; text-align: center; }}
QPushButton#category {{ font-size: 15px; font-weight: 600; }}
QPushButton#category:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
QPushButton#charge {{ background: {APPROVED}; color: white; font-size: 20px; font-weight: 700;
    border: none; }}
QPushButton#charge:disabled {{ background: #9fb9a6; color: #eef3ef; }}
QPushButton#yes {{ background: {APPROVED}; color: white; font-size: 20px; font-weight: 700;
    border: none; }}
QPushButton#no {{ background: {NEUTRAL}; color: white; font-size: 20px; font-weight: 700;
    border: none; }}
QTableWidget {{ font-size: 16px; border: none; gridline-color: #e3e7eb;
    selection-background-color: #d6e4f5; selection-color: {INK}; }}
QHeaderView::section {{ background: #f3f5f7; border: none; padding: 4px; font-weight: 600; }}
QStatusBar {{ background: #dfe4e9; }}
QStatusBar QLabel {{ font-size: 14px; padding: 0 8px; }}
"""
