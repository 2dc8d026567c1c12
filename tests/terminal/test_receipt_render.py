"""Receipt layout beyond the fiscal fields: wrapping, credits without lines, voids, PDF fonts."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sync.records import EntryKind, JournalEntry
from terminal.receipt import Receipt, receipt_from_entries
from terminal.receipt_render import find_font, latin1_text, local_time_text, render_pdf, render_text
from tests.terminal.till_scheme import NOW, UNIT, journal_entry

LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänsmittagsmenü"


def entry(kind: EntryKind, amount: int, body: dict[str, Any], seq: int = 1) -> JournalEntry:
    return journal_entry(kind, amount, body, seq=seq, receipt_no=12, card_id="04579A22352680")


def sale_receipt(name: str = "Kaffee", quantity: int = 1, **kw: Any) -> Receipt:
    line = {"product_id": "p", "name": name, "category": "c", "quantity": quantity,
            "unit_price": 130, "vat_rate_bp": 1900}  # fmt: skip
    body = {
        "lines": [line],
        "total": 130 * quantity,
        "price_level": "student",
        "offline": False,
        "tender": "card",
    }
    return receipt_from_entries(
        UNIT, [entry(EntryKind.SALE, -130 * quantity, body)], balance_after=870, **kw
    )


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_unbreakable_name_wraps_and_loses_nothing(columns: int) -> None:
    """A product name longer than the paper is broken across lines, never cut off."""
    text = render_text(sale_receipt(LONG_WORD), columns)
    assert all(len(line) <= columns for line in text.splitlines())
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("1 x "))
    end = lines.index("-" * columns, start)
    first = lines[start].removeprefix("1 x ").removesuffix("1,30 € A").strip()
    assert first + "".join(line.strip() for line in lines[start + 1 : end]) == LONG_WORD


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_amounts_are_right_aligned(columns: int) -> None:
    """Line amounts, the total and the balance end in the same column."""
    lines = render_text(sale_receipt(quantity=3), columns).splitlines()
    total = next(line for line in lines if line.startswith("TOTAL"))
    balance = next(line for line in lines if line.startswith("Balance after"))
    assert len(total) == len(balance) == columns
    assert total.endswith("3,90 €")
    item = next(line for line in lines if line.startswith("3 x Kaffee"))
    assert item.endswith("3,90 € A")
    assert any(line.strip() == "1,30 € each" for line in lines)


def test_header_is_centred_and_time_is_local_with_offset() -> None:
    """The seller's name is centred; the time is the unit's (Berlin, +01:00 in November)."""
    receipt = sale_receipt()
    lines = render_text(receipt, 42).splitlines()
    name = next(line for line in lines if "Studierendenwerk Nordstadt" in line)
    left = len(name) - len(name.lstrip())
    assert abs(left - (42 - len(name.strip()) - left)) <= 1
    assert local_time_text(receipt) == "21.11.2026 12:30 +01:00"
    summer = dataclasses.replace(receipt, issued_at=NOW.replace(month=7))
    assert local_time_text(summer) == "21.07.2026 13:30 +02:00"


def test_autoload_on_its_own() -> None:
    """D-AUTO-3 / D-PAY-6: an autoload without a sale still gets a receipt with its amount."""
    receipt = receipt_from_entries(
        UNIT, [entry(EntryKind.AUTOLOAD, 2000, {"consent": True})], balance_after=2500
    )
    text = render_text(receipt, 42)
    assert "AUTOLOAD" in text
    assert "+20,00 €" in text
    assert "25,00 €" in text
    assert "no VAT" in text
    assert "•••• 2680" in text
    assert "04579A" not in text


def test_void_receipt_text() -> None:
    """A void names the voided entry and shows the refund as negative amounts."""
    body = {"voids": "0190a1b2-0000-7000-8000-00000000000f", "lines": [
        {"product_id": "p", "name": "Kaffee", "category": "c", "quantity": 2, "unit_price": 130,
         "vat_rate_bp": 1900}]}  # fmt: skip
    receipt = receipt_from_entries(UNIT, [entry(EntryKind.VOID, 260, body, 3)], balance_after=0)
    text = render_text(receipt, 42)
    assert "VOID" in text
    assert "0190a1b2-0000-7000-8000-00000000000f" in text
    assert "-2,60 €" in text
    assert "Refund to Card" in text
    assert all(len(line) <= 42 for line in text.splitlines())


def test_offline_sale_is_marked() -> None:
    """D-OFF-3: a sale approved offline says so on the receipt."""
    receipt = dataclasses.replace(sale_receipt(), offline=True)
    assert "APPROVED OFFLINE" in render_text(receipt, 48)


def test_pdf_is_80_mm_wide_and_grows_with_content() -> None:
    """The PDF page is 80 mm wide and as tall as the receipt (a copy adds height)."""

    def media_box(pdf: bytes) -> tuple[float, float]:
        found = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
        assert found is not None
        return float(found.group(1)), float(found.group(2))

    width, height = media_box(render_pdf(sale_receipt()))
    _, copy_height = media_box(render_pdf(sale_receipt(copy=True)))
    assert round(width / 72 * 25.4) == 80
    assert copy_height > height


def test_pdf_uses_dejavu_when_found(tmp_path: Path) -> None:
    """With DejaVu Sans available the PDF embeds it and keeps €, ß and the card mask."""
    if find_font("DejaVuSans.ttf") is None:
        pytest.skip("DejaVu Sans not installed (fonts-dejavu-core)")
    pdf = render_pdf(sale_receipt("Soße Smørrebrød"))
    assert b"DejaVuSans" in pdf
    text = pdf_text(pdf, tmp_path)
    assert "€" in text
    assert "Soße Smørrebrød" in text
    assert "•••• 2680" in text


def test_pdf_falls_back_to_helvetica_with_transliteration(tmp_path: Path) -> None:
    """Without DejaVu the PDF still renders, in Helvetica, with € spelled EUR."""
    pdf = render_pdf(sale_receipt("Soße"), font_dirs=[tmp_path / "no-fonts"])
    assert pdf.startswith(b"%PDF")
    assert b"DejaVu" not in pdf
    assert latin1_text("1,30 € •••• 9961 Smørrebrød ß ŝ") == "1,30 EUR **** 9961 Smørrebrød ß s"
    text = pdf_text(pdf, tmp_path)
    assert "EUR" in text
    assert "Soße" in text
