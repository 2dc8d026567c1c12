"""The central server's HTTP API (FastAPI): enrolment, journal ingest, back office.

No `from __future__ import annotations` here: FastAPI reads the dependency annotations of
handlers defined inside `create_app` at run time.
"""

import asyncio
import hmac
import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from starlette.concurrency import run_in_threadpool

from server import admin, catalogue, tills
from server.db import Database
from server.feed import Notifier, read_page_json
from server.ingest import ingest
from server.middleware import LimitBody, WakeOnWrite
from server.migrations import migrate
from sync.protocol import ChangePage, EnrollRequest, EnrollResponse, JournalAck, JournalBatch
from sync.records import AutoloadAgreement, PriceLevel, Product, Unit

log = logging.getLogger("canteen.server")
MAX_BODY = 1 << 20  # 1 MiB: a batch of 500 sales fits with room to spare
MAX_WAIT_S = 60.0
RECHECK_S = 1.0  # a long-poll also looks again this often: another process may have written
COALESCE_S = 0.25
CALM_S = 1.0


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitIn(_Strict):
    unit_id: str
    name: str
    unit_type: str
    timezone: str
    currency: str
    seller_name: str
    address: str
    vat_number: str


class TillIn(_Strict):
    till_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    unit_id: str


class CardholderIn(_Strict):
    cardholder_id: str
    name: str
    account_id: str
    card_id: str | None = None
    currency: str
    price_level: str = "student"
    allowed_unit_types: list[str] = Field(default_factory=lambda: ["mensa"])


class ProductIn(_Strict):
    unit_id: str
    name: str
    category: str
    prices: dict[Literal["student", "staff", "guest"], Annotated[StrictInt, Field(ge=0)]]
    vat_rate_bp: Annotated[StrictInt, Field(ge=0, le=10000)]
    shortcut: str | None = None
    position: StrictInt = 0


class AgreementIn(_Strict):
    threshold: Annotated[StrictInt, Field(ge=0)]
    amount: Annotated[StrictInt, Field(gt=0)]
    active_from: date
    ended: bool = False
    collection_failed: bool = False


class CardholderPatch(_Strict):
    name: Annotated[str, Field(min_length=1)] | None = None
    allowed_unit_types: list[str] | None = None
    daily_limit: Annotated[StrictInt, Field(ge=0)] | None = None
    remove_daily_limit: bool = False
    blocked_categories: list[str] | None = None


class AccountPatch(_Strict):
    price_level: Literal["student", "staff", "guest"] | None = None
    membership_expires: date | None = None
    arrears: Annotated[StrictInt, Field(ge=0)] | None = None


class CardIn(_Strict):
    card_id: str


class ReplaceIn(_Strict):
    new_card_id: str
    fee: Annotated[StrictInt, Field(ge=0)] = 2500  # D-CARD-1: 25 DKK in 001/002


class DepositIn(_Strict):
    card_id: str
    amount: Annotated[StrictInt, Field(gt=0, le=10**9)]


def create_app(database_url: str, *, admin_token: str) -> FastAPI:
    db = Database(database_url)
    migrate(db)
    notifier = Notifier()
    answered: dict[str, float] = {}  # till -> when its last long-poll was answered (monotonic)
    app = FastAPI(title="canteen-till central server", version="1")

    app.add_middleware(
        WakeOnWrite, wake=lambda path: notifier.notify(urgent=not path.endswith("/journal"))
    )
    app.add_middleware(LimitBody, limit=MAX_BODY)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:10]
        ]
        log.warning("%s %s refused: %s", request.method, request.url.path, "; ".join(problems))
        return JSONResponse({"detail": problems}, status_code=422)

    def till_of(till: str, authorization: Annotated[str | None, Header()] = None) -> str:
        if not authorization or not authorization.startswith("Bearer "):
            raise HTTPException(401, "missing till credential", {"WWW-Authenticate": "Bearer"})
        owner = tills.authenticate(db, authorization.removeprefix("Bearer "))
        if owner is None:
            log.warning("bad credential for till %s", till)
            raise HTTPException(401, "invalid till credential", {"WWW-Authenticate": "Bearer"})
        if owner != till:
            log.warning("till %s tried to act as till %s", owner, till)
            raise HTTPException(403, f"this credential belongs to till {owner}, not {till}")
        return owner

    def admin_only(authorization: Annotated[str | None, Header()] = None) -> None:
        given = (authorization or "").removeprefix("Bearer ")
        if not given or not hmac.compare_digest(given, admin_token):
            raise HTTPException(401, "admin token required", {"WWW-Authenticate": "Bearer"})

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "database": db.dialect}

    @app.post("/v1/enrol", response_model=EnrollResponse)
    def enrol(body: EnrollRequest) -> EnrollResponse:
        try:
            till_id, unit_id, credential = tills.enrol(db, body.code)
        except tills.EnrolError as exc:
            raise HTTPException(403, str(exc)) from None
        log.info("till %s of unit %s enrolled", till_id, unit_id)
        return EnrollResponse(till_id=till_id, unit_id=unit_id, credential=credential)

    @app.post("/v1/tills/{till}/journal", response_model=JournalAck)
    def journal(batch: JournalBatch, till: Annotated[str, Depends(till_of)]) -> JournalAck:
        return ingest(db, till, list(batch.entries))

    @app.get("/v1/tills/{till}/changes", response_model=ChangePage)
    async def changes(
        till: Annotated[str, Depends(till_of)],
        since: Annotated[int, Query(ge=0)] = 0,
        wait: Annotated[float, Query(ge=0, le=MAX_WAIT_S)] = 0,
        after_seq: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        """Long-poll: answers at once when there is something after `since`, else within `wait`.

        A till that was answered less than a second ago waits out the rest of that second
        first, unless the back office writes: under a stream of other tills' sales each till
        reads about once a second instead of once per sale, and a deposit or a block still
        goes out at once.
        """
        deadline = time.monotonic() + wait
        last = answered.get(till)
        calm = 0.0
        if last is not None and notifier.last_urgent < last:  # else it missed one: no calm
            calm = last + CALM_S - time.monotonic()
        if (
            wait > 0
            and since > 0
            and calm > 0
            and await notifier.wait(min(calm, wait), urgent_only=True)
        ):
            await asyncio.sleep(COALESCE_S)  # gather the rest of the back office's burst
        while True:
            try:
                page = await run_in_threadpool(read_page_json, db, till, since, after_seq=after_seq)
            except ValueError as exc:
                raise HTTPException(422, str(exc)) from None
            left = deadline - time.monotonic()
            if page.changed or page.more or left <= 0:
                if not page.more:
                    answered[till] = time.monotonic()
                return Response(page.body, media_type="application/json")
            await notifier.wait(min(left, RECHECK_S))
            # Gather what else is written in the next moment: with hundreds of tills waiting,
            # one read per till per burst, not one per write.
            await asyncio.sleep(min(COALESCE_S, max(0.0, deadline - time.monotonic())))

    admin_dep = [Depends(admin_only)]

    @app.put("/v1/admin/units/{unit_id}", dependencies=admin_dep, status_code=204)
    def put_unit(unit_id: str, body: UnitIn) -> None:
        if body.unit_id != unit_id:
            raise HTTPException(422, "unit_id in the path and the body differ")
        admin.add_unit(db, Unit(**body.model_dump()))

    @app.post("/v1/admin/tills", dependencies=admin_dep)
    def post_till(body: TillIn) -> dict[str, str]:
        try:
            code = tills.add_till(db, body.till_id, body.unit_id)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return {"till_id": body.till_id, "enrolment_code": code}

    @app.post("/v1/admin/cardholders", dependencies=admin_dep, status_code=201)
    def post_cardholder(body: CardholderIn) -> dict[str, str]:
        try:
            admin.add_cardholder(db, **body.model_dump())
        except admin.AdminError as exc:
            raise HTTPException(409, str(exc)) from None
        return {"account_id": body.account_id}

    @app.post("/v1/admin/deposits", dependencies=admin_dep)
    def post_deposit(body: DepositIn) -> dict[str, Any]:
        try:
            new_balance = admin.deposit(db, body.card_id, body.amount)
        except admin.AdminError as exc:
            raise HTTPException(409, str(exc)) from None
        return {"card_id": body.card_id, "balance": new_balance}

    @app.post("/v1/admin/cards/{card_id}/block", dependencies=admin_dep, status_code=204)
    def block(card_id: str) -> None:
        _card_state(card_id, "blocked")

    @app.post("/v1/admin/cards/{card_id}/unblock", dependencies=admin_dep, status_code=204)
    def unblock(card_id: str) -> None:
        _card_state(card_id, "active")

    def _card_state(card_id: str, state: str) -> None:
        try:
            admin.set_card_state(db, card_id, state)
        except admin.AdminError as exc:
            raise HTTPException(409, str(exc)) from None

    @app.get("/v1/admin/accounts/{account_id}", dependencies=admin_dep)
    def get_account(account_id: str) -> dict[str, Any]:
        try:
            return {"account_id": account_id, "balance": admin.account_balance(db, account_id)}
        except admin.AdminError as exc:
            raise HTTPException(404, str(exc)) from None

    @app.patch("/v1/admin/cardholders/{cardholder_id}", dependencies=admin_dep, status_code=204)
    def patch_cardholder(cardholder_id: str, body: CardholderPatch) -> None:
        """Name, where the card may be used (D-UNIT-2) and restrictions (D-UNIT-3)."""
        _admin_call(
            lambda: admin.update_cardholder(
                db,
                cardholder_id,
                name=body.name,
                allowed_unit_types=body.allowed_unit_types,
                daily_limit=body.daily_limit,
                remove_daily_limit=body.remove_daily_limit,
                blocked_categories=body.blocked_categories,
            )
        )

    @app.patch("/v1/admin/accounts/{account_id}", dependencies=admin_dep, status_code=204)
    def patch_account(account_id: str, body: AccountPatch) -> None:
        """Price level and membership expiry (D-ACC-3); arrears block payment (D-AUTO-7)."""
        expires = body.membership_expires.isoformat() if body.membership_expires else False
        _admin_call(
            lambda: admin.update_account(
                db, account_id, price_level=body.price_level, membership_expires=expires
            )
        )
        if body.arrears is not None:
            _admin_call(admin.set_arrears, db, account_id, body.arrears)

    @app.post("/v1/admin/cards/{card_id}/replace", dependencies=admin_dep, status_code=204)
    def replace(card_id: str, body: ReplaceIn) -> None:
        """D-CARD-1: a new card for the account; the fee comes off the balance."""
        _admin_call(lambda: admin.replace_card(db, card_id, body.new_card_id, fee=body.fee))

    @app.put("/v1/admin/products/{product_id}", dependencies=admin_dep, status_code=204)
    def put_product(product_id: str, body: ProductIn) -> None:
        product = Product(
            product_id,
            body.name,
            body.category,
            {PriceLevel(k): v for k, v in body.prices.items()},
            body.vat_rate_bp,
            body.shortcut,
            body.position,
        )
        _admin_call(catalogue.put_product, db, product, body.unit_id)

    @app.delete("/v1/admin/products/{product_id}", dependencies=admin_dep, status_code=204)
    def delete_product(product_id: str) -> None:
        _admin_call(catalogue.remove_product, db, product_id, status=404)

    @app.post("/v1/admin/accounts/{account_id}/cards", dependencies=admin_dep, status_code=201)
    def issue_card(account_id: str, body: CardIn) -> dict[str, str]:
        """A card for an account with none in use; otherwise replace (D-CARD-1)."""
        _admin_call(admin.issue_card, db, account_id, body.card_id)
        return {"card_id": body.card_id, "account_id": account_id}

    @app.get("/v1/admin/tills", dependencies=admin_dep)
    def get_tills() -> list[dict[str, Any]]:
        return admin.tills_overview(db)

    @app.put("/v1/admin/policy", dependencies=admin_dep, status_code=204)
    def put_policy(body: dict[str, Any]) -> None:
        _admin_call(catalogue.set_policy, db, body)

    @app.put("/v1/admin/accounts/{account_id}/agreement", dependencies=admin_dep, status_code=204)
    def put_agreement(account_id: str, body: AgreementIn) -> None:
        agreement = AutoloadAgreement(account_id, **body.model_dump())
        _admin_call(catalogue.set_agreement, db, agreement)

    @app.delete(
        "/v1/admin/accounts/{account_id}/agreement", dependencies=admin_dep, status_code=204
    )
    def delete_agreement(account_id: str) -> None:
        _admin_call(catalogue.remove_agreement, db, account_id, status=404)

    @app.put("/v1/admin/cardholders/{cardholder_id}/photo", dependencies=admin_dep)
    async def put_photo(cardholder_id: str, request: Request) -> dict[str, str]:
        data = await request.body()
        sha = await run_in_threadpool(_admin_call, catalogue.put_photo, db, cardholder_id, data)
        return {"sha256": sha}

    @app.get("/v1/photos/{sha256}")
    def get_photo(
        sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
        authorization: Annotated[str | None, Header()] = None,
    ) -> Response:
        """Content-addressed photo bytes, for enrolled tills only (personal data)."""
        credential = (authorization or "").removeprefix("Bearer ")
        if tills.authenticate(db, credential) is None:
            raise HTTPException(401, "till credential required", {"WWW-Authenticate": "Bearer"})
        found = catalogue.photo(db, sha256)
        if found is None:
            raise HTTPException(404, f"no photo {sha256}")
        data, media = found
        return Response(
            data,
            media_type=media,
            headers={"Cache-Control": "private, max-age=31536000, immutable"},
        )

    def _admin_call(fn: Callable[..., Any], *args: Any, status: int = 422) -> Any:
        try:
            return fn(*args)
        except admin.AdminError as exc:
            log.warning("admin request refused: %s", exc)
            raise HTTPException(status, str(exc)) from None

    @app.get("/v1/admin/refusals", dependencies=admin_dep)
    def get_refusals(till: str | None = None) -> list[dict[str, Any]]:
        return admin.refusals(db, till)

    return app
