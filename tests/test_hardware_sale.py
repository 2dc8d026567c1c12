"""A sale through real driver stacks end to end: a card presented on a PC/SC reader (private
pcscd, vpcd, virtual card) pays for a rung-up meal at the till, and its receipt reaches an
ESC/POS printer on the network (a TCP listener) with the journal entry id in its QR code."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.cards import BadRead, CardTap, ReaderStatus
from sync.link import NoServer
from sync.store import Store
from terminal.app import Till
from terminal.config import PrinterConfig, ReaderConfig, TillConfig
from terminal.print_queue import PrintRecord, PrintState
from tests.drivers.cards.pcscd import PcscDaemon, VirtualReader, free_port_pair
from tests.drivers.cards.vpcd_card import VirtualCard
from tests.drivers.printers.escpos_listener import NEAR_END, Listener, decode, text_of
from tests.drivers.printers.escpos_listener import PAPER_OUT as OUT
from tests.terminal.till_scheme import PRODUCTS, seed_scheme

ANNA = bytes.fromhex("AA000001")  # her card in the test scheme


def seeded_till(data_dir: Path, reader: str, printer: str) -> Till:
    """A till on the test scheme (seeded once per folder) with this reader and printer."""
    if not (data_dir / "till.db").exists():
        with Store.open(data_dir / "till.db", till_id="till-1") as store:
            seed_scheme(store)
    config = TillConfig(
        till_id="till-1",
        data_dir=data_dir,
        reader=ReaderConfig(reader),
        printer=PrinterConfig(printer, 42),
    )
    return Till(config, link=NoServer())


@pytest.fixture
def slot(pcsc_daemon: PcscDaemon) -> Iterator[VirtualReader]:
    reader = VirtualReader("Canteen Till", free_port_pair())
    pcsc_daemon.start(reader)
    try:
        yield reader
    finally:
        pcsc_daemon.stop()


def test_card_on_a_pcsc_reader_pays_and_the_receipt_prints_on_escpos(
    tmp_path: Path, slot: VirtualReader
) -> None:
    with Listener() as printer:
        till = seeded_till(tmp_path, "pcsc:canteen till", printer.spec)
        ready, printed = threading.Event(), threading.Event()
        records: list[PrintRecord] = []
        taps: list[CardTap] = []
        bad: list[BadRead] = []

        arrived: queue.Queue[CardTap] = queue.Queue()

        def on_tap(tap: CardTap) -> None:  # the reader's thread: hand it over, as the window does
            taps.append(tap)
            arrived.put(tap)

        def on_status(status: ReaderStatus) -> None:
            if status.ready:
                ready.set()

        def on_print(record: PrintRecord) -> None:
            records.append(record)
            if record.state is PrintState.PRINTED:
                printed.set()

        card = VirtualCard(slot.port, uid=ANNA)
        try:
            till.start_devices(
                on_tap=on_tap, on_bad_read=bad.append, on_reader_status=on_status, on_print=on_print
            )
            assert ready.wait(15), till.reader_status().text
            meal = next(p for p in PRODUCTS if p.product_id == "meal")
            till.session.add(meal)
            card.insert()
            till.session.tap(till.card_id(arrived.get(timeout=15)))  # on the till's thread
            assert printed.wait(30), f"taps {taps}, bad reads {bad}, prints {records}"
            # the print queue also asks the printer for its status on connections of their own;
            # the receipt's connection may be seen to end a moment after the job counts printed
            for _ in range(200):
                cut = [data for data in printer.ended() if b"\x1dV" in data]
                if cut:
                    break
                time.sleep(0.05)
            (sent,) = cut
        finally:
            card.remove()
            till.close()
    assert [t.uid for t in taps] == [ANNA]
    assert bad == []
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        (sale,) = store.journal()
    assert (sale.kind.value, sale.card_id, sale.amount) == ("sale", "AA000001", -350)
    ops = decode(sent)
    text = text_of(ops)
    assert "Menü 1" in text
    assert "APPROVED OFFLINE" in text  # no server configured: D-OFF-3
    stored = [op.args for op in ops if op.kind == "2d" and op.args.startswith(b"1P0")]
    assert stored == [b"1P0" + sale.entry_id.encode()]
    assert "kick" not in [op.kind for op in ops]  # paid by card: the drawer stays shut


def test_the_status_bar_shows_paper_running_low_and_out(tmp_path: Path) -> None:
    """What the ESC/POS printer reports about its paper reaches the till's status bar."""
    for answers, ok, text in ((NEAR_END, True, "Paper is running low"), (OUT, False, "out of")):
        with Listener(status=answers) as printer:
            till = seeded_till(tmp_path, "simulated", printer.spec)
            try:
                till.start_devices(
                    on_tap=lambda _tap: None,
                    on_bad_read=lambda _bad: None,
                    on_reader_status=lambda _status: None,
                    on_print=lambda _record: None,
                )
                for _ in range(600):  # the print queue asks the printer on its own thread
                    if text in till.status().printer_text:
                        break
                    threading.Event().wait(0.05)
                status = till.status()
            finally:
                till.close()
        assert text in status.printer_text
        assert status.printer_ok is ok
