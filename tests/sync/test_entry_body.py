"""A body's stored text (sync/entry_body.py): the sale's own writer and the kept encoder give
exactly what the generic field walk with `sort_keys` gave, for every kind, and read back to
the same record."""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sync import entry_body
from sync.entry_body import (
    ArrearsPaymentBody,
    AutoloadBody,
    Body,
    Line,
    SaleBody,
    TopupBody,
    VoidBody,
)
from sync.protocol import read_body

text = st.text(max_size=12)  # control characters and non-ASCII included: escaped alike
money = st.integers(0, 10**9)
uuids = st.uuids()
lines = st.lists(
    st.builds(Line, text, text, text, st.integers(1, 99), money, st.integers(0, 10_000)),
    min_size=1,
    max_size=4,
)
bodies: st.SearchStrategy[Body] = st.one_of(
    st.builds(
        SaleBody,
        lines=lines,
        total=money,
        offline=st.booleans(),
        autoload_entry_id=st.none() | uuids,
        price_level=st.sampled_from([None, "student", "staff", "guest"]),
        verdict=st.none() | text,
        balance_after=st.none() | st.integers(-(10**9), 10**9),
    ),
    st.builds(AutoloadBody, st.just(True), st.booleans(), st.none() | uuids),
    st.builds(TopupBody, st.sampled_from(["cash", "bank_card"]), st.none() | money),
    st.builds(
        VoidBody,
        uuids,
        st.lists(lines.map(lambda ls: ls[0]), max_size=3),
        st.none() | st.integers(1, 10**6),
        st.sampled_from(["card", "cash", "bank_card"]),
        st.none() | money,
        st.sampled_from(["sale", "topup"]),
    ),
    st.builds(ArrearsPaymentBody, st.integers(1, 10**6), st.just("cash"), money, money),
)


def walked(value: Any) -> Any:
    """The generic walk the writer replaces: every field, UUIDs as text, lines as dicts."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list):
        return [walked(v) for v in value]
    if dataclasses.is_dataclass(value):
        return {f.name: walked(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


@given(bodies)
def test_the_stored_text_is_the_sorted_walk_of_every_field(body: Body) -> None:
    data = entry_body.to_json(body)
    assert data == walked(body)
    sorted_walk = json.dumps(walked(body), sort_keys=True, separators=(",", ":"))
    assert entry_body.encode(data) == sorted_walk
    kind = {v: k for k, v in entry_body.BODIES.items()}[type(body)]
    assert entry_body.read(kind, json.loads(entry_body.encode(data))) == body


def test_a_line_is_written_with_every_field_of_its_record() -> None:
    line = Line("p", "n", "c", 2, 350, 700)
    assert list(entry_body.line_json(line)) == sorted(f.name for f in dataclasses.fields(Line))


def test_an_id_with_a_control_character_anywhere_is_refused() -> None:
    """A body's ids (a line's product, say) hold no control character, at their end neither:
    the rule of the wire's own ids (a final newline once passed a `$` at the end of text)."""
    line = {"product_id": "m", "name": "Menü", "category": "Mains", "quantity": 1}
    line |= {"unit_price": 350, "vat_rate_bp": 700}
    sale = {"lines": [line], "total": 350, "price_level": "student"}
    assert isinstance(read_body("sale", sale), SaleBody)
    for bad in ("m\n", "m\x00", "\x7fm", "m\x1fn"):
        with pytest.raises(ValidationError, match="lines"):
            read_body("sale", {**sale, "lines": [{**line, "product_id": bad}]})
