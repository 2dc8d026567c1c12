"""A till pushes its journal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from server.auth import Claim, claim
from server.http_errors import WRITE_ERRORS, errors
from server.ingest import push
from server.state import DB
from sync.protocol import JournalAck, JournalBatch

router = APIRouter()
Claimed = Annotated[Claim, Depends(claim)]


@router.post(
    "/v1/tills/{till}/journal",
    response_model=JournalAck,
    responses=errors(401, 403, *WRITE_ERRORS),
)
def journal(batch: JournalBatch, claimed: Claimed, db: DB) -> JournalAck:
    """A batch of journal entries; one result each. Idempotent forever by entry id."""
    # A body that is no storable text (a lone surrogate, a NUL) is refused by EntryIn itself:
    # a 422 naming the entry, before anything is written.
    # One connection and one thread hop per push; the credential is checked in a read of its
    # own first (one statement, no transaction around it), so a request with a bad one never
    # queues for the write lock.
    with db.session() as held:
        with held.lone() as tx:
            till = claimed.check(tx)
        return push(held, till, list(batch.entries), known_recv=batch.known_recv)
