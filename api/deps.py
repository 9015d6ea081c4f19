"""FastAPI dependencies as annotated aliases: settings, database session, caller, role guards.

Every dependency here is `async def` on purpose: FastAPI runs a plain `def` dependency in the shared thread
pool, so each would cost a thread hop per request, and authentication would wait behind whatever occupies
that pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from sqlalchemy.orm import Session, sessionmaker

from api.auth import Authenticator, Principal, api_key_scheme, client_address
from api.errors import RateLimited
from api.ratelimit import QUOTA_SCOPE_KEY, RateLimiter
from api.settings import Settings
from checker.registry.cache import RegistryCache
from markwatch.cases.models import Role
from markwatch.errors import InputError


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request (connecting lazily, on first use); anything uncommitted is rolled back."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


async def get_registry_cache(request: Request) -> RegistryCache:
    """The app's registry index, rebuilt only when the registry changed."""
    cache: RegistryCache = request.app.state.registry_cache
    return cache


RegistryCacheDep = Annotated[RegistryCache, Depends(get_registry_cache)]


async def get_principal(
    request: Request, api_key: Annotated[str | None, Security(api_key_scheme)]
) -> Principal:
    """The authenticated caller (401 without a valid key, 429 after too many wrong ones from one address)."""
    authenticator: Authenticator = request.app.state.authenticator
    return await authenticator.principal(api_key, client_address(request))


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def enforce_key_rate(request: Request, key_id: int, cost: int = 1) -> None:
    """The per-key rate limit (API and console alike), `cost` self-checks' worth taken whole or not at all:
    RateLimited with Retry-After (when all of it would fit) when the budget has less; the budget left is
    reported in the answer's RateLimit-* headers (api/headers.py)."""
    limiter: RateLimiter = request.app.state.rate_limiter
    if cost > limiter.burst:
        # It would never fit: a 429 would only make the client wait and fail again.
        raise InputError(
            f"this request counts as {cost} self-checks and a key's budget holds at most "
            f"{int(limiter.burst)} (MARKWATCH_RATE_LIMIT_BURST): send fewer at once",
            where="items",
        )
    quota = limiter.take(str(key_id), cost)
    request.scope[QUOTA_SCOPE_KEY] = quota
    if not quota.allowed:
        what = f"{cost} self-checks" if cost > 1 else "a request"
        raise RateLimited(
            f"rate limit exceeded for this API key: {what} do not fit in the {quota.remaining} left",
            retry_after=RateLimiter.retry_after(quota.wait),
        )


def refund_key_rate(request: Request, key_id: int, cost: int) -> None:
    """Give back what enforce_key_rate took for self-checks that were not made (a batch's items past its
    budget, answered BatchSpent and to be sent again, would otherwise be paid for twice)."""
    if cost > 0:
        limiter: RateLimiter = request.app.state.rate_limiter
        request.scope[QUOTA_SCOPE_KEY] = limiter.give_back(str(key_id), cost)


RequestCost = Callable[[Request], int]


def one_request(_request: Request) -> int:
    """What most requests cost: one."""
    return 1


class RoleGuard:
    """Admits only the listed roles, after the per-key rate limit; the route-table test reads `roles`."""

    def __init__(self, *roles: Role, cost: RequestCost = one_request) -> None:
        self.roles = frozenset(roles)
        self.cost = cost

    async def __call__(self, request: Request, principal: PrincipalDep) -> Principal:
        enforce_key_rate(request, principal.key_id, self.cost(request))
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
