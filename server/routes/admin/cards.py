"""Cards: money deposited on one, blocking, unblocking, replacing (D-CARD-1)."""

from __future__ import annotations

from fastapi import APIRouter

from server import admin
from server.api_models import DepositIn, DepositOut, ReplaceIn
from server.routes.admin.paths import WRITE, CardPath
from server.state import DB

router = APIRouter()


@router.post("/deposits", response_model=DepositOut, responses=WRITE)
def post_deposit(body: DepositIn, db: DB) -> DepositOut:
    new_balance = admin.deposit(db, body.card_id, body.amount)
    return DepositOut(card_id=body.card_id, balance=new_balance)


@router.post("/cards/{card_id}/block", status_code=204, responses=WRITE)
def block(card_id: CardPath, db: DB) -> None:
    admin.set_card_state(db, card_id, "blocked")


@router.post("/cards/{card_id}/unblock", status_code=204, responses=WRITE)
def unblock(card_id: CardPath, db: DB) -> None:
    admin.set_card_state(db, card_id, "active")


@router.post("/cards/{card_id}/replace", status_code=204, responses=WRITE)
def replace(card_id: CardPath, body: ReplaceIn, db: DB) -> None:
    """D-CARD-1: a new card for the account; the fee comes off the balance."""
    admin.replace_card(db, card_id, body.new_card_id, fee=body.fee)
