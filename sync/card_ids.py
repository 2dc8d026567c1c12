"""D-CARD-3 for card numbers typed as text: the canonical spelling the tills look cards up by.

A till turns what its reader delivers into the canonical card id (`drivers.cards.normalise`:
upper-case hex, or decimal digits). Every card id entering the server goes through this
function, so "72bf9961" or "72:BF:99:61" typed in the back office is the card a till reads as
"72BF9961". Decimal ids are digits and stay as they are.
"""

from __future__ import annotations

import string

from sync import limits

_HEX = frozenset(string.hexdigits)
_SEPARATORS = ":- "


class BadCardId(ValueError):
    """Text that is not a card number; the message names it and what is wrong."""


def canonical_card_id(text: str) -> str:
    if not isinstance(text, str):
        raise BadCardId(f"a card id is text, not {type(text).__name__}")
    digits = text.strip()
    if digits[:2].lower() == "0x":
        digits = digits[2:]
    for sep in _SEPARATORS:
        digits = digits.replace(sep, "")
    if not digits:
        raise BadCardId(f"card id {text!r:.80} is empty")
    bad = sorted({ch for ch in digits if ch not in _HEX})
    if bad:
        raise BadCardId(
            f"card id {text!r:.80}: {''.join(bad)!r:.20} not hex or decimal digits (0-9, A-F)"
        )
    if len(digits) > limits.MAX_ID_CHARS:
        raise BadCardId(f"card id {text!r:.80} is longer than {limits.MAX_ID_CHARS} digits")
    return digits.upper()
