"""The till's one face to the screen, without widgets: a tap goes down one way, and the
receipt is printed from what the commit returned, not read back from the store."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from drivers.cards.base import BadRead, CardTap
from drivers.printers.simulated import FolderPrinter
from sync.link import NoServer
from sync.store import Store
from terminal.app import Till
from terminal.config import PrinterConfig, ReaderConfig, TillConfig
from terminal.print_queue import PrintRecord, PrintState
from terminal.session import Panel
from tests.terminal.till_scheme import NOW, PRODUCTS, seed_scheme

MEAL = PRODUCTS[0]


def make_till(tmp_path: Path) -> Till:
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        seed_scheme(store)
    config = TillConfig(
        till_id="till-1",
        data_dir=tmp_path,
        reader=ReaderConfig("simulated"),
        printer=PrinterConfig("simulated"),
        source="test",
    )
    return Till(config, link=NoServer(), clock=lambda: NOW)


def wait_for(records: list[PrintRecord], count: int) -> None:
    deadline = time.monotonic() + 10
    while len(records) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(records) >= count


def test_a_tap_is_normalised_decided_and_charged_through_the_till(tmp_path: Path) -> None:
    """D-CARD-3: the till normalises the reader's bytes; the screen shows the paid sale."""
    till = make_till(tmp_path)
    try:
        till.add(MEAL)
        till.tap(CardTap(bytes.fromhex("aa000001"), "test", "simulated", time.monotonic()))
        screen = till.screen()
        assert screen.panel is Panel.PAID
        assert screen.card is not None
        assert screen.card.card_id == "AA000001"
        assert screen.last_paid is not None
        assert screen.last_paid.committed.balance_after == 5000 - 350
    finally:
        till.close()


def test_the_receipt_is_printed_from_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """D-PAY-6: printing a sale reads nothing back from the store."""
    till = make_till(tmp_path)
    printed: list[PrintRecord] = []
    try:
        till.start_devices(
            on_tap=lambda _t: None,
            on_bad_read=lambda _b: None,
            on_reader_status=lambda _s: None,
            on_print=printed.append,
        )

        def no_read_back(_number: int) -> object:
            raise AssertionError("the receipt of a new sale was read back from the store")

        monkeypatch.setattr(till.store, "entries_for_receipt", no_read_back)
        till.add(MEAL)
        till.tap(CardTap(bytes.fromhex("AA000001"), "test", "simulated", time.monotonic()))
        wait_for(printed, 1)
        receipts = sorted((tmp_path / "receipts").glob("*.txt"))
        assert len(receipts) == 1
        assert "46,50" in receipts[0].read_text(encoding="utf-8")  # the balance after
    finally:
        till.close()


def start(till: Till, printed: list[PrintRecord]) -> None:
    def on_print(record: PrintRecord) -> None:
        till.note_print(record)  # as the window does, on its thread
        printed.append(record)

    till.start_devices(
        on_tap=lambda _t: None,
        on_bad_read=lambda _b: None,
        on_reader_status=lambda _s: None,
        on_print=on_print,
    )


def test_reprint_and_notices_reach_the_screen(tmp_path: Path) -> None:
    """F5 with no receipt says so on the screen; after a printed sale it reprints a copy."""
    till = make_till(tmp_path)
    printed: list[PrintRecord] = []
    try:
        start(till, printed)
        till.reprint()
        assert till.screen().notice == "No receipt to reprint yet."
        till.print_on_request()
        assert till.screen().notice == "Receipts print by themselves; F5 reprints a copy."
        till.add(MEAL)
        till.tap(CardTap(bytes.fromhex("AA000001"), "test", "simulated", time.monotonic()))
        number = till.store.last_receipt_no()
        wait_for(printed, 1)
        till.reprint()
        assert till.screen().notice == f"Reprinting receipt {number} (copy)."
        till.bad_read(BadRead("test", "", "no UID"))
        assert till.screen().notice == "Card not read (no UID). Ask the customer to tap again."
    finally:
        till.close()


def test_product_keys_are_found_whatever_their_case(tmp_path: Path) -> None:
    till = make_till(tmp_path)
    try:
        with_key = [p for p in till.products if p.shortcut]
        assert with_key
        product = with_key[0]
        key = product.shortcut or ""
        assert till.product_for_key(key.lower()) == product
        assert till.product_for_key(key.upper()) == product
        assert till.product_for_key("§") is None
    finally:
        till.close()


def test_a_failed_receipt_is_said_in_the_card_panel_and_f5_prints_the_original(
    tmp_path: Path,
) -> None:
    """D-PAY-6: the printer ran out of paper on the sale's receipt: the screen says so with
    the way out (F5); F5 prints the receipt as the ORIGINAL, since none came out; a further
    F5 prints a COPY."""
    till = make_till(tmp_path)
    printed: list[PrintRecord] = []
    try:
        start(till, printed)
        printer = till.printer
        assert isinstance(printer, FolderPrinter)
        printer.fail_next("Printer is out of paper")
        till.add(MEAL)
        till.tap(CardTap(bytes.fromhex("AA000001"), "test", "simulated", time.monotonic()))
        number = till.store.last_receipt_no()
        wait_for(printed, 1)
        assert printed[0].state is PrintState.FAILED
        assert till.screen().print_fault == (
            f"Receipt {number} not printed: Printer is out of paper. Reprint (F5)"
        )
        till.reprint()
        assert till.screen().notice == f"Printing receipt {number} (its original never printed)."
        wait_for(printed, 2)
        assert till.screen().print_fault is None
        texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "receipts").glob("*.txt")]
        assert len(texts) == 1
        assert "COPY" not in texts[0]
        till.reprint()
        assert till.screen().notice == f"Reprinting receipt {number} (copy)."
        wait_for(printed, 3)
        texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "receipts").glob("*.txt")]
        assert sum("COPY" in t for t in texts) == 1
    finally:
        till.close()
