"""The body of a journal entry, one typed record per kind: what the till writes and reads,
and what the server checks and books (through `sync.protocol.read_body`).

Plain dataclasses, so that a till writes and prints without loading the wire's models. The
bounds are `annotated_types` metadata: the server's validation (pydantic, strict, from JSON)
enforces them; the till, which wrote the body itself, reads it back without checking again.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

import annotated_types as at

from sync import limits

# The server validates a body strictly from its JSON, and ignores keys it does not know: a
# newer till may keep more with its entries.
_CHECKED: dict[str, Any] = {"strict": True, "extra": "ignore"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def has_control(text: str) -> bool:
    """Whether `text` holds a control character (a NUL among them: text PostgreSQL cannot
    hold), anywhere, a final newline too: ids on the wire, in paths and in bodies never do."""
    return _CONTROL.search(text) is not None


def _no_control(text: str) -> bool:
    return not has_control(text)


Quantity = Annotated[int, at.Ge(1), at.Le(10_000)]
Money = Annotated[int, at.Ge(0), at.Le(limits.MAX_AMOUNT)]
Balance = Annotated[int, at.Ge(-limits.INT64_MAX), at.Le(limits.INT64_MAX)]
ReceiptNo = Annotated[int, at.Ge(1), at.Le(limits.INT64_MAX)]
BasisPoints = Annotated[int, at.Ge(0), at.Le(10_000)]
Key = Annotated[str, at.MinLen(1), at.MaxLen(limits.MAX_ID_CHARS), at.Predicate(_no_control)]
ProductText = Annotated[str, at.MaxLen(limits.MAX_PRODUCT_TEXT)]
Word = Annotated[str, at.MaxLen(40)]


@dataclass(frozen=True, slots=True)
class Line:
    """D-PAY-3: one line of a sale (or of the void that gives it back), as journaled."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _CHECKED

    product_id: Key
    name: ProductText
    category: ProductText
    quantity: Quantity
    unit_price: Money
    vat_rate_bp: BasisPoints

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


Lines = Annotated[list[Line], at.MaxLen(limits.MAX_LINES)]


@dataclass(frozen=True, slots=True)
class SaleBody:
    __pydantic_config__: ClassVar[dict[str, Any]] = _CHECKED

    lines: Annotated[list[Line], at.MinLen(1), at.MaxLen(limits.MAX_LINES)]
    total: Money
    offline: bool = False
    tender: Literal["card"] = "card"
    autoload_entry_id: UUID | None = None
    # Kept for the till's receipts and reprints; the server books by the entry's amount.
    price_level: Literal["student", "staff", "guest"] | None = None
    verdict: Word | None = None
    balance_after: Balance | None = None


@dataclass(frozen=True, slots=True)
class AutoloadBody:
    __pydantic_config__: ClassVar[dict[str, Any]] = _CHECKED

    consent: Literal[True]  # D-AUTO-3: only with the cardholder's consent at the till
    offline: bool = False
    sale_entry_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class TopupBody:
    __pydantic_config__: ClassVar[dict[str, Any]] = _CHECKED

    tender: Literal["cash", "bank_card"]  # D-PAY-4
    balance_after: Balance | None = None


@dataclass(frozen=True, slots=True)
class VoidBody:
    """A sale given back to the card, or a top-up whose money leaves the card again and goes
    back to its tender (the cash out of the drawer)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _CHECKED

    voids: UUID
    # what is given back (D-PAY-3); empty in voids of early versions and of top-ups
    lines: Lines = dataclasses.field(default_factory=list)
    voided_receipt_no: ReceiptNo | None = None
    # where the money goes: the card for a sale, the top-up's own tender for a top-up
    tender: Literal["card", "cash", "bank_card"] = "card"
    balance_after: Balance | None = None
    voided_kind: Literal["sale", "topup"] = "sale"  # voids of early versions: sales only


PaymentAmount = Annotated[int, at.Ge(1), at.Le(limits.MAX_AMOUNT)]


@dataclass(frozen=True, slots=True)
class ArrearsPaymentBody:
    """D-AUTO-7: arrears of a returned direct debit paid at the till. The entry's own amount
    is 0: the payment settles a debt, it does not change the card's stored value."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _CHECKED

    amount: PaymentAmount
    tender: Literal["cash"]
    arrears_before: Money  # as the till knew them
    arrears_after: Money  # arrears_before - amount
    balance_after: Balance | None = None  # unchanged by the payment; for the receipt


Body = SaleBody | AutoloadBody | TopupBody | VoidBody | ArrearsPaymentBody
BODIES: dict[str, type[Body]] = {
    "sale": SaleBody,
    "autoload": AutoloadBody,
    "topup": TopupBody,
    "void": VoidBody,
    "arrears_payment": ArrearsPaymentBody,
}


def to_json(body: Body) -> dict[str, Any]:
    """The body as stored in the journal and sent to the server, its keys in sorted order
    (so the stored text is what `sort_keys` gave, without sorting: see `encode`).

    Field by field rather than `dataclasses.asdict`, which deep-copies: this runs in every
    sale's commit, on the tap path, and a sale's body is written out without the generic walk.
    """
    if type(body) is SaleBody:
        return _sale_json(body)
    return {name: _plain(getattr(body, name)) for name in _SORTED[type(body)]}


def _sale_json(body: SaleBody) -> dict[str, Any]:
    entry = body.autoload_entry_id
    return {
        "autoload_entry_id": None if entry is None else str(entry),
        "balance_after": body.balance_after,
        "lines": [line_json(line) for line in body.lines],
        "offline": body.offline,
        "price_level": body.price_level,
        "tender": body.tender,
        "total": body.total,
        "verdict": body.verdict,
    }


def _plain(value: Any) -> Any:
    if type(value) in _JSON_SCALARS:  # most fields: checked first, as this is on the tap path
        return value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list):
        return [line_json(v) for v in value]
    return value


_JSON_SCALARS = frozenset({str, int, bool, type(None)})


def line_json(line: Line) -> dict[str, Any]:
    """One line as stored and compared (a void gives back exactly its sale's lines); keys
    sorted, as `to_json`'s."""
    return {
        "category": line.category,
        "name": line.name,
        "product_id": line.product_id,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "vat_rate_bp": line.vat_rate_bp,
    }


# The stored text of a body: compact, ASCII, keys in the order `to_json` built them (sorted),
# which is the text `sort_keys=True` gave; one kept encoder, as `json.dumps` with options
# builds a new one on each call. A body is a tree (no cycles to look for).
encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode

_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in BODIES.values()
}
_SORTED = {cls: tuple(sorted(names)) for cls, names in _FIELDS.items()}
_LINE_FIELDS = tuple(f.name for f in dataclasses.fields(Line))


def read(kind: str, data: Mapping[str, Any]) -> Body:
    """A body the till wrote, read back (its own journal): no validation beyond the shape.

    Raises KeyError for a kind or a required field that is not there, TypeError or
    ValueError for a value of the wrong shape: the caller says which entry it was.
    """
    cls = BODIES[kind]
    values = _only(_FIELDS[cls], data)
    if "lines" in values:
        values["lines"] = [Line(**_only(_LINE_FIELDS, line)) for line in values["lines"]]
    for key in ("voids", "autoload_entry_id", "sale_entry_id"):
        if values.get(key) is not None:
            values[key] = UUID(str(values[key]))
    return cls(**values)


def _only(names: tuple[str, ...], data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in names}
