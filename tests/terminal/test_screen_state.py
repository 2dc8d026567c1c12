"""The screen's state lives in the session and is tested here without widgets: F8 armed,
top-up mode, consent pending, notices, and what the card panel is told to show."""

from __future__ import annotations

import pytest

from sync.errors import TopupSpent
from sync.policy import DEFAULTS
from sync.records import Account, EntryKind, PriceLevel
from sync.store import Store
from terminal import messages
from terminal.decide import Reason
from terminal.session import VOID_CONFIRM_S, Panel, Phase, SaleSession
from tests.terminal.till_scheme import NOW, PRODUCTS

MEAL, COFFEE, _ = PRODUCTS


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(store: Store, ticks: Ticks | None = None) -> SaleSession:
    return SaleSession(
        store, policy=DEFAULTS, online=lambda: True, clock=lambda: NOW, ticks=ticks or Ticks()
    )


def test_f8_once_asks_twice_voids(store: Store) -> None:
    """F8 arms with the receipt number; F8 again within the window voids that sale."""
    ticks = Ticks()
    s = make(store, ticks)
    s.add(MEAL)
    s.tap("AA000001")
    receipt = store.last_receipt_no()
    assert s.void_pressed() is None
    assert s.notice == f"Press F8 again to void receipt {receipt}."
    assert [e.kind for e in store.journal()] == [EntryKind.SALE]
    ticks.now += VOID_CONFIRM_S  # exactly at the end of the window still confirms
    paid = s.void_pressed()
    assert paid is not None
    assert paid.kind == "void"
    assert [e.kind for e in store.journal()] == [EntryKind.SALE, EntryKind.VOID]
    assert s.screen(print_button=False).panel is Panel.PAID


def test_f8_twice_too_slowly_only_asks_again(store: Store) -> None:
    ticks = Ticks()
    s = make(store, ticks)
    s.add(MEAL)
    s.tap("AA000001")
    s.void_pressed()
    ticks.now += VOID_CONFIRM_S + 0.01
    assert s.void_pressed() is None
    assert s.notice == f"Press F8 again to void receipt {store.last_receipt_no()}."
    assert [e.kind for e in store.journal()] == [EntryKind.SALE]


def test_f8_with_no_sale_says_so(store: Store) -> None:
    s = make(store)
    assert s.void_pressed() is None
    assert s.notice == "No sale or top-up to void yet."


def test_f8_on_a_voided_sale_says_nothing_can_be_voided(store: Store) -> None:
    s = make(store)
    s.add(MEAL)
    s.tap("AA000001")
    s.void_pressed()
    assert s.void_pressed() is not None
    s.void_pressed()
    assert s.void_pressed() is None  # the last receipt is the void's: no sale on it
    assert s.notice == messages.NOTHING_TO_VOID


def test_topup_mode_needs_a_card(store: Store) -> None:
    """D-PAY-4: F7 without a card explains; with a card it opens the cash keypad; Esc closes
    the keypad and leaves the card; a second Esc cancels the sale."""
    s = make(store)
    s.start_topup()
    assert not s.asking_topup
    assert s.notice == messages.TOPUP_NEEDS_CARD
    s.tap("AA000001")
    assert s.notice is None  # a tap answers the last notice
    s.start_topup()
    assert s.asking_topup
    assert s.screen(print_button=False).panel is Panel.TOPUP
    s.cancel()
    assert not s.asking_topup
    assert s.screen(print_button=False).panel is Panel.CARD
    s.cancel()
    assert s.screen(print_button=False).panel is Panel.IDLE


def test_topup_leaves_topup_mode_and_shows_paid(store: Store) -> None:
    s = make(store)
    s.tap("AA000001")
    s.start_topup()
    paid = s.topup(2000)
    assert paid is not None
    assert paid.kind == "topup"
    assert not s.asking_topup
    screen = s.screen(print_button=False)
    assert screen.panel is Panel.PAID
    assert screen.card is not None  # the card stays on the panel with its new balance


