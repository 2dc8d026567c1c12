"""ReaderRun: each start of a reader gets a stop flag of its own (every threaded reader uses it)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from drivers.cards.base import ReaderRun

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
