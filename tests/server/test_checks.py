"""The server's checks of what a till claims (`server.checks`, invariant 6): a till reports
what happened at its counter, it never creates money.

For every rule of `server.checks.RULES`, an entry that breaks it goes the way the table says,
through `ingest()` on SQLite and on PostgreSQL: refused (it cannot have happened: never
booked, listed for the operator, its seq used so the entries behind it flow on) or booked
and flagged (it happened, offline from the till's copy: shown to the operator). Entries are
made by a real till store where a till can make them, by hand (or forged from a real one)
where it cannot. One test goes over HTTP, from a till's outbox through its sync client.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Self, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from server import admin, catalogue, tills
from server.checks import RULES
from server.db import Database
from server.ingest import ingest
from server.migrations import migrate
from sync.client import SyncClient
from sync.ids import new_id
from sync.protocol import NIL_SERIES, EntryIn, EntryResult
from sync.records import (
    Account,
    AutoloadAgreement,
    Card,
    Cardholder,
    CardState,
    PriceLevel,
    SaleLine,
    Unit,
)
from sync.store import Committed, Store
from tests.server.holders import add_holders
from tests.server.live import Server
from tests.terminal.till_scheme import UNIT

NOW = datetime.now(UTC).replace(microsecond=0)  # agreements are versioned in real time
DAY = NOW.astimezone(ZoneInfo(UNIT.timezone)).date()
TILL = "till-1"
DK_UNIT = replace(
    UNIT,
    unit_id="kantine-dk",
    name="Kantine",
    unit_type="kantine",
    timezone="Europe/Copenhagen",
    currency="DKK",
)
LINE = {
    "product_id": "meal",
    "name": "Menü 1",
    "category": "Mains",
    "quantity": 1,
    "unit_price": 350,
    "vat_rate_bp": 700,
}
FLAGS = {what.removeprefix("flagged ") for _, what, _ in RULES if what.startswith("flagged ")}

# -- every rule of the table has a test ---------------------------------------------------------

COVERED: dict[str, list[str]] = {}  # a RULES row -> the tests that show it going its way
F = TypeVar("F", bound=Callable[..., None])


def covers(*starts: str) -> Callable[[F], F]:
    """The test shows the RULES rows beginning with these words going the way the table says."""

    def mark(test: F) -> F:
        for start in starts:
            (rule,) = [rule for rule, _, _ in RULES if rule.startswith(start)]
            COVERED.setdefault(rule, []).append(test.__name__)
        return test

    return mark


# -- the scheme, the server side and the till side ----------------------------------------------


@pytest.fixture
def db(database_url: str) -> Database:
    """Mensa Nord (EUR) with till-1 and till-2, a1/C1 and a2/C2 holding 20,00 EUR (and a0/C0,
    which only the probes use); Kantine (DKK) with till-dk, a-dk/D1 holding 100,00 DKK."""
    db = Database(database_url)
    migrate(db)
    admin.add_unit(db, UNIT)
    admin.add_unit(db, DK_UNIT)
    add_holders(db, (0, 1, 2), deposit=2000)
    admin.add_cardholder(
        db,
        cardholder_id="h-dk",
        name="Dorte",
        account_id="a-dk",
        card_id="D1",
        currency="DKK",
        allowed_unit_types=["kantine"],
    )
    admin.deposit(db, "D1", 10000)
    for till, unit in (("till-1", UNIT), ("till-2", UNIT), ("till-dk", DK_UNIT)):
        tills.add_till(db, till, unit.unit_id)
    return db


@contextmanager
def till_store(path: Path, till_id: str, unit: Unit = UNIT) -> Iterator[Store]:
    """A till's own store, with the copy of the scheme its last sync left it."""
    with Store.open(path, till_id=till_id) as store:
        store.upsert_unit(unit)
        if unit.currency == "DKK":
            store.upsert_cardholders([Cardholder("h-dk", "Dorte", None, frozenset({"kantine"}))])
            store.upsert_accounts([Account("a-dk", "h-dk", "DKK", 10000, PriceLevel.STUDENT)])
            store.upsert_cards([Card("D1", "a-dk", CardState.ACTIVE)])
        else:
            store.upsert_cardholders(
                [Cardholder(f"h{n}", f"Holder {n}", None, frozenset({"mensa"})) for n in (1, 2)]
            )
            store.upsert_accounts(
                [Account(f"a{n}", f"h{n}", "EUR", 2000, PriceLevel.STUDENT) for n in (1, 2)]
            )
            store.upsert_cards([Card(f"C{n}", f"a{n}", CardState.ACTIVE) for n in (1, 2)])
        yield store


@pytest.fixture
def till(tmp_path: Path) -> Iterator[Store]:
    with till_store(tmp_path / "till.db", TILL) as store:
        yield store


def sent(store: Store, committed: Committed) -> list[EntryIn]:
    """The entries of one commit as the sync client sends them."""
    return [EntryIn.from_entry(e, series=UUID(store.series())) for e in committed.entries]


def sale(
    store: Store,
    amount: int,
    account: str = "a1",
    card: str = "C1",
    *,
    offline: bool = False,
    autoload: int | None = None,
    at: datetime = NOW,
) -> list[EntryIn]:
    """A one-line sale as the till commits it, with the autoload entry before it if any."""
    unit = store.unit()
    assert unit is not None
    committed = store.commit_sale(
        card_id=card,
        account_id=account,
        currency=unit.currency,
        lines=[SaleLine("meal", "Menü 1", "Mains", 1, amount, 700)],
        price_level=PriceLevel.STUDENT,
        offline=offline,
        autoload_amount=autoload,
        created_at=at,
        business_day=DAY,
    )
    return sent(store, committed)


