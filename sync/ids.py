"""Journal entry ids: UUIDv7, so ids sort by creation time and never collide between tills."""

from __future__ import annotations

import uuid6


def new_id() -> str:
    """A fresh UUIDv7 in its canonical text form."""
    return str(uuid6.uuid7())
