"""The till's own configuration file (TOML): which till, where its data lives, which devices.

Every wrong value is reported with its key and the file it came from, so an operator
installing a till can fix it without reading code.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.cards import CardIdFormat, open_reader
from drivers.printers import paper_of
from sync.policy import PolicyError, check_mapping
from terminal.i18n import UnknownLanguage, check_language
from terminal.receipt_render import COLUMNS

ENV_CONFIG = "CANTEEN_TILL_CONFIG"
ENV_DATA = "CANTEEN_TILL_DATA"


class ConfigError(Exception):
    """A configuration value is wrong; the message names the file and the key."""


def default_data_dir() -> Path:
    if os.environ.get(ENV_DATA):
        return Path(os.environ[ENV_DATA])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "canteen-till"


def demo_data_dir() -> Path:
    return default_data_dir() / "demo"


@dataclass(frozen=True, slots=True)
class ReaderConfig:
    kind: str = "simulated"
    options: dict[str, str] = field(default_factory=dict)  # how a wedge reader types numbers
    card_id: dict[str, str] = field(default_factory=dict)  # canonical card id (D-CARD-3)


@dataclass(frozen=True, slots=True)
class PrinterConfig:
    kind: str = "simulated"
    columns: int = 42


@dataclass(frozen=True, slots=True)
class ScreenConfig:
    language: str = ""  # the screen's language; empty: the unit's (receipts always speak it)
    font_scale: float = 1.0  # every text on the screen, for cashiers who read from further away
    fullscreen: bool = False  # kiosk: the till fills the screen, no window frame
    customer_display: str = "off"  # "off", "window" (a small panel) or "screen" (a 2nd screen)


FONT_SCALES = (0.8, 2.0)  # the range a font scale may take
CUSTOMER_DISPLAYS = ("off", "window", "screen")


@dataclass(frozen=True, slots=True)
class TillConfig:
    till_id: str = "till-1"
    data_dir: Path = field(default_factory=default_data_dir)
    reader: ReaderConfig = field(default_factory=ReaderConfig)
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    screen: ScreenConfig = field(default_factory=ScreenConfig)
    policy_overrides: dict[str, Any] = field(default_factory=dict)
    source: str = "(defaults)"
    # [till] supervisor_pin, kept only as its hash; empty: no supervisor can mark at this till.
    supervisor_pin_sha256: str = field(default="", repr=False)

    def supervisor_pin_matches(self, pin: str) -> bool:
        """The supervisor's PIN, compared in constant time (through its hash)."""
        if not self.supervisor_pin_sha256:
            return False
        return hmac.compare_digest(pin_hash(pin), self.supervisor_pin_sha256)

    @property
    def store_path(self) -> Path:
        return self.data_dir / "till.db"


_READERS = ("simulated", "keyboard", "pcsc", "nfc")
_PRINTERS = ("simulated", "none", "escpos")
_SECTIONS = {
    "till": {"till_id", "data_dir", "supervisor_pin"},
    "reader": {
        "kind",
        "byte_order",
        "encoding",
        "max_gap_s",
        "typing_pause_s",
        "min_length",
        "max_length",
    },
    "card_id": {"byte_order", "encoding", "pad"},
    "printer": {"kind", "columns"},
    "screen": {"language", "font_scale", "fullscreen", "customer_display"},
    "policy": None,  # checked by sync.policy.check_mapping
}


def load_config(path: Path) -> TillConfig:
    """Read a till configuration file; raise ConfigError naming the key and the file."""
    src = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{src}: configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{src}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{src}: cannot read: {exc}") from None
    return parse_config(raw, source=src)


