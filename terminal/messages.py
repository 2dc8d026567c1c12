"""What the till says to the cashier outside a card's verdict, each text written once.

The verdict texts are `terminal.decide`'s; these are the notices and problems of the screen.
"""

from __future__ import annotations


def cannot_save(reason: str) -> str:
    return f"Cannot save sales: {reason}. Selling is stopped until it is fixed."


def card_not_read(reason: str) -> str:
    return f"Card not read ({reason}). Ask the customer to tap again."


def confirm_void(receipt_no: int | None) -> str:
    if receipt_no is None:
        return "No sale to void yet."
    return f"Press F8 again to void receipt {receipt_no}."


NOTHING_TO_VOID = "The last receipt holds no sale that can be voided."
TOPUP_NEEDS_CARD = "Cash: tap the card first."
SALE_VOIDED = "Sale voided."
AUTOLOAD_DECLINED = "Autoload declined by the cardholder."
PRINTS_BY_ITSELF = "Receipts print by themselves; F5 reprints a copy."
NO_RECEIPT = "No receipt yet."
NO_RECEIPT_TO_REPRINT = "No receipt to reprint yet."


def printing(receipt_no: int, *, copy: bool) -> str:
    if copy:
        return f"Printing a copy of receipt {receipt_no}."
    return f"Printing receipt {receipt_no}."


def reprinting(receipt_no: int) -> str:
    return f"Reprinting receipt {receipt_no} (copy)."


# -- the card panel ---------------------------------------------------------------------------
TAP_A_CARD = "Tap a card"
RING_UP_THEN_TAP = "Ring up the tray, then tap the card"
OR_TAP_FIRST = "or tap the card first"
CANNOT_SELL = "CANNOT SELL"
UNKNOWN_CARD = "Unknown card"
PHOTO_UNREADABLE = "PHOTO UNREADABLE"
NO_PHOTO = "NO PHOTO ON FILE"
CHECK_IDENTITY = "Check identity another way"
AUTOLOAD_AT_PAYMENT = "Autoload will be offered at payment."
YES_LOAD = "Yes  F1"
NO_KEY = "No  F2"
TOPUP_HOW = "Cash top-up"
ARREARS_HOW = "Arrears in cash"
KEYPAD_CONFIRM = "Take the cash, then Enter."
CHECK_FIRST = "Check before charging:"
SALE_VOIDED_PHOTO = "Sale voided"
LAST_SALE_VOIDED = "Last sale voided"


def card_label(card_id: str) -> str:
    return f"Card {card_id}"


def level_and_balance(level: str, balance: str) -> str:
    return f"{level}  ·  Balance {balance}"


AUTOLOAD_AGREE = "Does the cardholder agree?"


def offer_autoload(amount: str) -> str:
    return f"Offer an autoload of {amount} from the cardholder's bank account."


def autoload_balances(now: str, after_with: str, without: str) -> str:
    return f"Balance now {now}. After this sale: {after_with} with the autoload, {without}"


def without_autoload(after: str) -> str:
    return f"{after} without."


def autoload_needed() -> str:
    return "too little without it."


def paid_banner(kind: str, offline: bool, total: str) -> str:
    """PAID, PAID OFFLINE, TOPPED UP +… or VOIDED, with the amount."""
    if kind == "topup":
        return f"TOPPED UP +{total}"
    if kind == "void":
        return f"VOIDED {total}"
    return f"PAID OFFLINE {total}" if offline else f"PAID {total}"


def balance_now(balance: str, receipt_no: int) -> str:
    return f"Balance now {balance}.  Receipt {receipt_no}."


def autoload_credited(amount: str) -> str:
    return f"Autoload +{amount} credited."


# -- warnings before money, price reasons, the Charge button -----------------------------------
NO_PHOTO_CAUTION = "No photo on file: check identity another way."
PHOTO_NOT_HERE_CAUTION = "Photo not on this till yet: check identity another way."
HINT_FINISH_CASH = "Finish the cash entry first (Enter, Esc)"
HINT_ANSWER_AUTOLOAD = "Answer the autoload question first (F1 yes, F2 no)"
HINT_RING_UP = "Ring up the tray"
HINT_NO_MENU = "No products on the menu yet"
HINT_TAP = "Tap the card"
HINT_CONFIRM = "Checked? Enter charges, Esc cancels"
NO_ARREARS = "No arrears on this card."
TYPE_AMOUNT = "Type the amount."
HELD = "CHECK, THEN CHARGE"
AUTOLOAD_QUESTION = "AUTOLOAD?"
NO_MENU = "No products on the menu yet: the menu comes from the office."


def offline_near_limit(used: str, limit: str) -> str:
    return f"Offline: {used} of the {limit} offline limit used on this card."


def price_level_name(level: str) -> str:
    names = {"student": "Student price", "staff": "Staff price", "guest": "Guest price"}
    return names[str(level)]


def membership_expired(level: str, day: str) -> str:
    return f"Guest price: membership expired {day} ({level} no longer applies)."


def hint_refused(reason: str) -> str:
    return f"Refused: {reason}"


def topped_up_then_charge(amount: str, receipt_no: int) -> str:
    return f"Topped up +{amount} (receipt {receipt_no}). Now charge the tray."


def arrears_at_most(owed: str) -> str:
    return f"The arrears are {owed}: no more than that."


def arrears_paid(amount: str, left: str) -> str:
    return f"Arrears paid {amount}. Left to pay {left}."


FAULT_CHARS = 80  # a printer's own long text stays in the status bar; the strip says the gist


def receipt_not_printed(receipt_no: int | None, error: str) -> str:
    if len(error) > FAULT_CHARS:
        error = error[: FAULT_CHARS - 1].rstrip(" ,:;") + "…"
    if receipt_no is None:
        return f"Receipt not printed: {error}. Reprint (F5)"
    return f"Receipt {receipt_no} not printed: {error}. Reprint (F5)"


def printing_original(receipt_no: int) -> str:
    return f"Printing receipt {receipt_no} (its original never printed)."


def keypad_topup(amount: str, after: str) -> str:
    return f"Top up {amount}: new balance {after}."


def keypad_arrears(amount: str, left: str) -> str:
    return f"Pay {amount} of the arrears: {left} left to pay."


def pay_arrears_button(owed: str) -> str:
    return f"Pay arrears {owed} in cash  F4"