def topup(
    store: Store, amount: int, tender: str = "cash", account: str = "a1", card: str = "C1"
) -> EntryIn:
    committed = store.commit_topup(
        card_id=card,
        account_id=account,
        currency="EUR",
        amount=amount,
        tender=tender,
        created_at=NOW,
        business_day=DAY,
    )
    (entry,) = sent(store, committed)
    return entry


def void(store: Store, of: EntryIn) -> EntryIn:
    (entry,) = sent(store, store.commit_void(entry_id=str(of.id), created_at=NOW, business_day=DAY))
    return entry


def by_hand(
    kind: str,
    amount: int,
    body: dict[str, Any],
    *,
    seq: int = 1,
    series: UUID = NIL_SERIES,
    account: str | None = "a1",
    card: str | None = "C1",
    currency: str = "EUR",
) -> EntryIn:
    """An entry no till writes (forged, corrupted or from a broken till)."""
    return EntryIn.model_validate(
        {
            "id": new_id(),
            "series": series,
            "seq": seq,
            "kind": kind,
            "created_at": NOW,
            "business_day": DAY,
            "account_id": account,
            "card_id": card,
            "amount": amount,
            "currency": currency,
            "receipt_no": seq,
            "body": body,
        }
    )


def forged(entry: EntryIn, **changes: Any) -> EntryIn:
    """A real till's entry with some of its fields changed."""
    return EntryIn.model_validate({**entry.model_dump(), **changes})


def probe(entry: EntryIn, till: str) -> EntryIn:
    """A plain sale with the seq after `entry`'s, in its series, on an account of the till."""
    account, card, currency = ("a-dk", "D1", "DKK") if till == "till-dk" else ("a0", "C0", "EUR")
    line = {**LINE, "unit_price": 10}
    return by_hand(
        "sale",
        -10,
        {"lines": [line], "total": 10},
        seq=entry.seq + 1,
        series=entry.series,
        account=account,
        card=card,
        currency=currency,
    )


def ledger(db: Database) -> list[tuple[str, int, str]]:
    with db.transaction(write=False) as tx:
        rows = tx.all("SELECT ledger_account, amount, source FROM ledger ORDER BY id")
    return [(str(a), int(n), str(s)) for a, n, s in rows]


def legs(db: Database, entry: EntryIn, till: str = TILL) -> list[tuple[str, int]]:
    """The ledger rows booked for a till's entry."""
    source = f"till:{till}:{entry.id}"
    return [(a, n) for a, n, s in ledger(db) if s == source]


def refused(
    db: Database,
    entry: EntryIn,
    *words: str,
    till: str = TILL,
    ahead: list[EntryIn] | None = None,
    then: EntryIn | None = None,
) -> str:
    """Push `entry` (after `ahead`, in the same batch): it is refused, the detail naming the
    problem; no money moved; the operator sees it; its seq is used (`then`, or a probe, the
    next entry of its series, is accepted). Returns the detail."""
    before = ledger(db)
    ahead = ahead or []
    results = ingest(db, till, [*ahead, entry]).results
    assert [r.status for r in results[:-1]] == ["accepted"] * len(ahead), results
    result = results[-1]
    assert result.id == entry.id
    assert result.status == "refused", result
    assert result.detail is not None
    for word in words:
        assert word in result.detail, result.detail
    assert result.flags == []
    after = ledger(db)
    assert after[: len(before)] == before  # what was booked stays as it was
    sources = {f"till:{till}:{e.id}" for e in ahead}
    assert {s for _, _, s in after[len(before) :]} <= sources  # only the entries ahead moved money
    assert admin.ledger_is_sound(db)
    listed = [(r["entry_id"], r["seq"], r["reason"]) for r in admin.refusals(db, till)]
    assert (str(entry.id), entry.seq, f"refused: {result.detail}") in listed
    assert str(entry.id) not in {r["entry_id"] for r in admin.flagged(db)}
    nxt = then or probe(entry, till)
    assert (nxt.series, nxt.seq) == (entry.series, entry.seq + 1)
    (taken,) = ingest(db, till, [nxt]).results
    assert taken.status == "accepted", taken
    return result.detail


def flagged(db: Database, entries: list[EntryIn], *flags: str, till: str = TILL) -> EntryResult:
    """Push `entries` as one batch: all are booked; the last carries exactly `flags` (rules of
    the table), is booked with its card leg, and the operator sees it with those flags."""
    results = ingest(db, till, entries).results
    assert [r.status for r in results] == ["accepted"] * len(entries), results
    result, entry = results[-1], entries[-1]
    assert set(flags) <= FLAGS
    assert sorted(result.flags) == sorted(flags), result.flags
    booked = legs(db, entry, till)
    assert len(booked) == 2
    assert booked[0] == (f"card:{entry.account_id}", entry.amount)
    assert booked[1][1] == -entry.amount
    listed = {r["entry_id"]: r["flags"] for r in admin.flagged(db, till)}
    if flags:
        assert sorted(listed[str(entry.id)]) == sorted(flags)
    else:
        assert str(entry.id) not in listed
    assert admin.ledger_is_sound(db)
    return result


def agreement(db: Database, amount: int = 2000, *, ago: timedelta, **kw: Any) -> None:
    """An autoload agreement version for a1, held by the server since `ago` before NOW."""
    active_from = kw.pop("active_from", DAY - timedelta(days=30))
    catalogue.set_agreement(
        db, AutoloadAgreement("a1", 1000, amount, active_from, **kw), at=NOW - ago
    )


# -- refused: what cannot have happened ------------------------------------------------------


@covers("entry without an account or card")
@pytest.mark.parametrize(
    ("account", "card", "words"),
    [
        (None, "C1", "entry has no account"),
        ("nobody", "C1", "unknown account nobody"),
        ("a1", None, "entry has no card"),
        ("a1", "FF0000", "unknown card FF0000"),
    ],
    ids=["no-account", "unknown-account", "no-card", "unknown-card"],
)
def test_an_entry_without_a_known_account_or_card_is_refused(
    db: Database, account: str | None, card: str | None, words: str
) -> None:
    """An entry on no account or card, or on one the server never issued, is refused."""
    entry = by_hand("sale", -350, {"lines": [LINE], "total": 350}, account=account, card=card)
    refused(db, entry, words)


@covers("card not of the entry's account")
def test_a_card_of_another_account_is_refused(db: Database, till: Store) -> None:
    """A sale charging a1 through a2's card (no till pairs them so) is refused."""
    (real,) = sale(till, 350)
    detail = refused(db, forged(real, card_id="C2"), "card C2 is not a card of account a1")
    assert detail == "card C2 is not a card of account a1"
    assert admin.account_balance(db, "a1") == admin.account_balance(db, "a2") == 2000


@covers("currency other than the account's")
@pytest.mark.parametrize(
    ("till", "account", "card", "currency", "words"),
    [
        ("till-1", "a1", "C1", "DKK", "account a1 is in EUR, the entry in DKK"),
        ("till-1", "a-dk", "D1", "DKK", "this till's unit sells in EUR, the entry is in DKK"),
        ("till-dk", "a1", "C1", "EUR", "this till's unit sells in DKK, the entry is in EUR"),
    ],
    ids=["not-the-accounts", "dkk-at-a-eur-till", "eur-at-a-dkk-till"],
)
def test_an_entry_in_another_currency_is_refused(
    db: Database, till: str, account: str, card: str, currency: str, words: str
) -> None:
    """An entry in another currency than its account's or its unit's is refused."""
    body = {"lines": [LINE], "total": 350}
    entry = by_hand("sale", -350, body, account=account, card=card, currency=currency)
    refused(db, entry, words, till=till)


@covers("amount zero or of the wrong sign")
@pytest.mark.parametrize(
    ("kind", "amount", "body"),
    [
        ("sale", 350, {"lines": [LINE], "total": 350}),
        ("sale", 0, {"lines": [{**LINE, "unit_price": 0}], "total": 0}),
        ("topup", -1000, {"tender": "cash"}),
        ("autoload", -2000, {"consent": True}),
        ("void", -350, {"voids": new_id(), "lines": [LINE]}),
    ],
    ids=["paying-sale", "free-sale", "negative-topup", "negative-autoload", "negative-void"],
)
def test_an_amount_of_zero_or_the_wrong_sign_is_refused(
    db: Database, kind: str, amount: int, body: dict[str, Any]
) -> None:
    """A sale that gives, a credit that takes, or an entry moving nothing is refused."""
    refused(db, by_hand(kind, amount, body), f"a {kind} cannot move {amount}")


@covers("amount over the policy's max_entry_amount")
def test_an_absurd_amount_is_refused_by_the_bound_of_its_currency(
    db: Database, till: Store, tmp_path: Path
) -> None:
    """Over its currency's max_entry_amount is refused: 500,01 EUR is, 600,00 DKK not."""
    detail = refused(db, topup(till, 50_001), "50001 EUR", "max_entry_amount is 50000")
    assert detail.startswith("50001 EUR minor units is more than one till entry may move")
    assert admin.account_balance(db, "a1") == 2000
    with till_store(tmp_path / "till-dk.db", "till-dk", DK_UNIT) as dk:
        entries = sale(dk, 60_000, "a-dk", "D1")
    result = flagged(db, entries, "overdraft", till="till-dk")  # 100 DKK on the card
    assert result.status == "accepted"
    assert legs(db, entries[0], "till-dk") == [
        ("card:a-dk", -60_000),
        ("revenue:kantine-dk:DKK", 60_000),
    ]


@covers("body that is not its kind's")
@pytest.mark.parametrize(
    ("kind", "amount", "body", "field"),
    [
        ("sale", -350, {"lines": [], "total": 0}, "lines"),
        ("sale", -350, {"lines": [LINE], "total": 350, "tender": "cash"}, "tender"),
        ("autoload", 2000, {"consent": False}, "consent"),
        ("autoload", 2000, {}, "consent"),
        ("topup", 1000, {"tender": "cheque"}, "tender"),
        ("void", 350, {"voids": "the-sale-before", "lines": [LINE]}, "voids"),
    ],
    ids=["sale-no-lines", "sale-by-cash", "no-consent", "consent-missing", "cheque", "voids"],
)
def test_a_body_not_of_its_kind_is_refused(
    db: Database, kind: str, amount: int, body: dict[str, Any], field: str
) -> None:
    """A malformed body (no lines, no consent D-AUTO-3, a strange tender D-PAY-4) is refused."""
    detail = refused(db, by_hand(kind, amount, body), f"the {kind}'s body is not one a till writes")
    assert f"{field}:" in detail


@covers("sale whose lines do not add up")
@pytest.mark.parametrize(("amount", "total"), [(-300, 350), (-350, 300)], ids=["amount", "total"])
def test_a_sale_whose_lines_do_not_add_up_is_refused(
    db: Database, till: Store, amount: int, total: int
) -> None:
    """D-PAY-3: a sale whose amount, total and lines disagree was altered: refused."""
    (real,) = sale(till, 350)  # one line of 3,50 EUR
    altered = forged(real, amount=amount, body={**real.body, "total": total})
    detail = refused(db, altered, "the sale's lines add up to 350")
    assert detail.endswith(f"its total says {total}, but it moves {-amount}")


# -- refused: voids of nothing -------------------------------------------------------------------


@covers("void of no booked sale")
def test_a_void_of_nothing_is_refused(db: Database) -> None:
    """A void of a sale the server never booked would create money: refused."""
    ghost = new_id()
    entry = by_hand("void", 350, {"voids": ghost, "lines": [LINE]})
    assert refused(db, entry) == f"no booked sale {ghost} of this till to void"


