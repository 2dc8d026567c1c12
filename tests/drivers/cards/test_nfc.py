"""The nfcpy reader end to end against nfcpy's real `udp` driver, with an emulated card.

The card side is a second nfcpy ContactlessFrontend on the same udp port in listen (card) mode,
see tests/drivers/cards/nfc_udp_tag.py. Waits are generous upper bounds for slow machines; no
test asserts how long anything took. With nothing answering, one udp sense cycle takes about a
second per technology, so a tap arrives within a few seconds.
"""

from __future__ import annotations

import errno
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import nfc
import nfc.clf
import nfc.clf.device
import nfc.clf.transport
import nfc.clf.udp
import nfc.tag
import nfc.tag.tt2
import nfc.tag.tt3
import pytest

from drivers.cards.base import BadRead, CardTap, ReaderState, ReaderStatus
from drivers.cards.nfc import (
    UNREADABLE,
    NfcReader,
    UnreadableCard,
    check_path,
    identify,
    list_devices,
)
from tests.drivers.cards.nfc_udp_tag import EmulatedCard, Kind, free_udp_port

WAIT_S = 30.0  # a tap needs one sense cycle (a few seconds on udp); busy machines are slower
IDM = bytes.fromhex("0102030405060708")
OTHER_IDM = bytes.fromhex("01020304050607AA")
# Tests about the reader's life cycle sense for FeliCa only: on udp each technology nobody
# answers costs a second per sense cycle. Sensing all three is covered by the tap tests.
FELICA_ONLY = ("212F",)


class Received:
    """What a reader handed to its callbacks, with waits for the test thread."""

    def __init__(self) -> None:
        self.taps: queue.Queue[CardTap] = queue.Queue()
        self.errors: queue.Queue[BadRead] = queue.Queue()
        self.statuses: list[ReaderStatus] = []
        self._changed = threading.Condition()

    def status(self, status: ReaderStatus) -> None:
        with self._changed:
            self.statuses.append(status)
            self._changed.notify_all()

    def wait_status(
        self, predicate: Callable[[ReaderStatus], bool], timeout: float = WAIT_S
    ) -> ReaderStatus:
        with self._changed:
            found = self._changed.wait_for(
                lambda: any(predicate(s) for s in self.statuses), timeout
            )
            assert found, f"no such status; got {self.statuses}"
            return next(s for s in self.statuses if predicate(s))

    def wait_history(self, predicate: Callable[[list[ReaderStatus]], bool]) -> None:
        with self._changed:
            found = self._changed.wait_for(lambda: predicate(self.statuses), WAIT_S)
            assert found, f"statuses not as expected: {self.statuses}"


def in_state(state: ReaderState) -> Callable[[ReaderStatus], bool]:
    return lambda status: status.state is state


@pytest.fixture
def port() -> int:
    return free_udp_port()


@pytest.fixture
def start_reader(port: int) -> Iterator[Callable[..., tuple[NfcReader, Received]]]:
    """Start an NfcReader on the udp port (or `path`); stopped at the end of the test."""
    readers: list[NfcReader] = []

    def start(path: str | None = None, **options: Any) -> tuple[NfcReader, Received]:
        reader = NfcReader(path or f"udp:127.0.0.1:{port}", **options)
        got = Received()
        readers.append(reader)
        reader.start(got.taps.put, got.status, got.errors.put)
        return reader, got

    yield start
    for reader in readers:
        reader.stop()


def reader_threads(reader: NfcReader) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"card-reader-{reader.name}"]


@pytest.mark.parametrize(
    ("kind", "uid", "technology"),
    [
        ("F", IDM, "felica"),
        ("A", bytes.fromhex("08A1B2C3"), "iso14443a"),
        ("A", bytes.fromhex("04579A22352680"), "iso14443a"),
        ("B", bytes.fromhex("11223344"), "iso14443b"),
    ],
    ids=["felica-idm", "type-a-4-byte", "type-a-7-byte", "type-b-pupi"],
)
def test_card_in_field_is_one_tap_with_its_identifier(
    start_reader: Callable[..., tuple[NfcReader, Received]],
    port: int,
    kind: Kind,
    uid: bytes,
    technology: str,
) -> None:
    """An emulated card gives one CardTap with its NFCID1 / PUPI / IDm, however long it stays."""
    _, got = start_reader()
    ready = got.wait_status(in_state(ReaderState.CONNECTED))
    assert ready.text == f"NFC reader ready: udp:127.0.0.1:{port}"
    with EmulatedCard(port, kind, uid) as card:
        tap = got.taps.get(timeout=WAIT_S)
        assert tap.uid == uid
        assert tap.technology == technology
        assert tap.reader == f"nfc:udp:127.0.0.1:{port}"
        # The reader keeps checking the card is there; several checks later it is still one tap.
        assert card.wait_answered(card.answered + 4, WAIT_S)
        assert got.taps.empty()
    assert got.errors.empty()


def test_next_card_after_removal_taps_again(
    start_reader: Callable[..., tuple[NfcReader, Received]], port: int
) -> None:
    """When the card leaves and another is presented, the reader taps the new one."""
    _, got = start_reader(targets=FELICA_ONLY)
    with EmulatedCard(port, "F", IDM):
        assert got.taps.get(timeout=WAIT_S).uid == IDM
    # A FeliCa presence check compares the IDm, so the next card is never mistaken for the
    # first one still lying there (Type 2 presence checks cannot tell cards apart).
    with EmulatedCard(port, "F", OTHER_IDM):
        assert got.taps.get(timeout=WAIT_S).uid == OTHER_IDM
    assert got.taps.empty()


def test_a_card_left_on_across_a_reconnect_is_not_a_second_tap(
    start_reader: Callable[..., tuple[NfcReader, Received]], port: int
) -> None:
    """After a device failure the reader is reopened and finds the card still there: no tap.
    Once the field was seen empty, the same card presented again taps again."""
    reader, got = start_reader(targets=FELICA_ONLY)
    sensf_res = bytearray(b"\x01" + IDM + bytes.fromhex("0001FFFFFFFFFFFF12FC"))
    same = nfc.tag.tt3.Type3Tag(None, nfc.clf.RemoteTarget("212F", sensf_res=sensf_res))
    with EmulatedCard(port, "F", IDM):
        assert got.taps.get(timeout=WAIT_S).uid == IDM
        # what nfcpy hands on-connect when the reopened reader activates the card again
        assert reader._on_connect(same) is True
        assert got.taps.empty()
    # a FeliCa presence check compares the IDm: present the same card again only once the
    # reader has seen it leave, or it is the same card still lying there
    for _ in range(int(WAIT_S / 0.05)):
        if reader._held is None:
            break
        threading.Event().wait(0.05)
    assert reader._held is None
    with EmulatedCard(port, "F", IDM):
        assert got.taps.get(timeout=WAIT_S).uid == IDM


def test_stop_ends_thread_and_closes_device(
    start_reader: Callable[..., tuple[NfcReader, Received]], port: int
) -> None:
    """stop() with a card on the reader: the thread ends, the field goes off, stop is idempotent."""
    reader, got = start_reader()
    with EmulatedCard(port, "F", IDM) as card:
        got.taps.get(timeout=WAIT_S)
        assert card.wait_answered(card.answered + 1, WAIT_S)
        assert reader_threads(reader)
        reader.stop()
        assert reader_threads(reader) == []
        # nfcpy's udp reader switches its field off when the frontend is closed.
        assert card.field_off.wait(WAIT_S)
    assert reader.status == ReaderStatus(ReaderState.NO_READER, "NFC reader stopped")
    assert got.statuses[-1] == reader.status
    reader.stop()
    assert reader.status == ReaderStatus(ReaderState.NO_READER, "NFC reader stopped")


def test_stop_while_sensing_an_empty_field(
    start_reader: Callable[..., tuple[NfcReader, Received]],
) -> None:
    """stop() while nfcpy waits for answers that never come still ends the thread."""
    reader, got = start_reader()
    got.wait_status(in_state(ReaderState.CONNECTED))
    reader.stop()
    assert reader_threads(reader) == []
    assert reader.status.state is ReaderState.NO_READER


