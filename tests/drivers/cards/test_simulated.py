"""The simulated reader end to end over a real Unix socket."""

from __future__ import annotations

import os
import queue
import socket
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drivers.cards.base import BadRead, CardTap, ReaderState, ReaderStatus
from drivers.cards.simulated import (
    ReaderNotRunning,
    SimulatedReader,
    TapRefused,
    reader_socket_path,
    send_tap,
)

WAIT_S = 5.0


@dataclass
class Received:
    taps: queue.Queue[CardTap] = field(default_factory=queue.Queue)
    errors: queue.Queue[BadRead] = field(default_factory=queue.Queue)
    statuses: list[ReaderStatus] = field(default_factory=list)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[SimulatedReader, Received]]:
    reader = SimulatedReader(reader_socket_path(tmp_path))
    got = Received()
    reader.start(got.taps.put, got.statuses.append, got.errors.put)
    try:
        yield reader, got
    finally:
        reader.stop()


def test_tap_over_socket_becomes_card_tap(running: tuple[SimulatedReader, Received]) -> None:
    """A TAP line sent with send_tap arrives as a CardTap with the UID bytes."""
    reader, got = running
    assert reader.status == ReaderStatus(ReaderState.CONNECTED, "Simulated reader ready")
    send_tap(reader.path, "72bf9961")
    tap = got.taps.get(timeout=WAIT_S)
    assert tap.uid == b"\x72\xbf\x99\x61"
    assert tap.technology == "simulated"
    assert tap.reader == "simulated"


def test_d_card_3_decimal_tap(running: tuple[SimulatedReader, Received]) -> None:
    """D-CARD-3: TAPDEC 1562265116 arrives as the 4-byte UID 5D1E461C."""
    reader, got = running
    send_tap(reader.path, "1562265116", decimal=True)
    assert got.taps.get(timeout=WAIT_S).uid == bytes.fromhex("5D1E461C")


def test_seven_byte_uid_tap(running: tuple[SimulatedReader, Received]) -> None:
    """A 7-byte UID taps through unchanged."""
    reader, got = running
    send_tap(reader.path, "04579A22352680")
    assert got.taps.get(timeout=WAIT_S).uid == bytes.fromhex("04579A22352680")


def test_malformed_card_gets_err_and_on_error(running: tuple[SimulatedReader, Received]) -> None:
    """Malformed text: the client gets ERR, on_error a BadRead, no tap, the reader keeps going."""
    reader, got = running
    with pytest.raises(TapRefused, match="odd number of hex digits"):
        send_tap(reader.path, "72BF996")
    bad = got.errors.get(timeout=WAIT_S)
    assert bad.raw == "72BF996"
    assert "odd number" in bad.reason
    assert got.taps.empty()
    send_tap(reader.path, "72BF9961")
    assert got.taps.get(timeout=WAIT_S).uid == bytes.fromhex("72BF9961")


def test_raw_protocol_lines_and_replies(running: tuple[SimulatedReader, Received]) -> None:
    """Several lines on one connection each get OK or ERR; unknown verbs are named."""
    reader, got = running
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(WAIT_S)
        sock.connect(str(reader.path))
        sock.sendall(b"PING\nTAP 72BF9961\nTAPDEC 12AB\nHELLO\n")
        replies = b""
        while replies.count(b"\n") < 4:
            chunk = sock.recv(4096)
            assert chunk
            replies += chunk
    lines = replies.decode().splitlines()
    assert lines[0] == "OK"
    assert lines[1] == "OK"
    assert lines[2].startswith("ERR card number '12AB'")
    assert lines[3].startswith("ERR unknown request 'HELLO'")
    assert got.taps.get(timeout=WAIT_S).uid == bytes.fromhex("72BF9961")


def test_the_reader_takes_no_commands(running: tuple[SimulatedReader, Received]) -> None:
    """The socket carries card taps only: a CMD line (the demo's network switch once) is an
    unknown request, and no tap comes of it."""
    reader, got = running
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(WAIT_S)
        sock.connect(str(reader.path))
        sock.sendall(b"CMD net offline\n")
        reply = b""
        while b"\n" not in reply:
            chunk = sock.recv(4096)
            assert chunk
            reply += chunk
    assert reply.decode().startswith("ERR unknown request 'CMD'")
    assert got.taps.empty()


