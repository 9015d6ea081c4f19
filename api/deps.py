"""FastAPI dependencies as annotated aliases: settings, database session, caller, role guards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from sqlalchemy.orm import Session, sessionmaker

from api.auth import Principal, api_key_scheme, authenticate
from api.ratelimit import RateLimiter
from api.settings import Settings
from checker.registry.cache import RegistryCache
from markwatch.cases.models import Role


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """A session per request; routes commit what they change, anything else is rolled back."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_registry_cache(request: Request) -> RegistryCache:
    """The app's registry index, rebuilt only when the registry changed."""
    cache: RegistryCache = request.app.state.registry_cache
    return cache


RegistryCacheDep = Annotated[RegistryCache, Depends(get_registry_cache)]


def get_principal(session: SessionDep, api_key: Annotated[str | None, Security(api_key_scheme)]) -> Principal:
    """The authenticated caller (401 without a valid key)."""
    try:
        return authenticate(session, api_key)
    finally:
        # Hand the connection back now: a slow self-check must not hold a pooled connection.
        session.rollback()


PrincipalDep = Annotated[Principal, Depends(get_principal)]


class RoleGuard:
    """Admits only the listed roles, after the per-key rate limit; the route-table test reads `roles`."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    def __call__(self, request: Request, principal: PrincipalDep) -> Principal:
        limiter: RateLimiter = request.app.state.rate_limiter
        wait = limiter.acquire(str(principal.key_id))
        if wait > 0:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                "rate limit exceeded for this API key",
                headers={"Retry-After": RateLimiter.retry_after(wait)},
            )
        if principal.role not in self.roles:
            allowed = " or ".join(sorted(r.value for r in self.roles))
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {allowed} role")
        return principal


ANY_ROLE = RoleGuard(Role.INSPECTOR, Role.ENTERPRISE, Role.ADMIN)
STAFF = RoleGuard(Role.INSPECTOR, Role.ADMIN)
INSPECTOR = RoleGuard(Role.INSPECTOR)
ENTERPRISE = RoleGuard(Role.ENTERPRISE)
ADMIN = RoleGuard(Role.ADMIN)

AnyRoleDep = Annotated[Principal, Depends(ANY_ROLE)]
StaffDep = Annotated[Principal, Depends(STAFF)]
InspectorDep = Annotated[Principal, Depends(INSPECTOR)]
EnterpriseDep = Annotated[Principal, Depends(ENTERPRISE)]
AdminDep = Annotated[Principal, Depends(ADMIN)]
