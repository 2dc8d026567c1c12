"""Tills: enrolment with a one-time code, the credential each till sends afterwards, revocation.

Only hashes are stored. A credential is `<till_id>.<secret>` with a 256-bit secret: enough
entropy that a plain SHA-256 is the right hash (no password stretching needed). Registering a
till again, or revoking it, ends its credential at once: the next request gets 401.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from server.db import Database, Tx
from server.errors import Forbidden, NotFound
from sync.entry_body import has_control

# Enrolment codes are typed on a till by a person: no letters that look alike, no "-" first
# (a shell tool would read "-K7Q…" as an option), groups of four to read aloud.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_CHARS = 16  # 16 × log2(31) ≈ 79 bits


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_CHARS))
    return "-".join(raw[i : i + 4] for i in range(0, _CODE_CHARS, 4))


def canonical_code(code: str) -> str:
    """A code as typed: any case, with or without its dashes or spaces."""
    return "".join(ch for ch in code.upper() if ch not in "- \t")


def add_till(db: Database, till_id: str, unit_id: str) -> str:
    """Register a till of a unit; returns the one-time enrolment code to type on the till.

    Registering a till that exists gives it a new code and ends its current credential: a till
    PC that was replaced or lost can no longer sync, and the new one enrols with the new code.
    """
    code = new_code()
    with db.transaction() as tx:
        if tx.one("SELECT 1 FROM units WHERE unit_id = ?", (unit_id,)) is None:
            raise NotFound(f"unknown unit {unit_id!r}")
        tx.execute(
            "INSERT INTO tills (till_id, unit_id, enroll_code_hash) VALUES (?, ?, ?)"
            " ON CONFLICT (till_id) DO UPDATE SET enroll_code_hash = excluded.enroll_code_hash,"
            " unit_id = excluded.unit_id, credential_hash = NULL, revoked_at = NULL",
            (till_id, unit_id, _hash(canonical_code(code))),
        )
    return code


def revoke(db: Database, till_id: str) -> None:
    """End a till's credential and any unused enrolment code (a stolen till PC)."""
    with db.transaction() as tx:
        done = tx.rows_changed(
            "UPDATE tills SET credential_hash = NULL, enroll_code_hash = NULL, revoked_at = ?"
            " WHERE till_id = ?",
            (datetime.now(UTC).isoformat(), till_id),
        )
    if done == 0:
        raise NotFound(f"unknown till {till_id!r}")


def enrol(db: Database, code: str) -> tuple[str, str, str]:
    """Trade a one-time code for the till's credential: (till_id, unit_id, credential)."""
    with db.transaction() as tx:
        row = tx.one(
            "SELECT till_id, unit_id FROM tills WHERE enroll_code_hash = ?",
            (_hash(canonical_code(code)),),
        )
        if row is None:
            raise Forbidden("unknown or already used enrolment code")
        till_id, unit_id = row
        credential = f"{till_id}.{secrets.token_urlsafe(32)}"
        tx.execute(
            "UPDATE tills SET enroll_code_hash = NULL, credential_hash = ?, enrolled_at = ?,"
            " revoked_at = NULL WHERE till_id = ?",
            (_hash(credential), datetime.now(UTC).isoformat(), till_id),
        )
    return till_id, unit_id, credential


def authenticate(db: Database, credential: str) -> str | None:
    """The till a credential belongs to, or None (unknown, revoked, replaced or malformed)."""
    till_id, _, secret = credential.partition(".")
    if not till_id or not secret or len(credential) > 256:
        return None
    with db.transaction(write=False) as tx:
        return credential_owner(tx, credential)


def credential_guard(credential: str) -> tuple[str, str] | None:
    """The till a well-formed credential names and the hash that till must hold for it
    (`Database.transaction`'s `guard`: a push checks both as it takes its locks); None
    for a credential no till can hold."""
    till_id, _, secret = credential.partition(".")
    if not till_id or not secret or len(credential) > 256 or has_control(till_id):
        return None
    return till_id, _hash(credential)


def credential_owner(tx: Tx, credential: str) -> str | None:
    """`authenticate` inside a transaction the caller has open (a push checks its
    credential in the transaction that takes its entries: one round trip, not a connection)."""
    guard = credential_guard(credential)
    if guard is None:
        return None  # a NUL in the id is text PostgreSQL cannot even be asked about
    till_id = guard[0]
    stored = tx.scalar("SELECT credential_hash FROM tills WHERE till_id = ?", (till_id,))
    hashed = None if stored is None else str(stored)
    return till_id if is_credential_of(credential, till_id, hashed) else None


def is_credential_of(credential: str, till_id: str, stored_hash: str | None) -> bool:
    """Whether `credential` is `till_id`'s, given the hash stored for that till (a reader that
    fetched the row already, for many tills at once: `credential_owner` without its query)."""
    owner, _, secret = credential.partition(".")
    if owner != till_id or not secret or len(credential) > 256 or stored_hash is None:
        return False
    return hmac.compare_digest(stored_hash, _hash(credential))


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of any text (`hmac.compare_digest` refuses non-ASCII str)."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )
