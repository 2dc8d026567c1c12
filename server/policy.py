"""The scheme policy as the server holds it (invariant 4: rules are data)."""

from __future__ import annotations

import json

from server.db import Tx
from sync.policy import DEFAULTS, Policy


def scheme_policy(tx: Tx) -> Policy:
    """The scheme policy the server holds, or the defaults before one is set."""
    data = tx.scalar("SELECT data FROM policy WHERE id = 1")
    return DEFAULTS if data is None else Policy.from_mapping(json.loads(data), source="policy")
