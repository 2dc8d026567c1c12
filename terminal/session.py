"""The cashier's sale, as logic without widgets: basket, tapped card, verdict, consent, charge.

The Qt screen only renders a `SaleSession` and forwards the cashier's input to it, so every
flow (ring up then tap, tap then ring up, autoload accepted or declined, refusals) is tested
here without a display.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sync.policy import Policy, PolicyError
from sync.records import CardSnapshot, EntryKind, PriceLevel, Product, SaleLine, Unit
from sync.store import AlreadyVoided, Committed, Store, StoreUnavailable
from terminal import messages
from terminal.basket import Basket
from terminal.decide import Outcome, Reason, TapContext, Verdict, decide, decide_topup
from terminal.i18n import translate
from terminal.money import format_money
from terminal.pricing import effective_level, price_of

log = logging.getLogger(__name__)


class NotSetUp(Exception):
    """The till's store holds no unit and menu yet, so there is nothing to sell."""


class Phase(StrEnum):
    IDLE = "idle"  # no card yet
    CARD = "card"  # a card is shown with its verdict
    CONSENT = "consent"  # the cashier is asking the cardholder about autoload (D-AUTO-3)
    PAID = "paid"  # the sale is committed; the next input starts a new one


class Panel(StrEnum):
    """What the card panel shows: one of these, decided here rather than in the widgets."""

    IDLE = "idle"  # waiting for a card (or, with `problem`, why the till cannot sell)
    CARD = "card"  # the tapped card and its verdict
    CONSENT = "consent"  # the card, and the autoload question
    TOPUP = "topup"  # the card, and the top-up amounts
    PAID = "paid"  # the committed sale, top-up or void


# F8 pressed twice within this many seconds voids the last sale.
VOID_CONFIRM_S = 5.0


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


