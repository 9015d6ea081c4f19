"""API key authentication: who is calling, from the X-API-Key header."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, status
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from markwatch.cases.keys import find_active_key
from markwatch.cases.models import Role

API_KEY_HEADER = "X-API-Key"
api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="An API key from `markwatch keys create`."
)


@dataclass(frozen=True)
class Principal:
    """The caller behind a valid API key."""

    key_id: int
    name: str
    role: Role

    @property
    def actor(self) -> str:
        """How the caller appears in the audit chain."""
        return f"{self.role.value}:{self.name}#{self.key_id}"


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "ApiKey"})


def authenticate(session: Session, secret: str | None) -> Principal:
    """The principal for a presented key; 401 when it is missing, unknown or revoked."""
    if not secret:
        raise _unauthorised(f"an API key is required in the {API_KEY_HEADER} header")
    row = find_active_key(session, secret.strip())
    if row is None:
        raise _unauthorised("the API key is not valid")
    return Principal(key_id=row.id, name=row.name, role=Role(row.role))
