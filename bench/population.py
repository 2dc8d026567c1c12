"""A scheme of N cardholders in a till store, the size of a large campus, built in seconds."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from demo import scheme
from demo.portraits import generate_portrait
from sync.photos import sha256_hex
from sync.records import Account, Card, Cardholder, CardState, PriceLevel
from sync.store import Store

DISTINCT_PHOTOS = 400  # far more than the UI keeps decoded (64): most taps decode a photo


def card_id(i: int) -> str:
    return f"04{i:012X}"


def build(path: Path, n: int, *, seed: int = 7) -> list[str]:
    """Demo unit and menu plus `n` cardholders with photos; returns their card ids."""
    now = datetime.now(UTC)
    data = scheme.build_demo(scheme.local_today(now))
    rng = random.Random(seed)
    with Store.open(path, till_id="till-1") as store:
        scheme.seed(store, data, now=now)
        photos = []
        for k in range(DISTINCT_PHOTOS):
            img = generate_portrait(10_000 + k, f"Person {k}")
            sha = sha256_hex(img)
            store.put_photo(sha, img)
            photos.append(sha)
        unit_type = data.unit.unit_type
        levels = list(PriceLevel)

        def holders() -> Iterator[Cardholder]:
            for i in range(n):
                yield Cardholder(
                    f"bench-h{i}",
                    f"Cardholder {i}",
                    photos[i % len(photos)],
                    frozenset({unit_type}),
                )

        def accounts() -> Iterator[Account]:
            for i in range(n):
                yield Account(
                    f"bench-a{i}",
                    f"bench-h{i}",
                    data.unit.currency,
                    rng.randrange(0, 12000),
                    levels[i % 3],
                    date(2027, 9, 30) if i % 2 else None,
                )

        def cards() -> Iterator[Card]:
            for i in range(n):
                yield Card(card_id(i), f"bench-a{i}", CardState.ACTIVE)

        store.upsert_cardholders(holders())
        store.upsert_accounts(accounts())
        store.upsert_cards(cards())
    return [card_id(i) for i in range(n)]


if __name__ == "__main__":
    import sys

    build(Path(sys.argv[1]), int(sys.argv[2]))
