"""What the till says to the cashier outside a card's verdict, each text written once.

The verdict texts are `terminal.decide`'s; these are the notices and problems of the screen.
"""

from __future__ import annotations

from terminal.i18n import QT_TRANSLATE_NOOP, translate


def cannot_save(reason: str) -> str:
    return translate(
        "messages", "Cannot save sales: {reason}. Selling is stopped until it is fixed."
    ).format(reason=reason)


def card_not_read(reason: str) -> str:
    return translate("messages", "Card not read ({reason}). Ask the customer to tap again.").format(
        reason=reason
    )


def topup_spent(receipt_no: int | None, amount: str, balance: str) -> str:
    return translate(
        "messages",
        "The top-up of receipt {receipt_no} ({amount}) is spent: the balance of {balance} "
        "no longer covers it, so it cannot be voided.",
    ).format(receipt_no=receipt_no, amount=amount, balance=balance)


def confirm_void(receipt_no: int | None) -> str:
    if receipt_no is None:
        return translate("messages", "No sale or top-up to void yet.")
    return translate("messages", "Press F8 again to void receipt {receipt_no}.").format(
        receipt_no=receipt_no
    )


NOTHING_TO_VOID: str
TOPUP_VOIDED: str
TOPUP_NEEDS_CARD: str
SALE_VOIDED: str
AUTOLOAD_DECLINED: str
PRINTS_BY_ITSELF: str
NO_RECEIPT: str
NO_RECEIPT_TO_REPRINT: str


def printing(receipt_no: int, *, copy: bool) -> str:
    if copy:
        return translate("messages", "Printing a copy of receipt {receipt_no}.").format(
            receipt_no=receipt_no
        )
    return translate("messages", "Printing receipt {receipt_no}.").format(receipt_no=receipt_no)


def reprinting(receipt_no: int) -> str:
    return translate("messages", "Reprinting receipt {receipt_no} (copy).").format(
        receipt_no=receipt_no
    )


# -- the card panel ---------------------------------------------------------------------------
TAP_A_CARD: str
RING_UP_THEN_TAP: str
OR_TAP_FIRST: str
CANNOT_SELL: str
UNKNOWN_CARD: str
PHOTO_UNREADABLE: str
NO_PHOTO: str
CHECK_IDENTITY: str
AUTOLOAD_AT_PAYMENT: str
YES_LOAD: str
NO_KEY: str
TOPUP_HOW: str
ARREARS_HOW: str
KEYPAD_CONFIRM: str
CHECK_FIRST: str
SALE_VOIDED_PHOTO: str
LAST_SALE_VOIDED: str


def card_label(card_id: str) -> str:
    return translate("messages", "Card {card_id}").format(card_id=card_id)


def level_and_balance(level: str, balance: str) -> str:
    return translate("messages", "{level}  ·  Balance {balance}").format(
        level=level, balance=balance
    )


AUTOLOAD_AGREE: str


def offer_autoload(amount: str) -> str:
    return translate(
        "messages", "Offer an autoload of {amount} from the cardholder's bank account."
    ).format(amount=amount)


def autoload_balances(now: str, after_with: str, without: str) -> str:
    return translate(
        "messages", "Balance now {now}. After this sale: {after_with} with the autoload, {without}"
    ).format(now=now, after_with=after_with, without=without)


def without_autoload(after: str) -> str:
    return translate("messages", "{after} without.").format(after=after)


def autoload_needed() -> str:
    return translate("messages", "too little without it.")


def paid_banner(kind: str, offline: bool, total: str) -> str:
    """PAID, PAID OFFLINE, TOPPED UP +… or VOIDED, with the amount."""
    if kind == "topup":
        return translate("messages", "TOPPED UP +{total}").format(total=total)
    if kind == "void":
        return translate("messages", "VOIDED {total}").format(total=total)
    if kind == "arrears":
        return translate("messages", "ARREARS PAID {total}").format(total=total)
    if offline:
        return translate("messages", "PAID OFFLINE {total}").format(total=total)
    return translate("messages", "PAID {total}").format(total=total)


def balance_now(balance: str, receipt_no: int) -> str:
    return translate("messages", "Balance now {balance}.  Receipt {receipt_no}.").format(
        balance=balance, receipt_no=receipt_no
    )


