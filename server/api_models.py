"""The admin HTTP API's request and answer models: the wire's own types and limits.

Card ids go through the tills' normalisation on the way in (D-CARD-3): a back office that
types "72bf9961" stores the card a till reads as "72BF9961".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StrictInt, field_validator

from sync import limits
from sync.card_ids import canonical_card_id
from sync.protocol import (
    Count,
    Currency,
    FeedData,
    Key,
    Money,
    Name,
    PriceLevelName,
    ProductText,
    Text,
    Wire,
)

CardIdIn = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(canonical_card_id)]
Positive = Annotated[StrictInt, Field(gt=0, le=limits.MAX_AMOUNT)]
TillId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Types = Annotated[list[Key], Field(max_length=limits.MAX_LIST_ITEMS)]


class UnitIn(Wire):
    unit_id: Key
    name: Name
    unit_type: Key
    timezone: Annotated[str, Field(min_length=1, max_length=64)]
    currency: Currency
    seller_name: Name
    address: Text
    vat_number: Text


class TillIn(Wire):
    till_id: TillId
    unit_id: Key


class CardholderIn(Wire):
    cardholder_id: Key
    name: Name
    account_id: Key
    card_id: CardIdIn | None = None
    currency: Currency
    price_level: PriceLevelName = "student"
    allowed_unit_types: Types = Field(default_factory=lambda: ["mensa"])


class ProductIn(Wire):
    unit_id: Key
    name: ProductText
    category: ProductText
    prices: dict[PriceLevelName, Money]  # one for every price level (D-ACC-3)
    vat_rate_bp: Annotated[StrictInt, Field(ge=0, le=10000)]
    shortcut: Annotated[str, Field(min_length=1, max_length=8)] | None = None
    position: Annotated[StrictInt, Field(ge=-1_000_000, le=1_000_000)] = 0

    @field_validator("prices")
    @classmethod
    def _every_level(cls, prices: dict[str, int]) -> dict[str, int]:
        missing = [level for level in ("student", "staff", "guest") if level not in prices]
        if missing:
            raise ValueError(f"no price for {', '.join(missing)}: a till sells to every level")
        return prices


class AgreementIn(Wire):
    threshold: Money
    amount: Positive
    active_from: date
    ended: bool = False
    collection_failed: bool = False


class CardholderPatch(Wire):
    name: Name | None = None
    allowed_unit_types: Types | None = None
    daily_limit: Money | None = None
    remove_daily_limit: bool = False
    blocked_categories: Annotated[list[ProductText], Field(max_length=50)] | None = None


class AccountPatch(Wire):
    price_level: Literal["student", "staff", "guest"] | None = None
    membership_expires: date | None = None
    arrears: Money | None = None


class CardIn(Wire):
    card_id: CardIdIn


class ReplaceIn(Wire):
    new_card_id: CardIdIn
    fee: Money = 2500  # D-CARD-1: 25 DKK in 001/002


class DepositIn(Wire):
    card_id: CardIdIn
    amount: Positive


class Balance(FeedData):
    account_id: str
    balance: int


class DepositOut(FeedData):
    card_id: str
    balance: int


class TillCode(FeedData):
    till_id: str
    enrolment_code: str


class Created(FeedData):
    account_id: str


class CardIssued(FeedData):
    card_id: str
    account_id: str


class PhotoOut(FeedData):
    sha256: str


class Health(FeedData):
    status: Literal["ok"]
    database: str
    disk_free_bytes: Count | None = None


PolicyIn = dict[str, Any]
