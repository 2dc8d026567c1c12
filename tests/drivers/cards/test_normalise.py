"""Canonical card ids and typed card numbers (D-CARD-3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.cards.normalise import CardIdFormat, MalformedCardId, normalise, parse_card_text

UID4 = bytes.fromhex("72BF9961")
UID7 = bytes.fromhex("04579A22352680")


def test_d_card_3_hex_seed_spellings_parse_to_uid_bytes() -> None:
    """D-CARD-3: the seed hex spellings 72BF9961 and 04579A22352680 parse to 4 and 7 bytes."""
    assert parse_card_text("72BF9961", encoding="hex") == b"\x72\xbf\x99\x61"
    assert parse_card_text("04579A22352680", encoding="hex") == UID7
    assert len(parse_card_text("04579A22352680")) == 7


def test_d_card_3_decimal_seed_spelling_is_four_big_endian_bytes() -> None:
    """D-CARD-3: decimal 1562265116 is the 4-byte big-endian UID 5D1E461C."""
    uid = parse_card_text("1562265116", encoding="dec")
    assert uid == (1562265116).to_bytes(4, "big")
    assert parse_card_text("1562265116") == uid  # auto: digits only → decimal


def test_d_card_3_lower_case_input_normalises_to_upper_case() -> None:
    """D-CARD-3: letters in a card id are upper case whatever was typed."""
    assert normalise(parse_card_text("72bf9961")) == "72BF9961"
    assert normalise(parse_card_text("04579a22352680")) == "04579A22352680"


def test_d_card_3_hex_separators_and_prefix_are_accepted() -> None:
    """Readers' '0x' prefix and ':', '-', ' ' between bytes give the same UID."""
    for text in ("0x72BF9961", "72:bf:99:61", "72-BF-99-61", " 72 BF 99 61 "):
        assert parse_card_text(text, encoding="hex") == UID4


def test_d_card_3_byte_order_lsb_reverses() -> None:
    """D-CARD-3: byte_order lsb spells the UID with its bytes reversed."""
    assert normalise(UID4, CardIdFormat(byte_order="lsb")) == "6199BF72"


def test_d_card_3_decimal_output() -> None:
    """D-CARD-3: encoding dec spells the UID as its big-endian number, msb or lsb."""
    assert normalise(UID4, CardIdFormat(encoding="dec")) == str(0x72BF9961)
    assert normalise(bytes.fromhex("5D1E461C"), CardIdFormat(encoding="dec")) == "1562265116"
    assert normalise(UID4, CardIdFormat(byte_order="lsb", encoding="dec")) == str(0x6199BF72)


def test_d_card_3_zero_padding() -> None:
    """D-CARD-3: pad zero-fills to a minimum width and never truncates."""
    small = bytes.fromhex("0000007B")
    assert normalise(small, CardIdFormat(encoding="dec")) == "123"
    assert normalise(small, CardIdFormat(encoding="dec", pad=10)) == "0000000123"
    assert normalise(UID4, CardIdFormat(pad=4)) == "72BF9961"


def test_decimal_with_byte_length_keeps_leading_zero_bytes() -> None:
    """A decimal number read as a fixed-length UID keeps its leading zero bytes."""
    assert parse_card_text("123", encoding="dec") == bytes.fromhex("0000007B")
    assert parse_card_text("123", encoding="dec", byte_length=7) == bytes(6) + b"\x7b"


@pytest.mark.parametrize(
    ("text", "encoding", "fragment"),
    [
        ("", "auto", "empty"),
        ("   ", "hex", "empty"),
        ("72BF996", "hex", "odd number of hex digits"),
        ("72BG9961", "hex", "'G' is not a hex digit"),
        ("12AB34", "dec", "'AB' are not decimal digits"),
        ("72BF99", "hex", "too short"),
        ("00112233445566778899AA", "hex", "too long"),
        ("1" * 40, "dec", "too long"),
        (str(2**88), "dec", "too long"),
    ],
)
def test_d_card_3_malformed_text_names_the_text_and_the_fault(
    text: str, encoding: str, fragment: str
) -> None:
    """Malformed card numbers raise MalformedCardId naming the text and what is wrong."""
    with pytest.raises(MalformedCardId) as info:
        parse_card_text(text, encoding=encoding)  # type: ignore[arg-type]
    assert fragment in str(info.value)
    assert repr(text) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_byte_length_mismatch_is_reported() -> None:
    """A reader configured for 4-byte cards rejects a 7-byte UID."""
    with pytest.raises(MalformedCardId, match="7 bytes"):
        parse_card_text("04579A22352680", encoding="hex", byte_length=4)
    with pytest.raises(MalformedCardId, match="does not fit in 4 bytes"):
        parse_card_text(str(2**40), encoding="dec", byte_length=4)


def test_card_id_format_from_options() -> None:
    """Config strings build a CardIdFormat; defaults are msb hex unpadded."""
    assert CardIdFormat.from_options({}) == CardIdFormat("msb", "hex", 0)
    fmt = CardIdFormat.from_options({"byte_order": "LSB", "encoding": "dec", "pad": "10"})
    assert fmt == CardIdFormat("lsb", "dec", 10)


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"byte_ordr": "msb"}, "'byte_ordr'"),
        ({"byte_order": "middle"}, "byte_order='middle'"),
        ({"encoding": "base64"}, "encoding='base64'"),
        ({"pad": "-1"}, "pad='-1'"),
        ({"pad": "ten"}, "pad='ten'"),
    ],
)
def test_card_id_format_from_options_names_bad_key_or_value(
    options: dict[str, str], fragment: str
) -> None:
    """A broken card id option raises ValueError naming the key or value."""
    with pytest.raises(ValueError, match=fragment):
        CardIdFormat.from_options(options)


def test_card_id_format_rejects_bad_fields() -> None:
    """Constructing a CardIdFormat with a bad field fails at once."""
    with pytest.raises(ValueError, match="byte_order"):
        CardIdFormat(byte_order="big")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pad"):
        CardIdFormat(pad=-1)


@given(st.binary(min_size=4, max_size=10))
def test_d_card_3_round_trip_hex_msb(uid: bytes) -> None:
    """D-CARD-3: normalise (hex, msb) then parse gives back the UID, in any letter case."""
    text = normalise(uid)
    assert text == text.upper()
    assert parse_card_text(text, encoding="hex") == uid
    assert parse_card_text(text.lower(), encoding="hex", byte_length=len(uid)) == uid


@given(st.binary(min_size=4, max_size=10))
def test_d_card_3_round_trip_decimal_with_length(uid: bytes) -> None:
    """D-CARD-3: normalise (dec) then parse with the byte length gives back the UID."""
    text = normalise(uid, CardIdFormat(encoding="dec"))
    assert parse_card_text(text, encoding="dec", byte_length=len(uid)) == uid
