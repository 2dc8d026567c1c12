"""Receipts of cash at the counter, from a real store's journal: a top-up's void (D-PAY-4), an
arrears payment (D-AUTO-7), and a void naming the receipt number it voids (D-PAY-6)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sync.records import Account, EntryKind, PriceLevel, SaleLine
from sync.store import Committed, Store
from terminal.receipt import Receipt, receipt_from_entries
from terminal.receipt_render import render_pdf, render_text
from tests.terminal.till_scheme import NOW, TODAY, UNIT


def receipt_of(store: Store, done: Committed) -> Receipt:
    entries = store.entries_for_receipt(done.receipt_no)
    return receipt_from_entries(UNIT, entries, balance_after=done.balance_after)


def topup(store: Store, amount: int) -> Committed:
    return store.commit_topup(
        card_id="AA000001",
        account_id="a-anna",
        currency="EUR",
        amount=amount,
        tender="cash",
        created_at=NOW,
        business_day=TODAY,
    )


def void(store: Store, done: Committed) -> Committed:
    entry_id = done.entries[-1].entry_id
    return store.commit_void(entry_id=entry_id, created_at=NOW, business_day=TODAY)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_d_pay_4_a_top_ups_void_receipt_takes_the_money_back_in_cash(
    store: Store, tmp_path: Path
) -> None:
    """D-PAY-4, D-PAY-6: a top-up's void prints as such: the top-up taken back (negative),
    paid out in the top-up's tender, no VAT (stored value), the top-up's receipt number."""
    topped = topup(store, 1500)
    r = receipt_of(store, void(store, topped))
    assert (r.kind, r.voided_kind, r.total, r.tender) == (
        EntryKind.VOID,
        EntryKind.TOPUP,
        -1500,
        "Cash",
    )
    assert (r.lines, r.vat, r.voids_receipt_no, r.receipt_no) == ((), (), 1, 2)
    assert r.voids_entry_id == topped.entries[0].entry_id
    text = render_text(r, 42)
    for expected in (
        "VOID OF TOP-UP",
        "Void of receipt 1",
        "Refund to Cash",
        "Stored value: no VAT",
    ):
        assert expected in text, text
    (taken,) = [line for line in text.splitlines() if line.startswith("Top-up taken back")]
    assert taken.split()[-2:] == ["-15,00", "€"]
    assert "TOTAL" + "-15,00 €".rjust(37) in text
    assert topped.entries[0].entry_id not in text
    pdf = pdf_text(render_pdf(r), tmp_path)
    assert "VOID OF TOP-UP" in pdf
    assert "Void of receipt 1" in pdf


def test_d_pay_6_a_sales_void_names_the_receipt_number_it_voids(store: Store) -> None:
    """D-PAY-6: a cashier finds receipts by number: the void says "Void of receipt 1", not
    the sale's entry id."""
    sold = store.commit_sale(
        card_id="AA000001",
        account_id="a-anna",
        currency="EUR",
        lines=[SaleLine("coffee", "Kaffee", "Drinks", 1, 130, 1900)],
        price_level=PriceLevel.STUDENT,
        offline=False,
        autoload_amount=None,
        created_at=NOW,
        business_day=TODAY,
    )
    r = receipt_of(store, void(store, sold))
    assert (r.voided_kind, r.voids_receipt_no, r.total) == (EntryKind.SALE, 1, -130)
    text = render_text(r, 32)
    assert "Void of receipt 1" in text.splitlines()
    assert "\nVOID\n" in "\n" + "\n".join(line.strip() for line in text.splitlines()) + "\n"
    assert sold.entries[0].entry_id not in text


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_d_auto_7_an_arrears_payment_receipt_shows_what_is_left(store: Store, columns: int) -> None:
    """D-AUTO-7, D-PAY-6: the arrears payment's receipt: its title, the amount paid in cash,
    the arrears left and the balance (unchanged by the payment)."""
    store.upsert_accounts(
        [Account("a-anna", "h-anna", "EUR", 5000, PriceLevel.STUDENT, None, True, 1000)]
    )
    done = store.commit_arrears_payment(
        card_id="AA000001",
        account_id="a-anna",
        currency="EUR",
        amount=600,
        tender="cash",
        created_at=NOW,
        business_day=TODAY,
    )
    r = receipt_of(store, done)
    assert (r.kind, r.total, r.tender, r.arrears_after, r.balance_after) == (
        EntryKind.ARREARS_PAYMENT,
        600,
        "Cash",
        400,
        5000,
    )
    assert (r.lines, r.vat, r.voids_receipt_no) == ((), (), None)
    text = render_text(r, columns)
    assert all(len(line) <= columns for line in text.splitlines())
    rows = {line.split("  ")[0]: line.split()[-2] for line in text.splitlines() if "€" in line}
    assert rows["Arrears paid"] == "6,00"
    assert rows["Paid by Cash"] == "6,00"
    assert rows["Arrears left"] == "4,00"
    assert rows["Balance after"] == "50,00"
    assert "ARREARS PAYMENT" in text
    assert "no VAT" not in text
