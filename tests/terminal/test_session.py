"""Screen logic without widgets: both orders of a sale, autoload consent, refusals."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sync.policy import DEFAULTS, Policy
from sync.records import EntryKind, Product
from sync.store import Store
from terminal.decide import Outcome, Reason
from terminal.session import Paid, Phase, SaleSession
from tests.terminal.till_scheme import NOW, PRODUCTS

MEAL, COFFEE, CHOC = PRODUCTS


def session(
    store: Store, *, online: bool = True, policy: Policy = DEFAULTS
) -> tuple[SaleSession, list[Paid]]:
    paid: list[Paid] = []
    s = SaleSession(
        store, policy=policy, online=lambda: online, clock=lambda: NOW, on_committed=paid.append
    )
    return s, paid


def test_ring_up_then_tap_charges_at_once(store: Store) -> None:
    """Ring up, then tap: the tray is charged on the tap; journal and outbox hold the sale."""
    s, paid = session(store)
    s.add(MEAL)
    s.add(COFFEE)
    s.tap("AA000001")
    assert s.phase is Phase.PAID
    assert paid[0].total == 470
    assert paid[0].committed.balance_after == 5000 - 470
    sale = [e for e in store.journal() if e.kind is EntryKind.SALE]
    assert len(sale) == 1
    assert sale[0].amount == -470
    assert store.outbox_stats().count == 1


def test_tap_then_ring_up_then_charge(store: Store) -> None:
    """Tap first, then ring up at the card's level, then charge with Enter."""
    s, paid = session(store)
    view = s.tap("AA000001")
    assert view.verdict.outcome is Outcome.APPROVED
    assert s.phase is Phase.CARD
    assert not paid
    s.add(MEAL)
    assert s.card is not None
    assert s.card.verdict.total == 350
    assert s.can_charge()
    s.charge()
    assert len(paid) == 1
    assert s.phase is Phase.PAID


def test_next_item_after_payment_starts_a_new_sale(store: Store) -> None:
    """After a sale the next product clears the card panel and the tray."""
    s, _ = session(store)
    s.add(MEAL)
    s.tap("AA000001")
    s.add(COFFEE)
    assert s.phase is Phase.IDLE
    assert [line.product.product_id for line in s.basket.lines] == ["coffee"]


def test_d_auto_3_autoload_accepted_credits_and_charges(store: Store) -> None:
    """D-AUTO-3: consent asked before charging; Yes credits the amount and charges in one go."""
    s, paid = session(store)
    s.add(MEAL)
    s.tap("AA000002")
    assert s.phase is Phase.CONSENT
    assert s.card is not None
    assert s.card.verdict.autoload is not None
    s.answer_autoload(True)
    assert s.phase is Phase.PAID
    assert paid[0].autoload_amount == 2000
    assert paid[0].committed.balance_after == 200 + 2000 - 350
    kinds = [e.kind for e in store.journal()]
    assert kinds == [EntryKind.AUTOLOAD, EntryKind.SALE]
    assert len({e.receipt_no for e in store.journal()}) == 1


def test_d_auto_3_autoload_declined_leaves_balance_and_refuses_short_purchase(store: Store) -> None:
    """D-AUTO-3: No leaves the balance unchanged; a tray the balance cannot cover is refused."""
    s, paid = session(store)
    s.add(MEAL)
    s.tap("AA000002")
    s.answer_autoload(False)
    assert not paid
    assert s.card is not None
    assert s.card.verdict.reason is Reason.INSUFFICIENT_BALANCE
    assert s.card.verdict.autoload is None
    assert store.journal() == []
    snap = store.lookup("AA000002", s.today())
    assert snap is not None
    assert snap.balance == 200


def test_d_auto_3_declined_but_affordable_still_sells(store: Store) -> None:
    """D-AUTO-3: declined autoload, but the balance covers the coffee: it is sold."""
    s, paid = session(store)
    s.add(COFFEE)
    s.tap("AA000002")
    assert s.phase is Phase.CONSENT
    s.answer_autoload(False)
    assert paid[0].committed.balance_after == 80


def test_d_card_2_refused_card_charges_nothing(store: Store) -> None:
    """D-CARD-2: a blocked card is refused on the tap and nothing is journaled."""
    s, paid = session(store)
    s.add(MEAL)
    s.tap("AA000003")
    assert s.card is not None
    assert s.card.verdict.reason is Reason.BLOCKED
    assert s.phase is Phase.CARD
    assert not s.can_charge()
    assert s.charge() is None
    assert not paid
    assert store.journal() == []