def test_d_pay_4_a_topup_with_a_tray_then_the_sale_in_one_flow(store: Store) -> None:
    """D-PAY-4: with the tray rung up, F7 takes the cash first (its own receipt), the card
    panel goes on with the sale on the new balance, and Enter charges the tray."""
    s = make(store)
    s.tap("AA000002")  # Lars: 2,00 €, autoload below 10,00 €
    s.add(MEAL)
    s.start_topup()
    for key in "2000":
        s.keypad_key(key)
    keypad = s.screen(print_button=False).keypad
    assert keypad is not None
    assert keypad.amount == 2000
    assert keypad.after == 2200
    assert not keypad.confirming
    assert s.charge() is None  # the first Enter shows what it does
    keypad = s.screen(print_button=False).keypad
    assert keypad is not None
    assert keypad.confirming
    topup = s.charge()  # the second takes the money
    assert topup is not None
    assert topup.kind == "topup"
    assert topup.total == 2000
    screen = s.screen(print_button=False)
    assert screen.keypad is None
    assert screen.panel is Panel.CARD
    assert screen.card is not None
    assert screen.card.snapshot is not None
    assert screen.card.snapshot.balance == 2200
    assert screen.notice == messages.topped_up_then_charge("20,00 €", topup.committed.receipt_no)
    assert screen.can_charge
    sale = s.charge()
    assert sale is not None
    assert sale.kind == "sale"
    assert sale.committed.balance_after == 2200 - 350


def test_d_pay_4_keypad_says_why_an_amount_cannot_be_taken(store: Store) -> None:
    """D-PAY-4, D-AUTO-5: an amount over the cap is named on the keypad, and Enter takes
    nothing; Back and Clear edit the amount."""
    s = make(store)
    s.tap("AA000001")  # 50,00 €; cap 120,00 €
    s.start_topup()
    for key in ("8", "0", "00"):  # 80,00 € onto 50,00 €: over the cap
        s.keypad_key(key)
    keypad = s.screen(print_button=False).keypad
    assert keypad is not None
    assert keypad.amount == 8000
    assert keypad.problem is not None
    assert "cap" in keypad.problem
    assert s.charge() is None
    assert s.charge() is None
    assert store.journal() == []
    s.keypad_key("back")
    s.keypad_key("back")
    assert s.keypad is not None
    assert s.keypad.amount == 80
    s.keypad_key("clear")
    assert s.keypad.amount == 0
    assert s.screen(print_button=False).keypad.problem == messages.TYPE_AMOUNT  # type: ignore[union-attr]


def test_consent_pending_is_the_panel_and_enter_answers_nothing(store: Store) -> None:
    """D-AUTO-3: while the cardholder is asked, Enter charges nothing; the panel asks."""
    s = make(store)
    s.add(MEAL)
    s.tap("AA000002")
    assert s.phase is Phase.CONSENT
    screen = s.screen(print_button=False)
    assert screen.panel is Panel.CONSENT
    assert not screen.can_charge
    assert s.charge() is None
    assert store.journal() == []
    assert s.phase is Phase.CONSENT


def test_screen_when_idle_and_with_a_card(store: Store) -> None:
    s = make(store)
    idle = s.screen(print_button=True)
    assert idle.panel is Panel.IDLE
    assert idle.card is None
    assert idle.lines == []
    assert idle.total == 0
    assert not idle.can_charge
    assert not idle.can_void_line
    assert idle.print_button
    assert not idle.can_print
    s.tap("AA000001")
    s.add(MEAL)
    card = s.screen(print_button=False)
    assert card.panel is Panel.CARD
    assert card.can_charge
    assert card.can_void_line
    assert [line.product_id for line in card.lines] == ["meal"]
    assert card.total == 350
    assert not card.print_button


