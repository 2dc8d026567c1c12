"""The demo scheme seeds a real store: every card is found, every photo is a distinct image."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from demo import scheme
from sync.photos import sha256_hex, validate_photo
from sync.store import Store

NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)


def test_seeded_store_finds_every_card_with_its_photo(tmp_path: Path) -> None:
    """D-CARD-3/4: each demo card is found by lookup; its photo is stored, decodes and is unique."""
    today = scheme.local_today(NOW)
    data = scheme.build_demo(today)
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        scheme.seed(store, data, now=NOW)
        photos: set[str] = set()
        for person in data.people:
            for card in person.cards:
                snapshot = store.lookup(card.card_id, today)
                assert snapshot is not None, card.card_id
                assert snapshot.card.state is card.state
                assert snapshot.account.account_id == person.account.account_id
            found = store.lookup(person.card_id, today)
            assert found is not None
            sha = found.cardholder.photo_sha256
            if person.photo_seed is None:
                assert sha is None
                continue
            assert sha is not None
            data_bytes = store.photo(sha)
            assert data_bytes is not None
            assert sha256_hex(data_bytes) == sha
            validate_photo(data_bytes)
            photos.add(sha)
    assert len(photos) == len(data.people) - 1


def test_demo_table_has_a_row_per_cardholder() -> None:
    """The README table renders one row per demo cardholder, with card id and scenario."""
    data = scheme.build_demo(scheme.local_today(NOW))
    table = scheme.demo_table_markdown(data).splitlines()
    assert len(table) == 2 + len(data.people)
    for person, row in zip(data.people, table[2:], strict=True):
        assert person.cards[0].card_id in row
        assert person.scenario in row