def test_d_unit_3_void_the_blocked_line_then_sell(store: Store) -> None:
    """D-UNIT-3: the blocked category refuses; voiding that line approves the rest."""
    s, paid = session(store)
    s.add(MEAL)
    s.add(CHOC)
    s.tap("AA000004")
    assert s.card is not None
    assert s.card.verdict.reason is Reason.BLOCKED_CATEGORY
    s.void_line(1)
    assert s.card.verdict.approved
    s.charge()
    assert paid[0].total == 350


def test_d_pay_2_unknown_card(store: Store) -> None:
    """D-PAY-2: an unknown card shows 'unknown card' and charges nothing."""
    s, paid = session(store)
    s.add(MEAL)
    view = s.tap("FFFFFFFF")
    assert view.snapshot is None
    assert view.verdict.reason is Reason.UNKNOWN_CARD
    assert not paid


def test_d_off_3_offline_sale_is_marked_offline(store: Store) -> None:
    """D-OFF-3: offline the sale is approved offline and journaled as such."""
    s, paid = session(store, online=False)
    s.add(MEAL)
    s.tap("AA000001")
    assert paid[0].verdict.outcome is Outcome.APPROVED_OFFLINE
    assert store.journal()[0].body["offline"] is True


def test_cancel_sale_journals_nothing(store: Store) -> None:
    """Cancel sale clears tray and card, and nothing reaches the journal."""
    s, _ = session(store, policy=Policy(auto_charge_on_tap=False))
    s.add(MEAL)
    s.tap("AA000001")
    s.cancel()
    assert s.phase is Phase.IDLE
    assert s.basket.is_empty()
    assert store.journal() == []


def test_full_disk_refuses_to_sell_and_keeps_the_tray(tmp_path: Path, store: Store) -> None:
    """A disk too full to save a sale stops selling, says why, and loses nothing."""
    with Store.open(tmp_path / "till.db", till_id="till-1", min_free_bytes=1 << 62) as full:
        s, paid = session(full)
        assert s.problem is not None
        assert "full" in s.problem
        s.add(MEAL)
        s.add(COFFEE)
        s.tap("AA000001")
        assert not paid
        assert len(s.basket) == 2
        assert full.journal() == []
        full.min_free_bytes = 0
        assert s.check_store()
        s.charge()
        assert len(paid) == 1


def test_write_failure_during_commit_keeps_the_tray(tmp_path: Path, store: Store) -> None:
    """A commit that fails half-way (disk full mid-write) journals nothing and keeps the tray."""
    conn = sqlite3.connect(tmp_path / "till.db")
    full = Store.from_connection(conn, till_id="till-1", min_free_bytes=0)
    s, paid = session(full)
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.execute(f"PRAGMA max_page_count = {pages}")
    long_name = Product("long", "X" * 3000, "Mains", MEAL.prices, 700)
    for i in range(12):  # 12 x 3,50 fits the balance; 36 kB of names needs new pages
        s.add(Product(f"long{i}", long_name.name, "Mains", MEAL.prices, 700))
    s.tap("AA000001")
    assert not paid
    assert s.problem is not None
    assert "full" in s.problem
    assert full.journal() == []
    assert len(s.basket) == 12
    full.close()
    conn.close()


def test_d_pay_4_cash_topup_at_the_till(store: Store) -> None:
    """D-PAY-4: a cash top-up onto a tapped card is journaled with its own receipt."""
    s, paid = session(store)
    s.tap("AA000001")
    done = s.topup(2000)
    assert done is not None
    assert done.kind == "topup"
    assert done.committed.balance_after == 7000
    (entry,) = store.journal()
    assert (entry.kind, entry.amount, entry.body["tender"]) == (EntryKind.TOPUP, 2000, "cash")
    assert paid == [done]


def test_d_pay_4_topup_refused_to_blocked_card(store: Store) -> None:
    """D-PAY-4: a top-up to a blocked card is refused and nothing is journaled."""
    s, _ = session(store)
    s.tap("AA000003")
    assert s.topup(2000) is None
    assert s.card is not None
    assert s.card.verdict.reason is Reason.BLOCKED
    assert store.journal() == []


def test_void_last_sale_gives_the_money_back(store: Store) -> None:
    """Voiding the last sale credits its total back, once; a second void does nothing."""
    s, paid = session(store)
    s.add(MEAL)
    s.tap("AA000001")
    done = s.void_last_sale()
    assert done is not None
    assert done.kind == "void"
    assert done.committed.balance_after == 5000
    assert [e.kind for e in store.journal()] == [EntryKind.SALE, EntryKind.VOID]
    assert s.void_last_sale() is None
    assert len(paid) == 2
