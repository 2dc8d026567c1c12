"""The card readers this machine has: PC/SC readers through pcscd, NFC readers nfcpy drives."""

from __future__ import annotations

from drivers.discovery import Finding


def find_readers() -> list[Finding]:
    """PC/SC readers, then NFC readers on USB; each search that finds nothing says why."""
    return [*_pcsc_readers(), *_nfc_readers()]


def _pcsc_readers() -> list[Finding]:
    try:
        from drivers.cards import pcsc

        names = pcsc.list_readers()
    except Exception as exc:  # pcscd missing or down: that is the finding
        return [Finding("PC/SC", f"none ({exc})")]
    found = []
    for name in names:
        spec = f"pcsc:{pcsc.stable_name(name)}"
        found.append(Finding("PC/SC", f'{name}  (reader.kind = "{spec}")', spec))
    return found or [Finding("PC/SC", "no readers")]


def _nfc_readers() -> list[Finding]:
    try:
        from drivers.cards import nfc

        found = nfc.list_devices()
    except Exception as exc:  # nfcpy cannot look: say why
        return [Finding("NFC", f"none ({exc})")]
    # Each description starts with its spec ("nfc:usb:VID:PID  (USB bus ...").
    return [Finding("NFC", text, text.split()[0]) for text in found] or [
        Finding("NFC", "no NFC devices on USB")
    ]
