"""The cashier's sale, as logic without widgets: basket, tapped card, verdict, consent, charge.

The Qt screen only renders a `SaleSession` and forwards the cashier's input to it, so every
flow (ring up then tap, tap then ring up, autoload accepted or declined, refusals) is tested
here without a display.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sync.policy import Policy
from sync.records import CardSnapshot, EntryKind, PriceLevel, Product, Unit
from sync.store import AlreadyVoided, Committed, Store, StoreUnavailable
from terminal.basket import Basket
from terminal.decide import Outcome, Reason, TapContext, Verdict, decide, decide_topup
from terminal.pricing import effective_level


class NotSetUp(Exception):
    """The till's store holds no unit and menu yet, so there is nothing to sell."""


class Phase(StrEnum):
    IDLE = "idle"  # no card yet
    CARD = "card"  # a card is shown with its verdict
    CONSENT = "consent"  # the cashier is asking the cardholder about autoload (D-AUTO-3)
    PAID = "paid"  # the sale is committed; the next input starts a new one


@dataclass(frozen=True, slots=True)
class CardView:
    card_id: str
    snapshot: CardSnapshot | None
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Paid:
    committed: Committed
    total: int
    autoload_amount: int
    verdict: Verdict
    kind: str = "sale"  # "sale", "topup" or "void": what the card panel and receipt show


def utc_now() -> datetime:
    return datetime.now(UTC)


def business_day(now: datetime, tz: str) -> date:
    """The unit's local calendar day: daily limits and once-a-day autoload count by it."""
    return now.astimezone(ZoneInfo(tz)).date()


