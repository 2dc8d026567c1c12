"""What a device search found, as `canteen-till devices` shows it to an installer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One device found, or why none was: never an exception, the reason is the finding.

    `where` is how it was looked for ("PC/SC", "NFC", "USB", "device file"), `text` the
    device with the config string that uses it, or why there is none; `spec` is that config
    string, None when nothing was found.
    """

    where: str
    text: str
    spec: str | None = None
