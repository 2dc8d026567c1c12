"""The simulated (folder) printer and the printer selection by config string."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.printers import NullPrinter, open_printer
from drivers.printers.base import PaperOut, PrinterError, PrinterOffline, PrinterState, PrintJob
from drivers.printers.simulated import FolderPrinter


def job(copy: bool = False) -> PrintJob:
    return PrintJob("till-1-000007", "Kaffee 1,20 €\n", b"%PDF-1.4 fake", 42, copy)


def test_writes_text_and_pdf_and_keeps_reprints(tmp_path: Path) -> None:
    """Each job becomes <id>.txt and <id>.pdf; a reprint never overwrites the original."""
    printer = FolderPrinter(tmp_path)
    printer.print_job(job())
    printer.print_job(job(copy=True))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "till-1-000007.txt" in names
    assert "till-1-000007.pdf" in names
    assert any(".copy1." in n for n in names)
    assert (tmp_path / "till-1-000007.txt").read_text(encoding="utf-8") == "Kaffee 1,20 €\n"
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")]


@pytest.mark.parametrize("state", [PrinterState.PAPER_OUT, PrinterState.OFFLINE])
def test_simulated_fault_raises_and_writes_nothing(tmp_path: Path, state: PrinterState) -> None:
    """Paper out or offline: print_job raises PrinterError with readable text, writes nothing."""
    printer = FolderPrinter(tmp_path)
    printer.set_state(state)
    assert not printer.status().ready
    with pytest.raises(PrinterError) as caught:
        printer.print_job(job())
    assert list(tmp_path.iterdir()) == []
    # the caller can tell which fault it was
    assert (
        type(caught.value)
        is {PrinterState.PAPER_OUT: PaperOut, PrinterState.OFFLINE: PrinterOffline}[state]
    )


def test_fail_next_fails_once(tmp_path: Path) -> None:
    """fail_next makes exactly one job fail."""
    printer = FolderPrinter(tmp_path)
    printer.fail_next("cover open")
    with pytest.raises(PrinterError, match="cover open") as caught:
        printer.print_job(job())
    assert type(caught.value) is PrinterError  # a fault the printer does not name
    printer.print_job(job())
    assert (tmp_path / "till-1-000007.txt").exists()


def test_open_printer_by_config_string(tmp_path: Path) -> None:
    """'simulated' writes under data_dir/receipts, 'none' prints nothing, unknown is named."""
    printer = open_printer("simulated", data_dir=tmp_path)
    assert isinstance(printer, FolderPrinter)
    assert printer.folder == tmp_path / "receipts"
    assert isinstance(open_printer("none", data_dir=tmp_path), NullPrinter)
    assert not open_printer("escpos:tcp:192.0.2.1:9100", data_dir=tmp_path).status().ready
    with pytest.raises(ValueError, match="laser"):
        open_printer("laser", data_dir=tmp_path)
