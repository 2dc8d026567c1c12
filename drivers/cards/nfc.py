"""NFC card readers through nfcpy: USB readers (Sony RC-S380, ACR122U, PN533...), serial ones,
and nfcpy's `udp` reader that tests and demos use in place of hardware.

The config spec is `nfc:PATH` where PATH is nfcpy's ContactlessFrontend path:

    usb                 the first supported USB reader
    usb:VID:PID         e.g. usb:054c:06c3 (a Sony RC-S380; survives re-plugging)
    usb:BUS:DEV         e.g. usb:001:004 (as lsusb shows it; changes when re-plugged)
    tty:PORT[:driver]   e.g. tty:USB0:pn532 (/dev/ttyUSB0)
    udp[:host[:port]]   nfcpy's emulated reader (default localhost:54321)

A reader thread runs nfcpy's `connect(rdwr=...)` loop: each card that is activated becomes one
CardTap with its identifier (ISO 14443 A: the NFCID1; B: the PUPI; FeliCa: the IDm), and nfcpy
then waits for the card to leave the field, so a card left on the reader is one tap. A reader
that cannot be opened sets a NO_READER or ERROR status and is tried again every few seconds.
"""

from __future__ import annotations

import errno
import logging
import os
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
from drivers.errors import BadCardRead

log = logging.getLogger(__name__)

# What nfcpy senses for: ISO 14443 A and B at 106 kbit/s, FeliCa at 212 kbit/s (nfcpy's own
# default; FeliCa cards answer at 212 and 424, so one rate suffices).
DEFAULT_TARGETS = ("106A", "106B", "212F")
KNOWN_TARGETS = frozenset(("106A", "212A", "424A", "106B", "212B", "424B", "848B", "212F", "424F"))
# nfcpy calls `terminate` once per sense cycle and between presence checks; waiting there paces
# the polling (nfcpy's own pacing would keep the stop flag unread for seconds) and still wakes
# at once on stop().
POLL_INTERVAL_S = 0.2
RETRY_INTERVAL_S = 2.0
# One sense cycle is milliseconds on USB but up to 1 s per target on udp with no card there.
STOP_TIMEOUT_S = 10.0

TECHNOLOGIES = {"A": "iso14443a", "B": "iso14443b", "F": "felica"}
UID_LENGTHS = {"iso14443a": (4, 7, 10), "iso14443b": (4,), "felica": (8,)}
_LENGTH_WORDS = {"iso14443a": "4, 7 or 10 bytes", "iso14443b": "4 bytes", "felica": "8 bytes"}
_TECHNOLOGY_NAMES = {"iso14443a": "ISO 14443 A", "iso14443b": "ISO 14443 B", "felica": "FeliCa"}
# nfcpy tag classes by technology, for a tag whose target (and so bit rate) is gone.
_CLASS_TECHNOLOGIES = {
    "Type1Tag": "iso14443a",
    "Type2Tag": "iso14443a",
    "Type4ATag": "iso14443a",
    "Type4BTag": "iso14443b",
    "Type3Tag": "felica",
}

_PATH_PATTERNS = (
    re.compile(r"usb(:[0-9a-fA-F]{4}(:[0-9a-fA-F]{4})?)?"),
    re.compile(r"usb:[0-9]{1,3}(:[0-9]{1,3})?"),
    re.compile(r"tty:[A-Za-z0-9-]+(:[a-z0-9_]+)?"),
    re.compile(r"udp(:[A-Za-z0-9.-]*(:[0-9]{1,5})?)?"),
)
UNREADABLE = "the card could not be read; present it again"
PATH_HELP = "use usb, usb:VID:PID, usb:BUS:DEV, tty:PORT[:driver] or udp[:host[:port]]"


class UnreadableCard(BadCardRead):
    """An activated card whose identifier is missing or not a card number of its technology."""

    def __init__(self, raw: str, reason: str) -> None:
        super().__init__(reason)
        self.raw = raw
        self.reason = reason


def check_path(path: str) -> str:
    """The nfcpy device path, stripped; ValueError naming it when it is not one."""
    cleaned = path.strip()
    if not any(p.fullmatch(cleaned) for p in _PATH_PATTERNS):
        raise ValueError(f"NFC reader path {path!r}: {PATH_HELP}")
    host_port = cleaned.split(":")
    if host_port[0] == "udp" and len(host_port) == 3 and not 0 < int(host_port[2]) < 65536:
        raise ValueError(f"NFC reader path {path!r}: the udp port must be 1 to 65535")
    return cleaned


