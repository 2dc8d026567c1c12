"""The scheme policy as the server holds it (invariant 4: rules are data).

Its money settings are per currency. A single amount an operator gives (`balance_cap=15000`)
is in the scheme's one currency, the currency of its units, and is kept as such
(`{"EUR": 15000}`), so that a unit added later in another currency starts from that
currency's defaults rather than inheriting a number meant in another money. In a scheme with
units in several currencies, or none yet, a single amount is refused: the back office names
the currency. A single amount kept before amounts were per currency is read in the scheme's
one currency, which is what it meant then; in a scheme with several currencies by now, as
EUR, the currency the old defaults were written in (their 30,00 offline limit is 30 kr in
a krona scheme: the reason amounts are per currency).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from server.db import Tx
from server.errors import Invalid
from sync.policy import AMOUNT_KEYS, DEFAULTS, Policy, PolicyError, per_currency_amount

POLICY_SQL = "SELECT data FROM policy WHERE id = 1"
CURRENCIES_SQL = "SELECT DISTINCT currency FROM units ORDER BY 1"


def scheme_policy(tx: Tx) -> Policy:
    """The scheme policy the server holds, or the defaults before one is set; read it in an
    account's currency with `for_currency`."""
    data = tx.scalar(POLICY_SQL)
    if data is None:
        return DEFAULTS
    return policy_of(data, tuple(scheme_currencies(tx)) if _singles(json.loads(data)) else ())


@functools.lru_cache(maxsize=16)
def policy_of(data: str | None, currencies: tuple[str, ...]) -> Policy:
    """The policy kept as `data` (None: none kept) in a scheme selling in `currencies`
    (`POLICY_SQL`, `CURRENCIES_SQL`: a caller may read both with other queries). Kept
    for the same text: every push reads the policy, which rarely changes, and building it
    cost more than the query. A Policy is never changed once built."""
    if data is None:
        return DEFAULTS
    stored = json.loads(data)
    one = currencies[0] if len(currencies) == 1 and _singles(stored) else "EUR"
    return Policy.from_mapping(stored, source="policy", currency=one)


def scheme_currencies(tx: Tx) -> list[str]:
    """The currencies the scheme's units sell in."""
    return [str(row[0]) for row in tx.all("SELECT DISTINCT currency FROM units ORDER BY 1")]


def kept_form(tx: Tx, data: dict[str, Any]) -> dict[str, Any]:
    """The policy data as the server keeps it, checked: each single amount becomes the amount
    in the scheme's one currency. Raises Invalid naming the key (and the currency)."""
    singles = _singles(data)
    try:
        for key in singles:  # its form first: "abc" is no amount in any currency
            per_currency_amount(key, data[key], "scheme policy", "EUR")
    except PolicyError as exc:
        raise Invalid(str(exc)) from None
    currencies = scheme_currencies(tx) if singles else []
    if singles and len(currencies) != 1:
        key = singles[0]
        having = (
            f"units in {', '.join(currencies)}" if currencies else "no unit yet to say its currency"
        )
        raise Invalid(
            f"scheme policy: {key} = {data[key]!r:.40} is a single amount, but the scheme has"
            f' {having}: give it per currency, e.g. {key} = {{"{(currencies or ["EUR"])[0]}": …}}'
        )
    kept = {key: {currencies[0]: value} if key in singles else value for key, value in data.items()}
    try:
        Policy.from_mapping(kept, source="scheme policy")
    except PolicyError as exc:
        raise Invalid(str(exc)) from None
    return kept


def _singles(data: dict[str, Any]) -> list[str]:
    return [k for k in AMOUNT_KEYS if k in data and not isinstance(data[k], dict)]
