"""What a PC/SC contactless reader says about a card: GET DATA answers and the ATR it builds.

Pure functions, no pyscard: `parse_uid_response` checks the answer to GET UID (`FF CA 00 00 00`,
PC/SC part 3, 3.2.2.1.3) and `technology_from_atr` reads the card type from the ATR.
"""

from __future__ import annotations

from collections.abc import Sequence

from drivers.cards.normalise import MAX_UID_BYTES, MIN_UID_BYTES
from drivers.errors import BadCardRead

GET_UID = (0xFF, 0xCA, 0x00, 0x00, 0x00)
GET_ATS = (0xFF, 0xCA, 0x01, 0x00, 0x00)
SW_SUCCESS = 0x9000
DEFAULT_TECHNOLOGY = "iso14443"

# PC/SC part 3, 3.1.3.2.3: the ATR of a storage card holds RID A0 00 00 03 06 then "SS"
_PCSC_RID = bytes.fromhex("A000000306")
_STANDARDS = {
    **dict.fromkeys((0x01, 0x02, 0x03), "iso14443a"),
    **dict.fromkeys((0x05, 0x06, 0x07), "iso14443b"),
    **dict.fromkeys((0x09, 0x0A, 0x0B, 0x0C), "iso15693"),
    0x11: "felica",
    0x40: "lf",
}
_STATUS_WORDS = {
    0x6281: "part of the data may be corrupted",
    0x6282: "end of data reached before the expected length",
    0x6300: "the operation failed",
    0x6700: "wrong length",
    0x6A81: "function not supported",
    0x6A82: "file or application not found",
    0x6B00: "wrong parameters P1-P2",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
}


class UidReadError(BadCardRead):
    """The answer to GET UID is not a usable UID; the message says why."""


def hex_bytes(data: Sequence[int]) -> str:
    """Bytes as spaced upper-case hex: b"\\x6a\\x81" → "6A 81"."""
    return bytes(data).hex(" ").upper()


def describe_status_word(sw: int) -> str:
    """A short meaning of an ISO 7816 status word, for error messages."""
    if sw in _STATUS_WORDS:
        return _STATUS_WORDS[sw]
    if sw >> 8 == 0x6C:
        return f"wrong length; {sw & 0xFF} bytes available"
    return "not a success"


def parse_uid_response(response: Sequence[int]) -> bytes:
    """The UID from the answer to GET UID (UID bytes + 90 00); UidReadError when unusable."""
    if not response:
        raise UidReadError("the card did not answer GET UID (taken away too soon?); tap again")
    if len(response) < 2:
        raise UidReadError(
            f"the reader's answer to GET UID ({hex_bytes(response)}) has no status word; tap again"
        )
    sw = (response[-2] << 8) | response[-1]
    uid = bytes(response[:-2])
    if sw != SW_SUCCESS:
        raise UidReadError(
            f"the reader could not read the card's UID: status word {sw >> 8:02X} {sw & 0xFF:02X} "
            f"({describe_status_word(sw)}); tap again"
        )
    if len(uid) < MIN_UID_BYTES:
        raise UidReadError(
            f"the card's UID is too short ({len(uid)} bytes{': ' if uid else ''}{hex_bytes(uid)}); "
            f"a UID is 4, 7 or 10 bytes: tap again"
        )
    if len(uid) > MAX_UID_BYTES:
        raise UidReadError(
            f"the card's UID is too long ({len(uid)} bytes: {hex_bytes(uid)}); "
            f"a UID is 4, 7 or 10 bytes (at most {MAX_UID_BYTES})"
        )
    return uid


def is_storage_card_atr(atr: Sequence[int]) -> bool:
    """True for the ATR a PC/SC reader builds for a storage card (no ISO 14443-4, no ATS)."""
    return _PCSC_RID in bytes(atr)


def technology_from_atr(atr: Sequence[int]) -> str:
    """ "iso14443a", "iso14443b", "iso15693", "felica", "lf" from a storage-card ATR, else
    "iso14443" (an ISO 14443-4 card, or an ATR that does not say)."""
    raw = bytes(atr)
    at = raw.find(_PCSC_RID)
    if at < 0 or at + len(_PCSC_RID) >= len(raw):
        return DEFAULT_TECHNOLOGY
    return _STANDARDS.get(raw[at + len(_PCSC_RID)], DEFAULT_TECHNOLOGY)