def test_quantity_keys_change_the_selected_line(store: Store) -> None:
    s = make(store)
    s.add(MEAL)
    s.change_quantity(0, +1)
    assert s.basket.lines[0].quantity == 2
    s.change_quantity(0, -1)
    assert s.basket.lines[0].quantity == 1
    s.change_quantity(5, +1)  # no such line: nothing happens
    assert [line.quantity for line in s.basket.lines] == [1]


def test_a_bad_read_is_a_notice_until_the_next_input(store: Store) -> None:
    s = make(store)
    s.bad_read("no UID")
    assert s.notice == "Card not read (no UID). Ask the customer to tap again."
    s.add(MEAL)
    assert s.notice is None


def test_d_pay_4_f8_voids_a_cash_topup_once(store: Store) -> None:
    """D-PAY-4: a mistaken top-up is voided like a sale: F8 twice, a reversal entry, once."""
    ticks = Ticks()
    s = make(store, ticks)
    s.tap("AA000001")
    topup = s.topup(2000)
    assert topup is not None
    assert s.void_pressed() is None  # armed
    assert s.notice == f"Press F8 again to void receipt {topup.committed.receipt_no}."
    void = s.void_pressed()
    assert void is not None
    assert void.kind == "void"
    assert void.total == -2000
    assert void.verdict.message == messages.TOPUP_VOIDED
    assert s.notice is None
    kinds = [e.kind for e in store.journal()]
    assert kinds == [EntryKind.TOPUP, EntryKind.VOID]
    assert s.void_pressed() is None
    assert s.void_pressed() is None  # nothing left to void: the void's receipt is the last
    assert [e.kind for e in store.journal()] == kinds


def test_d_pay_4_a_spent_topup_is_not_voided_and_the_cashier_is_told(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """D-PAY-4: the store refuses the void of a top-up the card has spent since (its own
    tests show when); F8 then says so in the cashier's words, and nothing is written."""
    ticks = Ticks()
    s = make(store, ticks)
    s.tap("AA000002")
    topup = s.topup(1000)
    assert topup is not None

    def spent(**_kw: object) -> object:
        raise TopupSpent(receipt_no=topup.committed.receipt_no, amount=1000, balance=100)

    monkeypatch.setattr(store, "commit_void", spent)
    s.void_pressed()
    assert s.void_pressed() is None
    assert s.notice == messages.topup_spent(topup.committed.receipt_no, "10,00 €", "1,00 €")
    assert [e.kind for e in store.journal()] == [EntryKind.TOPUP]


def test_d_auto_7_arrears_paid_in_cash_at_the_till(store: Store) -> None:
    """D-AUTO-7: a card blocked for arrears shows them; F4 fills the keypad with what is owed;
    the first Enter says what it does, the second takes the cash; paid in full, the card
    pays again at once."""
    store.upsert_accounts(
        [Account("a-anna", "h-anna", "EUR", 5000, PriceLevel.STUDENT, None, True, 1850)]
    )
    s = make(store)
    s.add(MEAL)
    s.tap("AA000001")
    screen = s.screen(print_button=False)
    assert screen.card is not None
    assert screen.card.verdict.reason is Reason.ARREARS
    assert screen.arrears == 1850
    s.start_arrears()
    keypad = s.screen(print_button=False).keypad
    assert keypad is not None
    assert keypad.amount == 1850
    assert keypad.after == 0
    s.keypad_key("0")  # 185,00 €: more than is owed
    assert s.screen(print_button=False).keypad.problem == messages.arrears_at_most("18,50 €")  # type: ignore[union-attr]
    s.keypad_key("back")
    s.charge()
    paid = s.charge()
    assert paid is not None
    assert paid.kind == "arrears"
    assert paid.committed.arrears_after == 0
    assert s.notice == messages.arrears_paid("18,50 €", "0,00 €")
    assert [e.kind for e in store.journal()] == [EntryKind.ARREARS_PAYMENT]
    screen = s.screen(print_button=False)
    assert screen.card is not None
    assert screen.card.verdict.approved  # the block lifted with the arrears paid
    sale = s.charge()
    assert sale is not None
    assert sale.kind == "sale"
