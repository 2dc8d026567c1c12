"""Keyboard-wedge card readers: USB readers that type the card number and press Enter.

No Qt here. The UI forwards key presses with their event times; this module tells a reader's
burst of keys from a person typing and turns a burst into a CardTap.

How keys are told apart (the rule the UI relies on):

- A reader types a whole card number with at most `max_gap_s` (default 0.1 s) between keys and
  ends it with Enter. A person types slower.
- `feed_key(char, at)` returns True when the reader claims the key (the UI must then not use
  it) and False when the key belongs to the person (the UI handles it as usual).
- After a quiet spell the first card character (a digit, or a hex digit in hex mode) is claimed
  tentatively: it may be the start of a burst. If the next key or Enter comes later than
  `max_gap_s`, the buffered characters were typed by a person: they are reported to `on_error`
  as a BadRead with `typing=True` and `raw` holding them (the UI may give them back to the
  focused field), no tap is made, and that late key returns False.
- While the person keeps typing (keys within `typing_pause_s`, default 1 s, of their previous
  key) keys are theirs and are not claimed. After a pause, the next key may start a burst again.
- Inside a burst every key is claimed, whatever it is; Enter then parses the line with the
  configured encoding. Garbage (letters in decimal mode, too short, too long) is reported to
  `on_error` with the reason; the buffer is cleared and no tap is made.
- `flush(at)` (for a UI timer) gives back characters left waiting after a single typed key.

Callbacks run on the thread that calls `feed_*` (the UI thread for a real wedge).
"""

from __future__ import annotations

import math
import string
import time
from collections.abc import Callable, Mapping
from typing import Literal, cast, get_args

from drivers.cards.base import (
    BadRead,
    CardReader,
    CardTap,
    ErrorCallback,
    ReaderState,
    ReaderStatus,
    StatusCallback,
    TapCallback,
)
from drivers.cards.normalise import ByteOrder, MalformedCardId, parse_card_text
from drivers.errors import BadCardRead

TECHNOLOGY = "keyboard-wedge"
WedgeEncoding = Literal["hex", "dec"]
_MAX_BUFFER = 256
_OPTION_KEYS = ("encoding", "byte_order", "min_length", "max_length", "max_gap_s", "typing_pause_s")


