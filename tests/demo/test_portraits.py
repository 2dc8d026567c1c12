"""Generated portraits (nothing downloaded): deterministic, distinct, whole images."""

from __future__ import annotations

import io

from PIL import Image

from demo.portraits import generate_portrait
from sync.photos import sha256_hex, validate_photo


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
