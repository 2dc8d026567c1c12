"""The wire protocol between tills and the central server, version 1 (`/v1/`).

The server and the till import these same models. Unknown fields are refused, money is a
strict integer of minor units, instants carry their zone.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, field_validator

from sync.records import JournalEntry

VERSION = "v1"
MAX_BATCH = 500
MAX_AMOUNT = 10**9  # minor units; far above any canteen purchase, far below overflow

Amount = Annotated[StrictInt, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
Currency = Literal["EUR", "DKK", "SEK"]
EntryKindName = Literal["sale", "autoload", "topup", "void"]


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EntryIn(Wire):
    """One journal entry as the till wrote it: the same id and content forever."""

    id: UUID
    seq: Annotated[StrictInt, Field(ge=1)]
    kind: EntryKindName
    created_at: AwareDatetime
    business_day: date
    account_id: Annotated[str, Field(min_length=1, max_length=64)] | None
    card_id: Annotated[str, Field(min_length=1, max_length=64)] | None
    amount: Amount
    currency: Currency
    receipt_no: Annotated[StrictInt, Field(ge=1)] | None
    body: dict[str, Any]

    @field_validator("id")
    @classmethod
    def _uuid7(cls, value: UUID) -> UUID:
        if value.version != 7:
            raise ValueError("entry ids are UUIDv7")
        return value

    def content_hash(self) -> str:
        """What "the same entry" means for idempotency: every field, canonically encoded."""
        canonical = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def from_entry(cls, entry: JournalEntry) -> EntryIn:
        return cls(
            id=UUID(entry.entry_id),
            seq=entry.seq,
            kind=entry.kind.value,
            created_at=entry.created_at,
            business_day=entry.business_day,
            account_id=entry.account_id,
            card_id=entry.card_id,
            amount=entry.amount,
            currency=entry.currency,  # type: ignore[arg-type]
            receipt_no=entry.receipt_no,
            body=entry.body,
        )


class JournalBatch(Wire):
    entries: Annotated[list[EntryIn], Field(min_length=1, max_length=MAX_BATCH)]


EntryStatus = Literal["accepted", "duplicate", "conflict", "gap", "refused"]


class EntryResult(Wire):
    """The server's answer for one entry; a replay gets the original answer back."""

    id: UUID
    seq: int
    status: EntryStatus
    detail: str | None = None
    flags: list[str] = Field(default_factory=list)  # e.g. "overdraft": it happened, so kept

    @property
    def settled(self) -> bool:
        """The server holds this entry: the till may stop sending it."""
        return self.status in ("accepted", "duplicate")


class JournalAck(Wire):
    till_id: str
    results: list[EntryResult]
    applied_seq: int  # every entry of this till up to here is applied, without a gap


ChangeKind = Literal["unit", "cardholder", "account", "card", "product", "policy", "agreement"]


class Change(Wire):
    """An item that changed, with its state when the page was read (None: it is gone)."""

    seq: int
    kind: ChangeKind
    key: str
    data: dict[str, Any] | None


class ChangePage(Wire):
    changes: list[Change]
    cursor: int  # pass as `since` next time; store it with the changes, in one transaction
    more: bool  # another page follows at once (first sync, or a burst)
    applied_seq: int  # this till's entries up to here are in the balances above...
    refused: list[EntryResult] = Field(default_factory=list)  # ...except these, refused for good


class EnrollRequest(Wire):
    code: Annotated[str, Field(min_length=8, max_length=128)]


class EnrollResponse(Wire):
    till_id: str
    unit_id: str
    credential: str  # shown once; the server keeps only its hash


class ErrorBody(Wire):
    detail: str
