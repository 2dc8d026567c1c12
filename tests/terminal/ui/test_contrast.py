"""Every text colour of the theme on its background meets WCAG AA (issue 10, item 9)."""

from __future__ import annotations

import pytest

from terminal.ui import theme


@pytest.mark.parametrize("pair", theme.COLOUR_PAIRS, ids=lambda p: p.where)
def test_text_colours_meet_wcag_aa(pair: theme.ColourPair) -> None:
    """4.5:1 for normal text, 3:1 for large text (24 px, or 18.7 px bold), at the size the
    text has on the smallest screen."""
    ratio = theme.contrast(pair.foreground, pair.background)
    assert ratio >= pair.required, f"{pair.where}: {ratio:.2f}:1 < {pair.required}:1"


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    """Black on white is 21:1, a colour on itself 1:1, and a pair known to fail AA fails:
    the old amber of the OFFLINE status text on the status bar's grey."""
    assert theme.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast("#777777", "#777777") == pytest.approx(1.0)
    assert theme.contrast("#a65c00", theme.STATUS_BACKGROUND) < 4.5
    assert theme.contrast("#9aa4ae", "#f3f5f7") < 4.5  # the old disabled button


def test_large_text_threshold() -> None:
    assert theme.ColourPair("x", "#000000", "#ffffff", 24).large
    assert theme.ColourPair("x", "#000000", "#ffffff", 19, bold=True).large
    assert not theme.ColourPair("x", "#000000", "#ffffff", 18, bold=True).large
    assert not theme.ColourPair("x", "#000000", "#ffffff", 23).large


def test_every_colour_the_style_sheet_uses_is_declared() -> None:
    """A colour the style sheet paints text with is in a declared pair, so it is checked."""
    declared = {p.foreground.lower() for p in theme.COLOUR_PAIRS} | {"white"}
    sheet = theme.style(1.0)
    import re

    used = {m.lower() for m in re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6}|white)", sheet)}
    assert used <= declared | {"#ffffff"}, used - declared
