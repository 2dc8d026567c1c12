"""Composition root: config, store, policy, session, reader, printer and network, without Qt.

The till's one face to the screen: the Qt window (terminal/ui) hands every key, button and
device event to a `Till` and renders the `Screen` it answers with; it holds nothing else.
Tests and benchmarks drive a `Till` the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import Any

from drivers.cards import (
    BadRead,
    CardIdFormat,
    CardReader,
    CardTap,
    Debouncer,
    ReaderStatus,
    TakesKeys,
    normalise,
    open_reader,
)
from drivers.printers import open_printer
from drivers.printers.base import PrinterState, PrinterStatus, ReceiptPrinter
from sync.journal import Committed
from sync.link import Link
from sync.money import locale_for
from sync.policy import Policy, PrintPolicy, layered
from sync.records import JournalEntry, Product, Unit
from sync.store import BadValue, Store, StoreError, StoreUnavailable
from terminal import messages
from terminal.config import TillConfig
from terminal.i18n import (
    Language,
    language_of_unit,
    set_date_locale,
    set_screen_language,
    translate,
)
from terminal.money import use_locale
from terminal.print_queue import PrintQueue, PrintRecord, PrintState
from terminal.receipt import receipt_from_entries, should_print
from terminal.receipt_render import make_print_job, receipt_no_of_job
from terminal.session import Paid, SaleSession, Screen, utc_now
from terminal.status import TillStatus

log = logging.getLogger(__name__)


class Till:
    def __init__(
        self,
        config: TillConfig,
        *,
        link: Link,
        clock: Callable[[], datetime] = utc_now,
        store: Store | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.store = store or Store.open(config.store_path, till_id=config.till_id)
        unit = self.store.unit()
        # Amounts are per currency: the till reads them in its unit's once (without a unit
        # the session below refuses to sell).
        self.policy = Policy.from_mapping(
            layered(self.store.policy_data(), config.policy_overrides),
            source=f"scheme policy with {config.source} [policy]"
            if config.policy_overrides
            else "scheme policy",
            currency=unit.currency if unit is not None else "EUR",
        )
        self.link = link
        self.receipt_language = Language("en")
        if unit is not None:
            self._speak_as(unit)
        self.session = SaleSession(
            self.store,
            policy=self.policy,
            online=link.is_online,
            clock=clock,
            on_committed=self._on_paid,
        )
        self.card_format = CardIdFormat.from_options(config.reader.card_id)
        options = dict(config.reader.options)
        if config.reader.kind == "keyboard":
            # A till holds every card character for max_gap_s and decides then, rather than
            # giving keys to the cashier for a second after a product key: a card tapped right
            # after a key press must still be read as a card.
            options.setdefault("typing_pause_s", "0")
        self.reader: CardReader = open_reader(
            config.reader.kind, data_dir=config.data_dir, options=options
        )
        self.debouncer = Debouncer(self.policy.duplicate_tap_window_s)  # D-PAY-5
        self.printer: ReceiptPrinter = open_printer(config.printer.kind, data_dir=config.data_dir)
        self.queue: PrintQueue | None = None
        self._renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="receipt-render")
        self.last_print: PrintRecord | None = None
        # Receipts whose original came out of the printer: only these reprint as COPY.
        self._originals_printed: set[int] = set()
        self._printed_on_request: set[int] = set()  # receipt numbers printed with F6
        self._closed = False
        self._menu_news = False  # the menu changed since the screen last asked

    # -- devices -------------------------------------------------------------------------------
    def start_devices(
        self,
        *,
        on_tap: Callable[[CardTap], None],
        on_bad_read: Callable[[BadRead], None],
        on_reader_status: Callable[[ReaderStatus], None],
        on_print: Callable[[PrintRecord], None],
    ) -> None:
        def tap(event: CardTap) -> None:
            if self.debouncer.accept(event):
                on_tap(event)

        def printed(record: PrintRecord) -> None:
            # Recorded here, on the printer's thread, so a reprint decides by what happened
            # even before the screen heard of it.
            if record.state is PrintState.PRINTED:
                number = receipt_no_of_job(record.job_id)
                if number is not None:
                    self._originals_printed.add(number)
            on_print(record)

        self.queue = PrintQueue(self.printer, printed)
        self.reader.start(tap, on_reader_status, on_bad_read)
        self.link.start()

    def card_id(self, tap: CardTap) -> str:
        """D-CARD-3: one canonical card id, whatever the reader delivered."""
        return normalise(tap.uid, self.card_format)

    # -- what the screen shows and what the cashier does ------------------------------------
    @property
    def unit(self) -> Unit:
        return self.session.unit

    @property
    def products(self) -> list[Product]:
        return self.session.products

    def screen(self) -> Screen:
        screen = self.session.screen(print_button=self.prints_on_request())
        fault = self.print_fault()
        return replace(screen, print_fault=fault) if fault else screen

    def print_fault(self) -> str | None:
        """The last receipt did not print: said where the cashier looks, with the way out."""
        last = self.last_print
        if last is None or last.state is not PrintState.FAILED:
            return None
        number = receipt_no_of_job(last.job_id)
        return messages.receipt_not_printed(number, last.error or "printer error")

    def photo(self, sha256: str) -> bytes | None:
        return self.store.photo(sha256)

    def tap(self, tap: CardTap) -> None:
        """The tap path, after the debouncer: normalise, look up, decide (and maybe charge).
        The menu is read again first (one row when nothing moved): a price the office changed
        a moment ago is on the tray, and said, before the tap can charge it."""
        self.refresh_menu()
        self.session.tap(self.card_id(tap))

    def bad_read(self, bad: BadRead) -> None:
        self.session.bad_read(bad.reason)

    def product_for_key(self, key: str) -> Product | None:
        """A product shortcut key (case-insensitive), or None."""
        wanted = key.upper()
        return next((p for p in self.products if p.shortcut and p.shortcut.upper() == wanted), None)

    def add(self, product: Product) -> None:
        self.session.add(product)

    def change_quantity(self, index: int, delta: int) -> None:
        self.session.change_quantity(index, delta)

    def void_line(self, index: int) -> None:
        self.session.void_line(index)

    def cancel(self) -> None:
        self.session.cancel()

    def charge(self) -> None:
        self.session.charge()

    def answer_autoload(self, accepted: bool) -> None:
        self.session.answer_autoload(accepted)

    def start_topup(self) -> None:
        self.session.start_topup()

    def start_arrears(self) -> None:
        self.session.start_arrears()

    def keypad_open(self) -> bool:
        return self.session.keypad is not None

    def keypad_key(self, key: str) -> None:
        self.session.keypad_key(key)

    def keypad_preset(self, amount: int) -> None:
        self.session.keypad_preset(amount)

    def topup(self, amount: int) -> None:
        self.session.topup(amount)

    def void_pressed(self) -> None:
        self.session.void_pressed()

    def uses_keyboard_reader(self) -> bool:
        return isinstance(self.reader, TakesKeys)

    def feed_key(self, text: str, at: float) -> bool:
        """A key for a keyboard-wedge reader; True when the reader took it."""
        if not isinstance(self.reader, TakesKeys) or len(text) != 1:
            return False
        return self.reader.feed_key(text, at)

    def feed_enter(self, at: float) -> bool:
        """Enter: True when it ended a keyboard-wedge reader's card number."""
        return isinstance(self.reader, TakesKeys) and self.reader.feed_enter(at)

    def flush_keys(self, at: float) -> None:
        """Keys a person typed are handed back (as a typing BadRead) after the burst window."""
        if isinstance(self.reader, TakesKeys):
            self.reader.flush(at)

    def reader_status(self) -> ReaderStatus:
        return self.reader.status

    # -- the live menu ---------------------------------------------------------------------------
    def refresh_menu(self) -> bool:
        """What the sync client (or seeding) wrote into the store since the last look: unit,
        products, policy. True when the screen must show a changed menu. Cheap when nothing
        moved (one row read), so the window calls it on a short timer."""
        try:
            changed = self.session.reload_menu(self._policy_of)
        except StoreError as exc:  # the screen keeps the menu it has; the next look tries again
            log.warning("the menu could not be read again: %s", exc)
            return False
        # A change read by mark_sold_out is news to the screen still.
        changed, self._menu_news = changed or self._menu_news, False
        if changed:
            self.policy = self.session.policy
            if self.debouncer.window_s != self.policy.duplicate_tap_window_s:
                self.debouncer = Debouncer(self.policy.duplicate_tap_window_s)  # D-PAY-5
            self._speak_as(self.session.unit)
        return changed

    def _speak_as(self, unit: Unit) -> None:
        """One unit per till: its locale shows money and dates, its language the receipts
        (and the screen, unless the till's config names another)."""
        use_locale(unit.currency, unit.locale or None)
        set_date_locale(unit.locale or locale_for(unit.currency))
        self.receipt_language = Language(language_of_unit(unit.locale))
        set_screen_language(self.config.screen.language or self.receipt_language.code)

    def _policy_of(self, data: dict[str, Any]) -> Policy:
        # As __init__ builds it: the scheme's, with this till's config overriding it, read
        # in the unit's currency.
        return Policy.from_mapping(
            layered(data, self.config.policy_overrides),
            source="scheme policy",
            currency=self.session.unit.currency,
        )

    def mark_sold_out(self, product_id: str, sold_out: bool, pin: str) -> bool:
        """A supervisor marks a product sold out (or back on sale) at this till: greyed here at
        once, queued durably for the server (sent when online, taken once), and from there
        greyed on every till of the unit. The PIN is the config's `[till] supervisor_pin`;
        what happened (or why nothing did) is the session's notice. True when marked."""
        if not self.config.supervisor_pin_sha256:
            self.session.say(
                translate(
                    "messages",
                    "No supervisor PIN is set for this till: products cannot be marked here.",
                )
            )
            return False
        if not self.config.supervisor_pin_matches(pin):
            self.session.say(translate("messages", "Wrong supervisor PIN: nothing was marked."))
            return False
        product = next((p for p in self.products if p.product_id == product_id), None)
        try:
            if product is None:
                raise BadValue(product_id)
            self.store.mark_sold_out(product_id, sold_out, marked_at=self.clock())
        except BadValue:  # not on the menu the screen shows, or no longer in the store
            self.session.say(
                translate("messages", "{product} is not on this till's menu.").format(
                    product=product_id
                )
            )
            return False
        except StoreUnavailable as exc:
            self.session.say(messages.cannot_save(exc.reason))
            return False
        self.link.nudge()  # the push job sends the mark with the sales
        self._menu_news = self.refresh_menu()  # the session refuses it from now on
        if sold_out:
            text = translate("messages", "{name} is marked sold out.")
        else:
            text = translate("messages", "{name} is on sale again.")
        self.session.say(text.format(name=product.name))
        return True

    # -- network -------------------------------------------------------------------------------
    def toggle_network(self) -> None:
        self.link.set_online(not self.link.is_online())

    # -- receipts --------------------------------------------------------------------------------
    def prints_on_request(self) -> bool:
        return self.policy.print_receipts is PrintPolicy.ON_REQUEST

    def _on_paid(self, paid: Paid) -> None:
        self.link.nudge()  # push the sale now, off this thread
        # D-PAY-6: receipts always, or on request; an autoload is printed with its sale.
        if should_print(self.policy.print_receipts, paid.kind, requested=False):
            self._print(paid.committed, copy=False)

    def print_on_request(self) -> None:
        """D-PAY-6 'on request': the last receipt, once as the original; asked again, it is a
        copy, so a second press neither makes two originals nor opens the drawer again."""
        self.session.say(self._print_on_request())

    def _print_on_request(self) -> str:
        if not self.prints_on_request():
            return messages.PRINTS_BY_ITSELF
        committed = self._last_receipt()
        if committed is None:
            return messages.NO_RECEIPT
        number = committed.receipt_no
        copy = number in self._printed_on_request
        self._printed_on_request.add(number)
        self._print(committed, copy=copy)
        return messages.printing(number, copy=copy)

    def reprint(self) -> None:
        """F5: the last receipt again; as a COPY only if its original came out of the printer
        (an original that never printed is printed as the original)."""
        committed = self._last_receipt()
        if committed is None:
            self.session.say(messages.NO_RECEIPT_TO_REPRINT)
            return
        copy = committed.receipt_no in self._originals_printed
        self._print(committed, copy=copy)
        if copy:
            self.session.say(messages.reprinting(committed.receipt_no))
        else:
            self.session.say(messages.printing_original(committed.receipt_no))

    def _last_receipt(self) -> Committed | None:
        """The last receipt's entries as they were committed, read back for a reprint."""
        number = self.store.last_receipt_no()
        if number is None:
            return None
        entries = self.store.entries_for_receipt(number)
        after = _balance_after(entries) if entries else None
        if after is None:
            return None  # nothing that can be printed again: said as "no receipt"
        return Committed(entries, number, after)

    def _print(self, committed: Committed, *, copy: bool) -> None:
        if self.queue is None:
            return
        queue = self.queue
        unit = self.session.unit
        columns = self.config.printer.columns
        language = self.receipt_language.code

        def render() -> None:
            # Rendering the PDF takes milliseconds we do not spend on the UI thread.
            try:
                receipt = receipt_from_entries(
                    unit,
                    committed.entries,
                    balance_after=committed.balance_after,
                    copy=copy,
                    language=language,
                )
                job = make_print_job(receipt, columns=columns)
            except Exception:
                log.exception("receipt %s could not be rendered", committed.receipt_no)
                return
            if copy:
                queue.reprint(job)
            else:
                queue.submit(job)

        self._renderer.submit(render)

    def note_print(self, record: PrintRecord) -> None:
        self.last_print = record

    # -- status ------------------------------------------------------------------------------
    def status(self) -> TillStatus:
        stats = self.store.outbox_stats()
        # The print queue's worker asks the printer; the UI thread only reads its answer.
        printer_status = (
            self.queue.status
            if self.queue is not None
            else PrinterStatus(PrinterState.OFFLINE, translate("screen", "not started"))
        )
        printer_ok = printer_status.ready
        plain = printer_status.state is PrinterState.READY
        # The printer's own words ("Paper is running low") come from its driver, in English.
        printer_text = translate("screen", "ready") if plain else printer_status.text
        last = self.last_print
        if last is not None and last.state is PrintState.FAILED:
            printer_ok = False
            printer_text = translate("screen", "receipt not printed ({error}); F5 reprints").format(
                error=last.error
            )
        reader = self.reader.status
        return TillStatus(
            online=self.link.is_online(),
            unsent=stats.count,
            oldest_unsent=stats.oldest_created_at,
            now=self.clock(),
            alarm_after_s=self.policy.unsent_alarm_s,
            reader_text=reader.text,
            reader_ok=reader.ready,
            printer_text=printer_text,
            printer_ok=printer_ok,
            unit_name=self.session.unit.name,
            till_id=self.config.till_id,
            last_sync=self.link.last_sync(),
            unreadable=self.store.skipped_changes(),
        )

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.reader.stop()
        self.link.stop()
        self._renderer.shutdown(wait=True)
        if self.queue is not None:
            self.queue.close()
        self.store.close()


def _balance_after(entries: list[JournalEntry]) -> int | None:
    # The store keeps the balance after each write with the write's last entry.
    try:
        after = getattr(entries[-1].typed_body(), "balance_after", None)
    except (KeyError, TypeError, ValueError):  # a damaged row: the shapes a body read refuses
        log.exception("receipt entry %s cannot be read", entries[-1].entry_id)
        return None
    return after if isinstance(after, int) else None
