"""A till's sync with a server database in the same process: the feed read and applied as the
sync client does it, without HTTP (demo scenarios, properties)."""

from __future__ import annotations

from datetime import datetime

from server import catalogue
from server.db import Database
from server.feed import read_page
from sync.client import apply_page
from sync.protocol import ChangePage, PageEnvelope
from sync.store import Store


def apply(store: Store, page: ChangePage, since: str, now: datetime) -> bool:
    """A page as the server built it, applied as the till reads it (item by item)."""
    envelope = PageEnvelope.model_validate(page.model_dump(mode="json"))
    return apply_page(store, envelope, since=since, synced_at=now)


def pull_all(db: Database, store: Store, till_id: str, now: datetime) -> None:
    """Every page until the feed's head, and the photos the till may see."""
    more = True
    while more:
        since = store.feed_cursor()
        page = read_page(
            db,
            till_id,
            since,
            known_recv=store.known_recv(),
            after_recv=store.results_after(),
            series=[store.series()],
        )
        more = apply(store, page, since, now)
    for sha in store.missing_photos():
        found = catalogue.photo_for_till(db, sha, till_id)
        assert found is not None
        store.put_photo(sha, found[0])