@covers("void of no booked sale")
def test_a_void_of_another_tills_sale_is_refused(db: Database, till: Store, tmp_path: Path) -> None:
    """A till voids its own sales only: till-1's void of till-2's sale is refused."""
    with till_store(tmp_path / "till-2.db", "till-2") as other:
        (theirs,) = sale(other, 350)
        assert ingest(db, "till-2", [theirs]).results[0].status == "accepted"
        their_void = void(other, theirs)
    as_ours = forged(their_void, series=UUID(till.series()), seq=1)
    refused(db, as_ours, f"sale {theirs.id} was made at till till-2, not this one")
    assert admin.account_balance(db, "a1") == 1650


@covers("void of no booked sale")
@pytest.mark.parametrize("same_batch", [False, True], ids=["later", "same-batch"])
def test_a_second_void_of_a_sale_is_refused(db: Database, till: Store, same_batch: bool) -> None:
    """A second void of a sale, later or in the first void's batch, is refused."""
    (bought,) = sale(till, 350)
    first = void(till, bought)
    second = forged(first, id=new_id(), seq=first.seq + 1)
    if not same_batch:
        assert [r.status for r in ingest(db, TILL, [bought, first]).results] == ["accepted"] * 2
    ahead = [bought, first] if same_batch else []
    refused(db, second, f"sale {bought.id} was already voided by {first.id}", ahead=ahead)
    assert admin.account_balance(db, "a1") == 2000


@covers("void of no booked sale")
def test_a_void_naming_its_sale_in_upper_case_finds_it(db: Database, till: Store) -> None:
    """A void naming its sale's UUID in upper case voids that sale, and only once."""
    (bought,) = sale(till, 350)
    ingest(db, TILL, [bought])
    own = void(till, bought)
    upper = forged(own, id=new_id(), body={**own.body, "voids": str(bought.id).upper()})
    flagged(db, [upper])
    assert admin.account_balance(db, "a1") == 2000
    refused(db, forged(own, seq=3), f"sale {bought.id} was already voided by {upper.id}")


@covers("void of no booked sale")
@pytest.mark.parametrize("amount", [351, 349])
def test_a_void_for_another_amount_is_refused(db: Database, till: Store, amount: int) -> None:
    """A void gives back exactly what its sale took: a cent more or less is refused."""
    (bought,) = sale(till, 350)
    ingest(db, TILL, [bought])
    wrong = forged(void(till, bought), amount=amount)
    refused(db, wrong, f"sale {bought.id} took 350; a void gives back exactly that")
    assert admin.account_balance(db, "a1") == 1650


@covers("void of no booked sale")
@pytest.mark.parametrize(
    "lines",
    [[{**LINE, "product_id": "coffee", "name": "Kaffee"}], [{**LINE, "unit_price": 175}] * 2, []],
    ids=["other-product", "split-line", "no-lines"],
)
def test_a_void_with_other_lines_is_refused(
    db: Database, till: Store, lines: list[dict[str, Any]]
) -> None:
    """D-PAY-3: a void with other lines than its sale's, at the same amount, is refused."""
    (bought,) = sale(till, 350)
    ingest(db, TILL, [bought])
    wrong = forged(void(till, bought), body={"voids": str(bought.id), "lines": lines})
    refused(db, wrong, f"the void's lines differ from those of sale {bought.id}")


@covers("void of no booked sale")
def test_a_void_on_another_account_is_refused(db: Database, till: Store) -> None:
    """A void crediting another account than the one its sale charged is refused."""
    (bought,) = sale(till, 350)
    ingest(db, TILL, [bought])
    wrong = forged(void(till, bought), account_id="a2", card_id="C2")
    refused(db, wrong, f"sale {bought.id} was charged to account a1")
    assert admin.account_balance(db, "a2") == 2000


@covers("void of no booked sale")
def test_a_void_of_a_refused_sale_is_refused(db: Database, till: Store) -> None:
    """A refused sale took nothing, so its void (giving money back) is refused."""
    (bought,) = sale(till, 350)
    altered = forged(bought, body={**bought.body, "total": 300})
    (first,) = ingest(db, TILL, [altered]).results
    assert first.status == "refused"
    refused(db, void(till, bought), f"no booked sale {bought.id} of this till to void")
    assert admin.account_balance(db, "a1") == 2000


def test_a_void_of_a_sale_in_the_same_batch_is_accepted(db: Database, till: Store) -> None:
    """A sale and its void sent in one batch are both booked, and the money is back."""
    (bought,) = sale(till, 350)
    given_back = void(till, bought)
    results = ingest(db, TILL, [bought, given_back]).results
    assert [(r.status, r.flags) for r in results] == [("accepted", []), ("accepted", [])]
    assert legs(db, given_back) == [("card:a1", 350), ("revenue:mensa-nord:EUR", -350)]
    assert admin.account_balance(db, "a1") == 2000
    assert admin.ledger_is_sound(db)


def test_a_void_of_a_sale_booked_before_the_server_kept_lines_is_accepted(
    db: Database, till: Store
) -> None:
    """A sale booked before the server kept entries' content (an upgraded server): its lines
    are unknown, so a void is judged by its amount, and the till's void is booked."""
    (bought,) = sale(till, 350)
    assert ingest(db, TILL, [bought]).results[0].status == "accepted"
    with db.transaction() as tx:  # as migration 0005 left the rows booked before it
        tx.execute("UPDATE journal_ingest SET content = NULL WHERE entry_id = ?", (str(bought.id),))
    given_back = void(till, bought)
    (result,) = ingest(db, TILL, [given_back]).results
    assert result.status == "accepted"
    assert admin.account_balance(db, "a1") == 2000


# -- refused: autoloads without an agreement --------------------------------------------------


