"""The back office over HTTP: the same operations as `canteen-server admin` (`server.admin`,
`server.catalogue`); each `AdminError` becomes its one status (`server.errors`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from server import admin, catalogue, tills
from server.api_models import (
    AccountLedger,
    AccountPatch,
    AgreementIn,
    Balance,
    CardholderIn,
    CardholderPatch,
    CardIn,
    CardIssued,
    Created,
    DepositIn,
    DepositOut,
    FlaggedRow,
    Limit,
    PhotoOut,
    PolicyIn,
    PolicySettings,
    ProductIn,
    RefusalRow,
    ReplaceIn,
    ReportRow,
    TillCode,
    TillIn,
    TillRow,
    UnitIn,
)
from server.errors import NotFound
from server.state import WRITE_ERRORS, State, admin_only, errors
from sync import limits
from sync.records import AutoloadAgreement, PriceLevel, Product, Unit

router = APIRouter(prefix="/v1/admin", dependencies=[Depends(admin_only)])
# No control characters (PostgreSQL cannot even compare a text with NUL in it): a 422, not a
# 500, and the document says so.
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
CardPath = Annotated[str, Path(max_length=80, pattern=NO_CONTROL)]
KeyPath = Annotated[str, Path(max_length=limits.MAX_ID_CHARS, pattern=NO_CONTROL)]
TillFilter = Annotated[
    str | None,
    Query(max_length=limits.MAX_ID_CHARS, pattern=NO_CONTROL, description="only this till"),
]
# 422 on every route: FastAPI documents one for any route with a parameter (here the
# Authorization header), and it must be said with the ErrorBody it really has.
READ = errors(401, 404, 422, 503)
LIST = errors(401, 422, 503)  # a list: nothing to be not found, a filter to be malformed
WRITE = errors(401, 404, 409, *WRITE_ERRORS)


@router.put("/units/{unit_id}", status_code=204, responses=WRITE)
def put_unit(unit_id: KeyPath, body: UnitIn, server: State) -> None:
    if body.unit_id != unit_id:
        raise admin.AdminError("unit_id in the path and the body differ")
    admin.add_unit(server.db, Unit(**body.model_dump()))


@router.post("/tills", response_model=TillCode, responses=WRITE)
def post_till(body: TillIn, server: State) -> TillCode:
    """Register a till (again): a one-time enrolment code; a till's old credential ends."""
    try:
        code = tills.add_till(server.db, body.till_id, body.unit_id)
    except ValueError as exc:
        raise NotFound(str(exc)) from None
    return TillCode(till_id=body.till_id, enrolment_code=code)


@router.post("/tills/{till_id}/revoke", status_code=204, responses=WRITE)
def revoke_till(till_id: KeyPath, server: State) -> None:
    """End a till's credential at once (a stolen or retired till PC): it gets 401 after."""
    try:
        tills.revoke(server.db, till_id)
    except tills.UnknownTill as exc:
        raise NotFound(str(exc)) from None


@router.get("/tills", response_model=list[TillRow], responses=LIST)
def get_tills(server: State) -> list[dict[str, Any]]:
    return admin.tills_overview(server.db)


@router.post("/cardholders", status_code=201, response_model=Created, responses=WRITE)
def post_cardholder(body: CardholderIn, server: State) -> Created:
    admin.add_cardholder(server.db, **body.model_dump())
    return Created(account_id=body.account_id)


@router.patch("/cardholders/{cardholder_id}", status_code=204, responses=WRITE)
def patch_cardholder(cardholder_id: KeyPath, body: CardholderPatch, server: State) -> None:
    """Name, where the card may be used (D-UNIT-2) and restrictions (D-UNIT-3)."""
    admin.update_cardholder(
        server.db,
        cardholder_id,
        name=body.name,
        allowed_unit_types=body.allowed_unit_types,
        daily_limit=body.daily_limit,
        remove_daily_limit=body.remove_daily_limit,
        blocked_categories=body.blocked_categories,
    )


