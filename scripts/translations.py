"""Keep the translation catalogues in step with the code, with Qt's own tools.

    python scripts/translations.py update    # pyside6-lupdate: new texts in, removed texts out
    python scripts/translations.py check     # exit 1 and name what is missing or unfinished
    python scripts/translations.py release   # pyside6-lrelease: .qm files into var/i18n

Every text shown on the screen or printed on a receipt is written as
`translate("<context>", "<English>")` (or `QT_TRANSLATE_NOOP`) in terminal/; lupdate reads
those calls. The catalogues carry no source locations, so moving code does not change them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from terminal.i18n import LANGUAGES, SOURCE_LANGUAGE  # noqa: E402
from terminal.i18n import catalogue_path as catalogue_path  # noqa: E402

TRANSLATED = [code for code in LANGUAGES if code != SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease of this environment."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: it comes with PySide6-Essentials (uv sync)")
    return found


def sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "terminal").rglob("*.py"))


def lupdate(targets: list[Path]) -> None:
    subprocess.run(
        [
            tool("pyside6-lupdate"),
            *sources(),
            *("-no-obsolete", "-locations", "none", "-silent", "-ts"),
            *map(str, targets),
        ],
        cwd=ROOT,
        check=True,
    )


@dataclass(frozen=True, slots=True)
class Entry:
    context: str
    source: str
    translation: str
    finished: bool


def entries(path: Path) -> list[Entry]:
    found: list[Entry] = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            node = message.find("translation")
            text = (node.text or "") if node is not None else ""
            kind = node.get("type") if node is not None else "unfinished"
            found.append(
                Entry(name, message.findtext("source") or "", text, kind is None and bool(text))
            )
    return found


def problems() -> list[str]:
    """What is wrong with the committed catalogues, one line per problem."""
    wrong: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.ts"
        lupdate([fresh])
        wanted = {(e.context, e.source) for e in entries(fresh)}
    for code in TRANSLATED:
        path = catalogue_path(code)
        if not path.exists():
            wrong.append(f"{path.name}: missing (run: make translations)")
            continue
        have = {(e.context, e.source): e for e in entries(path)}
        for context, source in sorted(wanted - have.keys()):
            wrong.append(f"{path.name}: [{context}] {source!r} is not in the catalogue")
        for context, source in sorted(have.keys() - wanted):
            wrong.append(f"{path.name}: [{context}] {source!r} is no longer in the code")
        for key in sorted(wanted & have.keys()):
            entry = have[key]
            if not entry.finished:
                wrong.append(f"{path.name}: [{key[0]}] {key[1]!r} has no finished translation")
            elif sorted(PLACEHOLDER.findall(entry.source)) != sorted(
                PLACEHOLDER.findall(entry.translation)
            ):
                wrong.append(
                    f"{path.name}: [{key[0]}] {key[1]!r}: the translation "
                    f"{entry.translation!r} does not keep the same placeholders"
                )
    return wrong


def release(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    for code in TRANSLATED:
        target = out / f"canteen_{code}.qm"
        subprocess.run(
            [tool("pyside6-lrelease"), str(catalogue_path(code)), "-qm", str(target), "-silent"],
            check=True,
        )
        made.append(target)
    return made


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        lupdate([catalogue_path(code) for code in TRANSLATED])
        return 0
    if command == "release":
        for path in release(ROOT / "var" / "i18n"):
            print(path)
        return 0
    if command == "check":
        wrong = problems()
        for line in wrong:
            print(line)
        return 1 if wrong else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
