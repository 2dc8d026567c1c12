"""An entry's content hash is what "the same entry" means forever (D-SYNC-2: idempotent by
entry id): the server compares a replay's hash with the one it stored, maybe years before. The
hash is made from the body's canonical text kept as the entry is read (`EntryIn._storable`);
it must be the very hash the model's own encoding gives (as every stored one was made), for
any body and any field a till or a forger can send, however it was read.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sync import protocol
from sync.protocol import EntryIn, _canonical

# A sale stored before the body's text was kept: its hashes as the server stored them then.
STORED = (
    '{"id":"0193a0f0-0000-7000-8000-000000000001",'
    '"series":"0193a0f0-0000-7000-8000-0000000000ff","seq":7,"kind":"sale",'
    '"created_at":"2026-12-02T11:30:00.250000+01:00","business_day":"2026-12-02",'
    '"account_id":"a\\",\\"business_day\\":1","card_id":"04AB","amount":-350,"currency":"EUR",'
    '"receipt_no":12,"body":{"total":350,"lines":[{"name":"Menü \\u00e9 \\\\ \\"x\\"",'
    '"unit_price":350,"quantity":1,"vat_rate_bp":700,"product_id":"m","category":"Mains"}],'
    '"price_level":"student","big":123456789012345678901234567890,"f":1.5e16}}'
)
STORED_HASH = "6467893f5df747b9aab50c21b98b70819198b22d02523b16669157feb14bc6da"
STORED_LEGACY_HASH = "67bc096c67087965e36321a0204acaaaa536b17fd20e91ea73fd8f92b3a2949a"


def model_hash(entry: EntryIn, exclude: set[str]) -> str:
    """The hash as every stored one was made: the model's JSON form, keys sorted."""
    canonical = json.dumps(
        entry.model_dump(mode="json", exclude=exclude),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_a_stored_hash_is_found_again() -> None:
    entry = EntryIn.model_validate_json(STORED)
    assert entry.content_hash() == STORED_HASH
    assert entry.legacy_hash() == STORED_LEGACY_HASH


# Text a forger may put anywhere: quotes, backslashes, the keys' own spelling, NaN's.
tricky = st.sampled_from(['"', "\\", ',"business_day":', '"body":', "NaN", "Infinity", "é", "😀"])
text = st.lists(st.one_of(st.text(max_size=6), tricky), max_size=4).map("".join)
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=True, allow_infinity=True),
        text,
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=12,
)
zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-3, minutes=-30))]
)


@st.composite
def entries(draw: st.DrawFn) -> dict[str, Any]:
    at = datetime(2026, 12, 2, 11, 30, tzinfo=draw(zones)) + timedelta(
        microseconds=draw(st.integers(0, 10**9))
    )
    return {
        "id": str(
            UUID(int=(0x0193A0F0 << 96) | (7 << 76) | (2 << 62) | draw(st.integers(0, 2**40)))
        ),
        "seq": draw(st.integers(1, 2**40)),
        "kind": draw(st.sampled_from(["sale", "autoload", "topup", "void", "arrears_payment"])),
        "created_at": at.isoformat(),
        "business_day": (
            date(2026, 12, 2) + timedelta(days=draw(st.integers(-400, 400)))
        ).isoformat(),
        "account_id": draw(st.one_of(st.none(), text.filter(bool))),
        "card_id": draw(st.one_of(st.none(), st.sampled_from(["04AB", "C1", "72BF9961"]))),
        "amount": draw(st.integers(-(10**6), 10**6)),
        "currency": draw(st.sampled_from(["EUR", "DKK", "SEK"])),
        "receipt_no": draw(st.one_of(st.none(), st.integers(1, 2**40))),
        "body": draw(st.dictionaries(text, json_values, max_size=5)),
    }


@settings(max_examples=300, deadline=None)
@given(entries())
def test_the_hash_is_the_models_own(fields: dict[str, Any]) -> None:
    """Read from the wire (as the server does) or built in Python (as the till does): the
    same hash as the model's own encoding gives, and the body reads the same."""
    try:
        wire = EntryIn.model_validate_json(json.dumps(fields, allow_nan=True))
    except ValidationError:
        return  # refused as it is read (a lone surrogate, a NUL, an account id too long)
    built = EntryIn(**{**fields, "body": json.loads(json.dumps(fields["body"]))})
    for entry in (wire, built):
        assert entry.content_hash() == model_hash(entry, {"series", "seq"})
        assert entry.legacy_hash() == model_hash(entry, {"series"})
    assert wire.content_hash() == built.content_hash()


def reference(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_the_canonical_text_of_every_code_point_is_jsons() -> None:
    """orjson writes the text json writes for each character (escapes, U+2028, DEL, past
    the BMP), as a value and as a key; a lone surrogate goes to json, which keeps it (the
    entry is then refused as no UTF-8)."""
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(points), 4096):
        chunk = points[start : start + 4096]
        value = {c: c for c in chunk}
        assert _canonical(value) == reference(value), f"code points from {ord(chunk[0]):#x}"
    assert _canonical(["a\ud800"]) == reference(["a\ud800"])


@settings(max_examples=500, deadline=None)
@given(json_values)
def test_the_canonical_text_of_any_value_is_jsons(value: Any) -> None:
    """Floats (NaN, 1e-07), integers past 64 bits and anything else a forger sends: the
    text json writes, whichever of the two writes it."""
    assert _canonical(value) == reference(value)
    assert _canonical({"k": [value, {"n": value}]}) == reference({"k": [value, {"n": value}]})


def test_values_orjson_cannot_write_are_written_by_json() -> None:
    for value in ({"big": 2**64}, {"small": -(2**63) - 1}, {"f": 1e-7}, {"nan": float("nan")}):
        assert _canonical(value) == reference(value)
    deep: Any = 1
    for _ in range(400):  # deeper than orjson goes
        deep = [deep]
    assert _canonical(deep) == reference(deep)


def test_orjson_writes_only_what_json_writes_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """orjson writes a value of JSON's own types (the fast path is taken: counted), and
    nothing else: a float inside a tuple or a subclass, a UUID or a datetime (which json
    refuses, so a body holding one is refused as before) all go to json."""
    written: list[Any] = []

    def counting(value: Any, **options: Any) -> bytes:
        written.append(value)
        return orjson.dumps(value, **options)

    monkeypatch.setattr(
        protocol, "orjson", SimpleNamespace(dumps=counting, OPT_SORT_KEYS=orjson.OPT_SORT_KEYS)
    )
    plain = {"b": [1, "x", None, True, {"c": -(2**63)}], "a": "é"}
    assert _canonical(plain) == reference(plain)
    assert written == [plain]

    class Listed(list[Any]):
        pass

    for value in ({"t": (1e-7,)}, {"l": Listed([1e-7])}, {"n": 1.5}):
        assert _canonical(value) == reference(value)
    for refused in ({"u": UUID(int=1)}, {"d": datetime(2026, 12, 4, tzinfo=UTC)}):
        with pytest.raises(TypeError):
            _canonical(refused)
    assert written == [plain]
