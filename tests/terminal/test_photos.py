"""Generated portraits (nothing downloaded) and the check that flags corrupt photo bytes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from sync.photos import PhotoError, sha256_hex, validate_photo
from terminal.photos import generate_portrait


def test_portraits_are_deterministic_distinct_images() -> None:
    """The same seed gives the same PNG; different seeds give different people."""
    a = generate_portrait(1, "Anna Lindqvist")
    assert a == generate_portrait(1, "Anna Lindqvist")
    others = {sha256_hex(generate_portrait(seed, "X")) for seed in range(2, 8)}
    assert len(others) == 6
    assert sha256_hex(a) not in others
    with Image.open(io.BytesIO(a)) as image:
        assert image.size == (320, 320)
    validate_photo(a)


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image", generate_portrait(3, "Truncated")[:200]],
    ids=["empty", "text", "truncated-png"],
)
def test_d_card_4_corrupt_photo_bytes_are_refused(data: bytes) -> None:
    """D-CARD-4: bytes that are not a whole image are a PhotoError, so the till can flag them."""
    with pytest.raises(PhotoError):
        validate_photo(data)