def autoload_credited(amount: str) -> str:
    return translate("messages", "Autoload +{amount} credited.").format(amount=amount)


# -- warnings before money, price reasons, the Charge button -----------------------------------
NO_PHOTO_CAUTION: str
PHOTO_NOT_HERE_CAUTION: str
HINT_FINISH_CASH: str
HINT_ANSWER_AUTOLOAD: str
HINT_RING_UP: str
HINT_NO_MENU: str
HINT_TAP: str
HINT_UNAVAILABLE: str
HINT_CONFIRM: str
NO_ARREARS: str
TYPE_AMOUNT: str
HELD: str
AUTOLOAD_QUESTION: str
NO_MENU: str


def offline_near_limit(used: str, limit: str) -> str:
    return translate(
        "messages", "Offline: {used} of the {limit} offline limit used on this card."
    ).format(used=used, limit=limit)


_LEVEL_NAMES = {
    "student": QT_TRANSLATE_NOOP("messages", "Student price"),
    "staff": QT_TRANSLATE_NOOP("messages", "Staff price"),
    "guest": QT_TRANSLATE_NOOP("messages", "Guest price"),
}


def price_level_name(level: str) -> str:
    return translate("messages", _LEVEL_NAMES[str(level)])


def membership_expired(level: str, day: str) -> str:
    return translate(
        "messages", "Guest price: membership expired {day} ({level} no longer applies)."
    ).format(day=day, level=level)


def hint_refused(reason: str) -> str:
    return translate("messages", "Refused: {reason}").format(reason=reason)


def topped_up_then_charge(amount: str, receipt_no: int) -> str:
    return translate(
        "messages", "Topped up +{amount} (receipt {receipt_no}). Now charge the tray."
    ).format(amount=amount, receipt_no=receipt_no)


def arrears_at_most(owed: str) -> str:
    return translate("messages", "The arrears are {owed}: no more than that.").format(owed=owed)


def arrears_paid(amount: str, left: str) -> str:
    return translate("messages", "Arrears paid {amount}. Left to pay {left}.").format(
        amount=amount, left=left
    )


FAULT_CHARS = 80  # a printer's own long text stays in the status bar; the strip says the gist


def receipt_not_printed(receipt_no: int | None, error: str) -> str:
    if len(error) > FAULT_CHARS:
        error = error[: FAULT_CHARS - 1].rstrip(" ,:;") + "…"
    if receipt_no is None:
        return translate("messages", "Receipt not printed: {error}. Reprint (F5)").format(
            error=error
        )
    return translate("messages", "Receipt {receipt_no} not printed: {error}. Reprint (F5)").format(
        receipt_no=receipt_no, error=error
    )


def printing_original(receipt_no: int) -> str:
    return translate(
        "messages", "Printing receipt {receipt_no} (its original never printed)."
    ).format(receipt_no=receipt_no)


def keypad_topup(amount: str, after: str) -> str:
    return translate("messages", "Top up {amount}: new balance {after}.").format(
        amount=amount, after=after
    )


def keypad_arrears(amount: str, left: str) -> str:
    return translate("messages", "Pay {amount} of the arrears: {left} left to pay.").format(
        amount=amount, left=left
    )


def pay_arrears_button(owed: str) -> str:
    return translate("messages", "Pay arrears {owed} in cash  F4").format(owed=owed)