@router.put(
    "/cardholders/{cardholder_id}/photo",
    response_model=PhotoOut,
    responses=WRITE,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def put_photo(cardholder_id: KeyPath, request: Request, server: State) -> PhotoOut:
    """A JPEG or PNG photo (D-CARD-4), at most `MAX_PHOTO_BYTES` and `MAX_PHOTO_PIXELS`."""
    data = await request.body()  # the size limit was enforced while it was read
    sha = await run_in_threadpool(catalogue.put_photo, server.db, cardholder_id, data)
    return PhotoOut(sha256=sha)


@router.post("/deposits", response_model=DepositOut, responses=WRITE)
def post_deposit(body: DepositIn, server: State) -> DepositOut:
    new_balance = admin.deposit(server.db, body.card_id, body.amount)
    return DepositOut(card_id=body.card_id, balance=new_balance)


@router.post("/cards/{card_id}/block", status_code=204, responses=WRITE)
def block(card_id: CardPath, server: State) -> None:
    admin.set_card_state(server.db, card_id, "blocked")


@router.post("/cards/{card_id}/unblock", status_code=204, responses=WRITE)
def unblock(card_id: CardPath, server: State) -> None:
    admin.set_card_state(server.db, card_id, "active")


@router.post("/cards/{card_id}/replace", status_code=204, responses=WRITE)
def replace(card_id: CardPath, body: ReplaceIn, server: State) -> None:
    """D-CARD-1: a new card for the account; the fee comes off the balance."""
    admin.replace_card(server.db, card_id, body.new_card_id, fee=body.fee)


@router.get("/accounts/{account_id}", response_model=Balance, responses=READ)
def get_account(account_id: KeyPath, server: State) -> Balance:
    return Balance(account_id=account_id, balance=admin.account_balance(server.db, account_id))


@router.get(
    "/accounts/{account_id}/ledger",
    response_model=AccountLedger,
    response_model_exclude_unset=True,  # a deposit has no kind, flags or lines
    responses=READ,
)
def get_ledger(account_id: KeyPath, server: State) -> dict[str, Any]:
    """Every movement of the balance and where it came from."""
    return admin.explain(server.db, account_id)


@router.patch("/accounts/{account_id}", status_code=204, responses=WRITE)
def patch_account(account_id: KeyPath, body: AccountPatch, server: State) -> None:
    """Price level and membership expiry (D-ACC-3); arrears block payment (D-AUTO-7)."""
    # A field left out stays as it is; an explicit null ends the expiry.
    expires: str | bool | None = False
    if "membership_expires" in body.model_fields_set:
        expires = None if body.membership_expires is None else body.membership_expires.isoformat()
    admin.update_account(
        server.db, account_id, price_level=body.price_level, membership_expires=expires
    )
    if body.arrears is not None:
        admin.set_arrears(server.db, account_id, body.arrears)


@router.post(
    "/accounts/{account_id}/cards", status_code=201, response_model=CardIssued, responses=WRITE
)
def issue_card(account_id: KeyPath, body: CardIn, server: State) -> CardIssued:
    """A card for an account with none in use; otherwise replace (D-CARD-1)."""
    card = admin.issue_card(server.db, account_id, body.card_id)
    return CardIssued(card_id=card, account_id=account_id)


@router.put("/accounts/{account_id}/agreement", status_code=204, responses=WRITE)
def put_agreement(account_id: KeyPath, body: AgreementIn, server: State) -> None:
    catalogue.set_agreement(server.db, AutoloadAgreement(account_id, **body.model_dump()))


@router.delete("/accounts/{account_id}/agreement", status_code=204, responses=WRITE)
def delete_agreement(account_id: KeyPath, server: State) -> None:
    catalogue.remove_agreement(server.db, account_id)


@router.put("/products/{product_id}", status_code=204, responses=WRITE)
def put_product(product_id: KeyPath, body: ProductIn, server: State) -> None:
    product = Product(
        product_id,
        body.name,
        body.category,
        {PriceLevel(k): v for k, v in body.prices.items()},
        body.vat_rate_bp,
        body.shortcut,
        body.position,
    )
    catalogue.put_product(server.db, product, body.unit_id)


@router.delete("/products/{product_id}", status_code=204, responses=WRITE)
def delete_product(product_id: KeyPath, server: State) -> None:
    catalogue.remove_product(server.db, product_id)


@router.put("/policy", status_code=204, responses=WRITE)
def put_policy(body: PolicyIn, server: State) -> None:
    """The whole scheme policy: keys left out take their defaults."""
    catalogue.set_policy(server.db, body.model_dump(exclude_unset=True))


@router.get(
    "/policy",
    response_model=PolicySettings,
    response_model_exclude_unset=True,
    responses=LIST,
)
def get_policy(server: State) -> dict[str, Any]:
    """The scheme policy as set (keys left out take the defaults)."""
    return catalogue.policy_data(server.db)


@router.get("/refusals", response_model=list[RefusalRow], responses=LIST)
def get_refusals(server: State, till: TillFilter = None) -> list[dict[str, Any]]:
    """Entries refused for good: they cannot have happened (kept, never booked)."""
    return admin.refusals(server.db, till)


@router.get("/flagged", response_model=list[FlaggedRow], responses=LIST)
def get_flagged(server: State, till: TillFilter = None) -> list[dict[str, Any]]:
    """Entries booked although they broke a rule: they happened offline."""
    return admin.flagged(server.db, till)


@router.get("/reports", response_model=list[ReportRow], responses=LIST)
def get_reports(server: State, till: TillFilter = None) -> list[dict[str, Any]]:
    """Feed items tills could not read."""
    return admin.till_reports(server.db, till)


@router.get("/limits", response_model=dict[str, Limit], responses=errors(401, 422))
def get_limits() -> dict[str, Any]:
    """Every size limit of the wire and the back office (`sync.limits`)."""
    return {name: {"value": value, "what": what} for name, value, what in limits.as_table()}
