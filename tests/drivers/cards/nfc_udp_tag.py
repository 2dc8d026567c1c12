"""A contactless card held on nfcpy's `udp` reader, for the NFC driver's tests.

nfcpy's udp driver carries contactless frames as UDP datagrams ("212F 0600ffff0100"): the reader
side (`ContactlessFrontend("udp:127.0.0.1:PORT")` in the driver under test) sends commands to
PORT from a throw-away socket; the card side is a second ContactlessFrontend on the same path
whose `listen()` binds PORT and answers as a card (card emulation, the "target" role). This
module is that card side, running in its own thread:

- "F": a FeliCa card. nfcpy's udp `listen_ttf` answers the reader's polling (SENSF_REQ) with the
  IDm; the first command addressed to the IDm activates it, and from then on nfcpy's own
  `Type3TagEmulation` (what `tagtool --emulate` and `clf.connect(card=...)` use) answers the
  reader's presence checks.
- "A": an ISO 14443 A card (NFC Forum Type 2, like a MIFARE Ultralight). `listen_tta` does the
  anticollision and selection with the NFCID1; nfcpy has no Type 2 tag emulation, so the few
  READ commands a reader sends (its presence check) are answered here.
- "B": an ISO 14443 B card (Type 4B). `listen_ttb` answers SENSB_REQ with the PUPI and returns
  the ATTRIB; nfcpy has no Type 4 emulation either, so ATTRIB and the ISO-DEP presence check
  (an R(NAK)) are answered here.

`remove()` takes the card away: the thread stops and the frontend closes, so the reader's next
presence check goes unanswered, as when a card leaves the field. A card can be put back by
starting a new `EmulatedCard` on the same port.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal, Self

import nfc
import nfc.clf
import nfc.tag

log = logging.getLogger(__name__)

Kind = Literal["A", "B", "F"]

# How long one listen() waits to be found before the loop looks at the stop flag again. The udp
# driver forgets a FeliCa polling when listen() returns, so a long window keeps the reader's
# first presence check inside the listen that answered its polling (see the module docstring).
LISTEN_S = 2.0
# How long an activated card waits for the reader's next command before looking at the stop
# flag; it keeps waiting afterwards (a reader pauses between presence checks).
EXCHANGE_S = 0.5

# FeliCa PMm: IC code 0x01 (a FeliCa Standard RC-S915) makes nfcpy check presence with Request
# Response; byte 3 = 0xFF gives that command nfcpy's longest timeout (about 0.3 s), so a busy
# test machine does not look like a card leaving the field.
FELICA_PMM = bytes.fromhex("0001FFFFFFFFFFFF")
FELICA_SYSTEM_CODE = bytes.fromhex("12FC")
# Type A: ATQA 0x0044 (not a Type 1 tag), SAK 0x00 (a Type 2 tag, no ISO-DEP).
TYPE_A_SENS_RES = bytes.fromhex("4400")
TYPE_A_SEL_RES = bytes.fromhex("00")
# Type B: application data, then protocol info: 106 kbit/s only; FSCI 8 (256-byte frames) and
# ISO 14443-4 compliant; FWI 11 (about 0.6 s frame waiting time, nfcpy's presence-check timeout).
TYPE_B_APP_DATA = bytes.fromhex("00000000")
TYPE_B_PROTOCOL_INFO = bytes.fromhex("0081B1")


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that nothing is bound to right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class EmulatedCard:
    """One card in the field of the udp reader on `port` until `remove()` (or the with block ends).

    `uid` is the identifier the reader should see: the NFCID1 (4 or 7 bytes) for "A", the PUPI
    (4 bytes) for "B", the IDm (8 bytes) for "F". `answered` counts the reader's commands this
    card has answered since it was activated (its presence checks); `field_off` is set when the
    reader switched its field off while the card was active (nfcpy's udp reader does that when
    it closes or senses again).
    """

    def __init__(self, port: int, kind: Kind, uid: bytes) -> None:
        self.port = port
        self.kind = kind
        self.uid = bytes(uid)
        self._stop = threading.Event()
        self.field_off = threading.Event()
        self._answered = 0
        self._changed = threading.Condition()
        self._clf: Any = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()

    @property
    def answered(self) -> int:
        with self._changed:
            return self._answered

    def wait_answered(self, count: int, timeout: float) -> bool:
        """Wait until the card has answered `count` commands; False when `timeout` passes first."""
        with self._changed:
            return self._changed.wait_for(lambda: self._answered >= count, timeout)

    def start(self) -> None:
        self._clf = nfc.ContactlessFrontend(f"udp:127.0.0.1:{self.port}")
        self._thread = threading.Thread(
            target=self._run, name=f"emulated-card-{self.kind}", daemon=True
        )
        self._thread.start()

    def remove(self) -> None:
        """Take the card out of the field: stop answering and close the frontend."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(LISTEN_S + EXCHANGE_S + 10.0)
            if self._thread.is_alive():
                raise RuntimeError("the emulated card's thread did not stop")
            self._thread = None
        if self._clf is not None:
            self._clf.close()
            self._clf = None

    # -- the card's side of the protocol ------------------------------------------------------

    def _run(self) -> None:
        local = self._local_target()
        while not self._stop.is_set():
            try:
                activated = self._clf.listen(local, LISTEN_S)
            except nfc.clf.CommunicationError as exc:
                # The reader went quiet or switched its field off half-way through activation
                # (udp listen_ttb waits for the ATTRIB outside its own error handling).
                log.debug("emulated card: activation broke off: %s", exc)
                continue
            if activated is None:
                continue
            log.debug("emulated card activated as %s", activated)
            if self.kind == "F":
                self._serve_felica(activated)
            elif self.kind == "A":
                self._serve(self._type2_response, activated.tt2_cmd)
            else:
                self._serve(self._type4b_response, activated.tt4_cmd)

    def _local_target(self) -> Any:
        if self.kind == "F":
            sensf_res = b"\x01" + self.uid + FELICA_PMM + FELICA_SYSTEM_CODE
            return nfc.clf.LocalTarget("212F", sensf_res=bytearray(sensf_res))
        if self.kind == "A":
            return nfc.clf.LocalTarget(
                "106A",
                sens_res=bytearray(TYPE_A_SENS_RES),
                sdd_res=bytearray(self.uid),
                sel_res=bytearray(TYPE_A_SEL_RES),
            )
        sensb_res = b"\x50" + self.uid + TYPE_B_APP_DATA + TYPE_B_PROTOCOL_INFO
        return nfc.clf.LocalTarget("106B", sensb_res=bytearray(sensb_res))

    def _serve_felica(self, activated: Any) -> None:
        tag = nfc.tag.emulate(self._clf, activated)
        if tag is None:  # activated for peer-to-peer, not as a card: not emulated here
            return
        response = tag.process_command(tag.cmd)
        self._count()
        while not self._stop.is_set():
            try:
                command = tag.send_response(response, EXCHANGE_S)
            except nfc.clf.BrokenLinkError:
                self.field_off.set()  # the reader switched its field off
                return
            except nfc.clf.CommunicationError:
                response = None  # nothing yet (or garbage): keep listening, send nothing
                continue
            response = tag.process_command(command)
            self._count()

    def _serve(
        self, respond: Callable[[bytearray], bytearray | None], command: bytearray | None
    ) -> None:
        """Answer the reader's commands until it switches its field off or the card is removed."""
        while not self._stop.is_set():
            response = None
            if command is not None:
                response = respond(command)
                self._count()
            try:
                command = self._clf.exchange(response, EXCHANGE_S)
            except nfc.clf.BrokenLinkError:
                self.field_off.set()
                return
            except nfc.clf.CommunicationError:
                command = None  # nothing yet (or garbage): keep listening, send nothing

    def _type2_response(self, command: bytearray) -> bytearray | None:
        # READ (0x30, page): 16 bytes from that page on (the reader's presence check reads page
        # 0). The memory starts with the NFCID1, the rest is blank. Anything else: stay silent,
        # as a Type 2 tag goes mute on a command it does not know.
        if len(command) == 2 and command[0] == 0x30:
            memory = (self.uid + bytes(64))[:64]
            start = 4 * command[1]
            return bytearray((memory + bytes(16))[start : start + 16])
        return None

    def _type4b_response(self, command: bytearray) -> bytearray | None:
        if command[:1] == b"\x1d" and command[1:5] == self.uid:
            return bytearray(b"\x00")  # ATTRIB answer: MBLI 0, CID 0
        if command[0] & 0xE6 == 0xA2:  # R-block (ACK or NAK; nfcpy's presence check is a NAK)
            return bytearray([0xA2 | (command[0] & 0x01)])  # R(ACK) with the same block number
        if command[0] & 0xEE == 0x02:  # I-block with an APDU: no application here
            return bytearray([command[0] & 0x01 | 0x02]) + b"\x6a\x82"
        if command[0] & 0xF7 == 0xC2:  # S(DESELECT)
            return bytearray(command[:1])
        return None

    def _count(self) -> None:
        with self._changed:
            self._answered += 1
            self._changed.notify_all()
