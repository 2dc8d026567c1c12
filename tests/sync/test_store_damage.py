"""A damaged local store says so: it is refused at start-up, left byte for byte as it was, and
`canteen-till check-store` reports what SQLite's integrity check found."""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import sync.store_base
from sync.store import Store, StoreCorrupt, StoreUnavailable
from terminal.cli import main
from tests.terminal.till_scheme import run_till_cli, seed_scheme, sell

SALES = 5


def healthy_store(data_dir: Path) -> Path:
    """A real till store with the scheme and a few sales, all of it in the main file."""
    path = data_dir / "till.db"
    with Store.open(path, till_id="till-1") as store:
        seed_scheme(store)
        for _ in range(SALES):
            sell(store, 350, "a-anna", "AA000001")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert not Path(f"{path}-wal").exists()  # the last close removed it: the main file is all
    return path


def page_size(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    finally:
        conn.close()
    return int(size)


def truncate(path: Path) -> None:
    path.write_bytes(b"")


def overwrite_header(path: Path) -> None:
    with path.open("r+b") as f:
        f.write(random.Random(1).randbytes(100))


def overwrite_middle(path: Path) -> None:
    size = page_size(path)
    assert path.stat().st_size > 5 * size
    with path.open("r+b") as f:
        f.seek(3 * size)
        f.write(random.Random(2).randbytes(4096))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "empty": truncate,
    "header": overwrite_header,
    "middle": overwrite_middle,
}


def damaged_store(data_dir: Path, kind: str) -> Path:
    path = healthy_store(data_dir)
    DAMAGE[kind](path)
    return path


def files(directory: Path) -> dict[str, str]:
    """Every file in the directory by name, with the SHA-256 of its bytes."""
    return {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(directory.iterdir())
        if f.is_file()
    }


@pytest.mark.parametrize("kind", DAMAGE)
def test_damaged_store_is_refused_and_left_as_it_is(tmp_path: Path, kind: str) -> None:
    """Store.open on an empty or overwritten file raises corrupt, naming it, changing nothing."""
    path = damaged_store(tmp_path / "data", kind)
    before = files(path.parent)
    with pytest.raises(StoreUnavailable) as caught:
        Store.open(path, till_id="till-1")
    assert isinstance(caught.value, StoreCorrupt)  # callers that say "restore it" catch this
    message = str(caught.value)
    assert str(path) in message
    assert "corrupt" in message
    assert "left as it is" in message
    assert files(path.parent) == before  # same bytes, and no -wal or -shm made next to it


def test_empty_store_says_it_is_empty(tmp_path: Path) -> None:
    """A zero-length file is reported as empty, not silently migrated into a new store."""
    path = damaged_store(tmp_path / "data", "empty")
    with pytest.raises(StoreUnavailable, match=r"empty \(0 bytes\)"):
        Store.open(path, till_id="till-1")
    assert path.stat().st_size == 0


def test_damaged_store_with_a_wal_left_by_a_crash_is_left_as_it_is(tmp_path: Path) -> None:
    """A damaged file with a crash's -wal still holding a sale: refused; neither file changes."""
    path = healthy_store(tmp_path / "data")
    crash = tmp_path / "crash"
    crash.mkdir()
    with Store.open(path, till_id="till-1") as store:
        sell(store, 120, "a-anna", "AA000001")  # committed to the -wal, not yet checkpointed
        for suffix in ("", "-wal", "-shm"):  # the files as a power cut would leave them
            shutil.copyfile(f"{path}{suffix}", crash / f"till.db{suffix}")
    copy = crash / "till.db"
    assert (crash / "till.db-wal").stat().st_size > 0
    overwrite_middle(copy)
    before = files(crash)
    with pytest.raises(StoreCorrupt, match="corrupt") as caught:
        Store.open(copy, till_id="till-1")
    assert str(copy) in str(caught.value)
    after = files(crash)
    assert sorted(after) == sorted(before)
    # The -shm is SQLite's index of the -wal, rebuilt by any reader; the data is untouched.
    assert after["till.db"] == before["till.db"]
    assert after["till.db-wal"] == before["till.db-wal"]


def test_healthy_store_opens_again_with_its_history(tmp_path: Path) -> None:
    """The start-up check passes a sound store, also one a crash left with a -wal."""
    path = healthy_store(tmp_path / "data")
    with Store.open(path, till_id="till-1") as store:
        assert len(store.journal()) == SALES
        sell(store, 120, "a-anna", "AA000001")
        crash = tmp_path / "crash"
        crash.mkdir()
        for suffix in ("", "-wal", "-shm"):
            shutil.copyfile(f"{path}{suffix}", crash / f"till.db{suffix}")
    with Store.open(crash / "till.db", till_id="till-1") as store:
        assert len(store.journal()) == SALES + 1


