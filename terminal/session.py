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

from sync.errors import NotPayable, NotVoidable, TopupSpent
from sync.policy import Caution, Policy, PolicyError
from sync.records import CardSnapshot, EntryKind, PriceLevel, Product, SaleLine, Unit
from sync.store import AlreadyVoided, Committed, Store, StoreUnavailable
from terminal import messages
from terminal.basket import Basket
from terminal.decide import (
    OFFER_AUTOLOAD,
    Outcome,
    Reason,
    TapContext,
    Verdict,
    decide,
    decide_topup,
    reason_text,
)
from terminal.i18n import format_day, translate
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
    photo_here: bool = True  # the cardholder's photo is on this till (asked once per look-up)


@dataclass(frozen=True, slots=True)
class Paid:
    committed: Committed
    total: int
    autoload_amount: int
    verdict: Verdict
    kind: str = "sale"  # "sale", "topup" or "void": what the card panel and receipt show


@dataclass(frozen=True, slots=True)
class AutoloadView:
    """D-AUTO-3: the one offer the cardholder answers, with every balance it touches."""

    amount: int
    balance: int  # now, before this sale
    after_with: int  # after this sale, with the autoload credited
    after_without: int | None  # after this sale without it; None: the sale needs it


class KeypadPurpose(StrEnum):
    TOPUP = "topup"  # D-PAY-4: cash onto the card
    ARREARS = "arrears"  # D-AUTO-7: cash against the account's arrears


MAX_KEYPAD_DIGITS = 7  # 99.999,99 at most: far above any bound, below any overflow


