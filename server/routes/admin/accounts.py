"""Accounts: the balance, price level, membership expiry and arrears, a card issued."""

from __future__ import annotations

from fastapi import APIRouter

from server import admin
from server.api_models import AccountPatch, Balance, CardIn, CardIssued
from server.routes.admin.paths import READ, WRITE, KeyPath
from server.state import DB

router = APIRouter()


@router.get("/accounts/{account_id}", response_model=Balance, responses=READ)
def get_account(account_id: KeyPath, db: DB) -> Balance:
    return Balance(account_id=account_id, balance=admin.account_balance(db, account_id))


@router.patch("/accounts/{account_id}", status_code=204, responses=WRITE)
def patch_account(account_id: KeyPath, body: AccountPatch, db: DB) -> None:
    """Price level and membership expiry (D-ACC-3); arrears block payment (D-AUTO-7)."""
    # A field left out stays as it is; an explicit null ends the expiry.
    expires: str | bool | None = False
    if "membership_expires" in body.model_fields_set:
        expires = None if body.membership_expires is None else body.membership_expires.isoformat()
    admin.update_account(db, account_id, price_level=body.price_level, membership_expires=expires)
    if body.arrears is not None:
        admin.set_arrears(db, account_id, body.arrears)


@router.post(
    "/accounts/{account_id}/cards", status_code=201, response_model=CardIssued, responses=WRITE
)
def issue_card(account_id: KeyPath, body: CardIn, db: DB) -> CardIssued:
    """A card for an account with none in use; otherwise replace (D-CARD-1)."""
    card = admin.issue_card(db, account_id, body.card_id)
    return CardIssued(card_id=card, account_id=account_id)
