"""Simulated printer faults and atomic writes; the ESC/POS and other config strings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drivers.printers import FolderPrinter, open_printer
from drivers.printers.base import PrinterError, PrinterState, PrintJob
from drivers.printers.escpos import EscposPrinter


def job(job_id: str = "till-1-000042", pdf: bytes | None = b"%PDF-1.4") -> PrintJob:
    return PrintJob(job_id, "Kaffee 1,30 €\n", pdf, 42, False)


def test_a_failed_replace_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes go to a temp file then os.replace: when that fails nothing half-written remains."""
    printer = FolderPrinter(tmp_path)

    def no_space(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(PrinterError, match="No space left"):
        printer.print_job(job())
    assert list(tmp_path.iterdir()) == []


def test_paper_out_reads_well_and_clears(tmp_path: Path) -> None:
    """Simulated paper out: status and error say so; READY again prints."""
    printer = FolderPrinter(tmp_path / "receipts")
    printer.set_state(PrinterState.PAPER_OUT)
    assert printer.status().state is PrinterState.PAPER_OUT
    with pytest.raises(PrinterError, match="out of paper"):
        printer.print_job(job())
    assert not (tmp_path / "receipts").exists()
    printer.set_state(PrinterState.READY)
    printer.print_job(job(pdf=None))
    assert [p.name for p in (tmp_path / "receipts").iterdir()] == ["till-1-000042.txt"]


def test_job_ids_that_cannot_be_file_names_are_refused(tmp_path: Path) -> None:
    """A job id with a path in it never writes outside the folder."""
    with pytest.raises(PrinterError, match="cannot name a file"):
        FolderPrinter(tmp_path / "r").print_job(job("../escape"))
    assert not (tmp_path / "escape.txt").exists()


def test_unwritable_folder_is_a_printer_error(tmp_path: Path) -> None:
    """A folder that cannot be created gives a readable PrinterError, not an OSError."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PrinterError, match="Cannot write receipt"):
        FolderPrinter(blocker / "receipts").print_job(job())


def test_config_strings(tmp_path: Path) -> None:
    """simulated:DIR (absolute, or relative to the data dir); escpos; unknown strings named."""
    absolute = open_printer(f"simulated:{tmp_path / 'paper'}", data_dir=tmp_path / "data")
    assert isinstance(absolute, FolderPrinter)
    assert absolute.folder == tmp_path / "paper"
    relative = open_printer("simulated:slips", data_dir=tmp_path)
    assert isinstance(relative, FolderPrinter)
    assert relative.folder == tmp_path / "slips"
    escpos = open_printer("escpos:tcp:192.0.2.1:9100", data_dir=tmp_path)
    assert isinstance(escpos, EscposPrinter)
    assert escpos.target.where == "192.0.2.1:9100"
    for bad in ("none:x", "", "cups:receipts"):
        with pytest.raises(ValueError, match="unknown printer"):
            open_printer(bad, data_dir=tmp_path)
