"""The one photo check both sides use: its limits, its errors and the media type it gives."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from sync import limits
from sync.photos import NotAnImage, PhotoTooLarge, sha256_hex, validate_photo


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


def test_a_whole_image_gives_its_media_type_and_its_address_is_its_sha256() -> None:
    data = png(64, 48)
    assert validate_photo(data) == "image/png"
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG")
    assert validate_photo(out.getvalue()) == "image/jpeg"
    assert sha256_hex(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_over_a_limit_is_photo_too_large_naming_the_limit() -> None:
    over = b"\x89PNG\r\n\x1a\n" + b"\0" * limits.MAX_PHOTO_BYTES
    with pytest.raises(PhotoTooLarge, match=f"{len(over)} bytes; the limit is"):
        validate_photo(over)
    wide = png(limits.MAX_PHOTO_SIDE + 1, 1)
    with pytest.raises(PhotoTooLarge, match=f"{limits.MAX_PHOTO_SIDE} a side"):
        validate_photo(wide)


@pytest.mark.parametrize(
    "data", [b"", b"not an image", png(64, 64)[:60]], ids=["empty", "text", "truncated"]
)
def test_bytes_that_do_not_decode_are_not_an_image(data: bytes) -> None:
    with pytest.raises(NotAnImage, match="not an image"):
        validate_photo(data)
