"""The card-reader interface every reader family implements, and what it emits.

A reader runs on its own thread (or, for the keyboard wedge, on the thread that feeds it keys)
and calls the callbacks given to `CardReader.start` from there; the UI marshals them to its own
thread. A callback that raises is logged and never stops the reader.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar, runtime_checkable

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CardTap:
    """One card presented to a reader: its UID bytes as the reader delivered them."""

    uid: bytes
    reader: str  # the reader's name, e.g. "simulated" or "pcsc:ACS ACR122U"
    technology: str  # "simulated", "keyboard-wedge", "iso14443a", ...
    at: float  # time.monotonic() when the reader saw the card


class ReaderState(StrEnum):
    CONNECTED = "connected"  # ready: a tap will be seen
    NO_READER = "no_reader"  # nothing plugged in (or the reader was stopped)
    UNAVAILABLE = "unavailable"  # this reader family cannot run here (library, service missing)
    ERROR = "error"  # it was working and failed; the text says what to do


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    """The reader's state with a sentence a cashier can read."""

    state: ReaderState
    text: str

    @property
    def ready(self) -> bool:
        return self.state is ReaderState.CONNECTED


@dataclass(frozen=True, slots=True)
class BadRead:
    """Input from a reader that is not a card number; no tap was emitted.

    `raw` is the text as received, `reason` says what is wrong with it. `typing` is True when the
    keyboard wedge decided the keys came from a person typing, not from a reader: the UI may give
    those characters back to the focused field instead of showing an error.
    """

    reader: str
    raw: str
    reason: str
    typing: bool = False


class ReaderRun:
    """One run of a reader's thread, with a stop flag of its own: a thread that outlived
    stop() (blocked in a driver past the join timeout) stays stopped when the reader is
    started again, instead of coming back to life on a shared flag that start() cleared."""

    def __init__(self, reader_name: str, target: Callable[[threading.Event], None]) -> None:
        self.stopping = threading.Event()
        self.thread = threading.Thread(
            target=target, args=(self.stopping,), name=f"card-reader-{reader_name}", daemon=True
        )

    def stop(self, timeout_s: float, wake: Callable[[], None] | None = None) -> None:
        """Set the flag, `wake` the thread from its wait, join it for up to `timeout_s`."""
        self.stopping.set()
        if wake is not None:
            wake()
        # stop() from a callback runs on the reader thread: it ends once the callback returns.
        if self.thread is threading.current_thread() or not self.thread.ident:
            return
        self.thread.join(timeout_s)
        if self.thread.is_alive():
            log.error("%s did not stop within %s s", self.thread.name, timeout_s)


TapCallback = Callable[[CardTap], None]
StatusCallback = Callable[[ReaderStatus], None]
ErrorCallback = Callable[[BadRead], None]