@covers("autoload without an agreement at its time")
def test_an_autoload_without_any_agreement_is_refused(db: Database, till: Store) -> None:
    """D-AUTO-1: an autoload on an account that never had an agreement is refused."""
    for_a2 = AutoloadAgreement("a2", 1000, 2000, DAY - timedelta(days=30))
    catalogue.set_agreement(db, for_a2, at=NOW - timedelta(days=1))
    loaded, bought = sale(till, 350, autoload=2000)
    detail = refused(db, loaded, then=bought)
    assert detail == "account a1 has no autoload agreement (D-AUTO-1)"
    assert admin.account_balance(db, "a1") == 1650


@covers("autoload without an agreement at its time")
def test_an_autoload_for_an_amount_no_version_had_is_refused(db: Database, till: Store) -> None:
    """D-AUTO-1: an autoload of an amount no version of the agreement had is refused."""
    agreement(db, 2000, ago=timedelta(days=2))
    agreement(db, 3000, ago=timedelta(days=1))
    loaded, bought = sale(till, 350, autoload=2500)
    detail = refused(db, loaded, then=bought)
    assert detail == "an autoload of 2500, but the agreement's amount is 2000 or 3000 (D-AUTO-1)"


# -- booked and flagged: what happened although it broke a rule ------------------------------


@covers("sale that overdraws the balance")
def test_a_sale_that_overdraws_is_booked_and_flagged(db: Database, till: Store) -> None:
    """D-PAY-1, D-OFF-3: a sale that overdraws happened: booked, flagged overdraft."""
    flagged(db, sale(till, 1500))
    flagged(db, sale(till, 1500), "overdraft")
    assert admin.account_balance(db, "a1") == -1000


@covers("entry made offline")
def test_an_entry_made_offline_is_flagged_offline(db: Database, till: Store) -> None:
    """D-OFF-3: an offline sale is booked and flagged offline (and overdraft if so)."""
    flagged(db, sale(till, 500, offline=True), "offline")
    flagged(db, sale(till, 2000, offline=True), "overdraft", "offline")
    assert admin.account_balance(db, "a1") == -500


@covers("sale over the cardholder's daily limit")
def test_a_sale_over_the_daily_limit_is_flagged(db: Database, till: Store) -> None:
    """D-UNIT-3: the sale taking the day's spending over the daily limit is flagged."""
    admin.update_cardholder(db, "h1", daily_limit=500)
    flagged(db, sale(till, 300))
    flagged(db, sale(till, 300), "daily_limit")


@covers("sale or autoload while the account's payment is blocked")
def test_a_sale_while_payment_is_blocked_is_flagged(db: Database, till: Store) -> None:
    """D-AUTO-7: a sale on an account blocked for arrears is flagged; a top-up is not."""
    admin.set_arrears(db, "a1", 600)  # a returned direct debit; the till had not heard yet
    flagged(db, sale(till, 350), "payment_blocked")
    flagged(db, [topup(till, 600)])


@covers("entry on a card blocked or closed centrally")
@pytest.mark.parametrize("state", ["blocked", "closed"])
def test_entries_on_a_card_blocked_or_replaced_centrally_are_flagged(
    db: Database, till: Store, state: str
) -> None:
    """D-CARD-2: a sale and a top-up on a card blocked or replaced centrally are flagged."""
    if state == "blocked":
        admin.set_card_state(db, "C1", "blocked")
    else:
        admin.replace_card(db, "C1", "C9", fee=0)
    flagged(db, sale(till, 350), "card_not_active")
    flagged(db, [topup(till, 1000)], "card_not_active")
    assert admin.account_balance(db, "a1") == 2650


@covers("entry at a unit type the cardholder does not allow")
def test_an_entry_at_a_unit_type_not_allowed_is_flagged(db: Database, till: Store) -> None:
    """D-UNIT-2: a sale at a unit type the cardholder no longer allows is flagged."""
    admin.update_cardholder(db, "h1", allowed_unit_types=["cafeteria"])
    flagged(db, sale(till, 350), "unit_not_allowed")


@covers("credit that takes the balance over the cap")
def test_a_top_up_over_the_cap_is_booked_and_flagged(db: Database, till: Store) -> None:
    """D-AUTO-5: cash taking the balance over the cap is in the drawer: booked, flagged."""
    admin.deposit(db, "C1", 7000)
    entry = topup(till, 5000)
    flagged(db, [entry], "over_cap")
    assert legs(db, entry) == [("card:a1", 5000), ("cash:till-1:EUR", -5000)]
    assert admin.account_balance(db, "a1") == 14000


@covers("credit that takes the balance over the cap")
def test_an_autoload_over_the_cap_is_flagged(db: Database, till: Store) -> None:
    """D-AUTO-5: an autoload taking the balance over balance_cap is flagged over_cap."""
    agreement(db, ago=timedelta(days=1))
    admin.deposit(db, "C1", 9000)
    loaded, bought = sale(till, 350, autoload=2000)
    flagged(db, [loaded], "over_cap")
    flagged(db, [bought])


@covers("credit that takes the balance over the cap")
def test_a_void_over_the_cap_is_booked_and_flagged(db: Database, till: Store) -> None:
    """D-AUTO-5: the cap covers refunds: a void taking the balance over it is flagged."""
    (bought,) = sale(till, 350)
    flagged(db, [bought])
    admin.deposit(db, "C1", 10_350)
    flagged(db, [void(till, bought)], "over_cap")
    assert admin.account_balance(db, "a1") == 12_350


@covers("autoload beyond the policy's autoloads per day")
def test_a_second_autoload_the_same_day_is_flagged(
    db: Database, till: Store, tmp_path: Path
) -> None:
    """D-AUTO-4: two offline tills' autoloads on one business day: the second is flagged."""
    catalogue.set_policy(db, {"autoloads_per_day": 1})
    agreement(db, ago=timedelta(days=1))
    flagged(db, sale(till, 350, offline=True, autoload=2000), "offline")
    with till_store(tmp_path / "till-2.db", "till-2") as other:
        loaded, bought = sale(other, 350, offline=True, autoload=2000)
    flagged(db, [loaded], "autoload_frequency", "offline", till="till-2")
    flagged(db, [bought], "offline", till="till-2")
    assert admin.account_balance(db, "a1") == 5300


