"""Products of a unit's menu."""

from __future__ import annotations

from fastapi import APIRouter

from server import catalogue
from server.api_models import ProductIn
from server.routes.admin.paths import WRITE, KeyPath
from server.state import DB
from sync.records import PriceLevel, Product

router = APIRouter()


@router.put("/products/{product_id}", status_code=204, responses=WRITE)
def put_product(product_id: KeyPath, body: ProductIn, db: DB) -> None:
    product = Product(
        product_id,
        body.name,
        body.category,
        {PriceLevel(k): v for k, v in body.prices.items()},
        body.vat_rate_bp,
        body.shortcut,
        body.position,
    )
    catalogue.put_product(db, product, body.unit_id)


@router.delete("/products/{product_id}", status_code=204, responses=WRITE)
def delete_product(product_id: KeyPath, db: DB) -> None:
    catalogue.remove_product(db, product_id)