def test_a_store_open_in_this_process_is_not_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a file this process already has open (the sync client does, every push) skips
    the check; once every store on it is closed, the next opening checks again."""
    path = healthy_store(tmp_path / "data")
    checks: list[str] = []
    findings = sync.store_base._findings

    def counted(conn: sqlite3.Connection, pragma: str, where: str) -> list[str]:
        checks.append(pragma)
        return findings(conn, pragma, where)

    monkeypatch.setattr(sync.store_base, "_findings", counted)
    with Store.open(path, till_id="till-1"):
        assert checks == ["quick_check"]
        with Store.open(path, till_id="till-1"):
            pass
        assert checks == ["quick_check"]
    Store.open(path, till_id="till-1").close()
    assert checks == ["quick_check", "quick_check"]


@pytest.mark.parametrize("kind", DAMAGE)
def test_check_store_reports_damage_and_changes_nothing(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`canteen-till check-store PATH` on a damaged file says corrupt, exits 1, writes nothing."""
    path = damaged_store(tmp_path / "data", kind)
    before = files(path.parent)
    assert main(["check-store", str(path)]) == 1
    out = capsys.readouterr().out
    assert str(path) in out
    assert "CORRUPT" in out
    assert "left as it is" in out
    assert files(path.parent) == before


def test_check_store_finds_damage_in_the_middle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Damage in the middle is named by SQLite's check, and the journal is counted if readable."""
    path = damaged_store(tmp_path / "data", "middle")
    assert main(["check-store", "--data-dir", str(path.parent)]) == 1
    out = capsys.readouterr().out
    assert "malformed" in out or "page" in out
    assert "ok" not in out.splitlines()[0]


def test_check_store_says_ok_on_a_healthy_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sound store: "ok", its entry counts, exit 0, and no file made or changed."""
    path = healthy_store(tmp_path / "data")
    before = files(path.parent)
    assert main(["check-store", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}: ok" in out
    assert f"{SALES} journal entries, {SALES} not yet accepted by the server" in out
    assert files(path.parent) == before


def test_check_store_finds_the_store_by_data_dir_or_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--data-dir DIR and --config FILE (before or after check-store) find the till's store."""
    path = healthy_store(tmp_path / "data")
    config = tmp_path / "till.toml"
    config.write_text(f'[till]\ntill_id = "till-1"\ndata_dir = "{path.parent}"\n', "utf-8")
    for argv in (
        ["check-store", "--data-dir", str(path.parent)],
        ["check-store", "--config", str(config)],
        ["--config", str(config), "check-store"],
    ):
        assert main(argv) == 0, argv
        assert f"{path}: ok" in capsys.readouterr().out


def test_check_store_on_a_missing_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No store file: a clear message and exit 1, and no file is created."""
    path = tmp_path / "till.db"
    assert main(["check-store", str(path)]) == 1
    assert "no such file" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_check_store_usage_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path and --data-dir together, or --config twice, is a usage error (exit 2)."""
    with pytest.raises(SystemExit) as caught:
        main(["check-store", str(tmp_path / "till.db"), "--data-dir", str(tmp_path)])
    assert caught.value.code == 2
    assert main(["--config", "a.toml", "check-store", "--config", "b.toml"]) == 2
    assert "once" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("kind", DAMAGE)
def test_run_on_a_damaged_store_exits_before_any_window(tmp_path: Path, kind: str) -> None:
    """`canteen-till run` on a damaged store exits 1 saying corrupt; no window; file unchanged."""
    path = damaged_store(tmp_path / "data", kind)
    before = files(path.parent)
    config = tmp_path / "till.toml"
    config.write_text(f'[till]\ntill_id = "till-1"\ndata_dir = "{path.parent}"\n', "utf-8")
    done = run_till_cli(config, "--offscreen")
    assert done.returncode == 1, done.stderr
    assert "canteen-till: " in done.stderr
    assert str(path) in done.stderr
    assert "corrupt" in done.stderr
    assert "left as it is" in done.stderr
    assert "Traceback" not in done.stderr
    assert "ready in" not in done.stdout  # printed once the window is shown
    assert files(path.parent) == before


def test_openers_racing_to_create_a_store_never_call_it_empty(tmp_path: Path) -> None:
    """The till and its sync threads open a new store at the same moment: the one that
    creates it holds the others off until it has a schema, so none sees an empty file."""
    import threading

    errors: list[BaseException] = []
    for n in range(20):
        path = tmp_path / f"race-{n}" / "till.db"
        start = threading.Barrier(4)

        def open_it(path: Path = path, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                Store.open(path, till_id="till-1").close()
            except BaseException as exc:  # collected, the test fails on it below
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