@covers("autoload beyond the policy's autoloads per day")
def test_a_second_autoload_in_the_same_batch_is_flagged(db: Database, till: Store) -> None:
    """D-AUTO-4: a second autoload of the day in the first one's batch is flagged."""
    agreement(db, ago=timedelta(days=1))
    first = sale(till, 1800, offline=True, autoload=2000)
    second = sale(till, 1800, offline=True, autoload=2000)
    flagged(db, [*first, second[0]], "autoload_frequency", "offline")


@covers("autoload beyond the policy's autoloads per day")
def test_autoloads_per_day_unlimited_flags_none(db: Database, till: Store) -> None:
    """D-AUTO-4: with autoloads_per_day null, a second autoload of the day is not flagged."""
    catalogue.set_policy(db, {"autoloads_per_day": None})
    agreement(db, ago=timedelta(days=1))
    flagged(db, sale(till, 350, autoload=2000))
    flagged(db, sale(till, 350, autoload=2000))


class _HourAgo(datetime):
    """The back office's clock an hour before NOW."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> Self:
        return cls.fromtimestamp((NOW - timedelta(hours=1)).timestamp(), tz)


@covers("autoload on an ended, failed or not yet active agreement")
@pytest.mark.parametrize("how", ["removed", "ended", "collection_failed", "not_yet_active"])
def test_an_autoload_on_an_inactive_agreement_is_flagged(
    db: Database, till: Store, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """D-AUTO-6, D-AUTO-8: an autoload on a stale copy of an ended agreement is flagged."""
    # An hour ago the agreement was removed, ended or its collection failed, or it is only
    # active from tomorrow; the offline till's copy was older. It had an agreement behind it.
    if how == "not_yet_active":
        agreement(db, ago=timedelta(days=1), active_from=DAY + timedelta(days=1))
    else:
        agreement(db, ago=timedelta(days=1))
    if how == "removed":
        monkeypatch.setattr(catalogue, "datetime", _HourAgo)
        catalogue.remove_agreement(db, "a1")
        monkeypatch.undo()
    elif how in ("ended", "collection_failed"):
        agreement(db, ago=timedelta(hours=1), **{how: True})
    loaded, _ = sale(till, 350, offline=True, autoload=2000)
    flagged(db, [loaded], "agreement_inactive", "offline")
    assert legs(db, loaded) == [("card:a1", 2000), ("autoload-receivable:EUR", -2000)]


def test_an_autoload_under_the_agreement_is_booked_against_the_receivable(
    db: Database, till: Store
) -> None:
    """D-AUTO-1, D-AUTO-3: an agreed autoload is booked, unflagged, to the receivable."""
    agreement(db, ago=timedelta(days=1))
    loaded, bought = sale(till, 350, autoload=2000)
    flagged(db, [loaded, bought])
    assert legs(db, loaded) == [("card:a1", 2000), ("autoload-receivable:EUR", -2000)]
    assert admin.account_balance(db, "a1") == 3650


def test_an_autoload_of_the_amount_before_a_change_is_accepted(db: Database, till: Store) -> None:
    """D-AUTO-1: an offline autoload of the amount changed minutes before is accepted."""
    agreement(db, 2000, ago=timedelta(days=1))
    agreement(db, 3000, ago=timedelta(minutes=3))  # the offline till still had 20,00 EUR
    loaded, bought = sale(till, 350, offline=True, autoload=2000, at=NOW - timedelta(minutes=1))
    flagged(db, [loaded], "offline")
    flagged(db, [bought], "offline")
    assert admin.account_balance(db, "a1") == 3650


@covers("top-up outside the policy's top-up bounds")
@pytest.mark.parametrize(
    ("amount", "policy"),
    [(50, {}), (6000, {"topup_max_amount": {"EUR": 5000}})],
    ids=["under-min", "over-max"],
)
def test_a_top_up_outside_the_bounds_is_flagged(
    db: Database, till: Store, amount: int, policy: dict[str, Any]
) -> None:
    """D-PAY-4: a top-up outside the policy's top-up bounds is booked and flagged."""
    if policy:
        catalogue.set_policy(db, policy)
    entry = topup(till, amount)
    flagged(db, [entry], "topup_bounds")
    assert legs(db, entry) == [("card:a1", amount), ("cash:till-1:EUR", -amount)]


@pytest.mark.parametrize(
    ("tender", "account", "kind"),
    [("cash", "cash:till-1:EUR", "cash"), ("bank_card", "card-terminal:till-1:EUR", "card")],
)
def test_a_top_up_is_owed_by_the_till_that_took_it(
    db: Database, till: Store, tender: str, account: str, kind: str
) -> None:
    """D-PAY-4: a cash top-up is owed by the till's drawer, a bank-card one by its terminal."""
    entry = topup(till, 1000, tender)
    flagged(db, [entry])
    assert legs(db, entry) == [("card:a1", 1000), (account, -1000)]
    with db.transaction(write=False) as tx:
        held = tx.one(
            "SELECT kind, currency FROM ledger_accounts WHERE ledger_account = ?", (account,)
        )
        total = tx.scalar("SELECT SUM(amount) FROM ledger WHERE ledger_account = ?", (account,))
    assert (*held, int(total)) == (kind, "EUR", -1000)
    assert admin.account_balance(db, "a1") == 3000


# -- the table itself ---------------------------------------------------------------------------


