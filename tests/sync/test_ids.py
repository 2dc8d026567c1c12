"""Entry ids are UUIDv7: version, variant and the creation time where RFC 9562 puts them,
unique, and in the order they were made."""

from __future__ import annotations

import time
from uuid import UUID

from sync.ids import new_id


def test_an_id_is_a_uuid7_of_its_time() -> None:
    before = time.time_ns() // 1_000_000
    text = new_id()
    value = UUID(text)
    assert str(value) == text  # canonical: lower case, dashes where they belong
    assert value.version == 7
    assert value.variant == "specified in RFC 4122"
    assert value.int >> 80 >= before


def test_ids_are_unique_and_sort_in_the_order_they_were_made() -> None:
    made = [new_id() for _ in range(20_000)]
    assert len(set(made)) == len(made)
    assert made == sorted(made)
    assert {UUID(text).version for text in made} == {7}


def test_the_random_bits_vary() -> None:
    made = [UUID(new_id()).int for _ in range(200)]
    rand_a = {(v >> 64) & 0xFFF for v in made}
    rand_b = {v & ((1 << 62) - 1) for v in made}
    assert len(rand_a) > 100
    assert len(rand_b) == len(made)


def test_a_burst_of_ids_keeps_to_the_clock() -> None:
    """Ids within one millisecond count on in rand_a: a server making thousands a second
    must not run its ids' time ahead of the clock (one millisecond an id would put 20,000
    ids 20 s into the future)."""
    made = [new_id() for _ in range(20_000)]
    after = time.time_ns() // 1_000_000
    assert UUID(made[-1]).int >> 80 <= after + 2


def test_ids_made_on_several_threads_are_unique() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        batches = list(pool.map(lambda _: [new_id() for _ in range(5_000)], range(4)))
    made = [i for batch in batches for i in batch]
    assert len(set(made)) == len(made)
    for batch in batches:
        assert batch == sorted(batch)
