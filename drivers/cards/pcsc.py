"""PC/SC card readers through pcscd and pyscard's low-level `smartcard.scard` API.

`PcscReader(pattern)` watches pcscd on its own daemon thread with SCardGetStatusChange: the
special "\\\\?PnP?\\Notification" reader tells when readers come and go, the chosen reader's state
when a card arrives. The reader is the first one whose name matches `pattern` (case-insensitive;
a glob such as "ACS*" must match the whole name, plain text any part of it; "*" is the first
reader). On each card arrival the card's UID is read with GET UID (FF CA 00 00 00) and a CardTap
is emitted; a card left on the reader is one tap, a new tap needs it lifted and presented again.
A card already on the reader when the reader is first seen (start, replug, pcscd restart) is not
a tap: after a restart it may be a card that was already charged.

Status: CONNECTED "Reader ready: NAME"; NO_READER "Card reader unplugged" when no reader
matches; UNAVAILABLE "pcscd not running: ..." when pcscd cannot be reached (the context is
retried every `retry_s`), or when pyscard is missing. Bad reads (an error status word, a UID of
the wrong length, a card or reader gone mid-read) go to `on_error` as BadRead; no tap is made
and the reader keeps watching. `stop()` cancels the wait (SCardCancel) and joins the thread.
"""

from __future__ import annotations

import fnmatch
import importlib
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from drivers.cards.base import (
    BadRead,
    CardTap,
    ReaderState,
    ReaderStatus,
    ThreadedReader,
)
from drivers.cards.pcsc_apdu import (
    GET_ATS,
    GET_UID,
    UidReadError,
    hex_bytes,
    is_storage_card_atr,
    parse_uid_response,
    technology_from_atr,
)
from drivers.errors import ReaderUnavailable

log = logging.getLogger(__name__)

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"
NOT_RUNNING = "pcscd not running: start the PC/SC service (sudo systemctl start pcscd.socket)"
UNPLUGGED = "Card reader unplugged"
WAIT_MS = 1000  # SCardGetStatusChange timeout; stop() cancels it at once anyway
RETRY_S = 1.0
STOP_TIMEOUT_S = 5.0


class PcscUnavailable(ReaderUnavailable):
    """PC/SC cannot be used here (pcscd not running, pyscard missing); the message says why."""


class _ContextLost(Exception):
    """pcscd went away (or the context broke): release it and establish a new one."""


def _load_scard() -> Any:
    try:
        return importlib.import_module("smartcard.scard")
    except (ImportError, OSError) as exc:
        raise PcscUnavailable(f"PC/SC unavailable: pyscard cannot be loaded ({exc})") from exc


def _lost_codes(scard: Any) -> frozenset[int]:
    return frozenset(
        int(getattr(scard, name))
        for name in (
            "SCARD_E_NO_SERVICE",
            "SCARD_E_SERVICE_STOPPED",
            "SCARD_F_COMM_ERROR",
            "SCARD_E_INVALID_HANDLE",
            "SCARD_E_NO_MEMORY",
        )
        if hasattr(scard, name)
    )


def _establish(scard: Any) -> int:
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult == scard.SCARD_S_SUCCESS:
        return int(context)
    if int(hresult) in _lost_codes(scard):
        raise PcscUnavailable(NOT_RUNNING)
    raise PcscUnavailable(f"PC/SC unavailable: {scard.SCardGetErrorMessage(hresult)}")


def _list(scard: Any, context: int) -> list[str]:
    hresult, readers = scard.SCardListReaders(context, [])
    if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
        return []
    if hresult != scard.SCARD_S_SUCCESS:
        raise _ContextLost(scard.SCardGetErrorMessage(hresult))
    return [str(r) for r in readers]


def list_readers() -> list[str]:
    """The names of the PC/SC readers present; PcscUnavailable when pcscd is not running."""
    scard = _load_scard()
    context = _establish(scard)
    try:
        return _list(scard, context)
    except _ContextLost as exc:
        raise PcscUnavailable(NOT_RUNNING) from exc
    finally:
        scard.SCardReleaseContext(context)


def match_reader(readers: Sequence[str], pattern: str) -> str | None:
    """The first reader matching `pattern` (see the module docstring), or None.

    The whole name first, then text in the name, then a glob: pcsc-lite names hold brackets
    ("ACS ACR1252 1S CL Reader [ACR1252 Dual Reader PICC] 00 00"), which as a glob would be
    a set of characters, so a name copied from `canteen-till devices` must match as text."""
    wanted = pattern.strip().lower()
    if wanted in ("", "*"):
        return readers[0] if readers else None
    names = [(reader, reader.lower()) for reader in readers]
    for test in (
        lambda name: name == wanted,
        lambda name: wanted in name,
        lambda name: fnmatch.fnmatchcase(name, wanted),
    ):
        for reader, name in names:
            if test(name):
                return reader
    return None