def identify(tag: Any) -> tuple[bytes, str]:
    """The UID bytes and technology ("iso14443a", "iso14443b", "felica") of an nfcpy tag.

    Raises UnreadableCard when the tag has no identifier, an identifier of the wrong length for
    its technology, or a technology the till does not take.
    """
    technology = _technology(tag)
    try:
        identifier = tag.identifier
    except Exception:  # nfcpy's Tag.identifier reads an attribute only some tag classes set
        identifier = None
    if not isinstance(identifier, bytes | bytearray) or not identifier:
        raise UnreadableCard("", f"{UNREADABLE} (it gave no number)")
    uid = bytes(identifier)
    if technology is None:
        raise UnreadableCard(uid.hex().upper(), "this kind of card is not taken here")
    if len(uid) not in UID_LENGTHS[technology]:
        raise UnreadableCard(
            uid.hex().upper(),
            f"the card number is {len(uid)} bytes; {_TECHNOLOGY_NAMES[technology]} cards have "
            f"{_LENGTH_WORDS[technology]}",
        )
    return uid, technology


def _technology(tag: Any) -> str | None:
    brty = getattr(getattr(tag, "target", None), "brty", None)
    if isinstance(brty, str) and brty[-1:] in TECHNOLOGIES:
        return TECHNOLOGIES[brty[-1:]]
    for cls in type(tag).__mro__:
        if cls.__name__ in _CLASS_TECHNOLOGIES:
            return _CLASS_TECHNOLOGIES[cls.__name__]
    return None


def _load_nfc() -> Any:
    import nfc
    import nfc.clf

    return nfc


