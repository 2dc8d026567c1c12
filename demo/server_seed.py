"""Load the demo scheme (demo/scheme.py) into a central server's database.

Everything goes through the back-office operations a real operator uses, and the day's earlier
spending goes through journal ingest from another till, so the demo exercises the real paths.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from demo.portraits import generate_portrait
from demo.scheme import DemoData, local_today
from server import admin, catalogue, tills
from server.db import Database
from server.ingest import ingest
from server.migrations import migrate
from sync.ids import new_id
from sync.protocol import EntryIn

HISTORY_TILL = "cafeteria-1"  # where the demo's earlier spending today took place
HISTORY_SERIES = UUID(new_id())


def seed(db: Database, data: DemoData, *, now: datetime) -> str:
    """Scheme, menu, policy and cardholders; returns the enrolment code of the demo till."""
    migrate(db)
    unit = data.unit
    admin.add_unit(db, unit)
    for product in data.products:
        catalogue.put_product(db, product, unit.unit_id)
    catalogue.set_policy(db, dict(data.policy))
    today = local_today(now)
    history: list[EntryIn] = []
    for person in data.people:
        holder, account = person.cardholder, person.account
        first = person.cards[0]
        admin.add_cardholder(
            db,
            cardholder_id=holder.cardholder_id,
            name=holder.name,
            account_id=account.account_id,
            card_id=first.card_id,
            currency=account.currency,
            price_level=account.price_level.value,
            allowed_unit_types=sorted(holder.allowed_unit_types),
        )
        admin.update_cardholder(
            db,
            holder.cardholder_id,
            daily_limit=holder.daily_limit,
            blocked_categories=sorted(holder.blocked_categories),
        )
        if account.membership_expires is not None:
            admin.update_account(
                db, account.account_id, membership_expires=account.membership_expires.isoformat()
            )
        opening = account.balance + person.day_spent
        if opening > 0:
            admin.deposit(db, first.card_id, opening)
        if person.photo_seed is not None:
            catalogue.put_photo(
                db, holder.cardholder_id, generate_portrait(person.photo_seed, holder.name)
            )
        if person.agreement is not None:
            # In force since before the day's earlier autoloads (their history below).
            catalogue.set_agreement(db, person.agreement, at=now - timedelta(days=1))
        if account.arrears:
            admin.set_arrears(db, account.account_id, account.arrears)
        for card in person.cards[1:]:
            admin.replace_card(db, first.card_id, card.card_id, fee=0)
        if first.state.value == "blocked":
            admin.set_card_state(db, first.card_id, "blocked")
        at = now - timedelta(hours=3)
        if person.day_spent:
            history.append(
                _entry(
                    "sale",
                    -person.day_spent,
                    person.card_id,
                    account.account_id,
                    at,
                    today,
                    len(history) + 1,
                )
            )
        for _ in range(person.day_autoloads):
            # An autoload earlier today, spent again at once: counts once, balance unchanged.
            amount = person.agreement.amount if person.agreement else 1000
            history.append(
                _entry(
                    "autoload",
                    amount,
                    person.card_id,
                    account.account_id,
                    at,
                    today,
                    len(history) + 1,
                )
            )
            history.append(
                _entry(
                    "sale", -amount, person.card_id, account.account_id, at, today, len(history) + 1
                )
            )
    tills.add_till(db, HISTORY_TILL, unit.unit_id)
    if history:
        ingest(db, HISTORY_TILL, history)
    return tills.add_till(db, "till-1", unit.unit_id)


def _entry(
    kind: str, amount: int, card_id: str, account_id: str, at: datetime, day: object, seq: int
) -> EntryIn:
    """An entry as the cafeteria's till wrote it earlier today (the server checks them all)."""
    if kind == "sale":
        line = {
            "product_id": "cafeteria",
            "name": "Cafeteria",
            "category": "Cafeteria",
            "quantity": 1,
            "unit_price": -amount,
            "vat_rate_bp": 700,
        }
        body: dict[str, object] = {"lines": [line], "total": -amount, "tender": "card"}
    else:
        body = {"consent": True}
    body["demo"] = "earlier today at the cafeteria"
    return EntryIn.model_validate(
        {
            "id": UUID(new_id()),
            "series": HISTORY_SERIES,
            "seq": seq,
            "kind": kind,
            "created_at": at,
            "business_day": day,
            "account_id": account_id,
            "card_id": card_id,
            "amount": amount,
            "currency": "EUR",
            "receipt_no": seq,
            "body": body,
        }
    )