def parse_config(raw: dict[str, Any], *, source: str) -> TillConfig:
    for section, value in raw.items():
        if section not in _SECTIONS:
            raise ConfigError(f"{source}: unknown section [{section}]; known: {sorted(_SECTIONS)}")
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        allowed = _SECTIONS[section]
        for key in value:
            if allowed is not None and key not in allowed:
                raise ConfigError(
                    f"{source}: unknown key {section}.{key}; known: {sorted(allowed)}"
                )
    till = raw.get("till", {})
    reader = raw.get("reader", {})
    printer = raw.get("printer", {})

    till_id = _string(till, "till", "till_id", "till-1", source)
    if not till_id.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(f"{source}: till.till_id = {till_id!r} may hold letters, digits, - and _")
    data_dir = Path(_string(till, "till", "data_dir", str(default_data_dir()), source)).expanduser()
    pin = _supervisor_pin(till, source)

    kind = _string(reader, "reader", "kind", "simulated", source)
    if kind.split(":", 1)[0] not in _READERS:
        raise ConfigError(f"{source}: reader.kind = {kind!r} is not one of {', '.join(_READERS)}")
    options = {k: str(v) for k, v in reader.items() if k != "kind"}
    try:  # a reader string or option that names nothing is found now, not at the first tap
        open_reader(kind, data_dir=data_dir, options=options)
    except ValueError as exc:
        raise ConfigError(f"{source}: [reader] {exc}") from None
    card_id = {k: str(v) for k, v in raw.get("card_id", {}).items()}
    try:
        CardIdFormat.from_options(card_id)
    except ValueError as exc:
        raise ConfigError(f"{source}: [card_id] {exc}") from None

    pkind = _string(printer, "printer", "kind", "simulated", source)
    if pkind.split(":", 1)[0] not in _PRINTERS:
        raise ConfigError(
            f"{source}: printer.kind = {pkind!r} is not one of {', '.join(_PRINTERS)}"
        )
    columns = printer.get("columns", 42)
    if columns not in COLUMNS or isinstance(columns, bool):
        raise ConfigError(
            f"{source}: printer.columns = {columns!r} must be 32 (58 mm paper), 42 or 48 (80 mm)"
        )

    _check_paper(pkind, columns, data_dir, source)

    screen = _screen(raw.get("screen", {}), source)

    overrides = dict(raw.get("policy", {}))
    try:  # a single amount is in the unit's currency, known once the store is open
        check_mapping(overrides, source=f"{source}: [policy]")
    except PolicyError as exc:
        raise ConfigError(str(exc)) from None

    return TillConfig(
        till_id=till_id,
        data_dir=data_dir,
        reader=ReaderConfig(kind, options, card_id),
        printer=PrinterConfig(pkind, columns),
        screen=screen,
        policy_overrides=overrides,
        source=source,
        supervisor_pin_sha256=pin,
    )


def pin_hash(pin: str) -> str:
    return hashlib.sha256(pin.encode("utf-8", "surrogatepass")).hexdigest()


def _supervisor_pin(table: dict[str, Any], source: str) -> str:
    """The PIN a supervisor types to mark a product sold out at the till, as its hash."""
    if "supervisor_pin" not in table:
        return ""
    pin = table["supervisor_pin"]
    # A TOML number would lose a PIN's leading zeros: it must be written as a string.
    if (
        not isinstance(pin, str)
        or not pin.isascii()
        or not pin.isdigit()
        or not 4 <= len(pin) <= 12
    ):
        raise ConfigError(
            f"{source}: till.supervisor_pin must be 4 to 12 digits written as a string"
            ' (supervisor_pin = "4711")'
        )
    return pin_hash(pin)


def _screen(table: dict[str, Any], source: str) -> ScreenConfig:
    language = table.get("language", "")
    if language != "":
        try:
            check_language(language if isinstance(language, str) else repr(language))
        except UnknownLanguage as exc:
            raise ConfigError(f"{source}: screen.language: {exc}") from None
    scale = table.get("font_scale", 1.0)
    low, high = FONT_SCALES
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not low <= scale <= high:
        raise ConfigError(f"{source}: screen.font_scale = {scale!r} must be from {low} to {high}")
    fullscreen = table.get("fullscreen", False)
    if not isinstance(fullscreen, bool):
        raise ConfigError(f"{source}: screen.fullscreen = {fullscreen!r} must be true or false")
    display = table.get("customer_display", "off")
    if display not in CUSTOMER_DISPLAYS:
        raise ConfigError(
            f"{source}: screen.customer_display = {display!r} is not one of "
            + ", ".join(CUSTOMER_DISPLAYS)
        )
    return ScreenConfig(language, float(scale), fullscreen, display)


def _check_paper(kind: str, columns: int, data_dir: Path, source: str) -> None:
    """The printer string parses and the receipt width fits its paper: found at start-up,
    not at the first sale."""
    try:
        paper = paper_of(kind, data_dir=data_dir)
    except ValueError as exc:
        raise ConfigError(f"{source}: printer.kind: {exc}") from None
    if paper is not None and columns > paper.columns:
        raise ConfigError(
            f"{source}: printer.columns = {columns} does not fit {paper.mm} mm"
            f" paper on this printer (at most {paper.columns})"
        )


def _string(table: dict[str, Any], section: str, key: str, default: str, source: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{source}: {section}.{key} = {value!r} must be a non-empty string")
    return value.strip()
