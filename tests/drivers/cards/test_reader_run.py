"""ReaderRun: each start of a reader gets a stop flag of its own; ThreadedReader: the start and
stop every threaded reader shares; TakesKeys: which reader the till feeds keys."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from drivers.cards import open_reader
from drivers.cards.base import ReaderRun, ReaderState, ReaderStatus, TakesKeys, ThreadedReader
from drivers.cards.keyboard import KeyboardWedgeReader

BOUND_S = 30.0  # only keeps a broken run from hanging the test; never asserted on


def test_a_thread_that_outlived_stop_stays_stopped_when_the_reader_starts_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gate = threading.Event()
    loops = {"first": 0, "second": 0}

    def work(which: str) -> Callable[[threading.Event], None]:
        def run(stopping: threading.Event) -> None:
            gate.wait(BOUND_S)  # blocked in a driver call past stop()'s join timeout
            while not stopping.is_set():
                loops[which] += 1
                stopping.wait(0.01)

        return run

    first = ReaderRun("test", work("first"))
    first.thread.start()
    first.stop(0.01)
    assert "card-reader-test did not stop within 0.01 s" in caplog.text
    second = ReaderRun("test", work("second"))
    second.thread.start()
    gate.set()
    first.thread.join(BOUND_S)
    assert not first.thread.is_alive()
    assert loops["first"] == 0  # its own flag was set: it never came back to life
    for _ in range(int(BOUND_S / 0.01)):  # the new run is the one working
        if loops["second"]:
            break
        threading.Event().wait(0.01)
    assert loops["second"] > 0
    second.stop(BOUND_S)
    assert not second.thread.is_alive()


def test_stop_wakes_the_thread_and_is_safe_before_start_and_from_the_thread() -> None:
    woken = threading.Event()

    def run(stopping: threading.Event) -> None:
        woken.wait(BOUND_S)
        ReaderRun("inner", lambda _s: None).stop(1.0)  # never started: returns at once
        this.stop(1.0)  # from its own thread, as a callback may: no self-join

    this = ReaderRun("test", run)
    this.thread.start()
    this.stop(BOUND_S, wake=woken.set)
    assert not this.thread.is_alive()
    assert this.stopping.is_set()


class Probe(ThreadedReader):
    """A threaded reader whose hooks record what the shared start() and stop() did."""

    stopped_text = "Probe stopped"

    def __init__(self, refuse: ReaderStatus | None = None) -> None:
        super().__init__("probe", ReaderStatus(ReaderState.NO_READER, "Probe not started"))
        self.refuse = refuse
        self.calls: list[str] = []
        self.running = threading.Event()

    def _prepare(self) -> ReaderStatus | None:
        self.calls.append("prepare")
        return self.refuse

    def _starting_status(self) -> ReaderStatus:
        return ReaderStatus(ReaderState.CONNECTED, "Probe ready")

    def _run(self, stopping: threading.Event) -> None:
        self.calls.append("run")
        self.running.set()
        stopping.wait(BOUND_S)

    def _wake(self) -> None:
        self.calls.append("wake")

    def _release(self) -> None:
        self.calls.append("release")


def test_threaded_reader_start_runs_the_thread_and_stop_releases_once() -> None:
    reader = Probe()
    seen: list[ReaderStatus] = []
    reader.start(lambda tap: None, seen.append)
    assert reader.running.wait(BOUND_S)
    with pytest.raises(RuntimeError, match="already started"):
        reader.start(lambda tap: None)
    reader.stop()
    reader.stop()  # harmless: nothing left to stop, no second "stopped"
    assert [s.text for s in seen] == ["Probe ready", "Probe stopped"]
    assert reader.calls == ["prepare", "run", "wake", "release", "release"]
    assert not [t for t in threading.enumerate() if t.name == "card-reader-probe"]


def test_a_reader_that_cannot_run_reports_why_and_starts_no_thread() -> None:
    reader = Probe(refuse=ReaderStatus(ReaderState.UNAVAILABLE, "no library here"))
    reader.start(lambda tap: None)
    assert reader.status == ReaderStatus(ReaderState.UNAVAILABLE, "no library here")
    assert reader.calls == ["prepare"]
    reader.stop()
    assert reader.status == ReaderStatus(ReaderState.NO_READER, "Probe stopped")


def test_stop_before_start_keeps_the_status() -> None:
    reader = Probe()
    reader.stop()
    assert reader.status == ReaderStatus(ReaderState.NO_READER, "Probe not started")


def test_only_the_keyboard_wedge_takes_keys(tmp_path: Path) -> None:
    """The till feeds keys to a reader by the TakesKeys protocol, not by its class."""
    assert isinstance(KeyboardWedgeReader(), TakesKeys)
    assert isinstance(open_reader("keyboard", data_dir=tmp_path), TakesKeys)
    for spec in ("simulated", "pcsc:*", "nfc:udp"):
        assert not isinstance(open_reader(spec, data_dir=tmp_path), TakesKeys)
