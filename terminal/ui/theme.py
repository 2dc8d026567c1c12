"""Colours and sizes of the till screen: read at arm's length, touched with a thumb.

Every text size is given at 1366 x 768 and a font scale of 1; `style(scale)` builds the style
sheet for a scale (the screen's size times the cashier's `[screen] font_scale`), so nothing
here is a fixed pixel size on a larger or smaller screen. The colour pairs the screen uses are
declared in `COLOUR_PAIRS`, so their contrast can be checked against WCAG AA.
"""

from __future__ import annotations

from dataclasses import dataclass

from terminal.decide import Outcome

APPROVED = "#176b2f"
OFFLINE = "#8a4b00"  # approved offline: amber, so the cashier notices the difference (D-OFF-3)
REFUSED = "#c3201b"
NEUTRAL = "#46505a"
INK = "#1d232a"
MUTED = "#46505a"  # secondary text: still 8:1 on white
PANEL = "#ffffff"
BACKGROUND = "#eef1f4"
ACCENT = "#1f5fa8"
STATUS_BACKGROUND = "#dfe4e9"
STATUS_REFUSED = "#a81b17"  # red text on the grey status bar needs to be a shade darker
PLACEHOLDER = "#f4f6f8"
CONSENT = "#fff6db"
TOPUP = "#e8f0fa"
DISABLED_TEXT = "#5f6b76"
DISABLED_BACKGROUND = "#eceff2"
CHARGE_DISABLED_TEXT = "#3f5a46"
CHARGE_DISABLED_BACKGROUND = "#d5e2d8"
SELECTION = "#d6e4f5"
HEADER = "#f3f5f7"

TOUCH_MIN_HEIGHT = 72  # px at scale 1; large enough for a thumb on a 15" touch screen
WINDOW_SIZE = (1366, 768)  # the size the text sizes are given for, and a window's first size
SCALE_RANGE = (0.8, 1.6)  # how far the screen's size moves the text size

OUTCOME_COLOUR = {
    Outcome.APPROVED: APPROVED,
    Outcome.APPROVED_OFFLINE: OFFLINE,
    Outcome.REFUSED: REFUSED,
}
# The banner's tone, so the verdict is never colour alone: each has its own drawn icon.
OUTCOME_TONE = {
    Outcome.APPROVED: "approved",
    Outcome.APPROVED_OFFLINE: "offline",
    Outcome.REFUSED: "refused",
}
# "attention": the cashier must act before money moves (a held charge, the autoload question).
TONE_COLOUR = {
    "approved": APPROVED,
    "offline": OFFLINE,
    "refused": REFUSED,
    "neutral": NEUTRAL,
    "attention": OFFLINE,
}
CAUTION = CONSENT  # the warnings before money: the amber of a question
FAULT = "#fde8e7"  # the printer-fault strip in the card panel
FAULT_TEXT = STATUS_REFUSED

# Text sizes in px at scale 1, by the object name of what shows them.
SIZES = {
    "body": 16,
    "product": 17,
    "category": 16,
    "big_button": 22,
    "table": 17,
    "tray_title": 19,
    "total": 32,
    "level": 15,
    "name": 26,
    "details": 18,
    "banner": 30,
    "message": 17,
    "question": 18,
    "status": 18,
}


def screen_scale(width: int, height: int, font_scale: float = 1.0) -> float:
    """The text scale for a window of this size: 1 at 1366 x 768 (either way round), so a
    larger screen shows larger text and a smaller one still fits, times the cashier's scale."""
    long_side, short_side = max(width, height), min(width, height)
    size = min(long_side / WINDOW_SIZE[0], short_side / WINDOW_SIZE[1])
    low, high = SCALE_RANGE
    return round(min(max(size, low), high) * font_scale, 2)


def px(name: str, scale: float) -> int:
    return max(1, round(SIZES[name] * scale))