class KeyboardWedgeReader(CardReader):
    """A USB reader that types the card number; see the module docstring for the key rule.

    encoding: "dec" (the UID as one big-endian number, the usual factory setting) or "hex".
    byte_order: "msb" when the typed number is the UID as the chip delivers it, "lsb" when the
    reader types it reversed (the tap's uid is then reversed back).
    min_length / max_length: characters in a valid line.
    """

    def __init__(
        self,
        *,
        name: str = "keyboard",
        encoding: WedgeEncoding = "dec",
        byte_order: ByteOrder = "msb",
        min_length: int = 4,
        max_length: int = 25,
        max_gap_s: float = 0.1,
        typing_pause_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(name, ReaderStatus(ReaderState.NO_READER, "Keyboard reader not started"))
        if encoding not in get_args(WedgeEncoding):
            raise ValueError(f"keyboard reader encoding {encoding!r}: use 'hex' or 'dec'")
        if byte_order not in ("msb", "lsb"):
            raise ValueError(f"keyboard reader byte_order {byte_order!r}: use 'msb' or 'lsb'")
        if not 1 <= min_length <= max_length:
            raise ValueError(
                f"keyboard reader min_length={min_length}, max_length={max_length}: "
                "need 1 <= min_length <= max_length"
            )
        if not max_gap_s > 0 or not typing_pause_s >= 0:
            raise ValueError(
                f"keyboard reader max_gap_s={max_gap_s}, typing_pause_s={typing_pause_s}: "
                "max_gap_s must be above 0 and typing_pause_s 0 or more"
            )
        self._encoding: WedgeEncoding = encoding
        self._byte_order: ByteOrder = byte_order
        self._min_length = min_length
        self._max_length = max_length
        self._max_gap_s = max_gap_s
        self._typing_pause_s = typing_pause_s
        self._clock = clock
        self._card_chars = frozenset(string.hexdigits if encoding == "hex" else string.digits)
        self._started = False
        self._buffer: list[str] = []
        self._last_at: float | None = None  # time of the last key or Enter fed
        self._typing_at: float | None = None  # time of the person's last key

    @classmethod
    def from_options(
        cls, options: Mapping[str, str] | None = None, *, name: str = "keyboard"
    ) -> KeyboardWedgeReader:
        """Build from config strings; unknown keys and bad values raise ValueError naming them."""
        opts = dict(options or {})
        for key in opts:
            if key not in _OPTION_KEYS:
                raise ValueError(
                    f"unknown keyboard reader option {key!r}: use one of {', '.join(_OPTION_KEYS)}"
                )
        encoding = opts.get("encoding", "dec").strip().lower()
        if encoding not in get_args(WedgeEncoding):
            raise ValueError(f"keyboard reader option encoding={encoding!r}: use 'hex' or 'dec'")
        byte_order = opts.get("byte_order", "msb").strip().lower()
        if byte_order not in ("msb", "lsb"):
            raise ValueError(
                f"keyboard reader option byte_order={byte_order!r}: use 'msb' or 'lsb'"
            )
        return cls(
            name=name,
            encoding=cast(WedgeEncoding, encoding),
            byte_order=cast(ByteOrder, byte_order),
            min_length=_int_option(opts, "min_length", 4),
            max_length=_int_option(opts, "max_length", 25),
            max_gap_s=_seconds_option(opts, "max_gap_s", 0.1),
            typing_pause_s=_seconds_option(opts, "typing_pause_s", 1.0),
        )

    def start(
        self,
        on_tap: TapCallback,
        on_status: StatusCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> None:
        self._bind(on_tap, on_status, on_error)
        with self._lock:
            self._started = True
            self._reset()
        self._set_status(ReaderState.CONNECTED, "Keyboard card reader ready")

    def stop(self) -> None:
        with self._lock:
            was_started = self._started
            self._started = False
            self._reset()
        if was_started:
            self._set_status(ReaderState.NO_READER, "Keyboard card reader stopped")
        self._unbind()

    # -- input -----------------------------------------------------------------------------

    def feed_key(self, char: str, at: float) -> bool:
        """One key press at time `at` (seconds, any monotonic clock). True: the reader took it."""
        with self._lock:
            if not self._started or len(char) != 1:
                return False
            gap = self._gap(at)
            if self._buffer:
                if gap <= self._max_gap_s:
                    if len(self._buffer) < _MAX_BUFFER:  # a stuck key must not grow it forever
                        self._buffer.append(char)
                    return True
                self._give_back_typing(gap, at)
                return False
            if char not in self._card_chars:
                self._typing_at = at
                return False
            if self._typing_at is not None and at - self._typing_at <= self._typing_pause_s:
                self._typing_at = at
                return False
            self._buffer.append(char)
            return True

    def feed_enter(self, at: float) -> bool:
        """Enter pressed at `at`. True: it ended a reader burst (a tap or a bad read was made)."""
        with self._lock:
            if not self._started:
                return False
            gap = self._gap(at)
            if not self._buffer:
                return False
            if gap > self._max_gap_s:
                self._give_back_typing(gap, at)
                return False
            text = "".join(self._buffer)
            self._buffer.clear()
        self._line(text)
        return True

    def feed_line(self, text: str) -> bool:
        """A whole line from the reader (without the Enter). True when it made a tap."""
        with self._lock:
            if not self._started:
                return False
        return self._line(text)

    def flush(self, at: float) -> str:
        """Give back characters waiting longer than max_gap_s: a person typed them (see above)."""
        with self._lock:
            if not self._buffer or self._gap(at, update=False) <= self._max_gap_s:
                return ""
            text = "".join(self._buffer)
            self._give_back_typing(self._gap(at, update=False), at)
            return text

    # -- internals -------------------------------------------------------------------------

    def _reset(self) -> None:
        self._buffer.clear()
        self._last_at = None
        self._typing_at = None

    def _gap(self, at: float, *, update: bool = True) -> float:
        gap = math.inf if self._last_at is None else at - self._last_at
        if update:
            self._last_at = at
        return gap

    def _give_back_typing(self, gap: float, at: float) -> None:
        text = "".join(self._buffer)
        self._buffer.clear()
        self._typing_at = at
        self._emit_error(
            BadRead(
                self.name,
                text,
                f"keys came {gap:.2f} s apart, slower than a card reader types "
                f"(at most {self._max_gap_s:g} s): taken as typing, not a card",
                typing=True,
            )
        )

    def _line(self, text: str) -> bool:
        stripped = text.strip()
        try:
            uid = parse_card_text(stripped, encoding=self._encoding)
            if len(stripped) < self._min_length:
                raise MalformedCardId(
                    stripped,
                    f"it is too short ({len(stripped)} characters; this reader types at least "
                    f"{self._min_length})",
                )
            if len(stripped) > self._max_length:
                raise MalformedCardId(
                    stripped,
                    f"it is too long ({len(stripped)} characters; this reader types at most "
                    f"{self._max_length})",
                )
        except BadCardRead as exc:
            self._emit_error(BadRead(self.name, text, str(exc)))
            return False
        if self._byte_order == "lsb":
            uid = uid[::-1]
        return self._emit_tap(
            CardTap(uid=uid, reader=self.name, technology=TECHNOLOGY, at=self._clock())
        )


def _int_option(opts: Mapping[str, str], key: str, default: int) -> int:
    raw = opts.get(key)
    if raw is None:
        return default
    if not raw.strip().isdigit():
        raise ValueError(f"keyboard reader option {key}={raw!r}: use a whole number")
    return int(raw)


def _seconds_option(opts: Mapping[str, str], key: str, default: float) -> float:
    raw = opts.get(key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"keyboard reader option {key}={raw!r}: use seconds, e.g. 0.1") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"keyboard reader option {key}={raw!r}: use seconds, e.g. 0.1")
    return value
