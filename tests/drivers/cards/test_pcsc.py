"""The PC/SC reader against the real stack: a private pcscd, vpcd readers, a virtual card.

See tests/drivers/cards/pcscd.py for how pcscd runs and vpcd_card.py for the card. Waits are on
conditions with generous timeouts; nothing asserts on elapsed time. "The card stays on the
reader" is measured in pcscd presence polls (vpcd asks the card for its ATR at each poll).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from drivers.cards.base import BadRead, CardTap, ReaderState, ReaderStatus
from drivers.cards.pcsc import (
    PcscReader,
    PcscUnavailable,
    list_readers,
    match_reader,
    stable_name,
)
from drivers.cards.pcsc_apdu import UidReadError, parse_uid_response, technology_from_atr
from tests.drivers.cards.pcscd import (
    PcscDaemon,
    VirtualReader,
    free_port_pair,
)
from tests.drivers.cards.vpcd_card import GET_ATS, GET_UID, VirtualCard, pcsc_part3_atr

T = TypeVar("T")
TIMEOUT = 10.0
POLLS = 4  # presence polls that show a card stayed on the reader
UID = bytes.fromhex("72BF9961")
UID7 = bytes.fromhex("04579A22352680")
ISO14443_4_ATR = bytes.fromhex("3B8880014A434F5033317632B7")  # ISO 14443-4 card, no PC/SC RID


# -- the stack ---------------------------------------------------------------------------------


@pytest.fixture
def daemon(pcsc_daemon: PcscDaemon) -> PcscDaemon:
    """The run's private pcscd home (tests/conftest.py)."""
    return pcsc_daemon


@pytest.fixture
def till_reader() -> VirtualReader:
    return VirtualReader("Canteen Test", free_port_pair())


@pytest.fixture
def pcscd(daemon: PcscDaemon, till_reader: VirtualReader) -> Iterator[PcscDaemon]:
    """pcscd running with the one `till_reader`; stopped after the test, whatever happens."""
    daemon.start(till_reader)
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def cards() -> Iterator[Callable[..., VirtualCard]]:
    """Make virtual cards; every card is taken off its reader after the test."""
    made: list[VirtualCard] = []

    def make(port: int, **kwargs: Any) -> VirtualCard:
        card = VirtualCard(port, **kwargs)
        made.append(card)
        return card

    yield make
    for card in made:
        card.remove()


class Recorder:
    """Collects what a reader emits; `wait` blocks until a condition holds."""

    def __init__(self) -> None:
        self.taps: list[CardTap] = []
        self.errors: list[BadRead] = []
        self.statuses: list[ReaderStatus] = []
        self._changed = threading.Condition()

    def tap(self, tap: CardTap) -> None:
        self._add(self.taps, tap)

    def error(self, bad: BadRead) -> None:
        self._add(self.errors, bad)

    def status(self, status: ReaderStatus) -> None:
        self._add(self.statuses, status)

    def _add(self, items: list[T], item: T) -> None:
        with self._changed:
            items.append(item)
            self._changed.notify_all()

    def wait(self, ready: Callable[[], bool], what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(ready, TIMEOUT):
                raise AssertionError(
                    f"no {what} within {TIMEOUT} s; statuses {self.statuses}, "
                    f"taps {self.taps}, errors {self.errors}"
                )

    def wait_state(self, state: ReaderState, text: str = "") -> ReaderStatus:
        def now() -> bool:
            last = self.statuses[-1] if self.statuses else None
            return last is not None and last.state is state and last.text.startswith(text)

        self.wait(now, f"status {state} {text!r}")
        return self.statuses[-1]

    def wait_taps(self, count: int) -> None:
        self.wait(lambda: len(self.taps) >= count, f"{count} tap(s)")

    def wait_errors(self, count: int) -> None:
        self.wait(lambda: len(self.errors) >= count, f"{count} bad read(s)")


@pytest.fixture
def start_reader() -> Iterator[Callable[[str], tuple[PcscReader, Recorder]]]:
    """Start PcscReader(pattern)s recording what they emit; all are stopped after the test."""
    started: list[PcscReader] = []

    def start(pattern: str) -> tuple[PcscReader, Recorder]:
        reader = PcscReader(pattern, retry_s=0.2)
        got = Recorder()
        started.append(reader)
        reader.start(got.tap, got.status, got.error)
        return reader, got

    yield start
    for reader in started:
        reader.stop()


def ready_text(reader: VirtualReader) -> str:
    return f"Reader ready: {reader.slot_name}"


def reads_when_ready(got: Recorder, till_reader: VirtualReader, card: VirtualCard) -> CardTap:
    """Once the reader is ready on `till_reader`, `card` presented: the tap it makes."""
    got.wait_state(ReaderState.CONNECTED, ready_text(till_reader))
    before = len(got.taps)
    card.insert()
    got.wait_taps(before + 1)
    return got.taps[-1]


def lift(card: VirtualCard, pcscd: PcscDaemon, slot_name: str) -> None:
    """Take the card off and wait until pcscd has seen it go (vpcd can swap cards unseen)."""
    card.remove()
    pcscd.wait_card(slot_name, present=False)


def leave_on_reader(card: VirtualCard) -> None:
    """Let pcscd poll the card a few more times while it stays on the reader."""
    assert card.wait_atr_requests(card.atr_requests + POLLS, TIMEOUT)


# -- taps --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_tap_is_one_tap_until_the_card_is_presented_again(
    pcscd: PcscDaemon,
    till_reader: VirtualReader,
    cards: Callable[..., VirtualCard],
    start_reader: Callable[[str], tuple[PcscReader, Recorder]],
) -> None:
    """A card on the reader is one tap with its UID; lifted and presented again, a second."""
    reader, got = start_reader("canteen test")
    card = cards(till_reader.port, uid=UID)
    tap = reads_when_ready(got, till_reader, card)
    assert (tap.uid, tap.reader, tap.technology) == (
        UID,
        f"pcsc:{till_reader.slot_name}",
        "iso14443a",
    )
    leave_on_reader(card)
    assert len(got.taps) == 1
    assert card.apdus == [GET_UID]  # a storage card has no ATS to ask for
    lift(card, pcscd, till_reader.slot_name)
    card.uid = UID7
    card.insert()
    got.wait_taps(2)
    assert got.taps[1].uid == UID7
    leave_on_reader(card)
    assert len(got.taps) == 2
    assert got.errors == []
    assert reader.status.ready


