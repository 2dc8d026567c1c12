"""Four languages: every text the screen shows or a receipt prints is in the catalogues, and
has a finished translation with the same placeholders in German, Swedish and Danish (Qt's
lupdate reads the code; scripts/translations.py). A German unit's till speaks German on its
screen and its receipts; its money, dates and times read as Germans write them (Babel)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from drivers.cards.base import CardTap
from scripts import translations
from sync.link import NoServer
from sync.store import Store
from terminal.app import Till
from terminal.config import PrinterConfig, ReaderConfig, ScreenConfig, TillConfig
from terminal.i18n import LANGUAGES, Language, translate
from terminal.print_queue import PrintRecord
from terminal.receipt import receipt_from_entries
from terminal.receipt_render import render_text
from tests.terminal.till_scheme import NOW, PRODUCTS, UNIT, seed_scheme

ROOT = Path(__file__).resolve().parents[2]

MEAL = PRODUCTS[0]


def test_every_screen_and_receipt_text_has_a_translation_in_each_language() -> None:
    """lupdate, run on the code now, finds no text the catalogues lack, none they keep for
    nothing, none unfinished, none with other placeholders than its source."""
    assert translations.problems() == []


def test_lrelease_compiles_every_catalogue(tmp_path: Path) -> None:
    made = translations.release(tmp_path)
    assert [p.name for p in made] == [f"canteen_{code}.qm" for code in LANGUAGES[1:]]
    assert all(p.stat().st_size > 1000 for p in made)


def test_the_check_fails_on_a_text_missing_from_a_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check can fail: a catalogue without one of the code's texts is named."""
    broken = tmp_path / "canteen_de.ts"
    text = translations.catalogue_path("de").read_text(encoding="utf-8")
    start = text.index("<message>")
    end = text.index("</message>", start) + len("</message>")
    broken.write_text(text[:start] + text[end:], encoding="utf-8")
    real = translations.catalogue_path
    monkeypatch.setattr(
        translations, "catalogue_path", lambda code: broken if code == "de" else real(code)
    )
    wrong = translations.problems()
    assert len(wrong) == 1
    assert "canteen_de.ts" in wrong[0]
    assert "is not in the catalogue" in wrong[0]


@pytest.mark.parametrize(
    ("code", "approved", "thanks"),
    [("de", "GENEHMIGT", "Vielen Dank"), ("sv", "GODKÄND", "Tack"), ("da", "GODKENDT", "Tak")],
)
def test_each_language_has_its_own_words(code: str, approved: str, thanks: str) -> None:
    language = Language(code)
    assert language.translate("verdict", "APPROVED").upper().startswith(approved[:4])
    assert thanks.lower() in language.translate("receipt", "Thank you").lower()


def make_till(tmp_path: Path, *, locale: str, language: str = "") -> Till:
    with Store.open(tmp_path / "till.db", till_id="till-1") as store:
        seed_scheme(store)
        store.upsert_unit(replace(UNIT, locale=locale))
    config = TillConfig(
        till_id="till-1",
        data_dir=tmp_path,
        reader=ReaderConfig("simulated"),
        printer=PrinterConfig("simulated"),
        screen=ScreenConfig(language=language),
        source="test",
    )
    return Till(config, link=NoServer(), clock=lambda: NOW)


def test_d_unit_1_a_german_unit_speaks_german_on_screen_and_receipt(tmp_path: Path) -> None:
    """D-UNIT-1: the unit's locale de_DE: the screen's verdict, the receipt's words, money."""
    till = make_till(tmp_path, locale="de_DE")
    printed: list[PrintRecord] = []
    try:
        till.start_devices(
            on_tap=lambda _t: None,
            on_bad_read=lambda _b: None,
            on_reader_status=lambda _s: None,
            on_print=printed.append,
        )
        till.add(MEAL)
        till.tap(CardTap(bytes.fromhex("AA000001"), "test", "simulated", time.monotonic()))
        screen = till.screen()
        assert screen.price_reason == Language("de").translate("messages", "Student price")
        deadline = time.monotonic() + 10
        while not printed and time.monotonic() < deadline:
            time.sleep(0.02)
        receipt = next((tmp_path / "receipts").glob("*.txt")).read_text(encoding="utf-8")
        assert Language("de").translate("receipt", "Thank you") in receipt
        assert "Thank you" not in receipt
        assert "46,50 €" in receipt
    finally:
        till.close()


def test_d_unit_1_the_till_config_may_choose_another_screen_language(tmp_path: Path) -> None:
    """D-UNIT-1: a Swedish-speaking cashier at a German unit: the screen in Swedish, the
    receipt still in German."""
    till = make_till(tmp_path, locale="de_DE", language="sv")
    try:
        assert translate("verdict", "APPROVED") == Language("sv").translate("verdict", "APPROVED")
        assert till.receipt_language.code == "de"
        committed = till.store.commit_topup(
            card_id="AA000001",
            account_id="a-anna",
            currency="EUR",
            amount=1000,
            tender="cash",
            created_at=NOW,
            business_day=NOW.date(),
        )
        receipt = receipt_from_entries(
            till.unit, committed.entries, balance_after=committed.balance_after, language="de"
        )
        text = render_text(receipt)
        assert Language("de").translate("receipt", "Cash") in text
    finally:
        till.close()


@pytest.mark.parametrize(
    ("locale", "currency", "amount"),
    [
        ("sv_SE", "SEK", "25 000,00 kr"),
        ("da_DK", "DKK", "1.234,50 kr."),
        ("de_DE", "EUR", "1.234,50 €"),
    ],
)
def test_money_through_babel_in_the_units_locale(locale: str, currency: str, amount: str) -> None:
    from sync.money import format_money

    minor = 2_500_000 if currency == "SEK" else 123_450
    assert format_money(minor, currency, locale) == amount


def test_make_translations_is_a_make_target() -> None:
    result = subprocess.run(
        ["make", "-n", "translations"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "scripts/translations.py update" in result.stdout
