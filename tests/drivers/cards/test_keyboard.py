"""The keyboard-wedge reader: bursts of keys become taps, typing does not."""

from __future__ import annotations

import pytest

from drivers.cards.base import BadRead, CardTap, ReaderState
from drivers.cards.keyboard import KeyboardWedgeReader


class Collector:
    def __init__(self) -> None:
        self.taps: list[CardTap] = []
        self.errors: list[BadRead] = []


def started(reader: KeyboardWedgeReader) -> Collector:
    got = Collector()
    reader.start(got.taps.append, None, got.errors.append)
    return got


def burst(reader: KeyboardWedgeReader, text: str, start: float, gap: float = 0.01) -> list[bool]:
    """Feed text then Enter with `gap` seconds between keys; the claim result of each."""
    claims = [reader.feed_key(ch, start + i * gap) for i, ch in enumerate(text)]
    claims.append(reader.feed_enter(start + len(text) * gap))
    return claims


def test_d_card_3_decimal_burst_is_a_tap() -> None:
    """D-CARD-3: a fast burst of 1562265116 + Enter is the 4-byte UID 5D1E461C."""
    reader = KeyboardWedgeReader(clock=lambda: 42.0)
    got = started(reader)
    assert reader.status.state is ReaderState.CONNECTED
    assert all(burst(reader, "1562265116", 10.0))
    assert got.taps == [
        CardTap(bytes.fromhex("5D1E461C"), reader="keyboard", technology="keyboard-wedge", at=42.0)
    ]
    assert got.errors == []


def test_d_card_3_hex_burst_any_case_is_a_tap() -> None:
    """D-CARD-3: a hex reader typing lower-case 04579a22352680 taps the 7-byte UID."""
    reader = KeyboardWedgeReader(encoding="hex")
    got = started(reader)
    assert all(burst(reader, "04579a22352680", 5.0))
    assert [t.uid for t in got.taps] == [bytes.fromhex("04579A22352680")]


def test_lsb_reader_is_reversed_back() -> None:
    """A reader typing the UID reversed (byte_order lsb) yields the UID as delivered."""
    reader = KeyboardWedgeReader(encoding="hex", byte_order="lsb")
    got = started(reader)
    assert reader.feed_line("6199BF72")
    assert [t.uid for t in got.taps] == [bytes.fromhex("72BF9961")]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("12AB345678", "'AB' are not decimal digits"),
        ("12", "too short"),
        ("1" * 26, "too long"),
        ("", "empty"),
    ],
)
def test_garbage_burst_is_a_bad_read(text: str, fragment: str) -> None:
    """Letters in decimal mode, too short, too long: on_error with the reason, no tap."""
    reader = KeyboardWedgeReader()
    got = started(reader)
    if text:
        assert all(burst(reader, text, 1.0))
    else:
        assert not reader.feed_line(text)
    assert got.taps == []
    assert len(got.errors) == 1
    assert fragment in got.errors[0].reason
    assert not got.errors[0].typing
    # the buffer was cleared: a good burst afterwards taps
    assert all(burst(reader, "1562265116", 5.0))
    assert len(got.taps) == 1


def test_slow_human_typing_is_not_a_tap() -> None:
    """Keys 0.3 s apart are a person typing: no tap, their keys pass through, one typing report."""
    reader = KeyboardWedgeReader()
    got = started(reader)
    claims = [reader.feed_key(ch, 1.0 + i * 0.3) for i, ch in enumerate("1562265116")]
    enter = reader.feed_enter(1.0 + 10 * 0.3)
    assert claims[0] is True  # tentatively: it might have started a burst
    assert not any(claims[1:])
    assert enter is False
    assert got.taps == []
    assert len(got.errors) == 1
    assert got.errors[0].typing
    assert got.errors[0].raw == "1"  # given back to the person
    assert "slower than a card reader" in got.errors[0].reason


def test_burst_after_a_typing_pause_is_a_tap() -> None:
    """After the person pauses, a reader burst is recognised again."""
    reader = KeyboardWedgeReader()
    got = started(reader)
    for i, ch in enumerate("12"):
        reader.feed_key(ch, 1.0 + i * 0.3)
    assert all(burst(reader, "1562265116", 10.0))
    assert [t.uid for t in got.taps] == [bytes.fromhex("5D1E461C")]


def test_slow_enter_is_typing() -> None:
    """Enter long after the last key does not make a tap."""
    reader = KeyboardWedgeReader()
    got = started(reader)
    for i, ch in enumerate("1562265116"):
        assert reader.feed_key(ch, 1.0 + i * 0.01)
    assert reader.feed_enter(5.0) is False
    assert got.taps == []
    assert got.errors[0].typing
    assert got.errors[0].raw == "1562265116"


def test_non_card_keys_and_lone_enter_belong_to_the_ui() -> None:
    """A letter in decimal mode with nothing buffered, or Enter alone, is not claimed."""
    reader = KeyboardWedgeReader()
    got = started(reader)
    assert reader.feed_key("x", 1.0) is False
    assert reader.feed_enter(3.0) is False
    assert got.taps == []
    assert got.errors == []


def test_flush_gives_back_a_waiting_key() -> None:
    """flush() returns a single typed key left waiting, once it is stale."""
    reader = KeyboardWedgeReader()
    got = started(reader)
    assert reader.feed_key("7", 1.0)
    assert reader.flush(1.05) == ""
    assert reader.flush(1.5) == "7"
    assert got.errors[0].typing


def test_not_started_claims_nothing() -> None:
    """Before start (or after stop) the reader claims no keys."""
    reader = KeyboardWedgeReader()
    assert reader.feed_key("1", 1.0) is False
    assert reader.feed_line("1562265116") is False
    got = started(reader)
    reader.stop()
    assert reader.status.state is ReaderState.NO_READER
    assert reader.feed_key("1", 2.0) is False
    assert got.taps == []


def test_from_options() -> None:
    """Config strings set encoding, byte order, lengths and gap."""
    reader = KeyboardWedgeReader.from_options(
        {"encoding": "HEX", "byte_order": "lsb", "min_length": "8", "max_gap_s": "0.05"}
    )
    got = started(reader)
    assert reader.feed_line("6199BF72")
    assert got.taps[0].uid == bytes.fromhex("72BF9961")


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"encodng": "dec"}, "'encodng'"),
        ({"encoding": "octal"}, "encoding='octal'"),
        ({"byte_order": "big"}, "byte_order='big'"),
        ({"min_length": "four"}, "min_length='four'"),
        ({"max_gap_s": "fast"}, "max_gap_s='fast'"),
        ({"min_length": "30"}, "min_length=30"),
    ],
)
def test_from_options_names_bad_key_or_value(options: dict[str, str], fragment: str) -> None:
    """A broken keyboard reader option raises ValueError naming it."""
    with pytest.raises(ValueError, match=fragment):
        KeyboardWedgeReader.from_options(options)
