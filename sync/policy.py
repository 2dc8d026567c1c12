"""Scheme policy: the rules that differ between operators are data, with defaults in one place.

In `sync/` because the server keeps and checks it and the till decides by it.

The server syncs a policy per scheme (invariant 4); a till with none uses DEFAULTS.

Money settings (`AMOUNT_KEYS`) are per currency: 30,00 EUR is a fair offline limit, 30 kr
is not a lunch. Policy data gives each one either per currency (`{"SEK": 30000}`: the
currencies it leaves out keep their defaults) or as a single amount, which is in the one
currency its reader names (`from_mapping(..., currency=)`): the till's unit's, or the scheme's
only one on the server. Without a currency a single amount is refused rather than guessed:
the same number in every currency is the mistake this shape exists to prevent.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
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
class Amounts:
    """The policy's money settings in one currency, in its minor units."""

    balance_cap: int  # D-AUTO-5: no credit lifts the balance above it
    autoload_min_amount: int  # D-AUTO-1: an agreement's amount within these bounds
    autoload_max_amount: int
    topup_min_amount: int  # D-PAY-4: a top-up at a till, within these bounds
    topup_max_amount: int
    offline_limit: int  # D-OFF-3: most a card may spend here unsent


AMOUNT_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Amounts))
CURRENCIES: tuple[str, ...] = ("EUR", "DKK", "SEK")  # sync.protocol.CURRENCIES

