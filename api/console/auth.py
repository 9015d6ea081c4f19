"""Who is using the console: the session cookie, the key behind it, its role, and CSRF checks on forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from api.auth import Principal
from api.console.cookies import cookies_are_secure
from api.console.errors import ConsoleForbidden, SignInRequired
from api.console.session import (
    COOKIE_PATH,
    SESSION_COOKIE,
    SESSION_SECONDS,
    ConsoleSession,
    decode_session,
    tokens_match,
)
from api.deps import SessionDep, enforce_key_rate
from api.settings import Settings
from markwatch.cases.models import ApiKey, Role
from markwatch.cases.sessions import find_session, touch
from markwatch.db import utcnow

CONSOLE_ROLES = frozenset({Role.INSPECTOR, Role.ADMIN})
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class ConsoleUser:
    """A signed-in inspector or admin, the CSRF token their forms must carry, and their session's row id."""

    principal: Principal
    csrf_token: str
    session_id: int = 0

    @property
    def is_admin(self) -> bool:
        """Admins also approve and revoke waivers."""
        return self.principal.role is Role.ADMIN


def secret_of(request: Request) -> str:
    """The key that signs console cookies."""
    settings: Settings = request.app.state.settings
    return settings.secret_key


def set_session_cookie(response: Response, request: Request, value: str) -> None:
    """HttpOnly, SameSite=Strict, limited to /console, Secure whenever the console is served over https."""
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=cookies_are_secure(request),
    )


def clear_session_cookie(response: Response) -> None:
    """Drop the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def principal_for_key(row: ApiKey | None) -> Principal | None:
    """The principal behind an active key of a console role, else None."""
    if row is None or row.revoked_at is not None:
        return None
    role = Role(row.role)
    if role not in CONSOLE_ROLES:
        return None
    return Principal(key_id=row.id, name=row.name, role=role)


def current_user(request: Request, session: SessionDep) -> ConsoleUser:
    """The signed-in user; a missing, forged or expired cookie, a session ended on the server (sign-out, an
    admin's revocation) or a since revoked key, means sign in."""
    cookie: ConsoleSession | None = decode_session(secret_of(request), request.cookies.get(SESSION_COOKIE))
    now = utcnow()
    row = find_session(session, cookie.sid, now) if cookie and cookie.sid else None
    principal = principal_for_key(session.get(ApiKey, cookie.key_id)) if cookie and row else None
    if cookie is None or row is None or principal is None or row.api_key_id != cookie.key_id:
        session.rollback()
        raise SignInRequired("sign in to use the console")
    enforce_key_rate(request, principal.key_id)
    if touch(row, now):
        session.commit()
    session.rollback()
    user = ConsoleUser(principal=principal, csrf_token=cookie.csrf_token, session_id=row.id)
    # Kept for the error page a later failure of this request becomes: it keeps the navigation and sign-out.
    request.state.console_user = user
    return user


CurrentUser = Annotated[ConsoleUser, Depends(current_user)]


def optional_user(request: Request, session: SessionDep) -> ConsoleUser | None:
    """The signed-in user, or None (pages anyone may see, such as the 404 of an unknown address)."""
    try:
        return current_user(request, session)
    except SignInRequired:
        return None


OptionalUser = Annotated[ConsoleUser | None, Depends(optional_user)]


def user_of(request: Request) -> ConsoleUser | None:
    """The user this request was signed in as, if it got that far."""
    user = getattr(request.state, "console_user", None)
    return user if isinstance(user, ConsoleUser) else None


def check_origin(request: Request) -> None:
    """Refuse a form posted from another origin (a second line behind the CSRF token)."""
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise ConsoleForbidden("the form was posted from another site")


def form_user(
    request: Request, user: CurrentUser, csrf_token: Annotated[str, Form(max_length=200)] = ""
) -> ConsoleUser:
    """The signed-in user, after checking the form's CSRF token against the session (403 otherwise)."""
    check_origin(request)
    if not tokens_match(user.csrf_token, csrf_token):
        raise ConsoleForbidden("the form's security token is missing or wrong; reload the page")
    return user


FormUser = Annotated[ConsoleUser, Depends(form_user)]


def safe_next(value: str | None) -> str:
    """A post-sign-in destination inside the console; anything else (other hosts, //evil) goes home."""
    if value and value.startswith("/console/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/console/cases"
