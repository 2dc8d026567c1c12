"""The admin HTTP API's request and answer models: the wire's own types and limits.

Card ids go through the tills' normalisation on the way in (D-CARD-3): a back office that
types "72bf9961" stores the card a till reads as "72BF9961".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    Tag,
    field_validator,
)

from sync import limits
from sync.card_ids import canonical_card_id
from sync.entry_body import Line
from sync.protocol import (
    CautionName,
    Count,
    Currency,
    EntryKindName,
    FeedData,
    Key,
    LocaleName,
    Money,
    Name,
    PriceLevelName,
    ProductText,
    Text,
    Wire,
    every_level,
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
    locale: LocaleName = ""


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
        return every_level(prices)


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


Seconds = Annotated[StrictFloat, Field(ge=0, le=3600, allow_inf_nan=False)]


def _amount_shape(value: object) -> str:
    return "per_currency" if isinstance(value, dict) else "amount"


# A money setting: per currency, or one amount in the scheme's one currency (server.policy).
MoneySetting = Annotated[
    Annotated[Money, Tag("amount")]
    | Annotated[dict[Currency, Money], Field(min_length=1), Tag("per_currency")],
    Discriminator(_amount_shape),
]


class PolicySettings(Wire):
    """The scheme policy as set: each key left out takes its default (`sync.policy.Policy`);
    the keys' bounds are checked together when it is set (min <= max per currency, …). Money
    settings are per currency (currencies left out keep their defaults); a single amount is
    the scheme's one currency's, refused when its units sell in several."""

    autoload_trigger: Literal["before_purchase", "after_purchase"] | None = None
    autoloads_per_day: Annotated[StrictInt, Field(ge=1, le=1000)] | Literal["unlimited"] | None = (
        None  # null: unlimited
    )
    balance_cap: MoneySetting | None = None
    autoload_min_amount: MoneySetting | None = None
    autoload_max_amount: MoneySetting | None = None
    topup_min_amount: MoneySetting | None = None
    topup_max_amount: MoneySetting | None = None
    max_entry_amount: (
        Annotated[
            dict[Currency, Annotated[StrictInt, Field(ge=1, le=limits.MAX_AMOUNT)]],
            Field(min_length=1),
        ]
        | None
    ) = None
    offline_limit: MoneySetting | None = None
    print_receipts: Literal["always", "on_request"] | None = None
    duplicate_tap_window_s: Seconds | None = None
    auto_charge_on_tap: StrictBool | None = None
    offline_after_s: Annotated[StrictInt, Field(ge=1, le=86_400)] | None = None
    unsent_alarm_s: Annotated[StrictInt, Field(ge=1, le=864_000)] | None = None
    hold_charge_on: Annotated[list[CautionName], Field(max_length=16)] | None = None


PolicyIn = PolicySettings


# -- what the back office reads ----------------------------------------------------------------


class TillRow(FeedData):
    """A till as the operator sees it: unit, enrolment, what it delivered."""

    till_id: str
    unit_id: str
    enrolled_at: str | None
    revoked_at: str | None
    entries_received: int  # the highest receive number given to its entries
    last_entry_at: str | None
    refusals: int
    flagged: int
    reports: int


class Movement(FeedData):
    """One movement of a balance and where it came from; a till entry's with its kind, flags
    and lines."""

    at: str
    amount: int
    balance: int
    source: str  # "till:<till>:<entry id>", "deposit:<card>", "replace:<card>"
    kind: EntryKindName | None = None
    flags: list[str] | None = None
    lines: list[Line] | None = None


class AccountLedger(FeedData):
    account_id: str
    currency: str
    balance: int
    movements: list[Movement]


class RefusalRow(FeedData):
    """An entry refused for good (it cannot have happened): kept, never booked."""

    till_id: str
    entry_id: str
    seq: int
    reason: str
    received_at: str


class FlaggedRow(FeedData):
    """An entry booked although it broke a rule: it happened offline."""

    till_id: str
    entry_id: str
    kind: str
    account_id: str | None
    amount: int | None
    business_day: str | None
    flags: list[str]
    received_at: str


class ReportRow(FeedData):
    """A feed item a till could not read (skipped), or read without fields it did not know."""

    till_id: str
    received_at: str
    seq: int | None
    kind: str
    key: str | None
    problem: str
    skipped: bool


class Limit(FeedData):
    value: int | float
    what: str  # what it limits
