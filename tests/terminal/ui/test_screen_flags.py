"""The screen's command-line flags: `--fullscreen`, `--font-scale`, `--size WxH` and
`--customer-display` on `run` and `demo`, in place of the config's [screen] values."""

from __future__ import annotations

import pytest

from terminal.cli import _parser
from terminal.config import ScreenConfig, TillConfig
from terminal.ui.run import screen_options


def test_flags_replace_the_config_screen_values() -> None:
    args = _parser().parse_args(
        ["demo", "--fullscreen", "--font-scale", "1.25", "--customer-display", "screen"]
    )
    config = TillConfig(screen=ScreenConfig(language="de", font_scale=1.0))
    screen = screen_options(config, args).screen
    assert screen == ScreenConfig(
        language="de", font_scale=1.25, fullscreen=True, customer_display="screen"
    )


def test_no_flags_keep_the_config() -> None:
    config = TillConfig(screen=ScreenConfig(fullscreen=True, font_scale=1.5))
    args = _parser().parse_args(["run"])
    assert screen_options(config, args) is config
    args = _parser().parse_args(["run", "--no-fullscreen"])
    assert screen_options(config, args).screen.fullscreen is False


def test_size_is_width_by_height() -> None:
    assert _parser().parse_args(["demo", "--size", "1024x768"]).size == (1024, 768)


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--size", "1024", "is not WIDTHxHEIGHT"),
        ("--size", "10x768", "320 to 8192"),
        ("--font-scale", "big", "not a number"),
        ("--font-scale", "3", "outside 0.8 to 2.0"),
    ],
)
def test_bad_values_are_named(
    capsys: pytest.CaptureFixture[str], flag: str, value: str, says: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        _parser().parse_args(["demo", flag, value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert flag in err
    assert says in err
