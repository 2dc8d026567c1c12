"""The architecture's import rules hold: Qt only under terminal/ui, drivers and sync stand alone,
the till and the server never import each other, and the demo is a wing nothing else enters."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["drivers", "sync", "terminal", "server", "demo", "bench"])
def test_qt_only_under_terminal_ui(package: str) -> None:
    """Qt is imported only under terminal/ui (Electrum keeps PyQt under gui/)."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in sources(package)
        if "terminal/ui" not in p.as_posix()
        and any(name.split(".")[0] in {"PySide6", "shiboken6"} for name in imports(p))
        and package != "bench"
    ]
    assert offenders == []


def test_drivers_import_neither_terminal_nor_sync() -> None:
    """drivers/ depends on nothing of ours: any till part can use any driver."""
    bad = {
        str(p.relative_to(ROOT)): sorted(
            n for n in imports(p) if n.split(".")[0] in {"terminal", "sync", "server", "demo"}
        )
        for p in sources("drivers")
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_sync_imports_neither_drivers_nor_terminal() -> None:
    """sync/ holds the store and protocol; it never reaches into devices, the app, the server
    or the demo."""
    bad = {
        str(p.relative_to(ROOT)): sorted(
            n for n in imports(p) if n.split(".")[0] in {"terminal", "drivers", "server", "demo"}
        )
        for p in sources("sync")
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_terminal_never_imports_the_server() -> None:
    """The till reaches the server over the wire (sync/) only, never by importing it."""
    bad = {
        str(p.relative_to(ROOT)): sorted(n for n in imports(p) if n.split(".")[0] == "server")
        for p in sources("terminal")
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_server_never_imports_the_till() -> None:
    """The server shares the wire's models (sync/) with the till, nothing of terminal/."""
    bad = {
        str(p.relative_to(ROOT)): sorted(
            n for n in imports(p) if n.split(".")[0] in {"terminal", "drivers"}
        )
        for p in sources("server")
    }
    assert {k: v for k, v in bad.items() if v} == {}


DEMO_ENTRY = "terminal/cli.py"  # its demo, net and demo-cards commands


def test_only_the_entry_point_imports_the_demo() -> None:
    """The demo is a wing of its own: the till, the server, sync and the drivers never import
    it; only the command line does, for the demo's own commands (tests and bench may)."""
    importers = sorted(
        str(p.relative_to(ROOT))
        for pkg in ("terminal", "server", "sync", "drivers")
        for p in sources(pkg)
        if any(n.split(".")[0] == "demo" for n in imports(p))
    )
    assert importers == [DEMO_ENTRY]


def test_the_entry_point_loads_the_demo_only_when_asked() -> None:
    """terminal/cli.py imports demo inside a function, so `canteen-till run` never loads it."""
    tree = ast.parse((ROOT / DEMO_ENTRY).read_text(encoding="utf-8"))
    at_top: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            at_top.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            at_top.add(node.module)
    assert at_top
    assert sorted(n for n in at_top if n.split(".")[0] == "demo") == []


def test_no_sql_in_widgets() -> None:
    """Widgets never write SQL: no sqlite3, no execute() under terminal/ui."""
    offenders = []
    for path in sources("terminal/ui"):
        text = path.read_text(encoding="utf-8")
        if "sqlite3" in imports(path) or ".execute(" in text or "executemany(" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_only_the_store_writes_sql_on_the_till() -> None:
    """The store (store_base, cache, journal, settle, migrations) is the only till code that
    runs SQL."""
    allowed = {
        "sync/store.py",
        "sync/store_base.py",
        "sync/cache.py",
        "sync/journal.py",
        "sync/settle.py",
        "sync/migrations.py",
    }
    offenders = [
        str(p.relative_to(ROOT))
        for pkg in ("terminal", "drivers", "sync")
        for p in sources(pkg)
        if str(p.relative_to(ROOT)) not in allowed and ".execute(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


# What terminal/ may import of drivers: the factories, the interfaces and their events, the
# optional capabilities (TakesKeys), discovery and the error tree, all through these modules.
DRIVER_API = {"drivers.cards", "drivers.cards.base", "drivers.printers", "drivers.printers.base"}
DRIVER_API_EXCEPTIONS: dict[str, set[str]] = {}


def driver_imports(path: Path) -> set[str]:
    """The drivers modules `path` imports, a submodule named in `from drivers.x import y` too."""
    found = {n for n in imports(path) if n.split(".")[0] == "drivers"}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
            continue
        if node.module.split(".")[0] != "drivers":
            continue
        package = importlib.import_module(node.module)
        for alias in node.names:
            name = f"{node.module}.{alias.name}"
            value = getattr(package, alias.name, None)
            # `normalise` in drivers.cards is the function, though a module has its name.
            is_module = isinstance(value, ModuleType) or (
                value is None and (ROOT / (name.replace(".", "/") + ".py")).exists()
            )
            if is_module:
                found.add(name)
    return found


def test_terminal_reaches_drivers_only_through_their_public_modules() -> None:
    """No concrete driver (keyboard, PC/SC, NFC, ESC/POS) is known outside drivers/."""
    bad = {
        str(p.relative_to(ROOT)): sorted(
            n
            for n in driver_imports(p)
            if n not in DRIVER_API
            and n not in DRIVER_API_EXCEPTIONS.get(str(p.relative_to(ROOT)), set())
        )
        for p in sources("terminal")
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_layering_check_sees_lazy_and_from_package_imports(tmp_path: Path) -> None:
    """Imports inside functions count, and so does a driver module taken from its package."""
    module = tmp_path / "lazy.py"
    module.write_text(
        "def f() -> None:\n"
        "    from drivers.printers.escpos import parse\n"
        "    from drivers.cards import pcsc, open_reader\n"
    )
    assert driver_imports(module) == {
        "drivers.printers.escpos",
        "drivers.cards",
        "drivers.cards.pcsc",
    }
