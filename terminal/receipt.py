"""The receipt: what a fiscal receipt must say, built from the till's journal entries.

Pure data and arithmetic, no I/O and no Qt. Amounts are integer minor units (D-ACC-1); prices
are VAT-inclusive, so the VAT per rate is extracted from the gross with integer arithmetic only.
Layout lives in `terminal.receipt_render`; printing in `terminal.print_queue` and
`drivers.printers`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync.entry_body import ArrearsPaymentBody, AutoloadBody, Body, SaleBody, TopupBody, VoidBody
from sync.policy import PrintPolicy
from sync.records import EntryKind, JournalEntry, SaleLine, Unit
from terminal.i18n import QT_TRANSLATE_NOOP

MASK = "••••"

# How a tender stored in a journal body reads on the receipt; unknown ones are prettified.
TENDER_LABELS: dict[str, str] = {
    "card": QT_TRANSLATE_NOOP("receipt", "Card"),
    "cash": QT_TRANSLATE_NOOP("receipt", "Cash"),
    "bank_card": QT_TRANSLATE_NOOP("receipt", "Bank card"),
    "direct_debit": QT_TRANSLATE_NOOP("receipt", "Direct debit"),
    "autoload": QT_TRANSLATE_NOOP("receipt", "Autoload"),
}


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One line of a receipt (D-PAY-3): quantity, product, unit price, line amount, VAT rate.

    On a void receipt the quantity and the amount are negative.
    """

    quantity: int
    name: str
    unit_price: int
    amount: int
    vat_rate_bp: int  # basis points: 700 = 7 %


@dataclass(frozen=True, slots=True)
class VatLine:
    """VAT contained in the gross of all lines at one rate: gross = net + vat."""

    rate_bp: int
    net: int
    vat: int
    gross: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """Everything one printed receipt shows; rendered by `terminal.receipt_render`."""

    seller_name: str
    address: str
    vat_number: str  # organisation / VAT number of the seller
    unit_name: str
    timezone: str  # IANA zone of the unit: the receipt shows local time with its UTC offset
    till_id: str
    receipt_no: int  # unbroken per-till series
    issued_at: datetime  # timezone-aware UTC
    kind: EntryKind  # sale | topup | void | autoload | arrears_payment (the main entry)
    lines: tuple[ReceiptLine, ...]
    vat: tuple[VatLine, ...]
    # what was paid (sale, arrears payment), credited (topup, autoload), given back (a sale's
    # void: < 0) or taken back (a top-up's void: < 0)
    total: int
    tender: str  # as printed: "Card", "Cash", ...
    masked_card_id: str | None  # "•••• 9961": never more than the last four characters
    balance_after: int
    autoload_amount: int | None  # an autoload made with this receipt (D-AUTO-3), else None
    currency: str
    entry_id: str  # journal entry id (UUIDv7) of the main entry
    offline: bool = False  # approved offline (D-OFF-3)
    copy: bool = False  # a reprint: rendered with a COPY marker
    language: str = "en"  # the unit's language: a receipt speaks it whatever the screen does
    voids_entry_id: str | None = None  # a void receipt: the sale or top-up it reverses
    voids_receipt_no: int | None = None  # ... and its receipt number (None in early voids)
    voided_kind: EntryKind | None = None  # a void receipt: SALE or TOPUP
    arrears_after: int | None = None  # an arrears payment: what is still owed (D-AUTO-7)

    def local_time(self) -> datetime:
        """The issue time in the unit's zone (UTC when the zone is unknown to this machine)."""
        try:
            zone: Any = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = UTC
        return self.issued_at.astimezone(zone)


def round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers (denominator > 0)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -magnitude if numerator < 0 else magnitude


def vat_breakdown(lines: Iterable[ReceiptLine]) -> list[VatLine]:
    """VAT per rate, lowest rate first: vat = round-half-up(gross * rate / (10000 + rate)).

    Prices are VAT-inclusive, so the VAT is extracted from the summed gross of each rate
    (rounded once per rate, not per line). Negative gross (a void) mirrors the positive case.
    """
    gross_by_rate: dict[int, int] = {}
    for line in lines:
        if line.vat_rate_bp < 0:
            raise ValueError(f"negative VAT rate {line.vat_rate_bp} on {line.name!r}")
        gross_by_rate[line.vat_rate_bp] = gross_by_rate.get(line.vat_rate_bp, 0) + line.amount
    result = []
    for rate, gross in sorted(gross_by_rate.items()):
        vat = round_half_up_div(gross * rate, 10000 + rate)
        result.append(VatLine(rate_bp=rate, net=gross - vat, vat=vat, gross=gross))
    return result


