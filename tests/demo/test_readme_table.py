"""The README's table of demo cards says exactly what tapping each card shows (issue 10 item 12).

Each row's "Tapping shows" cell keeps the prose a reader needs and, for the machine, the screen
it expects: the card panel's headline in bold as the screen writes it (**PAID 3,50 €**,
**REFUSED: card blocked**), then each text the panel must show in “curly quotes” (the verdict's
message, the autoload offer or note, the photo warning). A leading _italic condition_ says what
differs from the usual Tagesgericht on an online till: _with a Schokoriegel on the tray:_,
_offline:_. The test taps every card on a headless demo till after ringing up that tray and
reads what it shows from `Till.screen()`; the headline, the quoted texts and nothing unquoted
is compared, so a change of wording on the till is a change of the README only.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from demo import scheme
from demo.training import TrainingServer
from drivers.cards.base import CardTap
from sync.money import format_money
from sync.store import Store
from terminal import messages
from terminal.app import Till
from terminal.config import PrinterConfig, ReaderConfig, ScreenConfig, TillConfig
from terminal.decide import Outcome
from terminal.session import Panel, Screen
from tests.demo.test_scenarios import sync_from_server

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 21, 11, 30, tzinfo=UTC)  # a Saturday lunchtime in Nordstadt
HEADER = "| Cardholder | Card id | Price level | Balance | Tapping shows |"


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    card_id: str
    level: str
    balance: str
    shows: str

    @property
    def condition(self) -> str:
        found = re.match(r"_([^_]+)_", self.shows)
        return found[1] if found else ""

    @property
    def offline(self) -> bool:
        return "offline" in self.condition

    @property
    def tray(self) -> tuple[str, ...]:
        if self.topup is not None:
            return ()
        return ("tages", "schoko") if "Schokoriegel" in self.condition else ("tages",)

    @property
    def tap_first(self) -> bool:
        return "tapped first" in self.condition

    @property
    def topup(self) -> int | None:
        """_…F7, +20,00 €:_ a cash top-up of that amount instead of a meal."""
        found = re.search(r"F7, \+(\d+),(\d\d) €", self.condition)
        return None if found is None else int(found[1]) * 100 + int(found[2])

    @property
    def headline(self) -> str:
        found = re.search(r"\*\*(.+?)\*\*", self.shows)
        assert found, f"{self.name}: the row names no headline in **bold**"
        return found[1]

    @property
    def texts(self) -> list[str]:
        return re.findall(r"“(.+?)”", self.shows)


def readme_rows() -> list[Row]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER) + 2  # the header and its |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 5, f"a README demo row of {len(cells)} cells: {line}"
        name, card, level, balance, shows = cells
        rows.append(Row(name, card.strip("`"), level, balance, shows))
    return rows


ROWS = readme_rows()


@dataclass(frozen=True, slots=True)
class Shown:
    """What the card panel shows: the headline in large letters, and its texts."""

    headline: str
    texts: tuple[str, ...]

    def has(self, fragment: str) -> bool:
        return any(fragment in text for text in self.texts)


def shown(screen: Screen) -> Shown:
    """The card panel's words for a screen, as terminal/ui/card_panel.py writes them."""
    card = screen.card
    if screen.panel is Panel.PAID and screen.last_paid is not None:
        paid = screen.last_paid
        cur = paid.verdict.currency
        offline = paid.verdict.outcome is Outcome.APPROVED_OFFLINE
        headline = messages.paid_banner(paid.kind, offline, format_money(paid.total, cur))
        after = format_money(paid.committed.balance_after, cur)
        texts = [messages.balance_now(after, paid.committed.receipt_no)]
        if screen.price_reason:
            texts.append(messages.level_and_balance(screen.price_reason, after))
        if paid.autoload_amount:
            texts.append(messages.autoload_credited(format_money(paid.autoload_amount, cur)))
        if paid.kind == "sale" and paid.verdict.autoload_note:
            texts.append(paid.verdict.autoload_note)
    elif card is not None:
        verdict = card.verdict
        headline = verdict.headline
        texts = [verdict.message]
        if card.snapshot is not None and screen.price_reason:
            balance = format_money(card.snapshot.balance, verdict.currency)
            texts.append(messages.level_and_balance(screen.price_reason, balance))
        if verdict.autoload_note:
            texts.append(verdict.autoload_note)
        if screen.panel is Panel.CONSENT and screen.autoload is not None:
            headline = messages.AUTOLOAD_QUESTION
            amount = format_money(screen.autoload.amount, verdict.currency)
            texts.append(messages.offer_autoload(amount))
        elif verdict.autoload is not None and not verdict.autoload.needed:
            texts.append(messages.AUTOLOAD_AT_PAYMENT)
        if screen.held:
            headline = messages.HELD
        texts.extend(screen.cautions)
    else:
        return Shown("", tuple(filter(None, [screen.problem, screen.notice])))
    if card is not None and card.snapshot is not None and screen.photo_sha256 is None:
        texts.append(messages.NO_PHOTO)
    if screen.notice:
        texts.append(screen.notice)
    return Shown(headline, tuple(texts))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's till as `make demo` starts it: the scheme seeded into the central server and
    synced from it (so a card for other units is unknown here), copied for each row: every
    card is the till's first tap."""
    folder = tmp_path_factory.mktemp("seeded")
    with Store.open(folder / "till.db", till_id="till-1") as store:
        sync_from_server(folder, store, scheme.build_demo(scheme.local_today(NOW)))
    return folder / "till.db"


