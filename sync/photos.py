"""Cardholder photos as both sides check them: the content address and the one decode check.

The server checks every upload with `validate_photo` (and answers 413 or 422 as
`server.errors` maps these errors); the till checks photo bytes with the same function. The
limits are those of `sync.limits`. Pillow is imported only when a photo is checked: neither
side's start-up pays for it.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from sync import limits


class PhotoError(Exception):
    """Photo bytes that are refused; the message says what is wrong."""


class PhotoTooLarge(PhotoError):
    """Over a photo limit of `sync.limits` (bytes, pixels or a side); the message names it."""


class NotAnImage(PhotoError):
    """Bytes that do not decode completely as an image."""


def sha256_hex(data: bytes) -> str:
    """The content address of a photo (invariant 5): lower-case hex SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


def validate_photo(data: bytes) -> str:
    """The photo's media type, once it is known to decode completely within the limits.

    Refused when it is too large to decode safely (a 20,000 × 20,000 PNG is a few kilobytes
    and gigabytes of pixels: the size in its header is checked before any pixel is read),
    or when it is not a whole image (empty, not an image, truncated, corrupt).
    """
    from PIL import Image

    if len(data) > limits.MAX_PHOTO_BYTES:
        raise PhotoTooLarge(
            f"the photo is {len(data)} bytes; the limit is {limits.MAX_PHOTO_BYTES} bytes"
        )
    if not data:
        raise NotAnImage("the photo is not an image: it is empty (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                _check_pixels(width, height)
                media = Image.MIME.get(probe.format or "", "application/octet-stream")
                probe.verify()
            # verify() checks the structure and checksums, not every pixel: load() decodes all.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoTooLarge(
            f"the photo has more pixels than {limits.MAX_PHOTO_PIXELS}"
            f" (at most {limits.MAX_PHOTO_SIDE} a side)"
        ) from None
    except PhotoError:
        raise
    except Exception as exc:  # Pillow raises many types for bad bytes: all mean "not an image"
        raise NotAnImage(
            f"the photo is not an image ({len(data)} bytes): {type(exc).__name__}: {exc}"
        ) from None
    if width < 1 or height < 1:
        raise NotAnImage(f"the photo is not an image: it has no pixels ({width} × {height})")
    return media


def _check_pixels(width: int, height: int) -> None:
    if (
        width > limits.MAX_PHOTO_SIDE
        or height > limits.MAX_PHOTO_SIDE
        or width * height > limits.MAX_PHOTO_PIXELS
    ):
        raise PhotoTooLarge(
            f"the photo is {width} × {height} pixels; the limit is {limits.MAX_PHOTO_PIXELS}"
            f" pixels and {limits.MAX_PHOTO_SIDE} a side"
        )