class NfcReader(ThreadedReader):
    """An nfcpy reader on `path` (see the module docstring), read in its own daemon thread.

    `targets` are nfcpy's bit rate and technology strings to sense for. `poll_interval` is the
    pause between sense cycles and between presence checks; `retry_interval` the wait before
    opening the reader again after it could not be opened or failed.
    """

    stop_timeout_s = STOP_TIMEOUT_S
    stopped_text = "NFC reader stopped"

    def __init__(
        self,
        path: str,
        *,
        name: str | None = None,
        targets: Sequence[str] = DEFAULT_TARGETS,
        poll_interval: float = POLL_INTERVAL_S,
        retry_interval: float = RETRY_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path = check_path(path)
        super().__init__(
            name or f"nfc:{self._path}",
            ReaderStatus(ReaderState.NO_READER, "NFC reader not started"),
        )
        unknown = [t for t in targets if t not in KNOWN_TARGETS]
        if unknown or not targets:
            raise ValueError(
                f"NFC targets {list(targets)!r}: use some of {', '.join(sorted(KNOWN_TARGETS))}"
            )
        self._targets = tuple(targets)
        self._poll_interval = poll_interval
        self._retry_interval = retry_interval
        self._clock = clock
        # A card whose activation keeps failing while it lies on the reader is reported once:
        # the last such report, forgotten after a sense cycle that found no card.
        self._last_bad: BadRead | None = None
        self._cycle_found_card = False
        # The last card tapped, until a sense cycle finds the field empty: a card left on the
        # reader across a device failure and reconnect is not a second tap.
        self._held: bytes | None = None

    @property
    def path(self) -> str:
        return self._path

    def _starting_status(self) -> ReaderStatus:
        # The device is opened on the reader thread (so start() never blocks) and closed there
        # when stopped.
        return ReaderStatus(ReaderState.NO_READER, f"Opening the NFC reader at {self._path}")

    # -- the reader thread ------------------------------------------------------------------

    def _run(self, stopping: threading.Event) -> None:
        try:
            nfc = _load_nfc()
        except Exception as exc:  # ImportError, or OSError when libusb cannot be loaded
            log.error("nfcpy cannot be loaded: %s", exc)
            self._report(
                stopping,
                ReaderState.UNAVAILABLE,
                f"NFC readers cannot be used on this till: nfcpy is missing or broken ({exc})",
            )
            return
        while not stopping.is_set():
            clf = self._open(nfc, stopping)
            if clf is None:
                stopping.wait(self._retry_interval)
                continue
            try:
                healthy = self._read(clf, stopping)
            finally:
                self._close(clf)
            if not healthy:
                stopping.wait(self._retry_interval)

    def _open(self, nfc: Any, stopping: threading.Event) -> Any:
        """An open ContactlessFrontend, or None with the status saying why not."""
        clf = nfc.ContactlessFrontend()
        where = f"NFC reader at {self._path}"
        try:
            found = clf.open(self._path)
        except OSError as exc:
            self._close(clf)
            if exc.errno == errno.ENODEV:
                found = False
            elif exc.errno == errno.EACCES:
                self._report(
                    stopping,
                    ReaderState.ERROR,
                    f"{where} cannot be opened: no permission (are the till's udev rules "
                    "installed?)",
                )
                return None
            elif exc.errno == errno.EBUSY:
                self._report(stopping, ReaderState.ERROR, f"{where} is in use by another program")
                return None
            else:
                self._report(
                    stopping,
                    ReaderState.ERROR,
                    f"{where} cannot be opened: {exc.strerror or exc}",
                )
                return None
        except Exception as exc:  # a bad host name (udp), a missing driver module (tty), ...
            self._close(clf)
            self._report(stopping, ReaderState.ERROR, f"{where} cannot be opened: {exc}")
            return None
        if not found:
            self._close(clf)
            self._report(
                stopping,
                ReaderState.NO_READER,
                f"NFC reader not found at {self._path}: check that it is plugged in",
            )
            return None
        log.info("NFC reader %s: %s", self.name, clf)
        self._report(stopping, ReaderState.CONNECTED, f"NFC reader ready: {self._path}")
        return clf

    def _read(self, clf: Any, stopping: threading.Event) -> bool:
        """Read cards until stopped (True) or until the device fails (False)."""

        def terminate() -> bool:
            if not self._cycle_found_card:
                self._last_bad = None  # the card that failed has left
                self._held = None  # and the card that tapped, too
            self._cycle_found_card = False
            return stopping.wait(self._poll_interval)

        options = {
            "targets": list(self._targets),
            "on-discover": self._on_discover,
            "on-connect": self._on_connect,
            "on-release": self._on_release,
            "iterations": 1,  # terminate() paces and checks for stop between cycles
            "beep-on-connect": True,
        }
        while not stopping.is_set():
            try:
                result = clf.connect(rdwr=options, terminate=terminate)
            except OSError as exc:
                result = False
                log.error("NFC reader %s failed: %s", self.name, exc)
            except Exception as exc:
                if self._cycle_found_card:
                    # nfcpy's activation code broke on this card's answers (it indexes into
                    # them unchecked); the card is unreadable, the reader is fine.
                    log.warning("NFC card could not be activated: %r", exc, exc_info=True)
                    self._bad(BadRead(self.name, "", UNREADABLE))
                    continue
                log.exception("NFC reader %s failed", self.name)
                result = False
            if result is False:  # nfcpy's answer to an IOError from the device
                self._report(
                    stopping,
                    ReaderState.ERROR,
                    f"NFC reader at {self._path} stopped working; reconnecting",
                )
                return False
        return True

    def _on_discover(self, target: Any) -> bool:
        self._cycle_found_card = True
        # As nfcpy's default: skip peer-to-peer devices (phones), whose NFCID is random anyway.
        sel_res = getattr(target, "sel_res", None)
        sensf_res = getattr(target, "sensf_res", None)
        if sel_res and sel_res[0] & 0x40:
            return False
        return not (sensf_res and sensf_res[1:3] == b"\x01\xfe")

    def _on_connect(self, tag: Any) -> bool:
        """nfcpy's on-connect: one tap (or one bad read) for each time a card is presented."""
        try:
            uid, technology = identify(tag)
        except UnreadableCard as exc:
            self._bad(BadRead(self.name, exc.raw, exc.reason))
        else:
            self._last_bad = None
            if uid == self._held:
                # Still lying there since before the device failed and was reopened: it paid
                # already, and the duplicate-tap window may well have passed.
                log.info("%s: card %s still on the reader after reconnecting", self.name, uid.hex())
                return True
            self._held = uid
            self._emit_tap(
                CardTap(uid=uid, reader=self.name, technology=technology, at=self._clock())
            )
        # True: nfcpy now checks presence until the card leaves, so it is not read again.
        return True

    def _on_release(self, tag: Any) -> bool:
        """nfcpy saw the card leave (not called when the device fails while it lies there)."""
        self._held = None
        return True

    def _bad(self, bad: BadRead) -> None:
        if bad == self._last_bad:
            log.debug("%s: %s again (not reported)", bad.reader, bad.reason)
            return
        self._last_bad = bad
        self._emit_error(bad)

    def _report(self, stopping: threading.Event, state: ReaderState, text: str) -> None:
        """Set the status unless stop() was called (its "stopped" status is the last word)."""
        if stopping.is_set():
            return
        if self.status != ReaderStatus(state, text):
            log.log(logging.INFO if state is ReaderState.CONNECTED else logging.WARNING, text)
        self._set_status(state, text)

    @staticmethod
    def _close(clf: Any) -> None:
        try:
            clf.close()
        except Exception:
            log.debug("closing the NFC reader failed", exc_info=True)


def list_devices() -> list[str]:
    """Supported NFC readers on USB, one description each; best effort, never raises.

    Each starts with the spec to configure (`nfc:usb:VID:PID`), then where it is plugged in.
    """
    try:
        _load_nfc()
        from nfc.clf import device, transport

        drivers: dict[tuple[int, int], str] = dict(device.usb_device_map)
        descriptions = []
        for vid, pid, bus, dev in transport.USB.find("usb") or []:
            driver = drivers.get((vid, pid))
            if driver is None:
                continue  # another USB device
            text = (
                f"nfc:usb:{vid:04x}:{pid:04x}  (USB bus {bus:03d} device {dev:03d}, "
                f"nfcpy driver {driver})"
            )
            node = f"/dev/bus/usb/{bus:03d}/{dev:03d}"
            if os.path.exists(node) and not os.access(node, os.R_OK | os.W_OK):
                text += ": no permission to open it (are the till's udev rules installed?)"
            descriptions.append(text)
    except Exception:  # libusb missing or failing, an odd device entry: list what we can't
        log.debug("listing NFC readers failed", exc_info=True)
        return []
    return descriptions
