"""Cardholder photos: content addresses and a decodability check.

The demo's generated portraits are drawn in demo/portraits.py.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image


class PhotoError(ValueError):
    """Photo bytes that are not a decodable image; the message says what is wrong."""


def sha256_hex(data: bytes) -> str:
    """The content address of a photo (invariant 5): lower-case hex SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


def validate_photo(data: bytes) -> None:
    """Raise PhotoError unless ``data`` decodes completely as an image (corrupt photo bytes)."""
    if not data:
        raise PhotoError("photo is empty (0 bytes)")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or "unknown format"
            probe.verify()
        # verify() checks structure and checksums but not all pixel data; load() decodes it all.
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            width, height = image.size
    except Exception as exc:  # Pillow raises many types for bad input: all mean "corrupt"
        raise PhotoError(
            f"photo is not a readable image ({len(data)} bytes): {type(exc).__name__}: {exc}"
        ) from exc
    if width < 1 or height < 1:
        raise PhotoError(f"photo has no pixels ({fmt}, {width}x{height})")
