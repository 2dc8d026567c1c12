"""Warnings before money: a tap on a rung-up tray does not charge while the card carries
something the cashier must see; the panel says why, Enter charges, Esc cancels. And the
screen always says which price level applies and why, and what the Charge button waits for."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sync.policy import DEFAULTS, Caution, Policy
from sync.records import Account, AutoloadAgreement, EntryKind, PriceLevel
from sync.store import Store
from terminal import messages
from terminal.decide import Outcome
from terminal.session import Paid, Panel, Phase, SaleSession
from tests.terminal.till_scheme import NOW, PRODUCTS, holder, sell

MEAL, COFFEE, _ = PRODUCTS


def make(
    store: Store, *, policy: Policy = DEFAULTS, online: bool = True
) -> tuple[SaleSession, list[Paid]]:
    paid: list[Paid] = []
    s = SaleSession(
        store, policy=policy, online=lambda: online, clock=lambda: NOW, on_committed=paid.append
    )
    return s, paid


def sales(store: Store) -> int:
    return sum(1 for e in store.journal() if e.kind is EntryKind.SALE)


def test_d_card_4_no_photo_holds_the_charge_until_enter(store: Store) -> None:
    """D-CARD-4: with no photo on file a tap on a rung-up tray charges nothing; the panel
    says why; Enter, after the cashier checked, charges."""
    store.upsert_cardholders([holder("h-anna", "Anna Berg", photo=None)])
    s, paid = make(store)
    s.add(MEAL)
    s.tap("AA000001")
    screen = s.screen(print_button=False)
    assert paid == []
    assert sales(store) == 0
    assert screen.held
    assert screen.panel is Panel.CARD
    assert screen.cautions == (messages.NO_PHOTO_CAUTION,)
    assert screen.can_charge
    assert screen.charge_hint == messages.HINT_CONFIRM
    s.charge()
    assert len(paid) == 1
    assert s.phase is Phase.PAID
    assert not s.screen(print_button=False).held


def test_d_card_4_a_held_charge_is_cancelled_with_esc(store: Store) -> None:
    store.upsert_cardholders([holder("h-anna", "Anna Berg", photo=None)])
    s, paid = make(store)
    s.add(MEAL)
    s.tap("AA000001")
    s.cancel()
    assert paid == []
    assert sales(store) == 0
    assert s.screen(print_button=False).panel is Panel.IDLE


def test_d_card_4_a_photo_not_yet_on_this_till_holds_too(store: Store) -> None:
    """D-CARD-4: the cardholder has a photo centrally, but it has not reached this till."""
    store.upsert_cardholders([holder("h-anna", "Anna Berg", photo="ab" * 32)])
    s, paid = make(store)
    s.add(MEAL)
    s.tap("AA000001")
    assert paid == []
    assert s.screen(print_button=False).cautions == (messages.PHOTO_NOT_HERE_CAUTION,)


def test_a_scheme_may_let_a_caution_charge_at_once(store: Store) -> None:
    """Which warnings hold the charge is policy: without no_photo in it, the tap charges."""
    store.upsert_cardholders([holder("h-anna", "Anna Berg", photo=None)])
    lenient = replace(DEFAULTS, hold_charge_on=DEFAULTS.hold_charge_on - {Caution.NO_PHOTO})
    s, paid = make(store, policy=lenient)
    s.add(MEAL)
    s.tap("AA000001")
    assert len(paid) == 1
    assert paid[0].verdict.missing_photo  # still shown on the paid panel


def test_a_clean_card_charges_at_once(store: Store) -> None:
    s, paid = make(store)
    s.add(MEAL)
    s.tap("AA000001")
    assert len(paid) == 1
    assert s.screen(print_button=False).cautions == ()


def test_d_acc_3_expired_membership_holds_and_says_guest_price(store: Store) -> None:
    """D-ACC-3: the day after the membership ended the guest price applies: the screen says
    so and why, and the charge waits for the cashier."""
    store.upsert_accounts(
        [Account("a-anna", "h-anna", "EUR", 5000, PriceLevel.STUDENT, date(2026, 11, 20))]
    )
    s, paid = make(store)
    s.add(MEAL)
    s.tap("AA000001")
    screen = s.screen(print_button=False)
    reason = messages.membership_expired("Student price", "20.11.2026")
    assert screen.price_reason == reason
    assert screen.cautions == (reason,)
    assert screen.held
    assert paid == []
    assert screen.total == 690  # the guest price, shown before the charge
    s.charge()
    assert paid[0].total == 690


def test_d_acc_3_the_price_level_is_always_on_the_screen(store: Store) -> None:
    s, _ = make(store)
    assert s.screen(print_button=False).price_reason is None  # no card, no level yet
    s.tap("AA000001")
    assert s.screen(print_button=False).price_reason == "Student price"
    s.cancel()
    s.tap("AA000003")  # Bea, staff (blocked card: the level is still named)
    assert s.screen(print_button=False).price_reason == "Staff price"


def test_d_off_3_offline_near_the_limit_holds(store: Store) -> None:
    """D-OFF-3: offline, a sale that takes the card to 80 % of its offline limit or more is
    held with the amount used; under it, the sale charges at once."""
    s, paid = make(store, online=False)
    s.add(MEAL)
    s.tap("AA000001")  # 3,50 € of 30,00 €: charged
    assert len(paid) == 1
    assert paid[0].verdict.outcome is Outcome.APPROVED_OFFLINE
    for _ in range(6):
        sell(store, 350, "a-anna", "AA000001", offline=True)  # 24,50 € unsent now
    s.add(MEAL)
    s.tap("AA000001")  # 28,00 € of 30,00 €
    screen = s.screen(print_button=False)
    assert len(paid) == 1
    assert screen.held
    assert screen.cautions == (messages.offline_near_limit("28,00 €", "30,00 €"),)


def test_d_auto_4_autoload_not_offered_once_a_day_holds_with_the_reason(store: Store) -> None:
    """D-AUTO-4: below the threshold, but the day's autoload is used: no offer, and the
    cashier is told why before the charge; the note stays on the paid panel (D-AUTO-8)."""
    s, paid = make(store)
    s.add(COFFEE)
    s.tap("AA000002")  # Lars: 2,00 € under his 10,00 € threshold
    s.answer_autoload(True)
    assert len(paid) == 1
    sell(store, 1500, "a-low", "AA000002")  # 20,80 € - 15,00 €: under the threshold again
    s.add(COFFEE)
    s.tap("AA000002")
    screen = s.screen(print_button=False)
    assert screen.held
    assert screen.cautions == ("Autoload already used today (once a day).",)
    s.charge()
    assert len(paid) == 2
    assert paid[1].verdict.autoload_note == "Autoload already used today (once a day)."


def test_d_auto_8_collection_failed_note_before_the_charge(store: Store) -> None:
    store.upsert_agreements(
        [AutoloadAgreement("a-low", 1000, 2000, date(2026, 1, 1), collection_failed=True)]
    )
    s, paid = make(store)
    s.add(COFFEE)
    s.tap("AA000002")
    assert paid == []
    assert s.screen(print_button=False).cautions == (
        "Autoload stopped: the last collection failed. Top up by hand.",
    )


def test_d_auto_3_one_coherent_autoload_offer(store: Store) -> None:
    """D-AUTO-3: while the question is open the screen holds one offer with every balance:
    now, after the sale with the autoload, after it without; Charge waits for the answer."""
    s, paid = make(store)
    s.add(COFFEE)
    s.tap("AA000002")  # 2,00 €; coffee 1,20 €; autoload 20,00 €
    screen = s.screen(print_button=False)
    assert screen.panel is Panel.CONSENT
    assert screen.autoload is not None
    assert screen.autoload.amount == 2000
    assert screen.autoload.balance == 200
    assert screen.autoload.after_with == 200 + 2000 - 120
    assert screen.autoload.after_without == 200 - 120
    assert not screen.can_charge
    assert screen.charge_hint == messages.HINT_ANSWER_AUTOLOAD
    s.answer_autoload(False)
    assert paid[0].committed.balance_after == 80
    assert s.screen(print_button=False).autoload is None


def test_d_auto_3_an_autoload_the_sale_needs_has_no_without(store: Store) -> None:
    s, _ = make(store)
    s.add(MEAL)
    s.tap("AA000002")  # 2,00 € for a 3,50 € meal: only with the autoload
    view = s.screen(print_button=False).autoload
    assert view is not None
    assert view.after_without is None
    assert view.after_with == 200 + 2000 - 350


def test_charge_hint_says_what_charge_waits_for(store: Store) -> None:
    s, _ = make(store)
    assert s.screen(print_button=False).charge_hint == messages.HINT_RING_UP
    s.add(MEAL)
    assert s.screen(print_button=False).charge_hint == messages.HINT_TAP
    s.cancel()
    s.tap("AA000003")
    s.add(MEAL)
    assert s.screen(print_button=False).charge_hint == messages.hint_refused("card blocked")


def test_an_empty_menu_is_said_not_ring_up(store: Store) -> None:
    s, _ = make(store)
    s.products = []
    screen = s.screen(print_button=False)
    assert screen.menu_empty
    assert screen.charge_hint == messages.HINT_NO_MENU


def test_after_a_void_no_stale_press_f8_again(store: Store) -> None:
    """F8 twice voids; the 'press F8 again' notice does not stay on the screen after it."""
    s, _ = make(store)
    s.add(MEAL)
    s.tap("AA000001")
    s.void_pressed()
    assert s.notice is not None
    assert "F8" in s.notice
    assert s.void_pressed() is not None
    assert s.screen(print_button=False).notice is None