class CardReader(ABC):
    """A source of card taps. Subclasses implement `start` and `stop`.

    `start(on_tap, on_status, on_error)` begins reading; callbacks run on the reader's thread.
    `stop()` ends it and is safe to call twice. `status` is the latest `ReaderStatus`.
    """

    def __init__(self, name: str, status: ReaderStatus) -> None:
        self._name = name
        self._status = status
        self._lock = threading.RLock()
        self._on_tap: TapCallback | None = None
        self._on_status: StatusCallback | None = None
        self._on_error: ErrorCallback | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def status(self) -> ReaderStatus:
        with self._lock:
            return self._status

    @abstractmethod
    def start(
        self,
        on_tap: TapCallback,
        on_status: StatusCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> None:
        """Begin reading; raises RuntimeError when already started."""

    @abstractmethod
    def stop(self) -> None:
        """Stop reading and release the device; idempotent."""

    # -- helpers for subclasses ------------------------------------------------------------

    def _bind(
        self,
        on_tap: TapCallback,
        on_status: StatusCallback | None,
        on_error: ErrorCallback | None,
    ) -> None:
        with self._lock:
            if self._on_tap is not None:
                raise RuntimeError(f"card reader {self._name!r} is already started")
            self._on_tap = on_tap
            self._on_status = on_status
            self._on_error = on_error

    def _unbind(self) -> None:
        with self._lock:
            self._on_tap = None
            self._on_status = None
            self._on_error = None

    def _set_status(self, state: ReaderState, text: str) -> None:
        status = ReaderStatus(state, text)
        with self._lock:
            changed = status != self._status
            self._status = status
            callback = self._on_status
        if changed and callback is not None:
            _call(callback, status, what="status")

    def _emit_tap(self, tap: CardTap) -> bool:
        """Hand a tap to the application; False when no one listens or the callback failed."""
        with self._lock:
            callback = self._on_tap
        return callback is not None and _call(callback, tap, what="tap")

    def _emit_error(self, bad: BadRead) -> None:
        with self._lock:
            callback = self._on_error
        if callback is not None:
            _call(callback, bad, what="bad-read")
        else:
            log.warning("%s: %s (%r)", bad.reader, bad.reason, bad.raw)


@runtime_checkable
class TakesKeys(Protocol):
    """A reader the till feeds key presses to (the keyboard wedge): the window hands it every
    key with its event time, and a key the reader takes is not the cashier's."""

    def feed_key(self, char: str, at: float) -> bool:
        """One key at `at` (seconds, monotonic); True when the reader took it."""
        ...

    def feed_enter(self, at: float) -> bool:
        """Enter at `at`; True when it ended a card number (a tap or a bad read was made)."""
        ...

    def flush(self, at: float) -> str:
        """Give back, as a typing BadRead, keys left waiting too long; returns them."""
        ...


class ThreadedReader(CardReader):
    """A reader that watches its device on a thread of its own (PC/SC, NFC, the simulated
    socket): start() and stop() are written once here, the subclass gives the hooks.

    start(): bind the callbacks; `_prepare()` (on the caller's thread: load the library, open
    the socket) returns None to go on, or the status that says why the reader cannot run;
    `_starting_status()` is reported; the thread runs `_run(stopping)` with a stop flag of its
    own (see ReaderRun). stop(): set the flag, `_wake()` the thread, join it for at most
    `stop_timeout_s`, `_release()` what _prepare opened, report `stopped_text`. Twice is fine.
    """

    stop_timeout_s = 5.0
    stopped_text = "Card reader stopped"

    def __init__(self, name: str, status: ReaderStatus) -> None:
        super().__init__(name, status)
        self._current: ReaderRun | None = None

    def start(
        self,
        on_tap: TapCallback,
        on_status: StatusCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> None:
        """Begin reading; a device that cannot be used sets the status, it never raises."""
        self._bind(on_tap, on_status, on_error)
        refused = self._prepare()
        if refused is not None:
            self._set_status(refused.state, refused.text)
            return
        run = ReaderRun(self.name, self._run)
        with self._lock:
            self._current = run
        starting = self._starting_status()
        if starting is not None:
            # Before the thread starts: whatever the thread reports comes after it.
            self._set_status(starting.state, starting.text)
        run.thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for it, release the device; idempotent."""
        with self._lock:
            run, self._current = self._current, None
            started = self._on_tap is not None
        if run is not None:
            run.stop(self.stop_timeout_s, wake=self._wake)
        self._release()
        if started:
            self._set_status(ReaderState.NO_READER, self.stopped_text)
        self._unbind()

    # -- hooks -----------------------------------------------------------------------------

    def _prepare(self) -> ReaderStatus | None:
        """Get ready on the caller's thread; a status instead of None: it cannot run here."""
        return None

    def _starting_status(self) -> ReaderStatus | None:
        """The status to report as the thread starts, if any."""
        return None

    @abstractmethod
    def _run(self, stopping: threading.Event) -> None:
        """The reader thread: watch the device until `stopping` is set."""

    def _wake(self) -> None:
        """Wake the thread from a blocking wait so it sees the stop flag."""

    def _release(self) -> None:
        """Close what _prepare opened (after the thread has ended, or given up on)."""


def _call(callback: Callable[[T], None], value: T, *, what: str) -> bool:
    try:
        callback(value)
    except Exception:
        log.exception("card reader %s callback failed", what)
        return False
    return True
