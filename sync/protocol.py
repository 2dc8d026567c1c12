"""The wire protocol between tills and the central server, version 1 (`/v1/`).

The server and the till import these same models: the till builds every entry it pushes with
them and reads every feed item with them; the server reads every push with them and writes
every feed item with them. Money is a strict integer of minor units, instants carry their zone,
every integer is bounded (64-bit at most), every text has a length limit (`sync.limits`).

What a till sends is refused when it has a field the server does not know. What the server
sends a till is read leniently where that keeps an older till working: a feed item's unknown
fields are ignored (a newer server adds fields), and an item the till cannot read at all is
skipped and reported on its own (`read_change`), never stalling the rest of the feed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from sync import entry_body, limits
from sync.policy import Caution
from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardState,
    JournalEntry,
    PriceLevel,
    Product,
    Unit,
)

VERSION = "v1"
MAX_BATCH = limits.MAX_BATCH
MAX_AMOUNT = limits.MAX_AMOUNT
NIL_SERIES = UUID(int=0)  # the numbering of entries written before stores had series of their own

_NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
NO_CONTROL = _NO_CONTROL  # the server's paths take ids under the same rule
_NO_NUL = r"^[^\x00]*$"
Amount = Annotated[StrictInt, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
Money = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT)]
Balance = Annotated[StrictInt, Field(ge=-limits.INT64_MAX, le=limits.INT64_MAX)]
Count = Annotated[StrictInt, Field(ge=0, le=limits.INT64_MAX)]
Seq = Annotated[StrictInt, Field(ge=1, le=limits.INT64_MAX)]
Key = Annotated[str, Field(min_length=1, max_length=limits.MAX_ID_CHARS, pattern=_NO_CONTROL)]
CardId = Annotated[str, Field(min_length=1, max_length=limits.MAX_ID_CHARS, pattern=r"^[0-9A-F]+$")]
Name = Annotated[str, Field(min_length=1, max_length=limits.MAX_NAME_CHARS, pattern=_NO_CONTROL)]
Text = Annotated[str, Field(max_length=limits.MAX_NAME_CHARS, pattern=_NO_CONTROL)]
ProductText = Annotated[
    str, Field(min_length=1, max_length=limits.MAX_PRODUCT_TEXT, pattern=_NO_CONTROL)
]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Currency = Literal["EUR", "DKK", "SEK"]
PriceLevelName = Literal["student", "staff", "guest"]
EntryKindName = Literal["sale", "autoload", "topup", "void", "arrears_payment"]
CURRENCIES: tuple[str, ...] = ("EUR", "DKK", "SEK")


class Wire(BaseModel):
    """What a till or the back office sends: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedData(BaseModel):
    """What the server sends a till: a newer server's additional fields are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# -- journal entries: till → server ------------------------------------------------------------


# The bodies' schema is `sync.entry_body`'s, one record per kind; these read them strictly.
_BODY_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    kind: TypeAdapter(cls) for kind, cls in entry_body.BODIES.items()
}


def read_body(kind: str, body: dict[str, Any]) -> entry_body.Body:
    """An entry's body read by its kind's record, strictly, as JSON (ids as text, integers as
    integers); raises ValidationError naming what is wrong, KeyError for an unknown kind."""
    text = body.canonical if isinstance(body, _Body) else json.dumps(body, ensure_ascii=False)
    result: entry_body.Body = _BODY_ADAPTERS[kind].validate_json(text)
    return result


def _canonical(value: Any) -> str:
    """JSON as the content hash encodes it: keys sorted, no spaces, text as it is (json's
    `dumps` with `sort_keys`, compact, `ensure_ascii=False`: every stored hash was made so).

    orjson writes that very text ten times faster for a value made of JSON's own types only,
    with no float. A float it writes its own way (1e-7 where json writes 1e-07, a NaN as
    null); an integer past 64 bits or a lone surrogate it does not write at all; a UUID or a
    datetime it writes where json refuses them. Those, and any other type, go to json
    (tests/sync/test_content_hash.py compares the two over every code point and over forged
    values)."""
    if _json_alike(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
        except TypeError:  # past 64 bits, a lone surrogate, nested too deep
            pass
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_SCALARS = (str, int, bool, type(None))


def _json_alike(value: Any) -> bool:
    """Only dicts (keys text), lists, text, integers, booleans and null, of exactly those
    types: what orjson and json write as the same text (orjson's TypeError aside)."""
    todo = [value]
    while todo:
        item = todo.pop()
        kind = type(item)
        if kind is dict or kind is _Body:
            if not all(type(key) is str for key in item):
                return False
            todo.extend(item.values())
        elif kind is list:
            todo.extend(item)
        elif kind not in _SCALARS:
            return False
    return True


class _Body(dict[str, Any]):
    """An entry's body with its canonical JSON text (`_canonical`), made once as the entry is
    read: its content hash and its reading by its kind's record start from that text instead
    of encoding the body again (two encodings an entry, a fifth of a batch's CPU)."""

    __slots__ = ("canonical",)

    def __init__(self, body: dict[str, Any], canonical: str) -> None:
        super().__init__(body)
        self.canonical = canonical


class EntryIn(Wire):
    """One journal entry as the till wrote it: the same id and content forever."""

    id: UUID
    series: UUID = NIL_SERIES  # the till store's own numbering (a new store starts a new one)
    seq: Seq  # gap-free within the series
    kind: EntryKindName
    created_at: AwareDatetime
    business_day: date
    account_id: Key | None
    card_id: CardId | None
    amount: Amount
    currency: Currency
    receipt_no: Annotated[StrictInt, Field(ge=1, le=limits.INT64_MAX)] | None
    body: dict[str, Any]

    @field_validator("id")
    @classmethod
    def _uuid7(cls, value: UUID) -> UUID:
        if value.version != 7:
            raise ValueError("entry ids are UUIDv7")
        return value

    @field_validator("body")
    @classmethod
    def _storable(cls, body: dict[str, Any]) -> dict[str, Any]:
        try:  # a lone surrogate or a NUL is no text a database can keep, nor a till writes
            text = _canonical(body)
            text.encode("utf-8")
        except (UnicodeEncodeError, ValueError, TypeError, RecursionError) as exc:
            raise ValueError(f"the body cannot be stored as UTF-8 JSON: {exc}") from None
        # json escapes every NUL, in a key or a value, as \u0000: without that text there is
        # none to look for (with it, maybe only a backslash before "u0000": looked at closely)
        if "\\u0000" in text and _has_nul(body):
            raise ValueError("the body holds a NUL character")
        # The hash writes a NaN or an infinity as null, as pydantic's JSON does: a body
        # with one (or with that text in it) is hashed the long way, from the model.
        if "NaN" in text or "Infinity" in text:
            return body
        return _Body(body, text)

    def content_hash(self) -> str:
        """What "the same entry" means for idempotency: what happened, canonically encoded;
        not the series and seq that number it (a till moves an entry to a recovery series)."""
        return self._hash(exclude={"series", "seq"})

    def legacy_hash(self) -> str:
        """The hash entries were stored with before series: every field but the series."""
        return self._hash(exclude={"series"})

    def _hash(self, *, exclude: set[str]) -> str:
        body = self.body
        if isinstance(body, _Body):
            # The body's canonical text was made as it was checked: the rest of the entry is
            # encoded around it. Every entry has "amount" and "business_day", the keys either
            # side of "body" in sorted order, and no text value holds `,"` (a quote inside
            # one is escaped), so the first `,"business_day":` is the key's.
            rest = _canonical(self.model_dump(mode="json", exclude=exclude | {"body"}))
            canonical = rest.replace(
                ',"business_day":', f',"body":{body.canonical},"business_day":', 1
            )
        else:
            canonical = _canonical(self.model_dump(mode="json", exclude=exclude))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def typed_body(self) -> entry_body.Body:
        """The body read by its kind's record; raises ValidationError naming what is wrong."""
        return read_body(self.kind, self.body)

    @classmethod
    def from_entry(cls, entry: JournalEntry, *, series: UUID = NIL_SERIES) -> EntryIn:
        return cls(
            id=UUID(entry.entry_id),
            series=series,
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
    # The highest receive number this till has heard of: a server that is behind it was
    # restored from an older backup, and says so (`forgot`).
    known_recv: Count = 0


EntryStatus = Literal["accepted", "duplicate", "conflict", "seq_taken", "gap", "refused"]


class EntryResult(FeedData):
    """The server's answer for one entry; a replay gets the original answer back.

    accepted: booked (`flags` name the rules it broke offline: it happened, so it is kept and
    shown to the operator); refused: it cannot have happened, kept for the operator, never
    booked; conflict: this id came before with other content; seq_taken: another entry of
    this till already has this seq in this series; gap: an earlier seq is missing, send it first.
    """

    id: UUID
    seq: Seq
    status: EntryStatus
    detail: str | None = None
    flags: list[str] = Field(default_factory=list)
    recv_no: Count | None = None  # the server's receive number for it (accepted or refused)
    expected: Seq | None = None  # for a gap: the seq the server expects next in this series

    @property
    def received(self) -> bool:
        """The server holds this entry (booked or refused for good)."""
        return self.status in ("accepted", "duplicate", "refused")


class JournalAck(FeedData):
    till_id: str
    results: list[EntryResult]
    last_recv: Count  # the highest receive number the server has given this till's entries
    forgot: bool = False  # the till knew of more: the server was restored; send again


# -- the change feed: server → till ------------------------------------------------------------


# A Babel locale name (de_DE, sv_SE); empty: the currency's own.
LocaleName = Annotated[str, Field(max_length=16, pattern=r"^([a-z]{2,3}(_[A-Z]{2})?)?$")]


class UnitData(FeedData):
    unit_id: Key
    name: Name
    unit_type: Key
    timezone: Annotated[str, Field(min_length=1, max_length=64)]
    currency: Currency
    seller_name: Name
    address: Text
    vat_number: Text
    locale: LocaleName = ""

    def to_record(self) -> Unit:
        return Unit(**self.model_dump())

    @classmethod
    def of(cls, unit: Unit) -> UnitData:
        return cls.model_validate(dataclasses.asdict(unit))


def every_level(prices: dict[str, int]) -> dict[str, int]:
    """A product has a price for every price level: a till sells to anyone (D-ACC-3)."""
    missing = [level for level in ("student", "staff", "guest") if level not in prices]
    if missing:
        raise ValueError(f"no price for {', '.join(missing)}: a till sells to every level")
    return prices


class ProductData(FeedData):
    product_id: Key
    name: ProductText
    category: ProductText
    prices: dict[PriceLevelName, Money]
    vat_rate_bp: Annotated[StrictInt, Field(ge=0, le=10_000)]
    shortcut: Annotated[str, Field(max_length=8)] | None = None
    position: Annotated[StrictInt, Field(ge=-1_000_000, le=1_000_000)] = 0
    sold_out: StrictBool = False

    @field_validator("prices")
    @classmethod
    def _every_level(cls, prices: dict[str, int]) -> dict[str, int]:
        return every_level(prices)

    def to_record(self) -> Product:
        return Product(
            self.product_id,
            self.name,
            self.category,
            {PriceLevel(k): v for k, v in self.prices.items()},
            self.vat_rate_bp,
            self.shortcut,
            self.position,
            self.sold_out,
        )


class CardholderData(FeedData):
    """All a till learns of a person: a name and a photo (D-ACC-4: no national identity
    number, no address, no birth date)."""

    cardholder_id: Key
    name: Name
    photo_sha256: Sha256 | None
    allowed_unit_types: Annotated[list[Key], Field(max_length=limits.MAX_LIST_ITEMS)]
    daily_limit: Money | None = None
    blocked_categories: Annotated[list[ProductText], Field(max_length=limits.MAX_LIST_ITEMS)] = (
        Field(default_factory=list)
    )

    def to_record(self) -> Cardholder:
        return Cardholder(
            self.cardholder_id,
            self.name,
            self.photo_sha256,
            frozenset(self.allowed_unit_types),
            self.daily_limit,
            frozenset(self.blocked_categories),
        )


class AccountData(FeedData):
    account_id: Key
    cardholder_id: Key
    currency: Currency
    balance: Balance
    price_level: PriceLevelName
    membership_expires: date | None = None
    payment_blocked: StrictBool = False
    arrears: Money = 0
    day: date | None = None  # the latest business day with till entries, across every till
    day_spent: Balance = 0  # D-UNIT-3
    day_autoloads: Count = 0  # D-AUTO-4

    def to_record(self) -> Account:
        return Account(
            self.account_id,
            self.cardholder_id,
            self.currency,
            self.balance,
            PriceLevel(self.price_level),
            self.membership_expires,
            self.payment_blocked,
            self.arrears,
        )


class CardData(FeedData):
    card_id: CardId
    account_id: Key
    state: Literal["active", "blocked", "closed"]
    replaced_by: CardId | None = None

    def to_record(self) -> Card:
        return Card(self.card_id, self.account_id, CardState(self.state), self.replaced_by)


class AgreementData(FeedData):
    account_id: Key
    threshold: Money
    amount: Money
    active_from: date
    ended: StrictBool = False
    collection_failed: StrictBool = False

    def to_record(self) -> AutoloadAgreement:
        return AutoloadAgreement(
            self.account_id,
            self.threshold,
            self.amount,
            self.active_from,
            self.ended,
            self.collection_failed,
        )


CautionName = Literal[
    "no_photo", "guest_price", "offline_near_limit", "autoload_not_offered", "prices_changed"
]
PerCurrency = Annotated[dict[Currency, Money], Field(min_length=1)]


class PolicyData(FeedData):
    """The scheme policy (`sync.policy.Policy`), every key resolved by the server; its money
    settings per currency."""

    autoload_trigger: Literal["before_purchase", "after_purchase"]
    autoloads_per_day: Annotated[StrictInt, Field(ge=1, le=1000)] | None
    balance_cap: PerCurrency
    autoload_min_amount: PerCurrency
    autoload_max_amount: PerCurrency
    topup_min_amount: PerCurrency
    topup_max_amount: PerCurrency
    max_entry_amount: dict[Currency, Money]
    offline_limit: PerCurrency
    print_receipts: Literal["always", "on_request"]
    duplicate_tap_window_s: Annotated[float, Field(ge=0, le=3600)]
    auto_charge_on_tap: StrictBool
    offline_after_s: Annotated[StrictInt, Field(ge=1, le=86_400)]
    unsent_alarm_s: Annotated[StrictInt, Field(ge=1, le=864_000)]
    hold_charge_on: Annotated[list[CautionName], Field(max_length=16)] = Field(
        default_factory=lambda: sorted(c.value for c in Caution)
    )

    def to_mapping(self) -> dict[str, Any]:
        return self.model_dump()


class _Change(Wire):
    seq: Seq
    key: Key


class UnitChange(_Change):
    kind: Literal["unit"]
    data: UnitData | None


class ProductChange(_Change):
    kind: Literal["product"]
    data: ProductData | None  # None: taken off this unit's menu


class CardholderChange(_Change):
    kind: Literal["cardholder"]
    data: CardholderData | None  # None: no longer allowed at this till's unit (D-UNIT-2)


class AccountChange(_Change):
    kind: Literal["account"]
    data: AccountData | None  # None: its cardholder is no longer allowed here


class CardChange(_Change):
    kind: Literal["card"]
    data: CardData | None  # None: its cardholder is no longer allowed here


class AgreementChange(_Change):
    kind: Literal["agreement"]
    data: AgreementData | None  # None: the agreement ended, or is not for this till


class PolicyChange(_Change):
    kind: Literal["policy"]
    data: PolicyData


Change = Annotated[
    UnitChange
    | ProductChange
    | CardholderChange
    | AccountChange
    | CardChange
    | AgreementChange
    | PolicyChange,
    Field(discriminator="kind"),
]
ChangeKind = Literal["unit", "product", "cardholder", "account", "card", "agreement", "policy"]
CHANGE_KINDS: tuple[str, ...] = (
    "unit",
    "product",
    "cardholder",
    "account",
    "card",
    "agreement",
    "policy",
)
DATA_MODELS: dict[str, type[FeedData]] = {
    "unit": UnitData,
    "product": ProductData,
    "cardholder": CardholderData,
    "account": AccountData,
    "card": CardData,
    "agreement": AgreementData,
    "policy": PolicyData,
}
_CHANGE: TypeAdapter[Change] = TypeAdapter(Change)


# -- a large page's rows: server → till (issue 11 item 4) ---------------------------------------
# A till that asks for `rows=ROWS_VERSION` gets the cardholders, accounts, cards and agreements
# of a large page (a snapshot's) as rows: one array per item, its fields in the order below,
# checked by these types exactly as the item's data model checks them, but a page at a time
# (no model per item on either side). The layout is fixed per version: a server that changes
# it serves a new version to the tills that ask for it, and the plain `changes` to the others.
ROWS_VERSION = 1
Names = Annotated[tuple[Key, ...], Field(max_length=limits.MAX_LIST_ITEMS)]
Categories = Annotated[tuple[ProductText, ...], Field(max_length=limits.MAX_LIST_ITEMS)]
CardStateName = Literal["active", "blocked", "closed"]
# seq, cardholder_id, name, photo_sha256, allowed_unit_types, daily_limit, blocked_categories
CardholderRow = tuple[Seq, Key, Name, Sha256 | None, Names, Money | None, Categories]
# seq, account_id, cardholder_id, currency, balance, price_level, membership_expires,
# payment_blocked, arrears, day, day_spent, day_autoloads
AccountRow = tuple[
    Seq, Key, Key, Currency, Balance, PriceLevelName, date | None, StrictBool, Money, date | None,
    Balance, Count,
]  # fmt: skip
# seq, card_id, account_id, state, replaced_by
CardRow = tuple[Seq, CardId, Key, CardStateName, CardId | None]
# seq, account_id, threshold, amount, active_from, ended, collection_failed
AgreementRow = tuple[Seq, Key, Money, Money, date, StrictBool, StrictBool]
ROW_KINDS: tuple[str, ...] = ("cardholder", "account", "card", "agreement")
ROW_TYPES: dict[str, Any] = {
    "cardholder": CardholderRow,
    "account": AccountRow,
    "card": CardRow,
    "agreement": AgreementRow,
}


class Rows(FeedData):
    """A large page's items of the personal kinds, as rows (`ROWS_VERSION`)."""

    cardholder: list[CardholderRow] = Field(default_factory=list)
    account: list[AccountRow] = Field(default_factory=list)
    card: list[CardRow] = Field(default_factory=list)
    agreement: list[AgreementRow] = Field(default_factory=list)


class ChangePage(FeedData):
    """One page of the change feed, read in one snapshot of the server's database.

    The balances in `changes` contain exactly this till's entries with receive numbers up to
    `last_recv`; `results` lists those received after the `known_recv` the till asked with.
    """

    changes: list[Change]
    cursor: Annotated[str, Field(max_length=64)]  # opaque: pass as `since` next time
    more: bool  # another page follows at once (first sync, or a burst)
    reset: bool = False  # the till's cursor is unknown here: this page starts a new snapshot
    last_recv: Count = 0
    forgot: bool = False  # the till knew of more entries: the server was restored; send again
    results: list[EntryResult] = Field(default_factory=list)
    rows: Rows | None = None  # only for a till that asked for them, on a large page


class PageEnvelope(BaseModel):
    """A page as a till reads it: each change on its own, so one unreadable item is skipped
    and reported rather than stalling the feed."""

    model_config = ConfigDict(extra="ignore")

    changes: list[Any]
    cursor: Annotated[str, Field(max_length=64)]
    more: bool
    reset: bool = False
    last_recv: Count = 0
    forgot: bool = False
    results: list[EntryResult] = Field(default_factory=list)
    rows: dict[str, list[Any]] | None = None  # each row read on its own (`read_row`)


class RowsEnvelope(PageEnvelope):
    """A page whose rows are all well formed, read and checked in one call."""

    rows: Rows | None = None  # type: ignore[assignment]


class FeedProblem(Wire):
    """A feed item a till could not read (skipped), or fields it did not know (ignored)."""

    seq: Count | None
    kind: Annotated[str, Field(max_length=40, pattern=_NO_NUL)]
    key: Annotated[str, Field(max_length=limits.MAX_ID_CHARS, pattern=_NO_NUL)] | None
    problem: Annotated[str, Field(max_length=500, pattern=_NO_NUL)]
    skipped: StrictBool


class TillReport(Wire):
    problems: Annotated[list[FeedProblem], Field(min_length=1, max_length=limits.MAX_REPORT_ITEMS)]


class SoldOutMark(Wire):
    """A supervisor marked a product of the till's unit sold out (or back on sale) at the
    till. The mark's id makes it count once, however often the till sends it."""

    mark_id: UUID
    sold_out: StrictBool
    marked_at: AwareDatetime


class SoldOutSet(Wire):
    """The back office marks a product sold out, or back on sale (`sold_out: false`)."""

    sold_out: StrictBool


def read_change(raw: Any) -> tuple[Change | None, FeedProblem | None]:
    """One feed item as the till reads it: (the change, None), or (None, why it was skipped),
    or (the change, the fields it has that this till does not know and ignores)."""
    head = raw if isinstance(raw, dict) else {}
    raw_seq, raw_kind, raw_key = head.get("seq"), head.get("kind"), head.get("key")
    seq = raw_seq if isinstance(raw_seq, int) and 0 <= raw_seq <= limits.INT64_MAX else None
    kind = _text_of(raw_kind, 40) if isinstance(raw_kind, str) else "?"
    key = _text_of(raw_key, limits.MAX_ID_CHARS) if isinstance(raw_key, str) else None

    def problem(text: str, *, skipped: bool) -> FeedProblem:
        return FeedProblem(
            seq=seq, kind=kind, key=key, problem=_text_of(text, 500), skipped=skipped
        )

    if kind not in DATA_MODELS:
        return None, problem(f"unknown kind {kind!r}", skipped=True)
    try:
        change = _CHANGE.validate_python(raw)
    except ValidationError as exc:
        return None, problem("; ".join(_describe(e) for e in exc.errors()[:5]), skipped=True)
    data = head.get("data")
    fields = DATA_MODELS[kind].model_fields
    unknown = sorted(set(data) - set(fields)) if isinstance(data, dict) else []
    if unknown:
        text = f"fields this till does not know, ignored: {', '.join(unknown)}"
        return change, problem(text, skipped=False)
    return change, None


_ROW_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    kind: TypeAdapter(row) for kind, row in ROW_TYPES.items()
}


def read_row(kind: str, raw: Any) -> tuple[tuple[Any, ...] | None, FeedProblem | None]:
    """One row of a page's rows, read on its own: (the row, None) or (None, why it was
    skipped, naming its seq, kind and key as far as they can be read)."""
    head = raw if isinstance(raw, list) else []
    raw_seq = head[0] if head else None
    raw_key = head[1] if len(head) > 1 else None
    seq = raw_seq if type(raw_seq) is int and 0 <= raw_seq <= limits.INT64_MAX else None
    key = _text_of(raw_key, limits.MAX_ID_CHARS) if isinstance(raw_key, str) else None
    name = _text_of(kind, 40)
    adapter = _ROW_ADAPTERS.get(kind)
    if adapter is None:
        problem = f"rows of unknown kind {name!r}"
        return None, FeedProblem(seq=seq, kind=name, key=key, problem=problem, skipped=True)
    try:
        return adapter.validate_python(raw), None
    except ValidationError as exc:
        text = _text_of("; ".join(_describe(e) for e in exc.errors()[:5]), 500)
        return None, FeedProblem(seq=seq, kind=name, key=key, problem=text, skipped=True)


def _text_of(text: str, limit: int) -> str:
    """What the server sent, as text a report can carry: cut to size, no NUL, no surrogate."""
    cut = text[:limit].replace("\x00", "\ufffd")
    return cut.encode("utf-8", "replace").decode("utf-8")


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _describe(err: Any) -> str:
    field = ".".join(str(p) for p in err["loc"])
    return f"{field}: {err['msg']}" if field else str(err["msg"])


def problems_of(exc: ValidationError, *, limit: int = 10) -> list[FieldProblem]:
    return [
        FieldProblem(field=".".join(str(p) for p in err["loc"]), problem=str(err["msg"]))
        for err in exc.errors()[:limit]
    ]


class EnrollRequest(Wire):
    code: Annotated[str, Field(min_length=8, max_length=128)]


class EnrollResponse(FeedData):
    till_id: str
    unit_id: str
    credential: str  # shown once; the server keeps only its hash


class FieldProblem(FeedData):
    field: str  # where in the request, e.g. "body.entries.0.amount" or "query.since"
    problem: str


class ErrorBody(FeedData):
    """Every error answer: what was wrong, and for a malformed request, field by field."""

    detail: str
    errors: list[FieldProblem] = Field(default_factory=list)
