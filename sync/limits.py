"""Every size limit of the wire and the back office, in one place (`canteen-server limits`).

The server refuses what is over a limit with a 413 or 422 that names the limit; the till
refuses a server answer over its limit while reading it, not after.
"""

from __future__ import annotations

from typing import Final

INT64_MAX: Final = 2**63 - 1  # what SQLite and PostgreSQL BIGINT hold; every integer is bounded
MAX_AMOUNT: Final = 10**9  # minor units: the wire's outer bound; the policy's are per currency

MAX_BODY_BYTES: Final = 1 << 20  # a request body: a batch of 500 sales fits with room to spare
MAX_PHOTO_BYTES: Final = 4 << 20  # a cardholder's photo upload, and a photo a till downloads
MAX_PHOTO_PIXELS: Final = 4096 * 4096  # width × height: decoding more is a memory bomb
MAX_PHOTO_SIDE: Final = 8192  # pixels, either side
MAX_PAGE_BYTES: Final = 32 << 20  # a change-feed page as a till reads it
MAX_PAGE_ITEMS: Final = 5000  # changes in one feed page: a snapshot of 1,000,000 in 700 pages
MAX_PAGE_RESULTS: Final = 2000  # a till's entry results carried in one feed page
MAX_BATCH: Final = 500  # journal entries in one push
MAX_LINES: Final = 200  # lines in one sale
MAX_ID_CHARS: Final = 64  # ids: till, unit, cardholder, account, card, product
MAX_NAME_CHARS: Final = 120  # a cardholder's, unit's or seller's name, an address
MAX_PRODUCT_TEXT: Final = 80  # a product's name or category
MAX_LIST_ITEMS: Final = 50  # unit types a card is allowed at, blocked categories
MAX_REPORT_ITEMS: Final = 100  # problems a till reports in one request
MAX_WAIT_S: Final = 60.0  # the longest long-poll a till may ask for
BODY_DEADLINE_S: Final = 30.0  # the server stops reading a request body that trickles in longer
CALL_DEADLINE_S: Final = 30.0  # a till's whole call (answer and body), on top of a long-poll's wait


def as_table() -> list[tuple[str, int | float, str]]:
    """(name, value, what it limits) for every limit, for the operator."""
    import ast
    from pathlib import Path

    source = Path(__file__).read_text(encoding="utf-8")
    rows: list[tuple[str, int | float, str]] = []
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name = node.target.id
            line = lines[node.lineno - 1]
            comment = line.split("#", 1)[1].strip() if "#" in line else ""
            rows.append((name, globals()[name], comment))
    return rows
