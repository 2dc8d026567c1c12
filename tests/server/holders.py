"""Cardholders for the server's tests, made through the back office as an operator would."""

from __future__ import annotations

from collections.abc import Iterable

from server import admin
from server.db import Database


def add_holders(
    db: Database, numbers: Iterable[int], *, deposit: int = 0, name: str = "Holder {}"
) -> None:
    """Cardholders hN with EUR accounts aN and cards CN, each with `deposit` on it."""
    for n in numbers:
        admin.add_cardholder(
            db,
            cardholder_id=f"h{n}",
            name=name.format(n),
            account_id=f"a{n}",
            card_id=f"C{n}",
            currency="EUR",
        )
        if deposit:
            admin.deposit(db, f"C{n}", deposit)
