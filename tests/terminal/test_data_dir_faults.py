"""A read-only or full data directory, made real with a tmpfs: the till refuses to sell, says why.

Mounting needs root (CI and the dev machines run as root); elsewhere these tests skip.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.policy import DEFAULTS
from sync.store import Store, StoreUnavailable
from terminal.session import Paid, SaleSession
from tests.terminal.till_scheme import NOW, PRODUCTS, run_till_cli, seed_scheme

MEAL = PRODUCTS[0]


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Path]:
    point = tmp_path / "data"
    point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def remount(point: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(point)], check=True)


def session(store: Store) -> tuple[SaleSession, list[Paid]]:
    paid: list[Paid] = []
    s = SaleSession(
        store, policy=DEFAULTS, online=lambda: True, clock=lambda: NOW, on_committed=paid.append
    )
    return s, paid


def test_read_only_data_dir_refuses_to_sell_and_says_why(mount: Path) -> None:
    """Read-only data directory: no sale is taken, and the reason says read-only."""
    with Store.open(mount / "till.db", till_id="till-1") as store:
        seed_scheme(store)
    remount(mount, "ro")
    try:
        store = Store.open(mount / "till.db", till_id="till-1")
    except StoreUnavailable as exc:
        refusal = str(exc)  # refusing to open at all is a fine way to refuse to sell
    else:
        refusal = ""
    if refusal:
        assert "read-only" in refusal
        assert str(mount) in refusal
        return
    with store:
        s, paid = session(store)
        assert s.problem is not None
        assert "read-only" in s.problem
        s.add(MEAL)
        s.tap("AA000001")
        assert paid == []


def test_cli_on_read_only_data_dir_exits_with_reason(mount: Path, tmp_path: Path) -> None:
    """`canteen-till run` on a read-only data directory says so and exits non-zero."""
    with Store.open(mount / "till.db", till_id="till-1") as store:
        seed_scheme(store)
    remount(mount, "ro")
    config = tmp_path / "till.toml"
    config.write_text(f'[till]\ntill_id = "till-1"\ndata_dir = "{mount}"\n', encoding="utf-8")
    done = run_till_cli(config)
    assert done.returncode != 0 or "CANNOT SELL" in done.stdout
    assert "read-only" in done.stderr + done.stdout


def test_full_data_dir_stops_selling_and_loses_nothing(mount: Path) -> None:
    """A full disk: the till refuses before taking the sale, keeps every earlier sale, resumes."""
    with Store.open(mount / "till.db", till_id="till-1", min_free_bytes=0) as store:
        seed_scheme(store)
        s, paid = session(store)
        s.add(MEAL)
        s.tap("AA000001")
        assert len(paid) == 1
        filler = mount / "filler"
        with filler.open("wb", buffering=0) as f:  # fill the disk to the last block
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        store.min_free_bytes = 64 * 1024
        s.add(MEAL)
        s.add(MEAL)
        s.tap("AA000001")
        assert len(paid) == 1
        assert s.problem is not None
        assert "full" in s.problem
        assert len(store.journal()) == 1
        filler.unlink()
        assert s.check_store()
        s.charge()
        assert len(paid) == 2
        assert [e.seq for e in store.journal()] == [1, 2]
        (ok,) = store.db.execute("PRAGMA integrity_check").fetchone()
        assert ok == "ok"


def test_full_disk_mid_commit_rolls_back_whole(mount: Path) -> None:
    """The disk fills during the commit itself: SQLite's error rolls the sale back whole."""
    with Store.open(mount / "till.db", till_id="till-1", min_free_bytes=0) as store:
        seed_scheme(store)
        s, paid = session(store)
        filler = mount / "filler"
        with filler.open("wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
            except OSError:
                pass
        for i in range(12):
            s.add(MEAL.__class__(f"x{i}", "X" * 3000, "Mains", MEAL.prices, 700))
        s.tap("AA000001")
        assert paid == []
        assert s.problem is not None
        assert store.journal() == []
        assert len(s.basket) == 12
        filler.unlink()
        assert s.check_store()
        s.charge()
        assert len(paid) == 1