def tap_row(seeded: Path, data_dir: Path, row: Row) -> Shown:
    """Ring up the row's tray on a fresh demo till, tap its card, read the screen."""
    data_dir.mkdir()
    shutil.copy(seeded, data_dir / "till.db")
    config = TillConfig(
        till_id="till-1",
        data_dir=data_dir,
        reader=ReaderConfig("simulated"),
        printer=PrinterConfig("simulated"),
        screen=ScreenConfig(language="en"),  # as the demo's own: the README is English
        source="demo",
    )
    link = TrainingServer(config.store_path, till_id="till-1", online=not row.offline)
    till = Till(config, link=link, clock=lambda: NOW)
    try:
        products = {p.product_id: p for p in till.products}
        card = CardTap(bytes.fromhex(row.card_id), "simulated", "simulated", 0.0)
        if row.tap_first:
            till.tap(card)
        for product_id in row.tray:
            till.add(products[product_id])
        if not row.tap_first:
            till.tap(card)
        if row.topup is not None:
            till.start_topup()
            till.topup(row.topup)
        return shown(till.screen())
    finally:
        till.close()


def test_the_table_has_a_row_for_every_demo_card_as_the_demo_seeds_it() -> None:
    """Name, card, price level and balance of each row are the demo scheme's."""
    data = scheme.build_demo(scheme.local_today(NOW))
    expected = [
        (
            p.cardholder.name,
            p.cards[0].card_id,
            p.account.price_level.value,
            format_money(p.account.balance, p.account.currency),
        )
        for p in data.people
    ]
    assert [(r.name, r.card_id, r.level, r.balance) for r in ROWS] == expected


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_tapping_shows_what_the_row_says(seeded: Path, tmp_path: Path, row: Row) -> None:
    """The row's headline is the screen's, and every text it quotes is on the screen."""
    screen = tap_row(seeded, tmp_path / "till", row)
    assert screen.headline == row.headline, f"{row.name}: the screen shows {screen}"
    for text in row.texts:
        assert screen.has(text), f"{row.name}: “{text}” is not on the screen {screen}"


def test_every_card_shows_something_of_its_own(seeded: Path, tmp_path: Path) -> None:
    """No two rows show the same: each headline differs, or the texts that explain it do
    (amounts aside, which differ by price level alone)."""
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    for n, row in enumerate(ROWS):
        screen = tap_row(seeded, tmp_path / f"till{n}", row)
        key = (_without_amounts(screen.headline), tuple(map(_without_amounts, screen.texts)))
        assert key not in seen, f"{row.name} shows what {seen[key]} shows: {screen}"
        seen[key] = row.name


def _without_amounts(text: str) -> str:
    return re.sub(r"-?[\d.]+,\d\d\s?€|Receipt \d+", "…", text)
