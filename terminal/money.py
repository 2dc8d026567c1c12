"""The till shows money as `sync.money` does (Babel, the unit's locale)."""

from __future__ import annotations

from sync.money import CURRENCIES, format_money, use_locale

__all__ = ["CURRENCIES", "format_money", "use_locale"]
