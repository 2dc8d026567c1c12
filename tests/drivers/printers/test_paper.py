"""`paper_of`: the paper a printer string names, for the config check, without opening it."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.printers import Paper, paper_of


def test_escpos_strings_name_their_paper(tmp_path: Path) -> None:
    assert paper_of("escpos:tcp:10.0.0.7", data_dir=tmp_path) == Paper(80, 64)
    assert paper_of("escpos:tcp:10.0.0.7,paper=58", data_dir=tmp_path) == Paper(58, 42)
    # a profile that knows a narrower print head (TM-T88: 512 dots) narrows the paper
    assert paper_of("escpos:tcp:h,profile=TM-T88III", data_dir=tmp_path) == Paper(80, 56)


def test_printers_without_paper_and_malformed_strings(tmp_path: Path) -> None:
    assert paper_of("simulated", data_dir=tmp_path) is None
    assert paper_of("none", data_dir=tmp_path) is None
    with pytest.raises(ValueError, match="paper=57 must be 58 or 80"):
        paper_of("escpos:tcp:10.0.0.7,paper=57", data_dir=tmp_path)
    with pytest.raises(ValueError, match="unknown printer 'laser'"):
        paper_of("laser", data_dir=tmp_path)
    with pytest.raises(ValueError, match="unknown connection 'bluetooth'"):
        paper_of("escpos:bluetooth:x", data_dir=tmp_path)