class SaleSession:
    def __init__(
        self,
        store: Store,
        *,
        policy: Policy,
        online: Callable[[], bool],
        clock: Callable[[], datetime] = utc_now,
        on_committed: Callable[[Paid], None] | None = None,
    ) -> None:
        unit = store.unit()
        if unit is None:
            raise NotSetUp(
                "this till has no sales unit yet: load the scheme data first "
                "(or try the demo: canteen-till demo)"
            )
        self.store = store
        self.unit: Unit = unit
        self.products: list[Product] = store.products()
        self.policy = policy
        self._online = online
        self._clock = clock
        self._on_committed = on_committed
        self.basket = Basket()
        self.card: CardView | None = None
        self.phase = Phase.IDLE
        self.last_paid: Paid | None = None
        self.problem: str | None = None  # why the till cannot sell right now
        self.check_store()

    # -- what the screen reads -------------------------------------------------------------
    @property
    def level(self) -> PriceLevel:
        """Prices on the grid and in the basket: the tapped card's level, else student."""
        if self.card is not None and self.card.snapshot is not None:
            return effective_level(self.card.snapshot.account, self.today())
        return PriceLevel.STUDENT

    @property
    def total(self) -> int:
        return self.basket.total(self.level)

    def today(self) -> date:
        return business_day(self._clock(), self.unit.timezone)

    def can_charge(self) -> bool:
        return (
            self.problem is None
            and self.phase is Phase.CARD
            and self.card is not None
            and self.card.verdict.approved
            and not self.basket.is_empty()
        )

    # -- the cashier's input ---------------------------------------------------------------
    def add(self, product: Product, quantity: int = 1) -> None:
        self._start_new_if_paid()
        self.basket.add(product, quantity)
        self._redecide()

    def set_quantity(self, index: int, quantity: int) -> None:
        if self.phase is Phase.PAID:
            return
        self.basket.set_quantity(index, quantity)
        self._redecide()

    def void_line(self, index: int) -> None:
        if self.phase is Phase.PAID:
            return
        self.basket.void_line(index)
        self._redecide()

    def cancel(self) -> None:
        """Cancel sale: nothing was charged, so nothing is journaled."""
        self.basket.clear()
        self.card = None
        self.phase = Phase.IDLE

    def tap(self, card_id: str) -> CardView:
        """A card was tapped: look it up, decide, and charge at once when the tray is rung up."""
        if self.phase is Phase.CONSENT:
            # The same cardholder tapping again while being asked changes nothing (D-PAY-5).
            assert self.card is not None
            return self.card
        self._start_new_if_paid()
        snapshot = self.store.lookup(card_id, self.today())
        self.card = CardView(card_id, snapshot, self._decide(snapshot))
        self.phase = Phase.CARD
        if self.policy.auto_charge_on_tap and not self.basket.is_empty():
            self.charge()
        return self.card

    def charge(self) -> Paid | None:
        """Charge the tray; ask for autoload consent first when one is offered (D-AUTO-3)."""
        if self.phase is not Phase.CARD or self.card is None or self.basket.is_empty():
            return None
        if self.card.verdict.autoload is not None:
            self.phase = Phase.CONSENT
            return None
        return self._commit(self.card.verdict)

    def answer_autoload(self, accepted: bool) -> Paid | None:
        """D-AUTO-3: Yes credits the amount at once; No leaves the balance unchanged."""
        if self.phase is not Phase.CONSENT or self.card is None:
            return None
        verdict = self._decide(self.card.snapshot, autoload_accepted=accepted)
        if not accepted:
            verdict = _without_offer(verdict)
        self.card = CardView(self.card.card_id, self.card.snapshot, verdict)
        self.phase = Phase.CARD
        return self._commit(verdict)

    def topup(self, amount: int, *, tender: str = "cash") -> Paid | None:
        """D-PAY-4: cash or bank-card money onto the tapped card; refused to a blocked card."""
        if self.card is None or self.phase is not Phase.CARD or not self.basket.is_empty():
            return None
        verdict = decide_topup(self.card.snapshot, amount, self.policy, self.unit.currency)
        self.card = CardView(self.card.card_id, self.card.snapshot, verdict)
        snap = self.card.snapshot
        if not verdict.approved or snap is None or not self.check_store():
            return None
        try:
            committed = self.store.commit_topup(
                card_id=snap.card.card_id,
                account_id=snap.account.account_id,
                currency=self.unit.currency,
                amount=amount,
                tender=tender,
                created_at=self._clock(),
                business_day=self.today(),
            )
        except StoreUnavailable as exc:
            self.problem = f"Cannot save sales: {exc.reason}. Selling is stopped until it is fixed."
            return None
        return self._paid(Paid(committed, amount, 0, verdict, kind="topup"))

    def void_last_sale(self) -> Paid | None:
        """Give back the last sale of this till to its card, as a new journal entry."""
        entries = self.store.last_receipt_entries()
        sale = next((e for e in entries if e.kind is EntryKind.SALE), None)
        if sale is None or not self.check_store():
            return None
        try:
            committed = self.store.commit_void(
                entry_id=sale.entry_id, created_at=self._clock(), business_day=self.today()
            )
        except AlreadyVoided:
            return None
        except StoreUnavailable as exc:
            self.problem = f"Cannot save sales: {exc.reason}. Selling is stopped until it is fixed."
            return None
        self.basket.clear()
        self.card = None
        verdict = Verdict(Outcome.APPROVED, Reason.OK, "Sale voided.", self.unit.currency)
        return self._paid(Paid(committed, -sale.amount, 0, verdict, kind="void"))

    def _paid(self, paid: Paid) -> Paid:
        self.last_paid = paid
        self.phase = Phase.PAID
        if self._on_committed is not None:
            self._on_committed(paid)
        return paid

    def check_store(self) -> bool:
        """Refuse to sell, saying why, when a sale could not be saved (full or read-only disk)."""
        try:
            self.store.check_writable()
        except StoreUnavailable as exc:
            self.problem = f"Cannot save sales: {exc.reason}. Selling is stopped until it is fixed."
            return False
        self.problem = None
        return True

    # -- internals -------------------------------------------------------------------------
    def _commit(self, verdict: Verdict) -> Paid | None:
        card = self.card
        if not verdict.approved or card is None or card.snapshot is None or not self.check_store():
            return None
        snap = card.snapshot
        level = verdict.level or self.level
        try:
            committed = self.store.commit_sale(
                card_id=snap.card.card_id,
                account_id=snap.account.account_id,
                currency=self.unit.currency,
                lines=self.basket.priced(level),
                price_level=level,
                offline=verdict.outcome is Outcome.APPROVED_OFFLINE,
                autoload_amount=verdict.autoload_applied or None,
                created_at=self._clock(),
                business_day=self.today(),
                verdict=verdict.outcome.value,
            )
        except StoreUnavailable as exc:
            # Nothing was written: the tray stays so the cashier can retry once it is fixed.
            self.problem = f"Cannot save sales: {exc.reason}. Selling is stopped until it is fixed."
            return None
        return self._paid(Paid(committed, verdict.total, verdict.autoload_applied, verdict))

    def _decide(self, snapshot: CardSnapshot | None, *, autoload_accepted: bool = False) -> Verdict:
        level = (
            effective_level(snapshot.account, self.today())
            if snapshot is not None
            else PriceLevel.STUDENT
        )
        ctx = TapContext(
            snapshot=snapshot,
            unit=self.unit,
            lines=self.basket.priced(level),
            policy=self.policy,
            today=self.today(),
            online=self._online(),
            autoload_accepted=autoload_accepted,
        )
        return decide(ctx)

    def _redecide(self) -> None:
        if self.card is not None and self.phase is Phase.CARD:
            self.card = CardView(
                self.card.card_id, self.card.snapshot, self._decide(self.card.snapshot)
            )

    def _start_new_if_paid(self) -> None:
        if self.phase is Phase.PAID:
            self.basket.clear()
            self.card = None
            self.phase = Phase.IDLE


def _without_offer(verdict: Verdict) -> Verdict:
    note = "Autoload declined by the cardholder."
    message = verdict.message.replace(" Offer autoload.", "")
    return replace(verdict, autoload=None, autoload_note=note, message=message)
