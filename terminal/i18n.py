"""The till's four languages: English (the source), German, Swedish and Danish.

Every text a cashier or a cardholder reads goes through `translate(context, text)`, written
out in full at the call, so that Qt's `pyside6-lupdate` finds it and keeps the catalogues in
`assets/i18n/*.ts` up to date (`make translations`; docs/translations.md). The catalogues are
read here without Qt, so the session, the verdicts and the receipts, which never import Qt,
speak the language too; `pyside6-lrelease` checks them and builds the .qm files Qt loads.

Two languages can be in use at once: the screen's (the till's config, else the unit's) and
the receipt's (always the unit's). `translate` speaks the screen's; a receipt asks its own
`Language`. Placeholders are `{name}` and the translation keeps every one of them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_time

LANGUAGES: tuple[str, ...] = ("en", "de", "sv", "da")
SOURCE_LANGUAGE = "en"
CATALOGUES = Path(__file__).resolve().parent.parent / "assets" / "i18n"


class UnknownLanguage(ValueError):
    """A language none of the catalogues is for; the message names it and the choices."""


def check_language(code: str) -> str:
    if code not in LANGUAGES:
        raise UnknownLanguage(f"unknown language {code!r}: choose one of {', '.join(LANGUAGES)}")
    return code


def catalogue_path(code: str) -> Path:
    return CATALOGUES / f"canteen_{code}.ts"


@cache
def _catalogue(code: str) -> dict[tuple[str, str], str]:
    """(context, source) -> translation, from the .ts file; finished translations only."""
    if code == SOURCE_LANGUAGE:
        return {}
    path = catalogue_path(code)
    if not path.exists():
        return {}
    table: dict[tuple[str, str], str] = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source")
            node = message.find("translation")
            if source is None or node is None or node.get("type") in {"unfinished", "obsolete"}:
                continue
            if node.text:
                table[(name, source)] = node.text
    return table


@dataclass(frozen=True, slots=True)
class Language:
    code: str

    def __post_init__(self) -> None:
        check_language(self.code)

    def translate(self, context: str, text: str) -> str:
        """`text` in this language; the English source where no translation is finished."""
        return _catalogue(self.code).get((context, text), text)


def language_of_unit(locale: str) -> str:
    """The language of a unit: its locale's (de_DE -> de); English when the scheme names no
    locale for it or one in a language we have no catalogue for (the scheme data says which)."""
    code = locale.split("_")[0].lower() if locale else ""
    return code if code in LANGUAGES else SOURCE_LANGUAGE


_screen = Language(SOURCE_LANGUAGE)


def set_screen_language(code: str) -> None:
    """The till's screen language, set once at start-up from the config or the unit."""
    global _screen
    _screen = Language(code)


def screen_language() -> Language:
    return _screen


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 (the name lupdate reads)
    """Marks `text` for the catalogues where it is defined; `translate` it where it is shown."""
    del context
    return text


def translate(context: str, text: str) -> str:
    """`text` in the screen's language (lupdate reads `context` and `text` from this call)."""
    return _screen.translate(context, text)


_date_locale = "de_DE"


def set_date_locale(locale: str) -> None:
    """Dates and times read as the unit's people write them (Babel, the unit's locale)."""
    global _date_locale
    _date_locale = locale


def format_day(day: date) -> str:
    """30.06.2026 (de_DE), 30 juni 2026 (sv_SE), 30. jun. 2026 (da_DK)."""
    return format_date(day, format="medium", locale=_date_locale)


def format_clock(instant: datetime) -> str:
    """A local time of day, already in the unit's zone: 12:05."""
    return format_time(instant, format="short", locale=_date_locale)


def reload_catalogues() -> None:
    """Forget the catalogues read so far (after `make translations` rewrote them)."""
    _catalogue.cache_clear()