def test_every_rule_of_the_table_has_a_test() -> None:
    """Each row of server.checks.RULES is shown going its way by a test in this file."""
    assert [rule for rule, _, _ in RULES if rule not in COVERED] == []
    assert {what for _, what, _ in RULES} <= {"refused"} | {f"flagged {f}" for f in FLAGS}


def test_the_tables_rule_ids_are_in_the_rule_book() -> None:
    """Every D-… id the table cites is defined in docs/rules.md."""
    book = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text("utf-8")
    defined = set(re.findall(r"^\*\*(D-[A-Z]+-\d+)\*\*", book, flags=re.MULTILINE))
    cited = {i for _, _, why in RULES for i in re.findall(r"D-[A-Z]+-\d+", why)}
    assert cited
    assert cited <= defined


# -- over HTTP: the till's quarantine and the operator's lists ----------------------------------


def test_a_refused_entry_is_quarantined_on_the_till_and_listed_for_the_operator(
    server: Server, tmp_path: Path
) -> None:
    """D-AUTO-1, D-OFF-3 over HTTP: refused is quarantined and listed, flagged is listed."""
    server.put_unit()
    server.add_holders(2, deposit=2000)
    client = SyncClient(tmp_path / "till.db", server.enrol_till(TILL), poll_wait_s=5)
    try:
        with Store.open(tmp_path / "till.db", till_id=TILL) as store:
            while client.pull_once(store):
                pass
            # The till's copy holds an agreement the server never had (corrupted, forged):
            # its autoload cannot have happened; the sale it came with did.
            store.upsert_agreements([AutoloadAgreement("a0", 5000, 2000, DAY)])
            loaded, _ = sale(store, 350, "a0", "C0", autoload=2000)
            (overdrawn,) = sale(store, 2500, "a1", "C1", offline=True)
            assert client.push_once(store) == 3
            ((entry, reason),) = store.quarantined()
            assert store.outbox_stats().count == 0
    finally:
        client.session.close()
    assert entry.entry_id == str(loaded.id)
    assert reason == "refused: account a0 has no autoload agreement (D-AUTO-1)"
    refusals = server.admin("GET", "/v1/admin/refusals").json()
    assert [(r["entry_id"], r["reason"]) for r in refusals] == [(str(loaded.id), reason)]
    listed = server.admin("GET", "/v1/admin/flagged").json()
    assert [(r["entry_id"], sorted(r["flags"])) for r in listed] == [
        (str(overdrawn.id), ["offline", "overdraft"])
    ]
    balances = [server.admin("GET", f"/v1/admin/accounts/a{n}").json()["balance"] for n in (0, 1)]
    assert balances == [1650, -500]  # the sale behind the refused autoload is booked


# -- cash at the counter: a top-up voided, arrears paid (D-PAY-4, D-AUTO-7) ---------------------


def arrears_payment(store: Store, amount: int, account: str = "a1", card: str = "C1") -> EntryIn:
    committed = store.commit_arrears_payment(
        card_id=card,
        account_id=account,
        currency="EUR",
        amount=amount,
        tender="cash",
        created_at=NOW,
        business_day=DAY,
    )
    (entry,) = sent(store, committed)
    return entry


def owed(db: Database, account: str = "a1") -> tuple[int, bool]:
    with db.transaction(write=False) as tx:
        arrears, blocked = tx.one(
            "SELECT arrears, payment_blocked FROM accounts WHERE account_id = ?", (account,)
        )
    return int(arrears), bool(blocked)


def ledger_balance(db: Database, ledger_account: str) -> int:
    with db.transaction(write=False) as tx:
        return int(
            tx.scalar(
                "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE ledger_account = ?",
                (ledger_account,),
            )
        )


@covers("void of no booked top-up")
@pytest.mark.parametrize("tender", ["cash", "bank_card"])
@pytest.mark.parametrize("same_batch", [False, True], ids=["later", "same-batch"])
def test_d_pay_4_a_top_ups_void_mirrors_it_once(
    db: Database, till: Store, tender: str, same_batch: bool
) -> None:
    """D-PAY-4: a void of a top-up takes exactly its money off the card and back out of the
    drawer (or card terminal) it went to: the ledger legs mirror the top-up's, every cent
    explained; a second void, later or in the same batch, is refused."""
    topped = topup(till, 1500, tender)
    reversal = void(till, topped)
    where = f"cash:{TILL}:EUR" if tender == "cash" else f"card-terminal:{TILL}:EUR"
    if same_batch:
        results = ingest(db, TILL, [topped, reversal]).results
    else:
        results = [*ingest(db, TILL, [topped]).results, *ingest(db, TILL, [reversal]).results]
    assert [(r.status, r.flags) for r in results] == [("accepted", [])] * 2
    assert legs(db, topped) == [("card:a1", 1500), (where, -1500)]
    assert legs(db, reversal) == [("card:a1", -1500), (where, 1500)]
    assert admin.account_balance(db, "a1") == 2000
    assert ledger_balance(db, where) == 0
    assert admin.ledger_is_sound(db)
    again = forged(reversal, id=new_id(), seq=3)
    refused(db, again, f"top-up {topped.id} was already voided by {reversal.id}")


@covers("void of no booked top-up")
def test_d_pay_4_a_top_ups_void_for_another_amount_tender_or_kind_is_refused(
    db: Database, till: Store
) -> None:
    """D-PAY-4: a top-up's void takes back exactly its amount, to its tender, named as a
    top-up's void; a void that says it reverses a sale but names a top-up finds no sale."""
    topped = topup(till, 1500)
    ingest(db, TILL, [topped])
    own = void(till, topped)

    def wrong(n: int, **changes: Any) -> EntryIn:  # each refusal and its probe use two seqs
        return forged(own, id=new_id(), seq=own.seq + 2 * n, **changes)

    amount = refused(db, wrong(0, amount=-1400), f"top-up {topped.id} credited 1500")
    assert amount.endswith("its void takes back exactly that")
    to_card = wrong(1, body={**own.body, "tender": "bank_card"})
    refused(db, to_card, f"top-up {topped.id} was paid by cash; its void goes back to that")
    as_sale = wrong(2, amount=1500, body={**own.body, "voided_kind": "sale"})
    refused(db, as_sale, f"no booked sale {topped.id} of this till to void")
    refused(db, wrong(3, amount=1500), "a void of a top-up cannot move 1500")
    assert admin.account_balance(db, "a1") == 3500


