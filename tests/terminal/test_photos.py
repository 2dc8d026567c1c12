"""The check that flags corrupt photo bytes."""

from __future__ import annotations

import pytest

from demo.portraits import generate_portrait
from sync.photos import PhotoError, validate_photo


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image", generate_portrait(3, "Truncated")[:200]],
    ids=["empty", "text", "truncated-png"],
)
def test_d_card_4_corrupt_photo_bytes_are_refused(data: bytes) -> None:
    """D-CARD-4: bytes that are not a whole image are a PhotoError, so the till can flag them."""
    with pytest.raises(PhotoError):
        validate_photo(data)