# The fixed texts, translated when they are read (the screen's language is chosen at start-up,
# after this module is imported); the annotations above let mypy check every name.
_TEXTS: dict[str, str] = {
    "TOPUP_VOIDED": QT_TRANSLATE_NOOP("messages", "Top-up voided: take the cash back out."),
    "NOTHING_TO_VOID": QT_TRANSLATE_NOOP(
        "messages", "The last receipt holds no sale or top-up that can be voided."
    ),
    "TOPUP_NEEDS_CARD": QT_TRANSLATE_NOOP("messages", "Cash: tap the card first."),
    "SALE_VOIDED": QT_TRANSLATE_NOOP("messages", "Sale voided."),
    "AUTOLOAD_DECLINED": QT_TRANSLATE_NOOP("messages", "Autoload declined by the cardholder."),
    "PRINTS_BY_ITSELF": QT_TRANSLATE_NOOP(
        "messages", "Receipts print by themselves; F5 reprints a copy."
    ),
    "NO_RECEIPT": QT_TRANSLATE_NOOP("messages", "No receipt yet."),
    "NO_RECEIPT_TO_REPRINT": QT_TRANSLATE_NOOP("messages", "No receipt to reprint yet."),
    "TAP_A_CARD": QT_TRANSLATE_NOOP("messages", "Tap a card"),
    "RING_UP_THEN_TAP": QT_TRANSLATE_NOOP("messages", "Ring up the tray, then tap the card"),
    "OR_TAP_FIRST": QT_TRANSLATE_NOOP("messages", "or tap the card first"),
    "CANNOT_SELL": QT_TRANSLATE_NOOP("messages", "CANNOT SELL"),
    "UNKNOWN_CARD": QT_TRANSLATE_NOOP("messages", "Unknown card"),
    "PHOTO_UNREADABLE": QT_TRANSLATE_NOOP("messages", "PHOTO UNREADABLE"),
    "NO_PHOTO": QT_TRANSLATE_NOOP("messages", "NO PHOTO ON FILE"),
    "CHECK_IDENTITY": QT_TRANSLATE_NOOP("messages", "Check identity another way"),
    "AUTOLOAD_AT_PAYMENT": QT_TRANSLATE_NOOP("messages", "Autoload will be offered at payment."),
    "YES_LOAD": QT_TRANSLATE_NOOP("messages", "Yes  F1"),
    "NO_KEY": QT_TRANSLATE_NOOP("messages", "No  F2"),
    "TOPUP_HOW": QT_TRANSLATE_NOOP("messages", "Cash top-up"),
    "ARREARS_HOW": QT_TRANSLATE_NOOP("messages", "Arrears in cash"),
    "KEYPAD_CONFIRM": QT_TRANSLATE_NOOP("messages", "Take the cash, then Enter."),
    "CHECK_FIRST": QT_TRANSLATE_NOOP("messages", "Check before charging:"),
    "SALE_VOIDED_PHOTO": QT_TRANSLATE_NOOP("messages", "Sale voided"),
    "LAST_SALE_VOIDED": QT_TRANSLATE_NOOP("messages", "Last sale voided"),
    "AUTOLOAD_AGREE": QT_TRANSLATE_NOOP("messages", "Does the cardholder agree?"),
    "NO_PHOTO_CAUTION": QT_TRANSLATE_NOOP(
        "messages", "No photo on file: check identity another way."
    ),
    "PHOTO_NOT_HERE_CAUTION": QT_TRANSLATE_NOOP(
        "messages", "Photo not on this till yet: check identity another way."
    ),
    "HINT_FINISH_CASH": QT_TRANSLATE_NOOP("messages", "Finish the cash entry first (Enter, Esc)"),
    "HINT_ANSWER_AUTOLOAD": QT_TRANSLATE_NOOP(
        "messages", "Answer the autoload question first (F1 yes, F2 no)"
    ),
    "HINT_RING_UP": QT_TRANSLATE_NOOP("messages", "Ring up the tray"),
    "HINT_NO_MENU": QT_TRANSLATE_NOOP("messages", "No products on the menu yet"),
    "HINT_UNAVAILABLE": QT_TRANSLATE_NOOP("messages", "Take the sold-out lines off the tray (Del)"),
    "HINT_TAP": QT_TRANSLATE_NOOP("messages", "Tap the card"),
    "HINT_CONFIRM": QT_TRANSLATE_NOOP("messages", "Checked? Enter charges, Esc cancels"),
    "NO_ARREARS": QT_TRANSLATE_NOOP("messages", "No arrears on this card."),
    "TYPE_AMOUNT": QT_TRANSLATE_NOOP("messages", "Type the amount."),
    "HELD": QT_TRANSLATE_NOOP("messages", "CHECK, THEN CHARGE"),
    "AUTOLOAD_QUESTION": QT_TRANSLATE_NOOP("messages", "AUTOLOAD?"),
    "NO_MENU": QT_TRANSLATE_NOOP(
        "messages", "No products on the menu yet: the menu comes from the office."
    ),
}


def __getattr__(name: str) -> str:
    try:
        return translate("messages", _TEXTS[name])
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
