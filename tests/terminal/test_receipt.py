"""Receipts: fiscal fields, VAT per rate in integers, 32/42/48 columns and PDF, from the journal."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest

from sync.policy import PrintPolicy
from sync.records import EntryKind, JournalEntry, PriceLevel, SaleLine
from sync.store import Store
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
from terminal.receipt_render import make_print_job, render_pdf, render_text
from tests.terminal.till_scheme import NOW, TODAY, UNIT, journal_entry

LINES = [
    SaleLine(
        "meal", "Schnitzel mit Pommes frites, Salat und Soße nach Wahl (groß)", "Mains", 1, 590, 700
    ),
    SaleLine("coffee", "Kaffee", "Drinks", 2, 130, 1900),
]


def sale(store: Store, *, autoload: int | None = None) -> list[JournalEntry]:
    done = store.commit_sale(
        card_id="AA000001",
        account_id="a-anna",
        currency="EUR",
        lines=LINES,
        price_level=PriceLevel.STUDENT,
        offline=False,
        autoload_amount=autoload,
        created_at=NOW,
        business_day=TODAY,
    )
    return store.entries_for_receipt(done.receipt_no)


def test_vat_per_rate_in_integers() -> None:
    """VAT is taken out of VAT-inclusive prices per rate, rounded half up, in minor units."""
    lines = [
        ReceiptLine(1, "A", 590, 590, 700),
        ReceiptLine(2, "B", 130, 260, 1900),
        ReceiptLine(1, "C", 450, 450, 2500),
    ]
    vat = vat_breakdown(lines)
    assert [(v.rate_bp, v.net, v.vat, v.gross) for v in vat] == [
        (700, 551, 39, 590),
        (1900, 218, 42, 260),
        (2500, 360, 90, 450),
    ]
    assert all(v.net + v.vat == v.gross for v in vat)


def test_masked_card_id_shows_last_four_only() -> None:
    """A receipt never shows the whole card id."""
    assert mask_card_id("72BF9961") == "•••• 9961"
    assert "0457" not in mask_card_id("04579A22352680")


def test_d_pay_3_receipt_from_sale_keeps_lines(store: Store) -> None:
    """D-PAY-3: the receipt built from the journal lists every line with quantity and price."""
    receipt = receipt_from_entries(UNIT, sale(store), balance_after=4200)
    assert receipt.kind is EntryKind.SALE
    assert [(ln.quantity, ln.unit_price, ln.amount) for ln in receipt.lines] == [
        (1, 590, 590),
        (2, 130, 260),
    ]
    assert receipt.total == 850
    assert receipt.receipt_no == 1
    assert receipt.autoload_amount is None


def test_d_auto_3_receipt_shows_the_autoload(store: Store) -> None:
    """D-AUTO-3: a sale with an accepted autoload gets one receipt showing the autoload line."""
    entries = sale(store, autoload=2000)
    assert {e.kind for e in entries} == {EntryKind.AUTOLOAD, EntryKind.SALE}
    receipt = receipt_from_entries(UNIT, entries, balance_after=6150)
    assert receipt.autoload_amount == 2000
    text = render_text(receipt, 42)
    assert "Autoload" in text
    assert "+20,00 €" in text


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_text_receipt_has_every_fiscal_field(store: Store, columns: int) -> None:
    """Seller, address, VAT no., date and time, till, receipt no., lines, VAT, total, tender,
    masked card and balance after, within the paper width; long names wrap, nothing is cut."""
    receipt = receipt_from_entries(UNIT, sale(store), balance_after=4150)
    text = render_text(receipt, columns)
    assert all(len(line) <= columns for line in text.splitlines())
    for field in (
        "Studierendenwerk Nordstadt",
        "Uniweg 1",
        "DE123456789",
        "21.11.2026 12:30 +01:00",
        "till-1",
        "Kaffee",
        "1,30 €",
        "2,60 €",
        "7%",
        "19%",
        "8,50 €",
        "Card",
        "•••• 0001",
        "41,50 €",
    ):
        assert field in text, field
    words = " ".join(text.split())
    assert "Soße nach Wahl (groß)" in words
    assert "COPY" not in text
    copy = receipt_from_entries(UNIT, sale(store), balance_after=3300, copy=True)
    assert "COPY" in render_text(copy, columns)


def test_other_widths_are_refused(store: Store) -> None:
    """Only 32-column (58 mm) and 42- or 48-column (80 mm) paper exist on our printers."""
    receipt = receipt_from_entries(UNIT, sale(store), balance_after=0)
    with pytest.raises(ValueError, match="40"):
        render_text(receipt, 40)


def test_topup_and_void_receipts(store: Store) -> None:
    """D-PAY-4 top-up and a void each get a receipt of their own kind."""
    done = store.commit_topup(
        card_id="AA000001",
        account_id="a-anna",
        currency="EUR",
        amount=2000,
        tender="cash",
        created_at=NOW,
        business_day=TODAY,
    )
    topup = receipt_from_entries(UNIT, done.entries, balance_after=done.balance_after)
    assert topup.kind is EntryKind.TOPUP
    assert "Cash" in render_text(topup, 42)
    entries = sale(store)
    voided = store.commit_void(entry_id=entries[0].entry_id, created_at=NOW, business_day=TODAY)
    void = receipt_from_entries(UNIT, voided.entries, balance_after=voided.balance_after)
    assert void.kind is EntryKind.VOID
    assert void.total == -850


def test_pdf_receipt_renders_unicode(store: Store, tmp_path: Path) -> None:
    """The PDF is a real PDF with the seller, € and ß in it (checked with pdftotext)."""
    receipt = receipt_from_entries(UNIT, sale(store), balance_after=4150)
    pdf = render_pdf(receipt)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Studierendenwerk Nordstadt" in text
    assert "€" in text
    assert "Soße" in text


def test_print_job_carries_text_and_pdf(store: Store) -> None:
    """A print job is the text for the configured width plus the PDF; reprints keep the job id."""
    receipt = receipt_from_entries(UNIT, sale(store), balance_after=4150)
    job = make_print_job(receipt, columns=48)
    assert job.columns == 48
    assert job.pdf is not None
    assert job.text == render_text(receipt, 48)
    reprint = receipt_from_entries(UNIT, store.entries_for_receipt(1), balance_after=1, copy=True)
    copy = make_print_job(reprint, columns=48)
    assert copy.job_id == job.job_id
    assert copy.copy


def test_print_job_qr_is_the_entry_and_only_cash_opens_the_drawer(store: Store) -> None:
    """The QR code leads to the journal entry; the drawer opens for cash taken in, once."""
    sold = receipt_from_entries(UNIT, sale(store), balance_after=4150)
    job = make_print_job(sold, with_pdf=False)
    assert job.qr == sold.entry_id
    assert not job.kick_drawer
    for tender, kicks in (("cash", True), ("bank_card", False)):
        done = store.commit_topup(
            card_id="AA000001",
            account_id="a-anna",
            currency="EUR",
            amount=1000,
            tender=tender,
            created_at=NOW,
            business_day=TODAY,
        )
        topup = receipt_from_entries(UNIT, done.entries, balance_after=done.balance_after)
        assert make_print_job(topup, with_pdf=False).kick_drawer is kicks
        again = receipt_from_entries(UNIT, done.entries, balance_after=1, copy=True)
        assert not make_print_job(again, with_pdf=False).kick_drawer


@pytest.mark.parametrize("kind", ["sale", "autoload", "topup", "void"])
def test_d_pay_6_print_always_or_on_request(kind: str) -> None:
    """D-PAY-6: 'always' prints every receipt; 'on request' only what is asked for."""
    assert should_print(PrintPolicy.ALWAYS, kind, requested=False)
    assert not should_print(PrintPolicy.ON_REQUEST, kind, requested=False)
    assert should_print(PrintPolicy.ON_REQUEST, kind, requested=True)


# ---------------------------------------------------------------- the model without a store


def _entry(
    kind: EntryKind, amount: int, body: dict[str, Any], *, seq: int = 1, receipt_no: int | None = 7
) -> JournalEntry:
    return journal_entry(kind, amount, body, seq=seq, receipt_no=receipt_no)


_RAW_LINES: list[dict[str, Any]] = [
    {
        "product_id": "meal",
        "name": "Schnitzel",
        "category": "Mains",
        "quantity": 1,
        "unit_price": 590,
        "vat_rate_bp": 700,
    },
    {
        "product_id": "coffee",
        "name": "Kaffee",
        "category": "Drinks",
        "quantity": 2,
        "unit_price": 130,
        "vat_rate_bp": 1900,
    },
]


def _sale_entry(receipt_no: int | None = 7) -> JournalEntry:
    body = {
        "lines": _RAW_LINES,
        "total": 850,
        "price_level": "student",
        "offline": True,
        "tender": "card",
    }
    return _entry(EntryKind.SALE, -850, body, seq=2, receipt_no=receipt_no)


def test_vat_rounding_per_rate_and_voids_mirror() -> None:
    """VAT is rounded once per rate (61.495 -> 61), half away from zero; a void mirrors a sale."""
    lines = [ReceiptLine(1, "A", 590, 590, 700), ReceiptLine(1, "B", 350, 350, 700)]
    assert vat_breakdown(lines) == [VatLine(700, 879, 61, 940)]
    assert vat_breakdown([ReceiptLine(1, "C", 575, 575, 2500)]) == [VatLine(2500, 460, 115, 575)]
    assert (round_half_up_div(5, 10), round_half_up_div(-5, 10), round_half_up_div(4, 10)) == (
        1,
        -1,
        0,
    )
    void = vat_breakdown([ReceiptLine(-1, "A", 107, -107, 700)])
    assert void == [VatLine(700, -100, -7, -107)]


def test_vat_rate_text_from_basis_points() -> None:
    """Rates print from basis points with integer formatting only."""
    assert [vat_rate_text(bp) for bp in (0, 700, 1900, 1950, 2500, 1205)] == [
        "0%",
        "7%",
        "19%",
        "19,5%",
        "25%",
        "12,05%",
    ]


def test_mask_short_or_empty_card_ids() -> None:
    """A short id never appears whole; an empty one is an error."""
    assert mask_card_id("1234") == "•••• 234"
    with pytest.raises(ValueError, match="empty"):
        mask_card_id("  ")


def test_tender_labels() -> None:
    """Journal tenders read as words on the receipt; unknown ones are prettified."""
    assert [tender_label(t) for t in ("card", "cash", "bank_card", "swish")] == [
        "Card",
        "Cash",
        "Bank card",
        "Swish",
    ]


def test_receipt_from_entries_without_a_store() -> None:
    """D-PAY-3 lines, D-AUTO-3 autoload, D-OFF-3 offline flag and UTC time come from the body."""
    autoload = _entry(EntryKind.AUTOLOAD, 2000, {"consent": True}, seq=1)
    r = receipt_from_entries(UNIT, [autoload, _sale_entry()], balance_after=2450, copy=True)
    assert [(ln.quantity, ln.name, ln.unit_price) for ln in r.lines] == [
        (1, "Schnitzel", 590),
        (2, "Kaffee", 130),
    ]
    assert (r.total, r.autoload_amount, r.offline, r.copy, r.receipt_no) == (
        850,
        2000,
        True,
        True,
        7,
    )
    assert r.issued_at.tzinfo is UTC
    assert r.local_time().utcoffset() == timedelta(hours=1)  # the unit's zone in November


def test_void_receipt_negates_lines_and_names_the_sale() -> None:
    """A void repeats the sale's lines with negative amounts and names the voided entry."""
    body = {"voids": "0190a1b2-0000-7000-8000-000000000002", "lines": _RAW_LINES}
    r = receipt_from_entries(UNIT, [_entry(EntryKind.VOID, 850, body, seq=4)], balance_after=0)
    assert [(ln.quantity, ln.amount) for ln in r.lines] == [(-1, -590), (-2, -260)]
    assert r.voids_entry_id == "0190a1b2-0000-7000-8000-000000000002"
    assert all(v.gross < 0 for v in r.vat)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([], "at least one"),
        ([_sale_entry(), _sale_entry()], "do not make one receipt"),
        ([_sale_entry(receipt_no=None)], "receipt number"),
        (
            [_sale_entry(1), _entry(EntryKind.AUTOLOAD, 2000, {"consent": True}, receipt_no=2)],
            "receipt number",
        ),
        ([_entry(EntryKind.SALE, -1, {"lines": [], "total": 1})], "without lines"),
        (
            [
                _entry(
                    EntryKind.SALE, -1, {"lines": [{**_RAW_LINES[0], "quantity": 1.5}], "total": 1}
                )
            ],
            "integer",
        ),
    ],
)
def test_malformed_entries_are_clear_errors(entries: list[JournalEntry], message: str) -> None:
    """Entries that cannot make one receipt give a ValueError saying why."""
    with pytest.raises(ValueError, match=message):
        receipt_from_entries(UNIT, entries, balance_after=0)


def test_unknown_unit_timezone_is_refused() -> None:
    """A unit whose zone this machine does not know cannot print a correct local time."""
    bad = dataclasses.replace(UNIT, timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="Mars/Olympus"):
        receipt_from_entries(bad, [_sale_entry()], balance_after=0)


def test_d_pay_6_should_print_refuses_unknown_kind() -> None:
    """D-PAY-6 speaks of journal kinds only; anything else is a programming error."""
    with pytest.raises(ValueError, match="refund"):
        should_print(PrintPolicy.ALWAYS, "refund", requested=True)