def vat_rate_text(rate_bp: int) -> str:
    """Basis points as a receipt percentage, integers only: 700 -> '7%', 1950 -> '19,5%'."""
    whole, rest = divmod(abs(rate_bp), 100)
    sign = "-" if rate_bp < 0 else ""
    if rest == 0:
        return f"{sign}{whole}%"
    return f"{sign}{whole},{rest:02d}".rstrip("0") + "%"


def mask_card_id(card_id: str) -> str:
    """'72BF9961' -> '•••• 9961': only the last four characters, and never the whole id."""
    cleaned = card_id.strip()
    if not cleaned:
        raise ValueError("empty card id")
    visible = min(4, len(cleaned) - 1)  # a very short id still keeps something hidden
    tail = cleaned[-visible:] if visible > 0 else ""
    return f"{MASK} {tail}".rstrip()


def tender_label(tender: str) -> str:
    """'cash' -> 'Cash', 'bank_card' -> 'Bank card'; unknown tenders are prettified, not refused."""
    key = tender.strip().lower()
    if key in TENDER_LABELS:
        return TENDER_LABELS[key]
    pretty = key.replace("_", " ").replace("-", " ")
    return pretty[:1].upper() + pretty[1:] if pretty else "Card"


def should_print(policy: PrintPolicy, kind: str, requested: bool) -> bool:
    """Whether the till prints a receipt for an entry of this kind (D-PAY-6).

    D-PAY-6: "the till prints a receipt for sales and for every autoload (003: 'you receive a
    receipt'; 004: 'a receipt on request'). Print always / on request is a setting." So under
    ALWAYS everything is printed (sales, autoloads, top-ups, voids), and under ON_REQUEST only
    what the cardholder asks for -- autoload receipts included, as in 004; an operator who wants
    003's "you receive a receipt" for every autoload sets ALWAYS.
    """
    EntryKind(kind)  # an unknown kind is a programming error, not a silent "no"
    if policy is PrintPolicy.ALWAYS:
        return True
    return requested


