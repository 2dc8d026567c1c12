"""The receipt model: VAT extraction, masking, building from journal entries, print policy."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from sync.records import EntryKind, JournalEntry, Unit
from terminal.policy import PrintPolicy
from terminal.receipt import (
    ReceiptLine,
    VatLine,
    mask_card_id,
    receipt_from_entries,
    round_half_up_div,
    should_print,
    tender_label,
    vat_breakdown,
    vat_rate_text,
)

UNIT = Unit(
    unit_id="u1",
    name="Mensa Süd",
    unit_type="mensa",
    timezone="Europe/Berlin",
    currency="EUR",
    seller_name="Studierendenwerk Ulm",
    address="Mensastraße 1\n89081 Ulm",
    vat_number="DE123456789",
)
AT = datetime(2026, 11, 21, 11, 3, tzinfo=UTC)
LINES: list[dict[str, Any]] = [
    {"product_id": "p1", "name": "Schnitzel", "category": "main", "quantity": 1,
     "unit_price": 590, "vat_rate_bp": 700},
    {"product_id": "p2", "name": "Kaffee", "category": "drink", "quantity": 2,
     "unit_price": 130, "vat_rate_bp": 1900},
]


def entry(kind: EntryKind, amount: int, body: dict[str, Any], *, seq: int = 1,
          receipt_no: int | None = 7, card_id: str | None = "72BF9961") -> JournalEntry:
    return JournalEntry(
        entry_id=f"0190a1b2-0000-7000-8000-00000000000{seq}", seq=seq, till_id="T01", kind=kind,
        created_at=AT, business_day=date(2026, 11, 21), account_id="a1", card_id=card_id,
        amount=amount, currency="EUR", receipt_no=receipt_no, body=body,
    )


def sale(**kw: Any) -> JournalEntry:
    body = {"lines": LINES, "price_level": "student", "offline": False, "tender": "card"}
    return entry(EntryKind.SALE, -850, body, seq=2, **kw)


def line(amount: int, rate: int, quantity: int = 1) -> ReceiptLine:
    return ReceiptLine(quantity, "x", amount // quantity, amount, rate)


def test_vat_breakdown_mixed_7_and_19_percent_exact() -> None:
    """Gross per rate splits into net + VAT, rounded half up once per rate, in integers."""
    result = vat_breakdown([line(590, 700), line(260, 1900, 2), line(350, 700)])
    assert result == [
        VatLine(rate_bp=700, net=879, vat=61, gross=940),  # 61.495 -> 61
        VatLine(rate_bp=1900, net=218, vat=42, gross=260),  # 41.51 -> 42
    ]
    for v in result:
        assert v.net + v.vat == v.gross


def test_vat_breakdown_25_percent() -> None:
    """25 % (Denmark) extracts exactly a fifth of the gross."""
    assert vat_breakdown([line(450, 2500), line(125, 2500)]) == [VatLine(2500, 460, 115, 575)]


def test_vat_rounds_half_up_and_mirrors_for_voids() -> None:
    """An exact half rounds up; a negative gross (void) mirrors the positive one."""
    assert round_half_up_div(5, 10) == 1
    assert round_half_up_div(-5, 10) == -1
    assert round_half_up_div(4, 10) == 0
    positive = vat_breakdown([line(107, 700)])
    negative = vat_breakdown([line(-107, 700, -1)])
    assert negative == [VatLine(700, -positive[0].net, -positive[0].vat, -107)]


def test_vat_rate_text_from_basis_points() -> None:
    """Rates print from basis points with integer formatting only."""
    assert [vat_rate_text(bp) for bp in (0, 700, 1900, 1950, 2500, 1205)] == [
        "0%", "7%", "19%", "19,5%", "25%", "12,05%"
    ]


def test_mask_card_id_shows_only_last_four() -> None:
    """Only the last four characters of a card id are ever printed."""
    assert mask_card_id("72BF9961") == "•••• 9961"
    assert mask_card_id("04579A22352680") == "•••• 2680"
    assert mask_card_id("1234") == "•••• 234"  # a short id never appears whole
    with pytest.raises(ValueError, match="empty"):
        mask_card_id("  ")


def test_tender_labels() -> None:
    """Journal tenders read as words on the receipt."""
    assert tender_label("card") == "Card"
    assert tender_label("bank_card") == "Bank card"
    assert tender_label("swish") == "Swish"


def test_receipt_from_sale_keeps_lines() -> None:
    """D-PAY-3: a sale receipt keeps each line's quantity, product and price."""
    r = receipt_from_entries(UNIT, [sale()], balance_after=1150)
    assert r.kind is EntryKind.SALE
    assert [(ln.quantity, ln.name, ln.unit_price, ln.amount) for ln in r.lines] == [
        (1, "Schnitzel", 590, 590), (2, "Kaffee", 130, 260)
    ]
    assert r.total == 850
    assert [v.rate_bp for v in r.vat] == [700, 1900]
    assert sum(v.gross for v in r.vat) == r.total
    assert (r.seller_name, r.vat_number, r.unit_name, r.till_id, r.receipt_no) == (
        "Studierendenwerk Ulm", "DE123456789", "Mensa Süd", "T01", 7
    )
    assert r.tender == "Card"
    assert r.masked_card_id == "•••• 9961"
    assert r.autoload_amount is None
    assert r.balance_after == 1150
    assert r.entry_id.endswith("2")
    assert r.offline is False
    assert r.copy is False


