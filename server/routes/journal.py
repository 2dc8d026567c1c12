"""A till pushes its journal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from server.auth import till_of
from server.http_errors import WRITE_ERRORS, errors
from server.ingest import ingest
from server.state import DB
from sync.protocol import JournalAck, JournalBatch

router = APIRouter()
Till = Annotated[str, Depends(till_of)]


@router.post(
    "/v1/tills/{till}/journal",
    response_model=JournalAck,
    responses=errors(401, 403, *WRITE_ERRORS),
)
def journal(batch: JournalBatch, till: Till, db: DB) -> JournalAck:
    """A batch of journal entries; one result each. Idempotent forever by entry id."""
    # A body that is no storable text (a lone surrogate, a NUL) is refused by EntryIn itself:
    # a 422 naming the entry, before anything is written.
    return ingest(db, till, list(batch.entries), known_recv=batch.known_recv)