# The defaults per currency: the one place they are written (docs/rules.md, "Amounts per
# currency", gives each number's source). Where no guide names a figure, the EUR one is
# converted (DKK is pegged at about 7.46 to the euro; SEK has been about 11, the ratio
# max_entry_amount below uses too) and rounded to a figure an operator would print.
DEFAULT_AMOUNTS: Mapping[str, Amounts] = MappingProxyType(
    {
        "EUR": Amounts(
            balance_cap=12_000,  # 120 EUR: Ulm (003), "maximale Aufladung ... 120 Euro"
            autoload_min_amount=1_000,  # 10..50 EUR: Würzburg (004), "zwischen 10 Euro und
            autoload_max_amount=5_000,  # 50 Euro"; Ulm (003) "mind. 10 Euro"
            topup_min_amount=100,  # 1..100 EUR: ours, no guide names till top-up bounds
            topup_max_amount=10_000,
            offline_limit=3_000,  # 30 EUR: ours (D-OFF-3 is our own rule)
        ),
        "DKK": Amounts(
            balance_cap=90_000,  # 900 kr: 120 EUR at the peg (895 kr); no Danish guide has one
            autoload_min_amount=10_000,  # 100..400 kr: Würzburg's 10..50 EUR (75..373 kr) in
            autoload_max_amount=40_000,  # whole hundreds, holding Gladsaxe's (001) 300 kr
            topup_min_amount=1_000,  # 10..750 kr: our 1..100 EUR at the peg; Gladsaxe (001)
            topup_max_amount=75_000,  # takes whole kroner, its example is 300 kr
            offline_limit=20_000,  # 200 kr: 30 EUR (224 kr) rounded down
        ),
        "SEK": Amounts(
            balance_cap=150_000,  # 1 500 kr: 120 EUR (about 1 320 kr) rounded up, so that
            # Chalmers' (000) largest load of 1 000 kr still fits on a card holding 500 kr
            autoload_min_amount=10_000,  # 100..500 kr: Würzburg's 10..50 EUR (110..550 kr)
            autoload_max_amount=50_000,  # in whole hundreds; Chalmers has no autoload
            topup_min_amount=30_000,  # 300..1 000 kr: Chalmers' (000) loads, "Du kan ladda
            topup_max_amount=100_000,  # 300 kr, 500 kr eller 1000 kr"
            offline_limit=30_000,  # 300 kr: 30 EUR (about 330 kr) rounded down; 3 lunches
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Policy:
    """The scheme policy. Its money settings are `amounts`, per currency; the names the
    decisions read (`balance_cap`, `offline_limit`, …) are those of `currency`. The till
    resolves its unit's currency once, the server the currency of each account it checks
    (`for_currency`); `Policy()` reads EUR, the currency the first schemes used."""

    autoload_trigger: AutoloadTrigger = AutoloadTrigger.BEFORE_PURCHASE
    autoloads_per_day: int | None = 1  # D-AUTO-4: 1 = once a day (004); None = unlimited (003)
    amounts: Mapping[str, Amounts] = field(default_factory=lambda: dict(DEFAULT_AMOUNTS))
    # The most a single till entry may move, per currency: above it an entry is absurd and
    # the server refuses it (a typo of a zero too many, a corrupted or forged entry).
    max_entry_amount: dict[str, int] = field(
        default_factory=lambda: {"EUR": 50_000, "DKK": 400_000, "SEK": 550_000}
    )
    print_receipts: PrintPolicy = PrintPolicy.ALWAYS  # D-PAY-6
    duplicate_tap_window_s: float = 2.0  # D-PAY-5: same card again within it is the same tap
    auto_charge_on_tap: bool = True  # a tap on a rung-up basket charges it at once
    offline_after_s: int = 30  # no successful sync for this long: the till is offline
    unsent_alarm_s: int = 180  # D-SYNC-1: alarm when the oldest unsent entry is older
    # Safe default: every caution holds the charge; a scheme may let some go by.
    hold_charge_on: frozenset[Caution] = frozenset(Caution)
    currency: str = "EUR"  # the currency the amounts' names below read

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, source: str = "policy", currency: str | None = None
    ) -> Policy:
        """Build a policy from synced or configured data; unknown keys and bad values are
        errors. A single amount is in `currency` (refused without one); the policy reads
        `currency` (EUR without one)."""
        fields = {f.name for f in dataclasses.fields(cls)} - {"amounts", "currency"}
        values: dict[str, Any] = {}
        amounts = {c: dataclasses.asdict(a) for c, a in DEFAULT_AMOUNTS.items()}
        for key, raw in data.items():
            if key in AMOUNT_KEYS:
                for cur, value in per_currency_amount(key, raw, source, currency).items():
                    amounts[cur][key] = value
            elif key in fields:
                values[key] = _coerce(key, raw, source)
            else:
                raise PolicyError(f"{source}: unknown policy key {key!r}")
        policy = cls(**values, amounts={c: Amounts(**a) for c, a in amounts.items()})
        policy.validate(source)
        return policy if currency is None else policy.for_currency(currency)

    def to_mapping(self) -> dict[str, Any]:
        """Every key resolved, amounts per currency: what the server sends a till."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "amounts":
                for key in AMOUNT_KEYS:
                    out[key] = {c: getattr(a, key) for c, a in self.amounts.items()}
            elif f.name != "currency":
                out[f.name] = _plain(value)
        return out

    def for_currency(self, currency: str) -> Policy:
        """The policy read in `currency`: its amounts are what `balance_cap`, … answer."""
        if currency not in self.amounts:
            raise PolicyError(f"the scheme policy has no amounts in {currency!r} (EUR, DKK or SEK)")
        return self if currency == self.currency else dataclasses.replace(self, currency=currency)

    @property
    def balance_cap(self) -> int:
        return self.amounts[self.currency].balance_cap

    @property
    def autoload_min_amount(self) -> int:
        return self.amounts[self.currency].autoload_min_amount

    @property
    def autoload_max_amount(self) -> int:
        return self.amounts[self.currency].autoload_max_amount

    @property
    def topup_min_amount(self) -> int:
        return self.amounts[self.currency].topup_min_amount

    @property
    def topup_max_amount(self) -> int:
        return self.amounts[self.currency].topup_max_amount

    @property
    def offline_limit(self) -> int:
        return self.amounts[self.currency].offline_limit

    def entry_bound(self, currency: str) -> int:
        """The most one till entry may move in `currency` (0: the scheme does not use it)."""
        return self.max_entry_amount.get(currency, 0)

    def validate(self, source: str = "policy") -> None:
        if self.currency not in self.amounts:
            raise PolicyError(f"{source}: no amounts in {self.currency!r}, the currency it reads")
        for cur, amounts in self.amounts.items():
            if cur not in CURRENCIES:
                raise PolicyError(f"{source}: unknown currency {cur!r} (EUR, DKK or SEK)")
            for key in AMOUNT_KEYS:
                value = getattr(amounts, key)
                if not 0 <= value <= _MAX_MINOR:
                    raise PolicyError(
                        f"{source}: {key}.{cur} = {value} must be from 0 to {_MAX_MINOR}"
                        " (minor units)"
                    )
            for low, high in (
                ("autoload_min_amount", "autoload_max_amount"),
                ("topup_min_amount", "topup_max_amount"),
            ):
                if getattr(amounts, low) > getattr(amounts, high):
                    raise PolicyError(
                        f"{source}: {low}.{cur} = {getattr(amounts, low)} exceeds"
                        f" {high}.{cur} = {getattr(amounts, high)}"
                    )
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

_ENUMS: dict[str, type[StrEnum]] = {
    "autoload_trigger": AutoloadTrigger,
    "print_receipts": PrintPolicy,
}


def per_currency_amount(
    key: str, raw: Any, source: str, currency: str | None = None
) -> dict[str, int]:
    """A money setting as data gives it, per currency: a mapping of currencies to minor units,
    or a single amount in `currency` (refused when there is none)."""
    if isinstance(raw, dict):
        if not raw:
            raise PolicyError(
                f'{source}: {key} must map currencies to minor units, e.g. {{"SEK": 30000}}'
            )
        return {cur: _minor(f"{key}.{cur}", value, source, cur) for cur, value in raw.items()}
    if currency is None:
        raise PolicyError(
            f"{source}: {key} = {raw!r:.40}: amounts are per currency; give it as"
            f' {key} = {{"EUR": …, "DKK": …, "SEK": …}} with the currencies you use'
        )
    return {currency: _minor(key, raw, source, currency)}


def check_mapping(data: Mapping[str, Any], *, source: str = "policy") -> None:
    """Every key known and every value of its form, for data read before the currency of its
    single amounts is known (a till's config, read before its store): the checks between
    keys that a single amount takes part in wait for `from_mapping(..., currency=)`."""
    single = {k: v for k, v in data.items() if k in AMOUNT_KEYS and not isinstance(v, dict)}
    for key, value in single.items():
        _minor(key, value, source, CURRENCIES[0])
    Policy.from_mapping({k: v for k, v in data.items() if k not in single}, source=source)


def layered(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Policy data `over` laid on `base`: a money setting given per currency replaces only
    the currencies it names (a till's `[policy]` on the scheme's, a back-office change)."""
    out = dict(base)
    for key, value in over.items():
        below = out.get(key)
        if key in AMOUNT_KEYS and isinstance(value, dict) and isinstance(below, dict):
            out[key] = {**below, **value}
        else:
            out[key] = value
    return out


def _minor(name: str, value: Any, source: str, currency: str) -> int:
    if currency not in CURRENCIES:
        raise PolicyError(f"{source}: {name}: unknown currency {currency!r} (EUR, DKK or SEK)")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_MINOR:
        raise PolicyError(
            f"{source}: {name} = {value!r:.40} must be a whole number of minor units"
            f" from 0 to {_MAX_MINOR}"
        )
    return value


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
        return _entry_bounds(key, raw, source)
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


def _entry_bounds(key: str, raw: Any, source: str) -> dict[str, int]:
    if not isinstance(raw, dict) or not raw:
        raise PolicyError(
            f'{source}: {key} must map currencies to minor units, e.g. {{"EUR": 50000}}'
        )
    out: dict[str, int] = {}
    for currency, value in raw.items():
        if currency not in CURRENCIES:
            raise PolicyError(f"{source}: {key}: unknown currency {currency!r} (EUR, DKK or SEK)")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_MINOR:
            raise PolicyError(
                f"{source}: {key}.{currency} = {value!r} must be a whole number of minor units"
                f" from 1 to {_MAX_MINOR}"
            )
        out[currency] = value
    return out