def receipt_from_entries(
    unit: Unit,
    entries: Sequence[JournalEntry],
    *,
    balance_after: int,
    copy: bool = False,
    language: str = "en",
) -> Receipt:
    """Build the receipt for the journal entries that share one receipt number.

    Accepted groups: a sale; an autoload and the sale it came with (D-AUTO-3); an autoload on
    its own; a top-up (D-PAY-4); a void of a sale or a top-up; an arrears payment (D-AUTO-7).
    Anything else is a ValueError naming the problem.
    """
    if not entries:
        raise ValueError("a receipt needs at least one journal entry")
    by_kind: dict[EntryKind, list[JournalEntry]] = {}
    for entry in entries:
        by_kind.setdefault(EntryKind(entry.kind), []).append(entry)
    kinds = sorted(by_kind)
    allowed = (
        [EntryKind.SALE],
        [EntryKind.AUTOLOAD, EntryKind.SALE],
        [EntryKind.AUTOLOAD],
        [EntryKind.TOPUP],
        [EntryKind.VOID],
        [EntryKind.ARREARS_PAYMENT],
    )
    if kinds not in [sorted(a) for a in allowed] or any(len(v) > 1 for v in by_kind.values()):
        found = ", ".join(str(e.kind) for e in entries)
        raise ValueError(f"these entries do not make one receipt: {found}")
    receipt_nos = {e.receipt_no for e in entries}
    if len(receipt_nos) != 1 or None in receipt_nos:
        raise ValueError(f"entries of one receipt must share one receipt number, got {receipt_nos}")
    receipt_no = next(iter(receipt_nos))
    assert receipt_no is not None
    tills = {e.till_id for e in entries}
    currencies = {e.currency for e in entries}
    if len(tills) != 1 or len(currencies) != 1:
        raise ValueError(
            f"entries of one receipt must share till and currency: {tills} {currencies}"
        )
    currency = next(iter(currencies))
    try:
        ZoneInfo(unit.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unit {unit.unit_id}: unknown timezone {unit.timezone!r}") from None

    main_kind = next(
        k
        for k in (
            EntryKind.SALE,
            EntryKind.TOPUP,
            EntryKind.VOID,
            EntryKind.ARREARS_PAYMENT,
            EntryKind.AUTOLOAD,
        )
        if k in by_kind
    )
    main = by_kind[main_kind][0]
    autoload = by_kind.get(EntryKind.AUTOLOAD, [None])[0]
    if main.created_at.tzinfo is None or main.created_at.utcoffset() is None:
        raise ValueError(f"entry {main.entry_id}: created_at must be timezone-aware")

    lines: tuple[ReceiptLine, ...] = ()
    voids: str | None = None
    voids_receipt_no: int | None = None
    voided_kind: EntryKind | None = None
    arrears_after: int | None = None
    body = _body(main)
    if isinstance(body, SaleBody):
        lines = tuple(_lines(main, body.lines, sign=1))
        total = sum(line.amount for line in lines)
        tender = tender_label(body.tender)
    elif isinstance(body, VoidBody) and body.voided_kind == "topup":
        if main.amount >= 0:
            raise ValueError(f"entry {main.entry_id}: a top-up's void must take money back")
        total = main.amount  # the top-up's money leaves the card again
        tender = tender_label(body.tender)
        voids, voids_receipt_no = str(body.voids), body.voided_receipt_no
        voided_kind = EntryKind.TOPUP
    elif isinstance(body, VoidBody):
        lines = tuple(_lines(main, body.lines, sign=-1))
        total = sum(line.amount for line in lines)
        tender = tender_label(body.tender)
        voids, voids_receipt_no = str(body.voids), body.voided_receipt_no
        voided_kind = EntryKind.SALE
    elif isinstance(body, ArrearsPaymentBody):
        total = body.amount  # paid against the arrears; the card's balance does not move
        tender = tender_label(body.tender)
        arrears_after = body.arrears_after
    elif isinstance(body, TopupBody):
        total = main.amount
        tender = tender_label(body.tender)
    else:  # an autoload on its own: collected later by direct debit (D-AUTO-6)
        total = main.amount
        tender = tender_label("direct_debit")
    if autoload is not None and autoload.amount <= 0:
        raise ValueError(f"entry {autoload.entry_id}: an autoload must credit a positive amount")

    card_id = main.card_id or (autoload.card_id if autoload is not None else None)
    return Receipt(
        seller_name=unit.seller_name,
        address=unit.address,
        vat_number=unit.vat_number,
        unit_name=unit.name,
        timezone=unit.timezone,
        till_id=main.till_id,
        receipt_no=receipt_no,
        issued_at=main.created_at.astimezone(UTC),
        kind=main_kind,
        lines=lines,
        vat=tuple(vat_breakdown(lines)),
        total=total,
        tender=tender,
        masked_card_id=mask_card_id(card_id) if card_id else None,
        balance_after=balance_after,
        autoload_amount=autoload.amount if autoload is not None else None,
        currency=currency,
        entry_id=main.entry_id,
        offline=any(_offline(_body(e)) for e in entries),
        copy=copy,
        language=language,
        voids_entry_id=voids,
        voids_receipt_no=voids_receipt_no,
        voided_kind=voided_kind,
        arrears_after=arrears_after,
    )


def _body(entry: JournalEntry) -> Body:
    try:
        return entry.typed_body()
    except (KeyError, TypeError, ValueError) as exc:  # the shapes `entry_body.read` refuses
        raise ValueError(
            f"entry {entry.entry_id}: the {entry.kind}'s body cannot be read: {exc}"
        ) from None


def _offline(body: Body) -> bool:
    return isinstance(body, SaleBody | AutoloadBody) and body.offline is True


def _lines(entry: JournalEntry, kept: Sequence[SaleLine], *, sign: int) -> Iterable[ReceiptLine]:
    """The lines kept in a sale's (or void's) body (D-PAY-3); malformed ones are refused."""
    if not kept:
        raise ValueError(f"entry {entry.entry_id}: {entry.kind} without lines")
    for index, line in enumerate(kept):
        quantity = _int(line.quantity, "quantity", entry, index)
        unit_price = _int(line.unit_price, "unit_price", entry, index)
        rate = _int(line.vat_rate_bp, "vat_rate_bp", entry, index)
        name = line.name
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"entry {entry.entry_id}: line {index} has no product name")
        if quantity <= 0:
            raise ValueError(f"entry {entry.entry_id}: line {index} quantity must be positive")
        yield ReceiptLine(
            quantity=sign * quantity,
            name=name.strip(),
            unit_price=unit_price,
            amount=sign * quantity * unit_price,
            vat_rate_bp=rate,
        )


def _int(value: object, key: str, entry: JournalEntry, index: int) -> int:
    # The till reads back what it wrote without validating: a damaged row is caught here.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"entry {entry.entry_id}: line {index} {key} must be an integer")
    return value
