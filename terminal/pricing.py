"""Which price a cardholder pays (D-ACC-3)."""

from __future__ import annotations

from datetime import date

from sync.records import Account, PriceLevel, Product


def effective_level(account: Account, today: date) -> PriceLevel:
    """D-ACC-3: after the membership expiry date the guest price applies; the card still works."""
    if account.membership_expires is not None and today > account.membership_expires:
        return PriceLevel.GUEST
    return account.price_level


def price_of(product: Product, level: PriceLevel) -> int:
    """The product's price at a level; a product priced only for guests charges that to all."""
    if level in product.prices:
        return product.prices[level]
    if PriceLevel.GUEST in product.prices:
        return product.prices[PriceLevel.GUEST]
    raise KeyError(f"product {product.product_id!r} has no price for {level.value} or guest")