def test_receipt_from_sale_with_autoload() -> None:
    """D-AUTO-3: an accepted autoload and its sale share one receipt number and one receipt."""
    autoload = entry(EntryKind.AUTOLOAD, 2000, {"offline": True}, seq=1)
    r = receipt_from_entries(UNIT, [autoload, sale()], balance_after=2450, copy=True)
    assert r.kind is EntryKind.SALE
    assert r.autoload_amount == 2000
    assert r.total == 850
    assert r.offline is True
    assert r.copy is True


def test_receipt_from_topup() -> None:
    """D-PAY-4: a cash top-up receipt has the credited amount and the tender, no VAT lines."""
    topup = entry(EntryKind.TOPUP, 2000, {"tender": "cash"}, seq=3)
    r = receipt_from_entries(UNIT, [topup], balance_after=3000)
    assert (r.kind, r.total, r.tender, r.lines, r.vat) == (EntryKind.TOPUP, 2000, "Cash", (), ())


def test_receipt_from_void_negates_lines() -> None:
    """A void receipt repeats the sale's lines with negative amounts and names the sale."""
    body = {"voids": "0190a1b2-0000-7000-8000-000000000002", "lines": LINES}
    r = receipt_from_entries(UNIT, [entry(EntryKind.VOID, 850, body, seq=4)], balance_after=2000)
    assert r.kind is EntryKind.VOID
    assert [(ln.quantity, ln.amount) for ln in r.lines] == [(-1, -590), (-2, -260)]
    assert r.total == -850
    assert r.voids_entry_id == "0190a1b2-0000-7000-8000-000000000002"
    assert all(v.gross < 0 for v in r.vat)


def test_receipt_time_is_utc_and_local_time_uses_unit_zone() -> None:
    """issued_at is UTC; local_time is the unit's zone (CET in November: +01:00)."""
    cest = timezone(timedelta(hours=2))
    r = receipt_from_entries(UNIT, [sale()], balance_after=0)
    assert r.issued_at == AT
    assert r.issued_at.tzinfo is UTC
    assert r.local_time().utcoffset() == timedelta(hours=1)
    assert r.local_time() == AT.astimezone(cest)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([], "at least one"),
        ([sale(), sale()], "do not make one receipt"),
        ([sale(receipt_no=None)], "receipt number"),
        ([sale(receipt_no=1), entry(EntryKind.AUTOLOAD, 2000, {}, receipt_no=2)], "receipt number"),
        ([entry(EntryKind.SALE, -1, {"lines": []})], "without lines"),
        ([entry(EntryKind.SALE, -1, {"lines": [{"name": "x", "quantity": 1.5,
                                                "unit_price": 1, "vat_rate_bp": 0}]})], "integer"),
    ],
)
def test_malformed_entries_are_clear_errors(entries: list[JournalEntry], message: str) -> None:
    """Entries that cannot make a receipt give a ValueError saying why."""
    with pytest.raises(ValueError, match=message):
        receipt_from_entries(UNIT, entries, balance_after=0)


def test_unknown_unit_timezone_is_refused() -> None:
    """A unit with an unknown zone cannot print a correct local time: refused clearly."""
    bad = Unit("u2", "X", "mensa", "Mars/Olympus", "EUR", "S", "A", "V")
    with pytest.raises(ValueError, match="Mars/Olympus"):
        receipt_from_entries(bad, [sale()], balance_after=0)


@pytest.mark.parametrize("kind", ["sale", "autoload", "topup", "void"])
def test_should_print_always_prints_every_kind(kind: str) -> None:
    """D-PAY-6: under ALWAYS the till prints sales, every autoload, top-ups and voids."""
    assert should_print(PrintPolicy.ALWAYS, kind, requested=False)


@pytest.mark.parametrize("kind", ["sale", "autoload", "topup", "void"])
def test_should_print_on_request_only_when_asked(kind: str) -> None:
    """D-PAY-6 (004 "a receipt on request"): ON_REQUEST prints, autoloads included, when asked."""
    assert should_print(PrintPolicy.ON_REQUEST, kind, requested=True)
    assert not should_print(PrintPolicy.ON_REQUEST, kind, requested=False)


def test_should_print_refuses_unknown_kind() -> None:
    """D-PAY-6 covers journal kinds only; anything else is a programming error."""
    with pytest.raises(ValueError, match="refund"):
        should_print(PrintPolicy.ALWAYS, "refund", requested=True)
