"""The double-tap guard (D-PAY-5), driven by an injected clock."""

from __future__ import annotations

import threading

import pytest

from drivers.cards.base import CardTap
from drivers.cards.debounce import Debouncer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tap(uid: str) -> CardTap:
    return CardTap(uid=bytes.fromhex(uid), reader="test", technology="simulated", at=0.0)


def test_d_pay_5_same_card_within_window_is_one_tap() -> None:
    """D-PAY-5: the same card again inside the window is the same tap."""
    clock = FakeClock()
    deb = Debouncer(2.0, clock=clock)
    assert deb.accept(tap("72BF9961"))
    clock.now += 1.9
    assert not deb.accept(tap("72BF9961"))


def test_d_pay_5_same_card_after_window_is_a_new_tap() -> None:
    """D-PAY-5: an honest repeat purchase after the window is a new tap."""
    clock = FakeClock()
    deb = Debouncer(2.0, clock=clock)
    assert deb.accept(tap("72BF9961"))
    clock.now += 2.5
    assert deb.accept(tap("72BF9961"))


def test_d_pay_5_card_left_on_reader_stays_one_tap() -> None:
    """D-PAY-5: repeated sightings extend the window (accepted-or-suppressed sighting)."""
    clock = FakeClock()
    deb = Debouncer(2.0, clock=clock)
    assert deb.accept(tap("72BF9961"))
    for _ in range(10):
        clock.now += 1.5
        assert not deb.accept(tap("72BF9961"))
    clock.now += 2.1
    assert deb.accept(tap("72BF9961"))


def test_d_pay_5_different_card_is_accepted() -> None:
    """D-PAY-5: another card inside the window is a new tap."""
    clock = FakeClock()
    deb = Debouncer(2.0, clock=clock)
    assert deb.accept(tap("72BF9961"))
    clock.now += 0.1
    assert deb.accept(tap("04579A22352680"))


def test_reset_forgets_cards() -> None:
    """After reset the same card is a new tap at once."""
    clock = FakeClock()
    deb = Debouncer(2.0, clock=clock)
    assert deb.accept(tap("72BF9961"))
    deb.reset()
    assert deb.accept(tap("72BF9961"))


def test_many_cards_are_pruned_but_recent_ones_remembered() -> None:
    """Old sightings are forgotten; a card seen inside the window is still suppressed."""
    clock = FakeClock()
    deb = Debouncer(2.0, clock=clock)
    for n in range(200):
        clock.now += 0.5
        assert deb.accept(tap(f"{n:08X}"))
    assert not deb.accept(tap(f"{199:08X}"))
    clock.now += 0.5
    assert deb.accept(tap(f"{0:08X}"))


def test_negative_window_is_refused() -> None:
    """A negative or NaN window is a configuration error."""
    with pytest.raises(ValueError, match="window"):
        Debouncer(-1.0)
    with pytest.raises(ValueError, match="window"):
        Debouncer(float("nan"))


def test_d_pay_5_concurrent_taps_accept_exactly_once() -> None:
    """D-PAY-5: the same card from many threads at one instant is accepted once."""
    clock = FakeClock()
    deb = Debouncer(2.0, clock=clock)
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        ok = deb.accept(tap("72BF9961"))
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]
