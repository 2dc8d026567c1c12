"""The demo counter's requests, read without a till: `ring` and `key` arguments."""

from __future__ import annotations

import pytest

from demo.counter_input import resolve_key, resolve_products
from demo.scheme import PRODUCTS


def test_ring_takes_shortcut_keys_then_menu_positions() -> None:
    """`canteen-till ring 1,9,10`: shortcut 1 and 9, and position 10 (Salat has no key)."""
    chosen = resolve_products("1, 9,10", PRODUCTS)
    assert [p.product_id for p in chosen] == ["tages", "schoko", "salat"]
    with pytest.raises(ValueError, match="ring what"):
        resolve_products(" , ", PRODUCTS)


def test_key_names_as_a_cashier_writes_them() -> None:
    assert [resolve_key(k) for k in ("enter", "ESC", "Del", "f9", "-", "7")] == [
        "Return",
        "Escape",
        "Delete",
        "F9",
        "-",
        "7",
    ]
    with pytest.raises(ValueError, match="'F10' is not a till key"):
        resolve_key("F10")
