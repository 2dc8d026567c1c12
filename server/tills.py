"""Tills: enrolment with a one-time code, and the credential each till sends afterwards.

Only hashes are stored. A credential is `<till_id>.<secret>` with a 256-bit secret: enough
entropy that a plain SHA-256 is the right hash (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from server.db import Database


class EnrolError(ValueError):
    """The enrolment code is unknown or was used already."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def add_till(db: Database, till_id: str, unit_id: str) -> str:
    """Register a till of a unit; returns the one-time enrolment code to type on the till."""
    code = secrets.token_urlsafe(12)
    with db.transaction() as tx:
        if tx.one("SELECT 1 FROM units WHERE unit_id = ?", (unit_id,)) is None:
            raise ValueError(f"unknown unit {unit_id!r}")
        tx.execute(
            "INSERT INTO tills (till_id, unit_id, enroll_code_hash) VALUES (?, ?, ?)"
            " ON CONFLICT (till_id) DO UPDATE SET enroll_code_hash = excluded.enroll_code_hash,"
            " unit_id = excluded.unit_id",
            (till_id, unit_id, _hash(code)),
        )
    return code


def enrol(db: Database, code: str) -> tuple[str, str, str]:
    """Trade a one-time code for the till's credential: (till_id, unit_id, credential)."""
    with db.transaction() as tx:
        row = tx.one(
            "SELECT till_id, unit_id FROM tills WHERE enroll_code_hash = ?", (_hash(code),)
        )
        if row is None:
            raise EnrolError("unknown or already used enrolment code")
        till_id, unit_id = row
        credential = f"{till_id}.{secrets.token_urlsafe(32)}"
        tx.execute(
            "UPDATE tills SET enroll_code_hash = NULL, credential_hash = ?, enrolled_at = ?"
            " WHERE till_id = ?",
            (_hash(credential), datetime.now(UTC).isoformat(), till_id),
        )
    return till_id, unit_id, credential


def authenticate(db: Database, credential: str) -> str | None:
    """The till a credential belongs to, or None."""
    till_id, _, secret = credential.partition(".")
    if not till_id or not secret:
        return None
    with db.transaction(write=False) as tx:
        stored = tx.scalar("SELECT credential_hash FROM tills WHERE till_id = ?", (till_id,))
    if stored is None or not hmac.compare_digest(stored, _hash(credential)):
        return None
    return till_id
