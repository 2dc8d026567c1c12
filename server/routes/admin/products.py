"""Products of a unit's menu."""

from __future__ import annotations

from fastapi import APIRouter

from server import catalogue
from server.api_models import ProductIn
from server.routes.admin.paths import WRITE, KeyPath
from server.state import DB
from sync.protocol import SoldOutSet
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


@router.put("/products/{product_id}/sold-out", status_code=204, responses=WRITE)
def put_sold_out(product_id: KeyPath, body: SoldOutSet, db: DB) -> None:
    """Sold out (`{"sold_out": true}`) or back on sale (`false`): every till of the product's
    unit greys it, or brings it back, within the feed's propagation time."""
    catalogue.set_sold_out(db, product_id, body.sold_out)
