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
TOPUP_NEEDS_CARD = "Top-up: tap the card first, with an empty tray."
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