@pytest.mark.parametrize("path", ["usb:ffff:ffff", "tty:USB99:pn532"])
def test_missing_reader_sets_no_reader_status(
    start_reader: Callable[..., tuple[NfcReader, Received]], path: str
) -> None:
    """A path with no reader: NO_READER with a sentence naming it; nothing raises; stop works."""
    reader, got = start_reader(path, retry_interval=0.05)
    status = got.wait_status(lambda s: "not found" in s.text)
    assert status == ReaderStatus(
        ReaderState.NO_READER, f"NFC reader not found at {path}: check that it is plugged in"
    )
    assert reader.status == status  # retrying does not flicker the status
    reader.stop()
    assert reader_threads(reader) == []


def test_reader_plugged_in_later_is_found(
    start_reader: Callable[..., tuple[NfcReader, Received]],
    port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reader retries opening: once the device appears it is CONNECTED and reads cards."""
    real_connect = nfc.clf.device.connect
    attempts: list[str] = []

    def not_plugged_in_yet(path: str) -> Any:
        attempts.append(path)
        # What nfcpy's device search returns when nothing is found on the path.
        return None if len(attempts) <= 2 else real_connect(path)

    monkeypatch.setattr(nfc.clf.device, "connect", not_plugged_in_yet)
    _, got = start_reader(retry_interval=0.05, targets=FELICA_ONLY)
    got.wait_status(in_state(ReaderState.CONNECTED))
    assert [s.state for s in got.statuses] == [
        ReaderState.NO_READER,  # opening
        ReaderState.NO_READER,  # not found
        ReaderState.CONNECTED,
    ]
    assert "not found" in got.statuses[1].text
    with EmulatedCard(port, "F", IDM):
        assert got.taps.get(timeout=WAIT_S).uid == IDM


def test_device_failure_sets_error_and_reconnects(
    start_reader: Callable[..., tuple[NfcReader, Received]],
    port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An I/O error from the device: ERROR status, the device is reopened, reading goes on."""
    real_sense = nfc.clf.udp.Device.sense_ttf
    failures: list[int] = []

    def unplugged_once(device: Any, target: Any) -> Any:
        if not failures:
            failures.append(1)
            raise OSError(errno.EIO, "Input/output error")
        return real_sense(device, target)

    monkeypatch.setattr(nfc.clf.udp.Device, "sense_ttf", unplugged_once)
    _, got = start_reader(retry_interval=0.05, targets=FELICA_ONLY)
    error = got.wait_status(in_state(ReaderState.ERROR))
    assert error.text == f"NFC reader at udp:127.0.0.1:{port} stopped working; reconnecting"
    got.wait_history(lambda statuses: statuses[-1].ready and error in statuses)
    with EmulatedCard(port, "F", IDM):
        assert got.taps.get(timeout=WAIT_S).uid == IDM


def test_bad_read_goes_to_on_error_and_reader_keeps_working(
    start_reader: Callable[..., tuple[NfcReader, Received]], port: int
) -> None:
    """A card with a wrong-length number is a BadRead, not a tap; the next card still taps."""
    reader, got = start_reader(targets=FELICA_ONLY)
    got.wait_status(in_state(ReaderState.CONNECTED))
    # What nfcpy's connect loop hands to on-connect for a Type 2 card with a 5-byte NFCID1.
    bad_tag = nfc.tag.tt2.Type2Tag(None, nfc.clf.RemoteTarget("106A", sdd_res=bytearray(5)))
    assert reader._on_connect(bad_tag) is True  # wait for the card to leave: one report only
    bad = got.errors.get(timeout=WAIT_S)
    assert bad.reader == f"nfc:udp:127.0.0.1:{port}"
    assert bad.raw == "0000000000"
    assert bad.reason == "the card number is 5 bytes; ISO 14443 A cards have 4, 7 or 10 bytes"
    assert got.taps.empty()
    with EmulatedCard(port, "F", IDM):
        assert got.taps.get(timeout=WAIT_S).uid == IDM


def test_card_breaking_activation_is_one_bad_read(
    start_reader: Callable[..., tuple[NfcReader, Received]],
    port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """nfcpy raising on a card's answers: one BadRead while it lies there, and the reader lives."""
    real_activate = nfc.tag.activate
    calls: list[int] = []

    def breaks_three_times(clf: Any, target: Any) -> Any:
        calls.append(1)
        if len(calls) <= 3:
            raise IndexError("bytearray index out of range")  # as on a too-short answer
        return real_activate(clf, target)

    monkeypatch.setattr(nfc.tag, "activate", breaks_three_times)
    _, got = start_reader(targets=FELICA_ONLY)
    with EmulatedCard(port, "F", IDM):
        assert got.taps.get(timeout=WAIT_S).uid == IDM
    assert len(calls) >= 4
    bad = got.errors.get_nowait()
    assert bad == BadRead(f"nfc:udp:127.0.0.1:{port}", "", UNREADABLE)
    assert got.errors.empty()  # the same failure again and again was reported once


def test_nfcpy_missing_reports_unavailable(
    start_reader: Callable[..., tuple[NfcReader, Received]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without nfcpy the reader says so (UNAVAILABLE) instead of crashing the till."""
    monkeypatch.setitem(sys.modules, "nfc", None)  # makes `import nfc` raise ImportError
    reader, got = start_reader()
    status = got.wait_status(in_state(ReaderState.UNAVAILABLE))
    assert status.text.startswith("NFC readers cannot be used on this till: nfcpy is missing")
    reader.stop()
    assert reader_threads(reader) == []


def test_identify_takes_each_technologys_identifier() -> None:
    """identify() on nfcpy tag objects: Type 2 (A) NFCID1 and Type 3 (FeliCa) IDm."""
    type_a = nfc.tag.tt2.Type2Tag(
        None, nfc.clf.RemoteTarget("106A", sdd_res=bytearray.fromhex("04579A22352680"))
    )
    assert identify(type_a) == (bytes.fromhex("04579A22352680"), "iso14443a")
    sensf_res = bytearray(b"\x01" + IDM + bytes.fromhex("0001FFFFFFFFFFFF12FC"))
    felica = nfc.tag.tt3.Type3Tag(None, nfc.clf.RemoteTarget("212F", sensf_res=sensf_res))
    assert identify(felica) == (IDM, "felica")


def test_identify_rejects_missing_and_wrong_length_numbers() -> None:
    """No identifier, or one of the wrong length for the technology, is UnreadableCard."""
    empty = nfc.tag.tt2.Type2Tag(None, nfc.clf.RemoteTarget("106A", sdd_res=bytearray()))
    with pytest.raises(UnreadableCard, match="it gave no number") as caught:
        identify(empty)
    assert caught.value.raw == ""
    short_idm = bytearray(b"\x01" + IDM[:6])
    felica = nfc.tag.tt3.Type3Tag(None, nfc.clf.RemoteTarget("212F", sensf_res=short_idm))
    with pytest.raises(UnreadableCard, match="6 bytes; FeliCa cards have 8 bytes") as caught:
        identify(felica)
    assert caught.value.raw == IDM[:6].hex().upper()


@pytest.mark.parametrize(
    "path", ["usb", "usb:054c:06c3", "usb:001:004", "tty:USB0:pn532", "udp", "udp:localhost:5"]
)
def test_nfcpy_paths_are_accepted(path: str) -> None:
    assert check_path(f" {path} ") == path
    assert NfcReader(path).name == f"nfc:{path}"


@pytest.mark.parametrize("path", ["", "usb:zz", "usb:054c:06c3:1", "udp:host:70000", "pcsc", "tty"])
def test_malformed_paths_raise_value_error(path: str) -> None:
    with pytest.raises(ValueError, match="NFC reader path"):
        NfcReader(path)


def test_unknown_targets_raise_value_error() -> None:
    with pytest.raises(ValueError, match="NFC targets"):
        NfcReader("usb", targets=("106X",))


def test_list_devices_describes_supported_usb_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    """list_devices() names supported readers by their spec; other USB devices are left out."""
    assert isinstance(list_devices(), list)  # the real bus (no readers on a test machine)
    sony, hub = (0x054C, 0x06C3, 1, 4), (0x1D6B, 0x0002, 1, 1)
    monkeypatch.setattr(nfc.clf.transport.USB, "find", classmethod(lambda cls, path: [sony, hub]))
    assert list_devices() == ["nfc:usb:054c:06c3  (USB bus 001 device 004, nfcpy driver rcs380)"]


def test_list_devices_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(cls: Any, path: str) -> Any:
        raise OSError(errno.EACCES, "libusb cannot be initialised")

    monkeypatch.setattr(nfc.clf.transport.USB, "find", classmethod(broken))
    assert list_devices() == []