@dataclass(frozen=True, slots=True)
class KeypadView:
    """The cash keypad: what was typed, and what it would do."""

    purpose: KeypadPurpose
    amount: int  # minor units typed so far
    confirming: bool  # Enter was pressed once: the next Enter commits
    after: int | None  # the new balance (top-up) or the arrears left (arrears)
    problem: str | None  # why this amount cannot be taken, in the cashier's words


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
    cautions: tuple[str, ...] = ()  # what the cashier must see before money moves
    held: bool = False  # a tap did not charge because of the cautions: Enter charges
    price_reason: str | None = None  # which price level applies, and why
    autoload: AutoloadView | None = None  # the open autoload question (Panel.CONSENT)
    keypad: KeypadView | None = None  # the cash keypad (Panel.TOPUP)
    charge_hint: str | None = None  # why Charge is disabled, or what Enter does now
    print_fault: str | None = None  # the last receipt did not print: said in the card panel
    menu_empty: bool = False  # no products: nothing can be rung up yet
    arrears: int = 0  # the tapped card's account owes this (D-AUTO-7): payable in cash here
    unavailable: frozenset[str] = frozenset()  # tray lines' products sold out or gone since

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
        self.keypad: _Keypad | None = None  # F7 (or arrears): the cash keypad is open
        self.held = False  # a tap with cautions did not charge: the cashier confirms with Enter
        # What the office changed on the tray's products since it was rung up ("Pasta-Bar:
        # 2,90 € → 9,99 €", "Pasta-Bar is sold out"): a caution that holds the charge.
        self.menu_changes: list[str] = []
        # Product ids on the tray now sold out or off the menu: their lines stay, flagged, and
        # the tray cannot be charged until the cashier takes them off.
        self.unavailable: set[str] = set()
        self._menu_version: int | None = None  # the store's menu version last read
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

    @property
    def asking_topup(self) -> bool:
        return self.keypad is not None

    def today(self) -> date:
        return business_day(self._clock(), self.unit.timezone)

    def cautions(self) -> list[tuple[Caution, str]]:
        """What the cashier must see before charging this card, each with its kind."""
        card = self.card
        if card is None or card.snapshot is None or not card.verdict.approved:
            return []
        snap, verdict = card.snapshot, card.verdict
        found: list[tuple[Caution, str]] = []
        sha = snap.cardholder.photo_sha256
        if sha is None:  # D-CARD-4
            found.append((Caution.NO_PHOTO, messages.NO_PHOTO_CAUTION))
        elif not card.photo_here:
            found.append((Caution.NO_PHOTO, messages.PHOTO_NOT_HERE_CAUTION))
        expired = self._expired_membership(snap)
        if expired is not None:  # D-ACC-3
            found.append((Caution.GUEST_PRICE, expired))
        if verdict.outcome is Outcome.APPROVED_OFFLINE:  # D-OFF-3
            used = snap.unsent_debits + verdict.total
            limit = self.policy.offline_limit
            if used * 100 >= limit * OFFLINE_WARN_PERCENT:
                money = format_money(used, self.unit.currency)
                found.append(
                    (
                        Caution.OFFLINE_NEAR_LIMIT,
                        messages.offline_near_limit(money, format_money(limit, self.unit.currency)),
                    )
                )
        if verdict.autoload_note and verdict.autoload_note != messages.AUTOLOAD_DECLINED:
            found.append((Caution.AUTOLOAD_NOT_OFFERED, verdict.autoload_note))
        found.extend((Caution.PRICES_CHANGED, change) for change in self.menu_changes)
        return found

    def price_reason(self) -> str | None:
        """D-ACC-3: the price level in force, and why, whenever a card is on the screen."""
        card = self.card
        if card is None or card.snapshot is None:
            return None
        expired = self._expired_membership(card.snapshot)
        if expired is not None:
            return expired
        return messages.price_level_name(card.snapshot.account.price_level)

    def _expired_membership(self, snap: CardSnapshot) -> str | None:
        account = snap.account
        if account.price_level is PriceLevel.GUEST:
            return None
        if effective_level(account, self.today()) is not PriceLevel.GUEST:
            return None
        assert account.membership_expires is not None  # the only way to the guest level
        return messages.membership_expired(
            messages.price_level_name(account.price_level), format_day(account.membership_expires)
        )

    def autoload_view(self) -> AutoloadView | None:
        card = self.card
        if self.phase is not Phase.CONSENT or card is None or card.verdict.autoload is None:
            return None
        verdict, offer = card.verdict, card.verdict.autoload
        balance = verdict.balance or 0
        without = balance - verdict.total
        return AutoloadView(
            amount=offer.amount,
            balance=balance,
            after_with=balance + offer.amount - verdict.total,
            after_without=None if offer.needed else without,
        )

    def charge_hint(self) -> str | None:
        """Written on the Charge button: why it is disabled, or what it does now."""
        if self.problem is not None or self.phase is Phase.PAID:
            return None
        if self.keypad is not None:
            return messages.HINT_FINISH_CASH
        if self.phase is Phase.CONSENT:
            return messages.HINT_ANSWER_AUTOLOAD
        if self.basket.is_empty():
            return messages.HINT_RING_UP if self.products else messages.HINT_NO_MENU
        if self.unavailable:
            return messages.HINT_UNAVAILABLE
        if self.card is None:
            return messages.HINT_TAP
        if not self.card.verdict.approved:
            return messages.hint_refused(reason_text(self.card.verdict.reason))
        if self.held:
            return messages.HINT_CONFIRM
        return None

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
        card = self.card
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
            cautions=tuple(text for _kind, text in self.cautions()),
            held=self.held,
            price_reason=self.price_reason(),
            autoload=self.autoload_view(),
            keypad=self.keypad.view(self) if self.keypad is not None else None,
            charge_hint=self.charge_hint(),
            menu_empty=not self.products,
            arrears=card.snapshot.account.arrears if card and card.snapshot else 0,
            unavailable=frozenset(self.unavailable),
        )

    def can_charge(self) -> bool:
        return (
            self.problem is None
            and self.keypad is None
            and not self.unavailable
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
        self._forget_gone_flags()
        self._redecide()

    def change_quantity(self, index: int, delta: int) -> None:
        if self.phase is Phase.PAID or not 0 <= index < len(self.basket.lines):
            return
        self.set_quantity(index, self.basket.lines[index].quantity + delta)

    def void_line(self, index: int) -> None:
        if self.phase is Phase.PAID:
            return
        self.basket.void_line(index)
        self._forget_gone_flags()
        self._redecide()

    def _forget_gone_flags(self) -> None:
        """A flagged line the cashier took off the tray no longer stops the charge."""
        self.unavailable.intersection_update(line.product.product_id for line in self.basket.lines)

    def cancel(self) -> None:
        """Esc: close the cash keypad if it is open; else cancel the sale (nothing was
        charged, so nothing is journaled)."""
        self.notice = None
        if self.keypad is not None:
            self.keypad = None
            return
        self.held = False
        self.menu_changes = []
        self.basket.clear()
        self.unavailable.clear()
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
        self.keypad = None
        self.card = self._look_up(card_id)
        self.phase = Phase.CARD
        self.held = False
        if self.policy.auto_charge_on_tap and not self.basket.is_empty():
            holding = {kind for kind, _ in self.cautions()} & self.policy.hold_charge_on
            if holding and self.card.verdict.approved:
                self.held = True  # warnings before money: the cashier reads, then Enter
            else:
                self.charge()
        return self.card

    def charge(self) -> Paid | None:
        """Charge the tray; ask for autoload consent first when one is offered (D-AUTO-3)."""
        if self.keypad is not None:
            return self.keypad_enter()  # Enter confirms the cash entry, not the sale
        if self.phase is Phase.CONSENT:
            return None  # Enter while the cardholder is being asked answers nothing
        if self.phase is not Phase.CARD or self.card is None or self.basket.is_empty():
            return None
        if self.unavailable:
            return None  # a sold-out line is still on the tray: the cashier takes it off
        self.held = False
        self.menu_changes = []
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
        self.card = replace(self.card, verdict=verdict)
        self.phase = Phase.CARD
        return self._commit(verdict)

    def start_topup(self) -> None:
        """F7: the cash keypad for a top-up onto the tapped card (D-PAY-4), with or without a
        tray rung up: the top-up first, then the sale."""
        if self.phase is not Phase.CARD or self.card is None or self.card.snapshot is None:
            self.notice = messages.TOPUP_NEEDS_CARD
            return
        self.notice = None
        self.keypad = _Keypad(KeypadPurpose.TOPUP)

    def start_arrears(self) -> None:
        """Arrears paid in cash (D-AUTO-7): the keypad, filled in with what the account owes."""
        snap = self.card.snapshot if self.card is not None else None
        if self.phase is not Phase.CARD or snap is None or snap.account.arrears <= 0:
            self.notice = messages.NO_ARREARS
            return
        self.notice = None
        self.keypad = _Keypad(KeypadPurpose.ARREARS, snap.account.arrears)

    def keypad_key(self, key: str) -> None:
        """A digit, "00", "back" or "clear" on the cash keypad (or a number key)."""
        if self.keypad is not None:
            self.keypad.press(key)

    def keypad_preset(self, amount: int) -> None:
        if self.keypad is not None:
            self.keypad.amount, self.keypad.confirming = amount, False

    def keypad_enter(self) -> Paid | None:
        """Enter on the keypad: the first shows what the amount does, the second takes it."""
        keypad = self.keypad
        if keypad is None:
            return None
        view = keypad.view(self)
        if view.problem is not None:
            keypad.confirming = False
            return None
        if not keypad.confirming:
            keypad.confirming = True
            return None
        self.keypad = None
        if keypad.purpose is KeypadPurpose.ARREARS:
            return self.pay_arrears(keypad.amount)
        return self.topup(keypad.amount)

    def topup(self, amount: int, *, tender: str = "cash") -> Paid | None:
        """D-PAY-4: cash or bank-card money onto the tapped card; refused to a blocked card.
        With a tray rung up the sale stays on the screen, re-decided on the new balance."""
        self.keypad = None
        if self.card is None or self.phase is not Phase.CARD:
            return None
        tray = self.card
        verdict = decide_topup(self.card.snapshot, amount, self.policy, self.unit.currency)
        snap = self.card.snapshot
        if not verdict.approved or snap is None:
            self.card = replace(tray, verdict=verdict)
            return None
        if not self.check_store():
            return None
        try:
            committed = self.store.commit_topup(**self._cash(snap, amount, tender))
        except StoreUnavailable as exc:
            self.problem = messages.cannot_save(exc.reason)
            return None
        paid = Paid(committed, amount, 0, verdict, kind="topup")
        if self.basket.is_empty():
            self.card = replace(tray, verdict=verdict)
            return self._paid(paid)
        # The top-up is its own receipt; the sale goes on with the card's new balance.
        self._beside_the_sale(paid)
        self.notice = messages.topped_up_then_charge(
            format_money(amount, self.unit.currency), committed.receipt_no
        )
        return paid

    def pay_arrears(self, amount: int, *, tender: str = "cash") -> Paid | None:
        """D-AUTO-7: cash against the account's arrears, with its own receipt."""
        self.keypad = None
        snap = self.card.snapshot if self.card is not None else None
        if self.card is None or snap is None or self.phase is not Phase.CARD:
            return None
        if not 0 < amount <= snap.account.arrears or not self.check_store():
            return None
        try:
            committed = self.store.commit_arrears_payment(**self._cash(snap, amount, tender))
        except NotPayable as exc:
            self.notice = messages.arrears_at_most(format_money(exc.owed, self.unit.currency))
            return None
        except StoreUnavailable as exc:
            self.problem = messages.cannot_save(exc.reason)
            return None
        left = committed.arrears_after if committed.arrears_after is not None else 0
        money = self.unit.currency
        verdict = Verdict(
            Outcome.APPROVED,
            Reason.OK,
            messages.arrears_paid(format_money(amount, money), format_money(left, money)),
            money,
            total=amount,
        )
        paid = Paid(committed, amount, 0, verdict, kind="arrears")
        self._beside_the_sale(paid)
        self.notice = verdict.message
        return paid

    def _cash(self, snap: CardSnapshot, amount: int, tender: str) -> dict[str, Any]:
        """What a cash entry onto the tapped card's account is journaled with."""
        return {
            "card_id": snap.card.card_id,
            "account_id": snap.account.account_id,
            "currency": self.unit.currency,
            "amount": amount,
            "tender": tender,
            "created_at": self._clock(),
            "business_day": self.today(),
        }

    def _beside_the_sale(self, paid: Paid) -> None:
        """Cash taken with its own receipt while the card stays on the panel: the tray (if
        any) is then charged on the card as it now is."""
        self.last_paid = paid
        if self._on_committed is not None:
            self._on_committed(paid)
        assert self.card is not None
        self._relookup(self.card.card_id)

    def void_pressed(self) -> Paid | None:
        """F8: the first press asks for confirmation; a second within VOID_CONFIRM_S voids."""
        now = self._ticks()
        if self._void_armed_at is None or now - self._void_armed_at > VOID_CONFIRM_S:
            self._void_armed_at = now
            voidable = self.store.last_voidable()
            self.notice = messages.confirm_void(
                self.store.last_receipt_no() if voidable is not None else None
            )
            return None
        self._void_armed_at = None
        self.notice = None
        paid = self.void_last_sale()
        if paid is None and self.notice is None:
            self.notice = messages.NOTHING_TO_VOID
        return paid

    def void_last_sale(self) -> Paid | None:
        """Give back the last receipt's sale or cash top-up, as a new journal entry, once; a
        top-up its card has spent since is not voided (the till never hands out money the
        card does not hold), and the cashier is told why."""
        entry = self.store.last_voidable()
        if entry is None or not self.check_store():
            return None
        try:
            committed = self.store.commit_void(
                entry_id=entry.entry_id, created_at=self._clock(), business_day=self.today()
            )
        except TopupSpent as exc:
            money = self.unit.currency
            self.notice = messages.topup_spent(
                exc.receipt_no, format_money(exc.amount, money), format_money(exc.balance, money)
            )
            return None
        except (AlreadyVoided, NotVoidable):
            return None
        except StoreUnavailable as exc:
            self.problem = messages.cannot_save(exc.reason)
            return None
        self.basket.clear()
        self.card = None
        self.keypad = None
        text = messages.TOPUP_VOIDED if entry.kind is EntryKind.TOPUP else messages.SALE_VOIDED
        verdict = Verdict(Outcome.APPROVED, Reason.OK, text, self.unit.currency)
        return self._paid(Paid(committed, -entry.amount, 0, verdict, kind="void"))

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

    def _look_up(self, card_id: str) -> CardView:
        """The card as the store holds it now, decided on the tray."""
        snapshot = self.store.lookup(card_id, self.today())
        sha = snapshot.cardholder.photo_sha256 if snapshot is not None else None
        here = sha is None or self.store.has_photo(sha)
        return CardView(card_id, snapshot, self._decide(snapshot), photo_here=here)

    def _relookup(self, card_id: str) -> None:
        """Read the card again after this till changed its balance, and decide again."""
        self.card = self._look_up(card_id)
        self.phase = Phase.CARD

    def _redecide(self) -> None:
        if self.card is not None and self.phase is Phase.CARD:
            self.card = replace(self.card, verdict=self._decide(self.card.snapshot))

    def _start_new_if_paid(self) -> None:
        if self.phase is Phase.PAID:
            self.basket.clear()
            self.card = None
            self.phase = Phase.IDLE
            self.held = False
            self.menu_changes = []
            self.unavailable.clear()

    # -- the live menu (what the sync client or seeding wrote into the store) ---------------
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


# D-OFF-3: at this share of the offline limit the cashier is told before the charge.
OFFLINE_WARN_PERCENT = 80


class _Keypad:
    """The cash keypad's state; the session decides what an amount would do."""

    def __init__(self, purpose: KeypadPurpose, amount: int = 0) -> None:
        self.purpose = purpose
        self.amount = amount
        self.confirming = False

    def press(self, key: str) -> None:
        digits = str(self.amount) if self.amount else ""
        if key == "back":
            digits = digits[:-1]
        elif key == "clear":
            digits = ""
        elif key in {"0", "00"} or (len(key) == 1 and key.isdigit()):
            digits = (digits + key)[:MAX_KEYPAD_DIGITS] if digits or key.strip("0") else ""
        else:
            return
        self.amount = int(digits) if digits else 0
        self.confirming = False

    def view(self, session: SaleSession) -> KeypadView:
        card = session.card
        snap = card.snapshot if card is not None else None
        after: int | None = None
        problem: str | None = None
        if snap is None:
            problem = messages.TOPUP_NEEDS_CARD
        elif self.amount <= 0:
            problem = messages.TYPE_AMOUNT
        elif self.purpose is KeypadPurpose.ARREARS:
            owed = snap.account.arrears
            if self.amount > owed:
                problem = messages.arrears_at_most(format_money(owed, session.unit.currency))
            else:
                after = owed - self.amount
        else:
            verdict = decide_topup(snap, self.amount, session.policy, session.unit.currency)
            if verdict.approved:
                after = verdict.balance_after
            else:
                problem = verdict.message
        confirming = self.confirming and problem is None
        return KeypadView(self.purpose, self.amount, confirming, after, problem)


def _scheme_policy(data: dict[str, Any]) -> Policy:
    return Policy.from_mapping(data, source="scheme policy")


def _without_offer(verdict: Verdict) -> Verdict:
    note = messages.AUTOLOAD_DECLINED
    message = verdict.message.replace(f" {translate('verdict', OFFER_AUTOLOAD)}", "")
    return replace(verdict, autoload=None, autoload_note=note, message=message)
