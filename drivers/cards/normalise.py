"""Card numbers: from UID bytes to the one canonical card id, and from typed text back (D-CARD-3).

The same card is spelt several ways: hex "72BF9961" (the UID as the reader delivers it, most
significant byte first), the reversed bytes, or the decimal value "1562265116". The scheme picks
one spelling with `CardIdFormat`; `normalise` produces it and `parse_card_text` reads a card
number someone typed or a reader sent back into UID bytes.

A UID is 4, 7 or 10 bytes (ISO 14443); other lengths from 4 to 10 bytes are accepted because
some cards (ISO 15693, vendor formats) use them.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast, get_args

from drivers.errors import BadCardRead

ByteOrder = Literal["msb", "lsb"]
Encoding = Literal["hex", "dec"]
ParseEncoding = Literal["hex", "dec", "auto"]

MIN_UID_BYTES = 4
MAX_UID_BYTES = 10
_HEX_DIGITS = frozenset(string.hexdigits)
_HEX_SEPARATORS = ":- "


class MalformedCardId(BadCardRead, ValueError):
    """Text that is not a card number; the message names the text and what is wrong.

    A ValueError as well, as a parser's answer to bad text is in Python; the readers catch it
    as the BadCardRead it is.
    """

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"card number {text!r}: {reason}")
        self.text = text
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CardIdFormat:
    """How a UID is spelt as the canonical card id.

    byte_order: "msb" keeps the bytes as the reader delivered them, "lsb" reverses them.
    encoding: "hex" (upper-case, two digits a byte) or "dec" (the bytes as a big-endian number).
    pad: minimum width; shorter ids are zero-padded on the left (0 = no padding).
    """

    byte_order: ByteOrder = "msb"
    encoding: Encoding = "hex"
    pad: int = 0

    def __post_init__(self) -> None:
        if self.byte_order not in get_args(ByteOrder):
            raise ValueError(f"card id byte_order {self.byte_order!r}: use 'msb' or 'lsb'")
        if self.encoding not in get_args(Encoding):
            raise ValueError(f"card id encoding {self.encoding!r}: use 'hex' or 'dec'")
        if isinstance(self.pad, bool) or not isinstance(self.pad, int) or not 0 <= self.pad <= 64:
            raise ValueError(f"card id pad {self.pad!r}: use a whole number from 0 to 64")

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> CardIdFormat:
        """Build from config strings (keys byte_order, encoding, pad); unknown keys are errors."""
        known = ("byte_order", "encoding", "pad")
        for key in options:
            if key not in known:
                raise ValueError(f"unknown card id option {key!r}: use one of {', '.join(known)}")
        byte_order = options.get("byte_order", "msb").strip().lower()
        encoding = options.get("encoding", "hex").strip().lower()
        if byte_order not in get_args(ByteOrder):
            raise ValueError(f"card id option byte_order={byte_order!r}: use 'msb' or 'lsb'")
        if encoding not in get_args(Encoding):
            raise ValueError(f"card id option encoding={encoding!r}: use 'hex' or 'dec'")
        raw_pad = options.get("pad", "0").strip()
        if not raw_pad.isdigit() or int(raw_pad) > 64:
            raise ValueError(f"card id option pad={raw_pad!r}: use a whole number from 0 to 64")
        return cls(cast(ByteOrder, byte_order), cast(Encoding, encoding), int(raw_pad))


DEFAULT_FORMAT = CardIdFormat()


def normalise(uid: bytes, fmt: CardIdFormat = DEFAULT_FORMAT) -> str:
    """The canonical card id of `uid` in `fmt` (D-CARD-3): bytes 72 BF 99 61 → "72BF9961"."""
    if not uid:
        raise ValueError("cannot normalise an empty UID")
    ordered = uid[::-1] if fmt.byte_order == "lsb" else uid
    text = ordered.hex().upper() if fmt.encoding == "hex" else str(int.from_bytes(ordered, "big"))
    return text.rjust(fmt.pad, "0")


def parse_card_text(
    text: str, *, encoding: ParseEncoding = "auto", byte_length: int | None = None
) -> bytes:
    """UID bytes from a card number as typed or sent: the inverse of `normalise` with "msb".

    hex: two digits a byte, any case, an optional "0x" prefix, and ":", "-" or " " between bytes
    ("72bf9961", "72:BF:99:61"). dec: the bytes as one big-endian number ("1562265116"); leading
    zero bytes are lost in decimal, so the result is at least 4 bytes (or exactly `byte_length`).
    auto: hex when the text has a hex letter or a "0x" prefix, else decimal.
    byte_length, when given, is the exact number of bytes expected.
    Raises MalformedCardId naming the text and what is wrong.
    """
    stripped = text.strip()
    if not stripped:
        raise MalformedCardId(text, "it is empty")
    if byte_length is not None and not MIN_UID_BYTES <= byte_length <= MAX_UID_BYTES:
        raise ValueError(f"byte_length {byte_length}: a UID is {MIN_UID_BYTES} to 10 bytes")
    if encoding == "auto":
        has_prefix = stripped[:2].lower() == "0x"
        has_letter = any(ch in "abcdefABCDEF" for ch in stripped)
        encoding = "hex" if has_prefix or has_letter else "dec"
    if encoding == "hex":
        return _parse_hex(text, stripped, byte_length)
    if encoding == "dec":
        return _parse_dec(text, stripped, byte_length)
    raise ValueError(f"encoding {encoding!r}: use 'hex', 'dec' or 'auto'")


def _parse_hex(text: str, stripped: str, byte_length: int | None) -> bytes:
    digits = stripped[2:] if stripped[:2].lower() == "0x" else stripped
    for sep in _HEX_SEPARATORS:
        digits = digits.replace(sep, "")
    bad = sorted({ch for ch in digits if ch not in _HEX_DIGITS})
    if bad:
        raise MalformedCardId(text, f"{''.join(bad)!r} {_not_digits(bad, 'hex')} (0-9, A-F)")
    if not digits:
        raise MalformedCardId(text, "it has no hex digits")
    if len(digits) % 2:
        raise MalformedCardId(
            text, f"it has an odd number of hex digits ({len(digits)}); a byte is two digits"
        )
    uid = bytes.fromhex(digits)
    _check_length(text, len(uid), byte_length)
    return uid


def _parse_dec(text: str, stripped: str, byte_length: int | None) -> bytes:
    bad = sorted({ch for ch in stripped if ch not in string.digits})
    if bad:
        raise MalformedCardId(text, f"{''.join(bad)!r} {_not_digits(bad, 'decimal')} (0-9)")
    if len(stripped) > 30:  # more digits than any 10-byte number: don't build a huge int
        raise MalformedCardId(text, f"it is too long: a UID is {MIN_UID_BYTES} to 10 bytes")
    value = int(stripped)
    needed = max(1, (value.bit_length() + 7) // 8)
    if byte_length is not None:
        if needed > byte_length:
            raise MalformedCardId(text, f"it does not fit in {byte_length} bytes")
        return value.to_bytes(byte_length, "big")
    _check_length(text, needed, None, too_short=False)
    return value.to_bytes(max(needed, MIN_UID_BYTES), "big")


def _check_length(text: str, n: int, byte_length: int | None, *, too_short: bool = True) -> None:
    if byte_length is not None and n != byte_length:
        raise MalformedCardId(text, f"it is {n} bytes; this reader's cards are {byte_length}")
    if n > MAX_UID_BYTES:
        raise MalformedCardId(
            text, f"it is too long ({n} bytes): a UID is 4, 7 or 10 bytes (at most 10)"
        )
    if too_short and n < MIN_UID_BYTES:
        raise MalformedCardId(
            text, f"it is too short ({n} bytes): a UID is 4, 7 or 10 bytes (at least 4)"
        )


def _not_digits(chars: list[str], kind: str) -> str:
    return f"is not a {kind} digit" if len(chars) == 1 else f"are not {kind} digits"
