"""API keys: random secrets shown once, stored as SHA-256 digests, with a role each."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from markwatch.cases.models import ApiKey, Role
from markwatch.db import utcnow
from markwatch.errors import ConflictError, InputError, NotFoundError

KEY_PREFIX = "mwk_"
MAX_NAME = 200
# 32 random bytes: a fast digest is enough, there is nothing to brute-force.
_SECRET_BYTES = 32


@dataclass(frozen=True)
class IssuedKey:
    """A key as created: the secret exists only here, never in the database."""

    id: int
    name: str
    role: Role
    secret: str


def hash_key(secret: str) -> str:
    """The digest stored for a key."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(session: Session, *, role: Role | str, name: str) -> IssuedKey:
    """Create a key; the returned secret cannot be recovered later."""
    try:
        role = Role(role)
    except ValueError:
        raise InputError(f"unknown role {role!r}: use one of {', '.join(r.value for r in Role)}") from None
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InputError(f"a key name must be 1 to {MAX_NAME} characters", where="name")
    secret = KEY_PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    row = ApiKey(
        name=name, role=role.value, prefix=secret[:12], key_hash=hash_key(secret), created_at=utcnow()
    )
    session.add(row)
    session.flush()
    return IssuedKey(id=row.id, name=name, role=role, secret=secret)


def find_active_key(session: Session, secret: str) -> ApiKey | None:
    """The unrevoked key with this secret, or None."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 100:
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(secret)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, oldest first."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session: Session, key_id: int) -> ApiKey:
    """Stop a key from working; its row stays for the record."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFoundError(f"no API key {key_id}")
    if row.revoked_at is not None:
        raise ConflictError(f"API key {key_id} is already revoked")
    row.revoked_at = utcnow()
    session.flush()
    return row
