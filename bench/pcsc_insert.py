"""A card inserted on a PC/SC reader until its `CardTap` reaches the till.

The real stack: a private pcscd with the vsmartcard-vpcd virtual reader, the virtual card of
the tests (`tests/drivers/cards/vpcd_card.py`), and the till's `PcscReader`. Each sample starts
just before the card connects to vpcd (the card "enters the field") and ends in the till's tap
callback. Between samples the card is lifted, pcscd is let see it gone, and the next card
comes after a random pause, as people do: pcscd polls a reader like vpcd that cannot signal a
card (every 400 ms), so the time to its next poll is part of each sample. The share after pcscd
first asks the card for its ATR (the driver's: connect, GET UID, the callback) is reported too.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from pathlib import Path

from bench.report import emit, percentile
from drivers.cards.base import CardTap
from drivers.cards.pcsc import PcscReader
from tests.drivers.cards.pcscd import (
    PcscDaemon,
    VirtualReader,
    ensure_installed,
    free_port_pair,
)
from tests.drivers.cards.vpcd_card import VirtualCard

SAMPLES = 200
WARMUP = 5


class TimedCard(VirtualCard):
    """The test card, noting when the reader first asks it anything after each insertion."""

    _first_ask: float | None = None

    def presented(self) -> None:
        self._first_ask = None

    def first_ask(self) -> float | None:
        return self._first_ask

    def _answer(self, message: bytes) -> bytes | None:
        if self._first_ask is None:
            self._first_ask = time.perf_counter()
        return super()._answer(message)


def main() -> None:
    ensure_installed()
    with tempfile.TemporaryDirectory() as tmp:
        pcscd = PcscDaemon(Path(tmp))
        pcscd.use()
        slot = VirtualReader("Canteen Bench", free_port_pair())
        pcscd.start(slot)
        reader = PcscReader("*")
        arrived = threading.Event()
        taps: list[tuple[CardTap, float]] = []

        def on_tap(tap: CardTap) -> None:
            taps.append((tap, time.perf_counter()))
            arrived.set()

        reader.start(on_tap)
        samples: list[float] = []
        driver: list[float] = []
        try:
            deadline = time.monotonic() + 15
            while not reader.status.ready and time.monotonic() < deadline:
                time.sleep(0.05)
            card = TimedCard(slot.port)
            pause = random.Random(7)
            for n in range(WARMUP + SAMPLES):
                arrived.clear()
                card.uid = (n + 1).to_bytes(4, "big")
                card.presented()
                time.sleep(pause.uniform(0.0, 0.5))
                started = time.perf_counter()
                card.insert()
                if not arrived.wait(10):
                    raise RuntimeError(f"no tap for card {n}: {reader.status.text}")
                asked = card.first_ask()
                if n >= WARMUP and asked is not None:
                    samples.append(taps[-1][1] - started)
                    driver.append(taps[-1][1] - asked)
                card.remove()
                pcscd.wait_card(slot.slot_name, present=False)
        finally:
            reader.stop()
            pcscd.stop()
    context = {
        "samples": len(samples),
        "stack": "pcscd 1.9.9 + vsmartcard-vpcd",
        "after_first_ask_p50_ms": round(percentile(driver, 50) * 1000, 2),
        "after_first_ask_p99_ms": round(percentile(driver, 99) * 1000, 2),
    }
    emit("pcsc_insert_to_tap_p50_ms", percentile(samples, 50) * 1000, "ms", "(figure)", **context)
    emit("pcsc_insert_to_tap_p99_ms", percentile(samples, 99) * 1000, "ms", "(figure)", **context)


if __name__ == "__main__":
    main()
