"""Scheme policy: the rules that differ between operators are data, with defaults in one place.

In `sync/` because the server keeps and checks it and the till decides by it.

The server syncs a policy per scheme (invariant 4); a till with none uses DEFAULTS.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AutoloadTrigger(StrEnum):
    """D-AUTO-2: when the balance is compared with the threshold."""

    BEFORE_PURCHASE = "before_purchase"  # 001, 003: balance below threshold at the time of purchase
    AFTER_PURCHASE = "after_purchase"  # 004: the purchase takes it under the threshold


class PrintPolicy(StrEnum):
    """D-PAY-6."""

    ALWAYS = "always"
    ON_REQUEST = "on_request"


class Caution(StrEnum):
    """What a cashier must see before money moves; the policy says which of them hold the
    charge of a tap on a rung-up tray until the cashier confirms with Enter."""

    NO_PHOTO = "no_photo"  # D-CARD-4: no photo on file (or not on this till yet)
    GUEST_PRICE = "guest_price"  # D-ACC-3: membership expired, guest prices apply
    OFFLINE_NEAR_LIMIT = "offline_near_limit"  # D-OFF-3: most of the offline limit used
    AUTOLOAD_NOT_OFFERED = "autoload_not_offered"  # D-AUTO-4/5/6/8: below threshold, no offer
    PRICES_CHANGED = "prices_changed"  # the office changed a price of the tray since ringing up


class PolicyError(ValueError):
    """A policy value is missing its meaning; the message names the key."""


@dataclass(frozen=True, slots=True)
class Policy:
    autoload_trigger: AutoloadTrigger = AutoloadTrigger.BEFORE_PURCHASE
    autoloads_per_day: int | None = 1  # D-AUTO-4: 1 = once a day (004); None = unlimited (003)
    balance_cap: int = 12000  # D-AUTO-5: minor units (120 EUR in 003)
    autoload_min_amount: int = 1000  # D-AUTO-1 bounds (004: 10..50 EUR)
    autoload_max_amount: int = 5000
    topup_min_amount: int = 100  # D-PAY-4: a top-up at a till, within these bounds
    topup_max_amount: int = 10000
    # The most a single till entry may move, per currency: above it an entry is absurd and
    # the server refuses it (a typo of a zero too many, a corrupted or forged entry).
    max_entry_amount: dict[str, int] = field(
        default_factory=lambda: {"EUR": 50_000, "DKK": 400_000, "SEK": 550_000}
    )
    offline_limit: int = 3000  # D-OFF-3: most a card may spend here unsent, minor units
    print_receipts: PrintPolicy = PrintPolicy.ALWAYS  # D-PAY-6
    duplicate_tap_window_s: float = 2.0  # D-PAY-5: same card again within it is the same tap
    auto_charge_on_tap: bool = True  # a tap on a rung-up basket charges it at once
    offline_after_s: int = 30  # no successful sync for this long: the till is offline
    unsent_alarm_s: int = 180  # D-SYNC-1: alarm when the oldest unsent entry is older
    # Safe default: every caution holds the charge; a scheme may let some go by.
    hold_charge_on: frozenset[Caution] = frozenset(Caution)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], *, source: str = "policy") -> Policy:
        """Build a policy from synced or configured data; unknown keys and bad values are errors."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in data.items():
            if key not in fields:
                raise PolicyError(f"{source}: unknown policy key {key!r}")
            values[key] = _coerce(key, raw, source)
        policy = cls(**values)
        policy.validate(source)
        return policy

    def to_mapping(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def entry_bound(self, currency: str) -> int:
        """The most one till entry may move in `currency` (0: the scheme does not use it)."""
        return self.max_entry_amount.get(currency, 0)

    def validate(self, source: str = "policy") -> None:
        for key in _AMOUNTS:
            if getattr(self, key) < 0:
                raise PolicyError(f"{source}: {key} must not be negative")
            if getattr(self, key) > _MAX_MINOR:
                raise PolicyError(f"{source}: {key} must be at most {_MAX_MINOR} (minor units)")
        if self.autoload_min_amount > self.autoload_max_amount:
            raise PolicyError(f"{source}: autoload_min_amount exceeds autoload_max_amount")
        if self.topup_min_amount > self.topup_max_amount:
            raise PolicyError(f"{source}: topup_min_amount exceeds topup_max_amount")
        if self.autoloads_per_day is not None and self.autoloads_per_day > 1000:
            raise PolicyError(f"{source}: autoloads_per_day must be at most 1000, or null")
        if not math.isfinite(self.duplicate_tap_window_s) or self.duplicate_tap_window_s > 3600:
            raise PolicyError(f"{source}: duplicate_tap_window_s must be at most 3600")
        for key, top in (("offline_after_s", 86_400), ("unsent_alarm_s", 864_000)):
            if not 1 <= getattr(self, key) <= top:
                raise PolicyError(f"{source}: {key} must be from 1 to {top} seconds")
        if self.autoloads_per_day is not None and self.autoloads_per_day < 1:
            raise PolicyError(
                f"{source}: autoloads_per_day must be at least 1, or null for unlimited"
            )
        if self.duplicate_tap_window_s < 0:
            raise PolicyError(f"{source}: duplicate_tap_window_s must not be negative")


def _plain(value: Any) -> Any:
    """A policy value as JSON holds it."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, frozenset):
        return sorted(_plain(v) for v in value)
    return value


DEFAULTS = Policy()
_MAX_MINOR = 10**9  # sync.limits.MAX_AMOUNT: the wire's outer bound
_AMOUNTS = (
    "balance_cap",
    "offline_limit",
    "autoload_min_amount",
    "autoload_max_amount",
    "topup_min_amount",
    "topup_max_amount",
)
_CURRENCIES = ("EUR", "DKK", "SEK")

_ENUMS: dict[str, type[StrEnum]] = {
    "autoload_trigger": AutoloadTrigger,
    "print_receipts": PrintPolicy,
}


def _coerce(key: str, raw: Any, source: str) -> Any:
    if key in _ENUMS:
        enum = _ENUMS[key]
        try:
            return enum(raw)
        except ValueError:  # foreign input (synced or configured) that is no member of the enum
            allowed = ", ".join(m.value for m in enum)
            raise PolicyError(f"{source}: {key} = {raw!r} is not one of: {allowed}") from None
    default = getattr(DEFAULTS, key)
    if key == "hold_charge_on":
        return _cautions(key, raw, source)
    if key == "max_entry_amount":
        return _per_currency(key, raw, source)
    if key == "autoloads_per_day":
        if raw is None or raw == "unlimited":
            return None
        default = 0  # not its default (that is the field's): its type, an int, checked below
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            raise PolicyError(f"{source}: {key} = {raw!r} must be true or false")
        return raw
    if isinstance(default, int):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise PolicyError(f"{source}: {key} = {raw!r} must be a whole number (minor units)")
        return raw
    if isinstance(default, float):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise PolicyError(f"{source}: {key} = {raw!r} must be a number")
        if isinstance(raw, int) and abs(raw) > _MAX_MINOR:  # float() of it may overflow
            raise PolicyError(f"{source}: {key} = {raw!r:.40} is out of range")
        return float(raw)
    return raw


def _cautions(key: str, raw: Any, source: str) -> frozenset[Caution]:
    allowed = ", ".join(c.value for c in Caution)
    if not isinstance(raw, list | tuple | frozenset | set):
        raise PolicyError(f"{source}: {key} must be a list of: {allowed}")
    try:
        return frozenset(Caution(item) for item in raw)
    except ValueError:
        bad = next(item for item in raw if item not in {c.value for c in Caution})
        raise PolicyError(f"{source}: {key}: {bad!r} is not one of: {allowed}") from None


def _per_currency(key: str, raw: Any, source: str) -> dict[str, int]:
    if not isinstance(raw, dict) or not raw:
        raise PolicyError(
            f'{source}: {key} must map currencies to minor units, e.g. {{"EUR": 50000}}'
        )
    out: dict[str, int] = {}
    for currency, value in raw.items():
        if currency not in _CURRENCIES:
            raise PolicyError(f"{source}: {key}: unknown currency {currency!r} (EUR, DKK or SEK)")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_MINOR:
            raise PolicyError(
                f"{source}: {key}.{currency} = {value!r} must be a whole number of minor units"
                f" from 1 to {_MAX_MINOR}"
            )
        out[currency] = value
    return out