def style(scale: float = 1.0) -> str:
    """The whole window's style sheet at a text scale."""

    def s(name: str) -> int:
        return px(name, scale)

    pad = max(4, round(6 * scale))
    return f"""
QWidget {{ font-family: 'DejaVu Sans'; font-size: {s("body")}px; color: {INK}; }}
QMainWindow, #root, #customer {{ background: {BACKGROUND}; }}
#panel {{ background: {PANEL}; border-radius: 10px; }}
QPushButton {{
    background: #ffffff; border: 1px solid #b8c2cc; border-radius: 8px; padding: {pad}px;
}}
QPushButton:pressed {{ background: #dde6ef; }}
QPushButton:disabled {{ color: {DISABLED_TEXT}; background: {DISABLED_BACKGROUND}; }}
QPushButton#product {{ font-size: {s("product")}px; font-weight: 600; }}
QPushButton#category {{ font-size: {s("category")}px; font-weight: 600; }}
QPushButton#category:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
QPushButton#charge {{ background: {APPROVED}; color: white; font-size: {s("big_button")}px;
    font-weight: 700; border: none; }}
QPushButton#charge:disabled {{ background: {CHARGE_DISABLED_BACKGROUND};
    color: {CHARGE_DISABLED_TEXT}; }}
QPushButton#yes {{ background: {APPROVED}; color: white; font-size: {s("big_button")}px;
    font-weight: 700; border: none; }}
QPushButton#no {{ background: {NEUTRAL}; color: white; font-size: {s("big_button")}px;
    font-weight: 700; border: none; }}
QTableWidget {{ font-size: {s("table")}px; border: none; gridline-color: #e3e7eb;
    selection-background-color: {SELECTION}; selection-color: {INK}; }}
QHeaderView::section {{ background: {HEADER}; border: none; padding: 4px; font-weight: 600;
    font-size: {s("table")}px; }}
QLabel#trayTitle {{ font-size: {s("tray_title")}px; font-weight: 700; }}
QLabel#total {{ font-size: {s("total")}px; font-weight: 800; }}
QLabel#level {{ font-size: {s("level")}px; color: {MUTED}; }}
QLabel#name {{ font-size: {s("name")}px; font-weight: 700; }}
QLabel#details {{ font-size: {s("details")}px; }}
QLabel#bannerText {{ font-size: {s("banner")}px; font-weight: 800; }}
QLabel#message {{ font-size: {s("message")}px; }}
QLabel#chargeHint {{ font-size: {s("question")}px; font-weight: 700;
    color: {CHARGE_DISABLED_TEXT}; }}
#consent {{ background: {CONSENT}; border-radius: 8px; }}
#caution {{ background: {CAUTION}; border-radius: 8px; }}
#fault {{ background: {FAULT}; border-radius: 8px; }}
QLabel#faultText {{ font-size: {s("question")}px; font-weight: 700; color: {FAULT_TEXT};
    background: none; }}
QLabel#keypadAmount {{ font-size: {s("banner")}px; font-weight: 800; background: none; }}
QPushButton#key {{ font-size: {s("big_button")}px; font-weight: 700; }}
#topup {{ background: {TOPUP}; border-radius: 8px; }}
QLabel#question {{ font-size: {s("question")}px; font-weight: 600; background: none; }}
QStatusBar {{ background: {STATUS_BACKGROUND}; }}
QStatusBar QLabel {{ font-size: {s("status")}px; padding: 0 {pad}px; }}
"""


@dataclass(frozen=True, slots=True)
class ColourPair:
    """A text colour on its background, and the smallest size it is shown at (px at scale 1)."""

    where: str
    foreground: str
    background: str
    size: int
    bold: bool = False

    @property
    def large(self) -> bool:
        """WCAG's large text: 18 pt (24 px), or 14 pt (18.7 px) bold."""
        return self.size >= 24 or (self.bold and self.size >= 18.7)

    @property
    def required(self) -> float:
        return 3.0 if self.large else 4.5


def _smallest(name: str) -> int:
    """The size at the smallest screen scale: contrast must hold there too."""
    return px(name, SCALE_RANGE[0])


COLOUR_PAIRS: tuple[ColourPair, ...] = (
    ColourPair("text on a panel", INK, PANEL, _smallest("body")),
    ColourPair("text on the background", INK, BACKGROUND, _smallest("body")),
    ColourPair("price level under the total", MUTED, PANEL, _smallest("level")),
    ColourPair("disabled button", DISABLED_TEXT, DISABLED_BACKGROUND, _smallest("body")),
    ColourPair("chosen category", "#ffffff", ACCENT, _smallest("category"), bold=True),
    ColourPair("Charge button", "#ffffff", APPROVED, _smallest("big_button"), bold=True),
    ColourPair(
        "disabled Charge button",
        CHARGE_DISABLED_TEXT,
        CHARGE_DISABLED_BACKGROUND,
        _smallest("big_button"),
        bold=True,
    ),
    ColourPair("Yes button", "#ffffff", APPROVED, _smallest("big_button"), bold=True),
    ColourPair("No button", "#ffffff", NEUTRAL, _smallest("big_button"), bold=True),
    ColourPair("approved banner", "#ffffff", APPROVED, _smallest("banner"), bold=True),
    ColourPair("offline banner", "#ffffff", OFFLINE, _smallest("banner"), bold=True),
    ColourPair("refused banner", "#ffffff", REFUSED, _smallest("banner"), bold=True),
    ColourPair("voided banner", "#ffffff", NEUTRAL, _smallest("banner"), bold=True),
    ColourPair("selected tray line", INK, SELECTION, _smallest("table")),
    ColourPair("tray header", INK, HEADER, _smallest("table"), bold=True),
    ColourPair("autoload question", INK, CONSENT, _smallest("question"), bold=True),
    ColourPair("top-up question", INK, TOPUP, _smallest("question"), bold=True),
    ColourPair("Charge hint", CHARGE_DISABLED_TEXT, BACKGROUND, _smallest("question"), bold=True),
    ColourPair("cautions before charging", INK, CAUTION, _smallest("question"), bold=True),
    ColourPair("held / autoload banner", "#ffffff", OFFLINE, _smallest("banner"), bold=True),
    ColourPair("printer fault strip", FAULT_TEXT, FAULT, _smallest("question"), bold=True),
    ColourPair("keypad amount", INK, TOPUP, _smallest("banner"), bold=True),
    ColourPair("photo placeholder, neutral", NEUTRAL, PLACEHOLDER, 17, bold=True),
    ColourPair("photo placeholder, warning", REFUSED, PLACEHOLDER, 17, bold=True),
    ColourPair("status bar", INK, STATUS_BACKGROUND, _smallest("status")),
    ColourPair("status bar: online", APPROVED, STATUS_BACKGROUND, _smallest("status"), True),
    ColourPair("status bar: offline", OFFLINE, STATUS_BACKGROUND, _smallest("status"), True),
    ColourPair("status bar: fault", STATUS_REFUSED, STATUS_BACKGROUND, _smallest("status"), True),
    ColourPair("waiting screen: answers", APPROVED, BACKGROUND, 18),
    ColourPair("waiting screen: no answer", OFFLINE, BACKGROUND, 18),
)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