def stable_name(reader: str) -> str:
    """The reader's name without the slot numbers pcscd appends ("… 00 00"), which change
    when readers are plugged in another order: what to put in the config."""
    return re.sub(r"(\s+[0-9A-Fa-f]{2}){2}$", "", reader)


class PcscReader(ThreadedReader):
    """The first PC/SC reader whose name matches `pattern`, watched on a daemon thread."""

    stop_timeout_s = STOP_TIMEOUT_S
    stopped_text = "PC/SC reader stopped"

    def __init__(
        self,
        pattern: str = "*",
        *,
        name: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        retry_s: float = RETRY_S,
    ) -> None:
        super().__init__(
            name or f"pcsc:{pattern}",
            ReaderStatus(ReaderState.NO_READER, "PC/SC reader not started"),
        )
        self._pattern = pattern
        self._clock = clock
        self._retry_s = retry_s
        self._scard: Any = None
        self._context_lock = threading.Lock()
        self._context: int | None = None
        # the watched reader's state as last reported, and (present, event counter) of its card
        self._target_state = 0
        self._card: tuple[bool, int] = (False, 0)

    @property
    def pattern(self) -> str:
        return self._pattern

    def _prepare(self) -> ReaderStatus | None:
        """Without pyscard the status is UNAVAILABLE and no thread runs."""
        try:
            self._scard = _load_scard()
        except PcscUnavailable as exc:
            return ReaderStatus(ReaderState.UNAVAILABLE, str(exc))
        return None

    def _wake(self) -> None:
        """Cancel the thread's SCardGetStatusChange."""
        with self._context_lock:
            if self._context is not None:
                self._scard.SCardCancel(self._context)

    # -- the thread ------------------------------------------------------------------------

    def _run(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            healthy = False
            try:
                context = self._open_context(stopping)
                if context is None:
                    return
                try:
                    healthy = self._watch(context, stopping)
                finally:
                    self._close_context(context)
            except PcscUnavailable as exc:
                self._set_status(ReaderState.UNAVAILABLE, str(exc))
            except Exception:
                log.exception("PC/SC reader %s failed; retrying", self.name)
                self._set_status(ReaderState.ERROR, "PC/SC reader failed; retrying (see the log)")
            if not healthy:
                stopping.wait(self._retry_s)

    def _open_context(self, stopping: threading.Event) -> int | None:
        context = _establish(self._scard)
        with self._context_lock:
            if stopping.is_set():
                self._scard.SCardReleaseContext(context)
                return None
            self._context = context
        return context

    def _close_context(self, context: int) -> None:
        with self._context_lock:
            self._context = None
            self._scard.SCardReleaseContext(context)

    def _watch(self, context: int, stopping: threading.Event) -> bool:
        """Follow readers and cards until stopped (True) or the context is lost (False
        if it never got going, so the caller waits before retrying)."""
        s = self._scard
        healthy = False
        target: str | None = None
        pnp_state = int(s.SCARD_STATE_UNAWARE)
        relist = True
        try:
            while not stopping.is_set():
                if relist:
                    target = self._choose(context, target, _list(s, context))
                    relist = False
                watched = [(PNP_NOTIFICATION, pnp_state)]
                if target is not None:
                    watched.append((target, self._target_state))
                hresult, states = s.SCardGetStatusChange(context, WAIT_MS, watched)
                if hresult in (s.SCARD_E_TIMEOUT, s.SCARD_E_CANCELLED):
                    healthy = True
                    continue
                if hresult == s.SCARD_E_UNKNOWN_READER:
                    relist = True
                    stopping.wait(0.05)
                    continue
                if hresult != s.SCARD_S_SUCCESS:
                    raise _ContextLost(s.SCardGetErrorMessage(hresult))
                healthy = True
                for reader, event, atr in states:
                    event = int(event)
                    if reader == PNP_NOTIFICATION:
                        relist = relist or bool(event & s.SCARD_STATE_CHANGED)
                        pnp_state = event & ~s.SCARD_STATE_CHANGED
                    elif reader == target:
                        relist = relist or bool(event & s.SCARD_STATE_UNKNOWN)
                        self._target_state = event & ~s.SCARD_STATE_CHANGED
                        self._card_event(context, reader, event, list(atr))
        except _ContextLost as exc:
            log.warning("PC/SC context lost (%s); reconnecting to pcscd", exc)
        return healthy

    def _choose(self, context: int, current: str | None, readers: list[str]) -> str | None:
        """Keep the watched reader while it is there, else take the first match."""
        if current is not None and current in readers:
            return current
        s = self._scard
        target = match_reader(readers, self._pattern)
        if target is None:
            log.info("no PC/SC reader matches %r (readers: %s)", self._pattern, readers)
            if readers:  # plugged in, but not the one configured: say which are there
                text = f"No card reader matches {self._pattern!r}; found {', '.join(readers)}"
                self._set_status(ReaderState.NO_READER, text)
            else:
                self._set_status(ReaderState.NO_READER, UNPLUGGED)
            return None
        # the baseline: a card already lying on the reader is not a tap
        hresult, states = s.SCardGetStatusChange(context, 0, [(target, s.SCARD_STATE_UNAWARE)])
        if hresult == s.SCARD_E_UNKNOWN_READER:
            self._set_status(ReaderState.NO_READER, UNPLUGGED)
            return None
        if hresult != s.SCARD_S_SUCCESS:
            raise _ContextLost(s.SCardGetErrorMessage(hresult))
        event = int(states[0][1])
        self._target_state = event & ~s.SCARD_STATE_CHANGED
        self._card = (bool(event & s.SCARD_STATE_PRESENT), event >> 16)
        if self._card[0]:
            log.info("a card already lies on %s: lift it and tap again to use it", target)
        self._set_status(ReaderState.CONNECTED, f"Reader ready: {target}")
        return target

    def _card_event(self, context: int, reader: str, event: int, atr: list[int]) -> None:
        s = self._scard
        present = bool(event & s.SCARD_STATE_PRESENT)
        was_present, counter = self._card
        self._card = (present, event >> 16)
        if not present or (was_present and event >> 16 == counter):
            return  # no card, or the same card still there
        if event & s.SCARD_STATE_MUTE:
            self._bad_read(reader, hex_bytes(atr), "the card does not answer; tap again")
            return
        self._read_card(context, reader, atr)

    # -- reading a card --------------------------------------------------------------------

    def _read_card(self, context: int, reader: str, atr: list[int]) -> None:
        s = self._scard
        protocols = s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1
        hresult, card, protocol = s.SCardConnect(context, reader, s.SCARD_SHARE_SHARED, protocols)
        if hresult != s.SCARD_S_SUCCESS:
            self._scard_failed(reader, int(hresult))
            return
        try:
            pci = s.SCARD_PCI_T1 if protocol == s.SCARD_PROTOCOL_T1 else s.SCARD_PCI_T0
            hresult, response = s.SCardTransmit(card, pci, list(GET_UID))
            if hresult != s.SCARD_S_SUCCESS:
                self._scard_failed(reader, int(hresult))
                return
            try:
                uid = parse_uid_response(list(response))
            except UidReadError as exc:
                self._bad_read(reader, hex_bytes(response), str(exc))
                return
            technology = technology_from_atr(atr)
            self._emit_tap(CardTap(uid, f"pcsc:{reader}", technology, self._clock()))
            if not is_storage_card_atr(atr):
                hresult, ats = s.SCardTransmit(card, pci, list(GET_ATS))
                if hresult == s.SCARD_S_SUCCESS and list(ats[-2:]) == [0x90, 0x00]:
                    log.info(
                        "card %s on %s: ATS %s", uid.hex().upper(), reader, hex_bytes(ats[:-2])
                    )
        finally:
            s.SCardDisconnect(card, s.SCARD_LEAVE_CARD)

    def _scard_failed(self, reader: str, hresult: int) -> None:
        s = self._scard
        message = str(s.SCardGetErrorMessage(hresult))
        raw = f"0x{hresult & 0xFFFFFFFF:08X} {message}"
        if hresult in (s.SCARD_W_REMOVED_CARD, s.SCARD_E_NO_SMARTCARD, s.SCARD_W_RESET_CARD):
            self._bad_read(reader, raw, "the card was taken away before it was read; tap again")
        elif hresult in (s.SCARD_E_UNKNOWN_READER, s.SCARD_E_READER_UNAVAILABLE):
            self._bad_read(
                reader, raw, "the reader was unplugged while reading the card; tap again"
            )
        elif hresult in _lost_codes(s):
            self._bad_read(reader, raw, "pcscd stopped while reading the card; tap again")
            raise _ContextLost(message)
        else:
            self._bad_read(reader, raw, f"the card could not be read ({message}); tap again")

    def _bad_read(self, reader: str, raw: str, reason: str) -> None:
        log.warning("pcsc:%s: %s (%s)", reader, reason, raw)
        self._emit_error(BadRead(f"pcsc:{reader}", raw, reason))
