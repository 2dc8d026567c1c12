"""The one table of refusals: each class has its status, none is a ValueError."""

from __future__ import annotations

import pytest

from server import errors
from sync.photos import NotAnImage, PhotoTooLarge


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (errors.Unauthorized, 401),
        (errors.Forbidden, 403),
        (errors.NotFound, 404),
        (errors.Conflict, 409),
        (errors.TooLarge, 413),
        (errors.Invalid, 422),
        (errors.Unavailable, 503),
        (PhotoTooLarge, 413),
        (NotAnImage, 422),
    ],
)
def test_each_refusal_has_its_one_status(kind: type[Exception], status: int) -> None:
    exc = kind("why")
    assert errors.status_of(exc) == status
    assert isinstance(exc, errors.REFUSALS)
    assert not isinstance(exc, ValueError)


def test_what_is_no_refusal_has_no_status() -> None:
    with pytest.raises(TypeError, match="not a refusal"):
        errors.status_of(ValueError("a bug"))


def test_an_unauthorized_answer_asks_for_a_bearer_token() -> None:
    assert errors.Unauthorized.headers == {"WWW-Authenticate": "Bearer"}
    assert errors.Forbidden.headers == {}