@dataclass(frozen=True, slots=True)
class Screen:
    """Everything the cashier's screen shows at one moment; the window only renders it."""

    panel: Panel
    card: CardView | None
    last_paid: Paid | None
    problem: str | None
    notice: str | None
    level: PriceLevel
    lines: list[SaleLine]
    total: int
    can_charge: bool
    can_void_line: bool
    print_button: bool  # receipts print on request: the F6 button is shown
    can_print: bool

    @property
    def photo_sha256(self) -> str | None:
        if self.card is None or self.card.snapshot is None:
            return None
        return self.card.snapshot.cardholder.photo_sha256


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
        ticks: Callable[[], float] = time.monotonic,
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
        self._ticks = ticks
        self._on_committed = on_committed
        self.basket = Basket()
        self.card: CardView | None = None
        self.phase = Phase.IDLE
        self.last_paid: Paid | None = None
        self.problem: str | None = None  # why the till cannot sell right now
        self.notice: str | None = None  # the answer to the cashier's last key, until the next
        self.asking_topup = False  # F7 pressed: the panel offers top-up amounts
        self._void_armed_at: float | None = None  # F8 pressed once, at this monotonic time
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

    def screen(self, *, print_button: bool) -> Screen:
        phase = self.phase
        paid = self.last_paid
        if self.problem is not None and phase is not Phase.PAID:
            panel = Panel.IDLE
        elif phase is Phase.PAID and paid is not None and (paid.kind == "void" or self.card):
            panel = Panel.PAID
        elif phase is Phase.IDLE or self.card is None:
            panel = Panel.IDLE
        elif phase is Phase.CONSENT:
            panel = Panel.CONSENT
        elif phase is Phase.CARD and self.asking_topup:
            panel = Panel.TOPUP
        else:
            panel = Panel.CARD
        level = self.level
        lines = self.basket.priced(level)
        return Screen(
            panel=panel,
            card=self.card,
            last_paid=paid,
            problem=self.problem,
            notice=self.notice,
            level=level,
            lines=lines,
            total=sum(line.amount for line in lines),  # Basket.total, without pricing again
            can_charge=self.can_charge(),
            can_void_line=phase is not Phase.PAID and not self.basket.is_empty(),
            print_button=print_button,
            can_print=paid is not None,
        )

    def can_charge(self) -> bool:
        return (
            self.problem is None
            and self.phase is Phase.CARD
            and self.card is not None
            and self.card.verdict.approved
            and not self.basket.is_empty()
        )

    # -- the cashier's input ---------------------------------------------------------------
    def say(self, notice: str | None) -> None:
        self.notice = notice

    def add(self, product: Product, quantity: int = 1) -> None:
        self.notice = None
        # The menu as last read: a button painted before a change adds today's price.
        product = next((p for p in self.products if p.product_id == product.product_id), product)
        if product.sold_out:
            self.notice = translate("messages", "{name} is sold out.").format(name=product.name)
            return
        self._start_new_if_paid()
        self.basket.add(product, quantity)
        self._redecide()

    def set_quantity(self, index: int, quantity: int) -> None:
        if self.phase is Phase.PAID:
            return
        self.basket.set_quantity(index, quantity)
        self._redecide()

    def change_quantity(self, index: int, delta: int) -> None:
        if self.phase is Phase.PAID or not 0 <= index < len(self.basket.lines):
            return
        self.set_quantity(index, self.basket.lines[index].quantity + delta)

    def void_line(self, index: int) -> None:
        if self.phase is Phase.PAID:
            return
        self.basket.void_line(index)
        self._redecide()

    def cancel(self) -> None:
        """Cancel sale: nothing was charged, so nothing is journaled."""
        self.notice = None
        self.asking_topup = False
        self.basket.clear()
        self.card = None
        self.phase = Phase.IDLE

    def bad_read(self, reason: str) -> None:
        self.notice = messages.card_not_read(reason)

    def tap(self, card_id: str) -> CardView:
        """A card was tapped: look it up, decide, and charge at once when the tray is rung up."""
        self.notice = None
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
        if self.phase is Phase.CONSENT:
            return None  # Enter while the cardholder is being asked answers nothing
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

    def start_topup(self) -> None:
        """F7: a cash top-up onto the tapped card (D-PAY-4); needs a card and an empty tray."""
        if self.phase is not Phase.CARD or not self.basket.is_empty():
            self.notice = messages.TOPUP_NEEDS_CARD
        else:
            self.asking_topup = True

    def topup(self, amount: int, *, tender: str = "cash") -> Paid | None:
        """D-PAY-4: cash or bank-card money onto the tapped card; refused to a blocked card."""
        self.asking_topup = False
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
            self.problem = messages.cannot_save(exc.reason)
            return None
        return self._paid(Paid(committed, amount, 0, verdict, kind="topup"))

    def void_pressed(self) -> Paid | None:
        """F8: the first press asks for confirmation; a second within VOID_CONFIRM_S voids."""
        now = self._ticks()
        if self._void_armed_at is None or now - self._void_armed_at > VOID_CONFIRM_S:
            self._void_armed_at = now
            self.notice = messages.confirm_void(self.store.last_receipt_no())
            return None
        self._void_armed_at = None
        paid = self.void_last_sale()
        if paid is None:
            self.notice = messages.NOTHING_TO_VOID
        return paid

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
            self.problem = messages.cannot_save(exc.reason)
            return None
        self.basket.clear()
        self.card = None
        verdict = Verdict(Outcome.APPROVED, Reason.OK, messages.SALE_VOIDED, self.unit.currency)
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
            self.problem = messages.cannot_save(exc.reason)
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
            self.problem = messages.cannot_save(exc.reason)
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

    # -- the live menu (what the sync client or seeding wrote into the store) ---------------
    _menu_version: int | None = None  # the store's menu version last read; None: not yet

    @property
    def menu_changes(self) -> list[str]:
        """What changed on the tray since this list was last cleared (its reader clears it):
        "Pasta-Bar: 2,90 € → 9,99 €", "Pasta-Bar is sold out"; the charge waits on it."""
        changes: list[str] = self.__dict__.setdefault("_menu_changes", [])
        return changes

    @property
    def unavailable(self) -> set[str]:
        """Product ids on the tray that are sold out or no longer on the menu: their lines stay
        on the tray, flagged, for the cashier to take off."""
        flagged: set[str] = self.__dict__.setdefault("_unavailable", set())
        return flagged

    def reload_menu(self, policy_of: Callable[[dict[str, Any]], Policy] | None = None) -> bool:
        """Read unit, products and policy again when the store's menu version moved; True when
        any of them changed. The tray's lines take the new products (re-priced, visibly: each
        change of a line is said in `menu_changes`); a line whose product is sold out or gone
        stays, flagged in `unavailable`. A paid tray is history and is left as it was.

        `policy_of` builds the policy from the store's data (the till adds its config's
        overrides); a policy that does not read keeps the one in force."""
        version = self.store.menu_version()
        if version == self._menu_version:
            return False
        self._menu_version = version  # read first: a write after it moves it again
        changed = False
        unit = self.store.unit()
        if unit is not None and unit != self.unit:
            self.unit, changed = unit, True
        products = self.store.products()
        if products != self.products:
            self.products, changed = products, True
        try:
            data = self.store.policy_data()
            policy = (policy_of or _scheme_policy)(data)
        except PolicyError as exc:
            log.warning("the store's policy cannot be read, the one in force stays: %s", exc)
        else:
            if policy != self.policy:
                self.policy, changed = policy, True
        if changed and self.phase is not Phase.PAID and self._reprice_tray():
            self._redecide()
        return changed

    def _reprice_tray(self) -> bool:
        """The tray's lines on the menu just read; True when a line changed."""
        by_id = {p.product_id: p for p in self.products}
        level, currency = self.level, self.unit.currency
        # Flags of lines no longer on the tray (a sale since, a line voided) are forgotten.
        self.unavailable.intersection_update(line.product.product_id for line in self.basket.lines)
        said: list[str] = []
        touched = False
        for line in self.basket.lines:
            old, new = line.product, by_id.get(line.product.product_id)
            if new is None:
                if old.product_id not in self.unavailable:
                    self.unavailable.add(old.product_id)
                    said.append(
                        translate("messages", "{name} is no longer on the menu").format(
                            name=old.name
                        )
                    )
                continue
            before, after = price_of(old, level), price_of(new, level)
            if before != after:
                said.append(
                    translate("messages", "{name}: {old} → {new}").format(
                        name=new.name,
                        old=format_money(before, currency),
                        new=format_money(after, currency),
                    )
                )
            if new.sold_out and old.product_id not in self.unavailable:
                self.unavailable.add(old.product_id)
                said.append(translate("messages", "{name} is sold out").format(name=new.name))
            elif not new.sold_out:
                self.unavailable.discard(old.product_id)
            touched = touched or new != old
            line.product = new
        self.menu_changes.extend(said)
        return touched or bool(said)


def _scheme_policy(data: dict[str, Any]) -> Policy:
    return Policy.from_mapping(data, source="scheme policy")


def _without_offer(verdict: Verdict) -> Verdict:
    note = messages.AUTOLOAD_DECLINED
    message = verdict.message.replace(" Offer autoload.", "")
    return replace(verdict, autoload=None, autoload_note=note, message=message)