@pytest.mark.slow
def test_card_already_on_the_reader_at_start_is_not_a_tap(
    pcscd: PcscDaemon,
    till_reader: VirtualReader,
    cards: Callable[..., VirtualCard],
    start_reader: Callable[[str], tuple[PcscReader, Recorder]],
) -> None:
    """A card lying on the reader when the till starts is not charged until presented again."""
    card = cards(till_reader.port)
    card.insert()
    pcscd.wait_card(till_reader.slot_name)
    _, got = start_reader("*")
    got.wait_state(ReaderState.CONNECTED, ready_text(till_reader))
    leave_on_reader(card)
    assert got.taps == []
    lift(card, pcscd, till_reader.slot_name)
    card.insert()
    got.wait_taps(1)
    assert got.taps[0].uid == UID


@pytest.mark.slow
def test_iso14443_4_card_gets_its_ats_read(
    pcscd: PcscDaemon,
    till_reader: VirtualReader,
    cards: Callable[..., VirtualCard],
    start_reader: Callable[[str], tuple[PcscReader, Recorder]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An ISO 14443-4 card (no PC/SC storage-card ATR) taps as "iso14443"; its ATS is logged."""
    caplog.set_level(logging.INFO, logger="drivers.cards.pcsc")
    _, got = start_reader("Canteen*")
    card = cards(till_reader.port, uid=UID7, atr=ISO14443_4_ATR, ats=bytes.fromhex("0578807002"))
    tap = reads_when_ready(got, till_reader, card)
    assert (tap.uid, tap.technology) == (UID7, "iso14443")
    got.wait(lambda: GET_ATS in card.apdus, "GET ATS")
    got.wait(lambda: "ATS 05 78 80 70 02" in caplog.text, "ATS in the log")


# -- bad reads ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("6A81", "status word 6A 81 (function not supported)"),
        ("6300", "status word 63 00 (the operation failed)"),
        ("72BF9000", "too short (2 bytes: 72 BF)"),
        ("0102030405060708090A0B9000", "too long (11 bytes"),
    ],
)
@pytest.mark.slow
def test_bad_uid_answer_is_a_bad_read_and_the_next_card_works(
    pcscd: PcscDaemon,
    till_reader: VirtualReader,
    cards: Callable[..., VirtualCard],
    start_reader: Callable[[str], tuple[PcscReader, Recorder]],
    answer: str,
    reason: str,
) -> None:
    """An error status word or a UID of the wrong length: BadRead saying so, no tap."""
    reader, got = start_reader("canteen test")
    got.wait_state(ReaderState.CONNECTED)
    card = cards(till_reader.port, uid_response=bytes.fromhex(answer))
    card.insert()
    got.wait_errors(1)
    bad = got.errors[0]
    assert bad.reader == f"pcsc:{till_reader.slot_name}"
    assert reason in bad.reason
    assert bad.raw == bytes.fromhex(answer).hex(" ").upper()
    leave_on_reader(card)
    assert got.taps == []
    assert len(got.errors) == 1
    assert reader.status.ready
    lift(card, pcscd, till_reader.slot_name)
    card.uid_response = None
    card.insert()
    got.wait_taps(1)
    assert got.taps[0].uid == UID


@pytest.mark.slow
def test_card_pulled_mid_read_is_a_bad_read(
    pcscd: PcscDaemon,
    till_reader: VirtualReader,
    cards: Callable[..., VirtualCard],
    start_reader: Callable[[str], tuple[PcscReader, Recorder]],
) -> None:
    """The card leaves while GET UID is on its way: BadRead, no tap, the reader goes on."""
    reader, got = start_reader("canteen test")
    got.wait_state(ReaderState.CONNECTED)
    pulled = threading.Event()

    def pull(card: VirtualCard, apdu: bytes) -> None:
        if apdu == GET_UID and not pulled.is_set():
            pulled.set()
            card.remove()

    card = cards(till_reader.port, on_apdu=pull)
    card.insert()
    got.wait_errors(1)
    assert "tap again" in got.errors[0].reason
    assert got.taps == []
    pcscd.wait_card(till_reader.slot_name, present=False)
    card.insert()
    got.wait_taps(1)
    assert got.taps[0].uid == UID
    assert len(got.errors) == 1
    assert reader.status.ready


@pytest.mark.slow
def test_pcscd_gone_mid_read_is_a_bad_read_then_it_recovers(
    pcscd: PcscDaemon,
    till_reader: VirtualReader,
    cards: Callable[..., VirtualCard],
    start_reader: Callable[[str], tuple[PcscReader, Recorder]],
) -> None:
    """The reader vanishes (pcscd killed) during GET UID: BadRead, status says so, no tap;
    it reads again once pcscd is back."""
    _, got = start_reader("canteen test")
    got.wait_state(ReaderState.CONNECTED)
    process = pcscd.process
    assert process is not None

    def kill_pcscd(card: VirtualCard, apdu: bytes) -> None:
        if apdu == GET_UID and card.on_apdu is not None:
            card.on_apdu = None
            process.kill()
            process.wait(TIMEOUT)

    card = cards(till_reader.port, on_apdu=kill_pcscd)
    card.insert()
    got.wait_errors(1)
    assert "pcscd stopped while reading" in got.errors[0].reason
    got.wait_state(ReaderState.UNAVAILABLE, "pcscd not running")
    assert got.taps == []
    card.remove()
    pcscd.restart(till_reader)
    assert reads_when_ready(got, till_reader, card).uid == UID


# -- readers and pcscd coming and going --------------------------------------------------------


@pytest.mark.slow
def test_reader_unplugged_and_plugged_back(
    pcscd: PcscDaemon,
    till_reader: VirtualReader,
    cards: Callable[..., VirtualCard],
    start_reader: Callable[[str], tuple[PcscReader, Recorder]],
) -> None:
    """No matching reader: NO_READER "Card reader unplugged"; back: ready and reading."""
    _, got = start_reader("canteen test")
    got.wait_state(ReaderState.CONNECTED)
    pcscd.restart(None)  # pcscd 1.9 reads reader.conf only at start
    got.wait_state(ReaderState.NO_READER, "Card reader unplugged")
    pcscd.restart(till_reader)
    assert reads_when_ready(got, till_reader, cards(till_reader.port)).uid == UID


@pytest.mark.slow
def test_pcscd_stopped_then_restarted(
    pcscd: PcscDaemon,
    till_reader: VirtualReader,
    cards: Callable[..., VirtualCard],
    start_reader: Callable[[str], tuple[PcscReader, Recorder]],
) -> None:
    """pcscd down: UNAVAILABLE "pcscd not running"; it comes back: ready and reading again."""
    _, got = start_reader("canteen test")
    got.wait_state(ReaderState.CONNECTED)
    pcscd.stop()
    status = got.wait_state(ReaderState.UNAVAILABLE, "pcscd not running")
    assert "systemctl" in status.text
    with pytest.raises(PcscUnavailable, match="pcscd not running"):
        list_readers()
    pcscd.start(till_reader)
    assert reads_when_ready(got, till_reader, cards(till_reader.port, uid=UID7)).uid == UID7


@pytest.mark.slow
def test_reader_started_while_pcscd_is_down(
    daemon: PcscDaemon,
    till_reader: VirtualReader,
    cards: Callable[..., VirtualCard],
    start_reader: Callable[[str], tuple[PcscReader, Recorder]],
) -> None:
    """Started without pcscd the reader waits, says why, and is ready once pcscd starts."""
    _, got = start_reader("canteen test")
    got.wait_state(ReaderState.UNAVAILABLE, "pcscd not running")
    try:
        daemon.start(till_reader)
        assert reads_when_ready(got, till_reader, cards(till_reader.port)).uid == UID
    finally:
        daemon.stop()


@pytest.mark.slow
def test_pattern_picks_one_reader_among_several(
    pcscd: PcscDaemon,
    till_reader: VirtualReader,
    cards: Callable[..., VirtualCard],
    start_reader: Callable[[str], tuple[PcscReader, Recorder]],
) -> None:
    """With two readers, "*" watches the first and "*test 00 01" only the second."""
    (first_name, first_port), (second_name, second_port) = till_reader.slot(0), till_reader.slot(1)
    assert list_readers()[:2] == [first_name, second_name]
    _, first = start_reader("*")
    first.wait_state(ReaderState.CONNECTED, f"Reader ready: {first_name}")
    _, second = start_reader("*TEST 00 01")
    second.wait_state(ReaderState.CONNECTED, f"Reader ready: {second_name}")
    cards(first_port, uid=UID7).insert()
    first.wait_taps(1)
    cards(second_port, uid=UID).insert()
    second.wait_taps(1)
    assert (first.taps[0].uid, first.taps[0].reader) == (UID7, f"pcsc:{first_name}")
    assert (second.taps[0].uid, second.taps[0].reader) == (UID, f"pcsc:{second_name}")
    assert len(first.taps) == len(second.taps) == 1


@pytest.mark.slow
def test_stop_is_prompt_and_idempotent(
    pcscd: PcscDaemon, start_reader: Callable[[str], tuple[PcscReader, Recorder]]
) -> None:
    """stop() cancels the wait and joins the thread; a second stop is harmless; restartable."""
    reader, got = start_reader("canteen test")
    got.wait_state(ReaderState.CONNECTED)
    threads = [t for t in threading.enumerate() if t.name == f"card-reader-{reader.name}"]
    assert len(threads) == 1
    reader.stop()
    assert not threads[0].is_alive()
    assert reader.status == ReaderStatus(ReaderState.NO_READER, "PC/SC reader stopped")
    reader.stop()
    again = Recorder()
    reader.start(again.tap, again.status, again.error)
    again.wait_state(ReaderState.CONNECTED)
    reader.stop()


# -- pure parts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*", "ACS ACR122U 00 00"),
        ("", "ACS ACR122U 00 00"),
        ("identiv", "Identiv uTrust 3700 F 01 00"),
        ("ACS*", "ACS ACR122U 00 00"),
        ("*utrust*", "Identiv uTrust 3700 F 01 00"),
        ("acr122*", None),  # a glob matches the whole name
        ("omnikey", None),
    ],
)
def test_match_reader(pattern: str, expected: str | None) -> None:
    readers = ["ACS ACR122U 00 00", "Identiv uTrust 3700 F 01 00"]
    assert match_reader(readers, pattern) == expected
    assert match_reader([], pattern) is None


def test_a_name_with_brackets_matches_as_text_and_devices_suggests_it_without_slots() -> None:
    """pcsc-lite names hold brackets, a character set in a glob: the name `devices` suggests
    (without the slot numbers, which change when readers are re-plugged) must match."""
    name = "ACS ACR1252 1S CL Reader [ACR1252 Dual Reader PICC] 00 00"
    readers = ["ACS ACR1252 1S CL Reader [ACR1252 Dual Reader SAM] 00 01", name]
    assert stable_name(name) == "ACS ACR1252 1S CL Reader [ACR1252 Dual Reader PICC]"
    assert match_reader(readers, name) == name
    assert match_reader(readers, stable_name(name)) == name
    assert match_reader(readers, "*dual reader picc*") == name


def test_parse_uid_response() -> None:
    assert parse_uid_response(list(UID7 + b"\x90\x00")) == UID7
    for answer, reason in [("", "did not answer"), ("90", "no status word"), ("9000", "too short")]:
        with pytest.raises(UidReadError, match=reason):
            parse_uid_response(list(bytes.fromhex(answer)))


def test_technology_from_atr() -> None:
    assert technology_from_atr(pcsc_part3_atr(0x03)) == "iso14443a"
    assert technology_from_atr(pcsc_part3_atr(0x07)) == "iso14443b"
    assert technology_from_atr(pcsc_part3_atr(0x0B)) == "iso15693"
    assert technology_from_atr(pcsc_part3_atr(0x11)) == "felica"
    assert technology_from_atr(ISO14443_4_ATR) == "iso14443"
    assert technology_from_atr(b"") == "iso14443"


def test_without_pyscard_the_reader_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing pyscard makes the reader report UNAVAILABLE, never raise."""
    from drivers.cards import pcsc

    def missing() -> object:
        raise PcscUnavailable("PC/SC unavailable: pyscard cannot be loaded (no module)")

    monkeypatch.setattr(pcsc, "_load_scard", missing)
    reader = PcscReader("*")
    got = Recorder()
    reader.start(got.tap, got.status, got.error)
    assert reader.status.state is ReaderState.UNAVAILABLE
    assert "pyscard" in reader.status.text
    reader.stop()
    reader.stop()