@covers("void of no booked top-up")
def test_d_pay_4_a_void_of_another_tills_top_up_is_refused(
    db: Database, till: Store, tmp_path: Path
) -> None:
    """D-PAY-4: a till voids its own top-ups only: the cash is in the other till's drawer."""
    with till_store(tmp_path / "till-2.db", "till-2") as other:
        theirs = topup(other, 1500)
        ingest(db, "till-2", [theirs])
        their_void = void(other, theirs)
    as_ours = forged(their_void, series=UUID(till.series()), seq=1)
    refused(db, as_ours, f"top-up {theirs.id} was made at till till-2, not this one")


@covers("void of a top-up the balance no longer covers")
def test_d_pay_1_a_void_of_a_top_up_spent_at_another_till_is_refused(
    db: Database, till: Store, tmp_path: Path
) -> None:
    """D-PAY-1: the money of a top-up spent already (here at another till, which this one
    did not know) cannot leave the card again: refused, the cash stays in the drawer."""
    topped = topup(till, 1500)
    ingest(db, TILL, [topped])
    with till_store(tmp_path / "till-2.db", "till-2") as other:
        ingest(db, "till-2", sale(other, 3000))  # 3500 - 3000: 500 left
    reversal = void(till, topped)  # this till still sees 3500
    detail = refused(db, reversal, f"top-up {topped.id} of 1500 has been spent")
    assert detail.endswith("account a1 holds 500, its void cannot take it back (D-PAY-1)")
    assert ledger_balance(db, f"cash:{TILL}:EUR") == -1500


@covers("arrears payment that moves stored value")
@pytest.mark.parametrize("same_batch", [False, True], ids=["later", "same-batch"])
def test_d_auto_7_arrears_paid_in_cash_go_to_the_drawer_and_lift_the_block(
    db: Database, till: Store, same_batch: bool
) -> None:
    """D-AUTO-7: arrears paid at the till: the cash is in the drawer against the arrears
    receivable, the card's stored value does not move; the arrears drop, and paid off the
    payment block lifts, the account's change in the feed for every till."""
    admin.set_arrears(db, "a1", 600)
    till.upsert_accounts(
        [Account("a1", "h1", "EUR", 2000, PriceLevel.STUDENT, payment_blocked=True, arrears=600)]
    )
    part, rest = arrears_payment(till, 200), arrears_payment(till, 400)
    with db.transaction(write=False) as tx:
        mark = int(tx.scalar("SELECT COALESCE(MAX(seq), 0) FROM changes"))
    if same_batch:
        results = ingest(db, TILL, [part, rest]).results
    else:
        results = ingest(db, TILL, [part]).results
        assert owed(db) == (400, True)
        results += ingest(db, TILL, [rest]).results
    assert [(r.status, r.flags) for r in results] == [("accepted", [])] * 2
    assert legs(db, part) == [(f"cash:{TILL}:EUR", -200), ("arrears-receivable:EUR", 200)]
    assert legs(db, rest) == [(f"cash:{TILL}:EUR", -400), ("arrears-receivable:EUR", 400)]
    assert owed(db) == (0, False)
    assert admin.account_balance(db, "a1") == 2000
    assert ledger_balance(db, f"cash:{TILL}:EUR") == -600
    assert ledger_balance(db, "arrears-receivable:EUR") == 600
    assert admin.ledger_is_sound(db)
    with db.transaction(write=False) as tx:
        changed = tx.all("SELECT kind, item_key FROM changes WHERE seq > ?", (mark,))
    assert ("account", "a1") in [tuple(row) for row in changed]
    # D-PAY-5: a retried upload gets the original answers and pays nothing twice.
    assert ingest(db, TILL, [part, rest]).results == results
    assert owed(db) == (0, False)
    assert ledger_balance(db, "arrears-receivable:EUR") == 600


@covers("arrears payment that moves stored value")
def test_d_auto_7_an_arrears_overpayment_is_refused(db: Database, till: Store) -> None:
    """D-AUTO-7: no more than the account owes is taken: a payment made from a stale copy
    (the arrears were lowered since, at a service point) is refused, naming both figures."""
    till.upsert_accounts(
        [Account("a1", "h1", "EUR", 2000, PriceLevel.STUDENT, payment_blocked=True, arrears=600)]
    )
    admin.set_arrears(db, "a1", 500)
    paid = arrears_payment(till, 600)
    refused(db, paid, "an arrears payment of 600 is more than the 500 account a1 owes (D-AUTO-7)")
    assert owed(db) == (500, True)


@covers("arrears payment that moves stored value")
def test_d_auto_7_an_arrears_payment_moving_stored_value_or_miscounted_is_refused(
    db: Database, till: Store
) -> None:
    """D-AUTO-7: an arrears payment moves no stored value (its amount is 0), and its arrears
    after are its arrears before less what it paid."""
    admin.set_arrears(db, "a1", 600)
    till.upsert_accounts(
        [Account("a1", "h1", "EUR", 2000, PriceLevel.STUDENT, payment_blocked=True, arrears=600)]
    )
    paid = arrears_payment(till, 600)
    refused(db, forged(paid, amount=600), "an arrears payment moves no stored value")
    miscounted = forged(paid, id=new_id(), seq=paid.seq + 2, body={**paid.body, "arrears_after": 1})
    refused(db, miscounted, "are not its arrears after (1)")
    assert owed(db) == (600, True)