def test_socket_file_is_private(running: tuple[SimulatedReader, Received]) -> None:
    """The socket file has mode 0600."""
    reader, _ = running
    mode = os.stat(reader.path).st_mode
    assert stat.S_ISSOCK(mode)
    assert stat.S_IMODE(mode) == 0o600


def test_stop_removes_socket_and_reports_status(tmp_path: Path) -> None:
    """stop() closes the socket, removes its file and reports no_reader; stop twice is fine."""
    statuses: list[ReaderStatus] = []
    reader = SimulatedReader(tmp_path / "reader.sock")
    reader.start(lambda tap: None, statuses.append)
    assert reader.path.exists()
    reader.stop()
    reader.stop()
    assert not reader.path.exists()
    assert [s.state for s in statuses] == [ReaderState.CONNECTED, ReaderState.NO_READER]
    with pytest.raises(ReaderNotRunning):
        send_tap(reader.path, "72BF9961")


def test_stale_socket_file_is_replaced(tmp_path: Path) -> None:
    """A socket file left by a crashed till is removed at start."""
    path = tmp_path / "reader.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stale:
        stale.bind(str(path))  # bound, never listening: nobody answers
    assert path.exists()
    taps: queue.Queue[CardTap] = queue.Queue()
    reader = SimulatedReader(path)
    reader.start(taps.put)
    try:
        assert reader.status.state is ReaderState.CONNECTED
        send_tap(path, "72BF9961")
        assert taps.get(timeout=WAIT_S).uid == bytes.fromhex("72BF9961")
    finally:
        reader.stop()


def test_second_reader_on_same_socket_reports_error(
    running: tuple[SimulatedReader, Received],
) -> None:
    """A second till on a live socket gets an error status and leaves the first one alone."""
    first, got = running
    second = SimulatedReader(first.path)
    second.start(lambda tap: None)
    try:
        assert second.status.state is ReaderState.ERROR
        assert "already listening" in second.status.text
    finally:
        second.stop()
    send_tap(first.path, "72BF9961")
    assert got.taps.get(timeout=WAIT_S).uid == bytes.fromhex("72BF9961")


def test_regular_file_in_the_way_is_an_error_not_deleted(tmp_path: Path) -> None:
    """A regular file where the socket goes is left alone and the status says so."""
    path = tmp_path / "reader.sock"
    path.write_text("keep me")
    reader = SimulatedReader(path)
    reader.start(lambda tap: None)
    try:
        assert reader.status.state is ReaderState.ERROR
        assert "not a socket" in reader.status.text
    finally:
        reader.stop()
    assert path.read_text() == "keep me"


def test_send_tap_without_till_raises_reader_not_running(tmp_path: Path) -> None:
    """send_tap to a missing socket says no till listens and how to start one."""
    path = tmp_path / "reader.sock"
    with pytest.raises(ReaderNotRunning) as info:
        send_tap(path, "72BF9961")
    message = str(info.value)
    assert f"no till is listening on {path}" in message
    assert "make demo" in message


def test_failing_tap_callback_keeps_reader_running(tmp_path: Path) -> None:
    """A tap callback that raises gives the client ERR; the next tap still works."""
    taps: queue.Queue[CardTap] = queue.Queue()
    calls = 0

    def on_tap(tap: CardTap) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("boom")
        taps.put(tap)

    reader = SimulatedReader(tmp_path / "reader.sock")
    reader.start(on_tap)
    try:
        with pytest.raises(TapRefused, match="could not take the tap"):
            send_tap(reader.path, "72BF9961")
        send_tap(reader.path, "72BF9961")
        assert taps.get(timeout=WAIT_S).uid == bytes.fromhex("72BF9961")
    finally:
        reader.stop()


def test_start_twice_is_refused(running: tuple[SimulatedReader, Received]) -> None:
    """Starting a started reader is a programming error."""
    reader, _ = running
    with pytest.raises(RuntimeError, match="already started"):
        reader.start(lambda tap: None)
