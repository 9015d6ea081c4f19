"""Sign-in with an inspector or admin API key, and sign-out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Form, Request, status
from fastapi.responses import RedirectResponse, Response

from api.console.auth import (
    CONSOLE_ROLES,
    ConsoleUser,
    FormUser,
    check_origin,
    clear_session_cookie,
    principal_for_key,
    safe_next,
    secret_of,
    set_session_cookie,
)
from api.console.common import console_router
from api.console.cookies import cookies_are_secure
from api.console.drafts import MAX_DRAFT, Draft, parse_draft
from api.console.errors import ConsoleForbidden
from api.console.pages import render, translator_for, with_headers
from api.console.session import (
    COOKIE_PATH,
    PRESESSION_COOKIE,
    PRESESSION_SECONDS,
    SESSION_SECONDS,
    decode_presession,
    encode_presession,
    encode_session,
    tokens_match,
)
from api.deps import SessionDep
from api.throttle import sign_in_failed, sign_in_refused
from markwatch.cases.keys import find_active_key
from markwatch.cases.models import CaseStatus, DismissalKind, Role
from markwatch.cases.sessions import ConsoleSessionRecord, end_session, open_session

router = console_router()


def login_page(
    request: Request, *, next_url: str, error: str | None, status_code: int, draft: Draft | None = None
) -> Response:
    """The sign-in form with a fresh pre-session token; with `draft`, a case form the ended session could
    not apply, shown and carried along."""
    cookie, token = encode_presession(secret_of(request))
    response = render(
        request,
        "login.html",
        {"csrf_token": token, "next_url": next_url, "error": error, "draft": draft},
        status_code=status_code,
    )
    response.set_cookie(
        PRESESSION_COOKIE,
        cookie,
        max_age=PRESESSION_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=cookies_are_secure(request),
    )
    return response


def resume_context(user: ConsoleUser, draft: Draft) -> dict[str, object]:
    """What the page that gives back a carried form needs (the draft's values are the browser's: only
    known statuses and dismissal kinds are looked up in the catalogue)."""
    return {
        "user": user,
        "csrf_token": user.csrf_token,
        "draft": draft,
        "move_keys": frozenset(f"move.{status.value}" for status in CaseStatus),
        "dismissal_kinds": frozenset(kind.value for kind in DismissalKind),
        "help_key": "draft.resume_help",
        "detail": "",
    }


@router.get("")
@router.get("/")
def home() -> Response:
    """The queue is the console's front page."""
    return RedirectResponse("/console/cases", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    """The sign-in form, with a fresh pre-session CSRF token."""
    return login_page(request, next_url=safe_next(next), error=None, status_code=status.HTTP_200_OK)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    api_key: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
    draft_field: Annotated[str, Form(alias="draft", max_length=MAX_DRAFT)] = "",
) -> Response:
    """Check the key; inspectors and admins get a session, enterprise keys and bad keys do not. A case form
    carried through sign-in (`draft`) comes back filled in, to send or drop."""
    check_origin(request)
    expected = decode_presession(secret_of(request), request.cookies.get(PRESESSION_COOKIE))
    if not tokens_match(expected, csrf_token):
        raise ConsoleForbidden("the form's security token is missing or wrong; reload the page")
    t = translator_for(request)
    if (refused := sign_in_refused(request, api_key)) is not None:
        return refused
    row = find_active_key(session, api_key.strip())
    session.rollback()
    if row is None or Role(row.role) not in CONSOLE_ROLES:
        sign_in_failed(request)
    if row is None:
        return login_page(
            request,
            next_url=safe_next(next),
            error=t("login.bad_key"),
            status_code=status.HTTP_401_UNAUTHORIZED,
            draft=parse_draft(draft_field),
        )
    if Role(row.role) not in CONSOLE_ROLES:
        return login_page(
            request,
            next_url=safe_next(next),
            error=t("login.wrong_role"),
            status_code=status.HTTP_403_FORBIDDEN,
            draft=parse_draft(draft_field),
        )
    sid, record = open_session(
        session,
        row,
        lifetime=dt.timedelta(seconds=SESSION_SECONDS),
        user_agent=request.headers.get("user-agent"),
        client_ip=request.client.host if request.client else None,
    )
    session.commit()
    value, cookie = encode_session(secret_of(request), row.id, sid=sid)
    draft = parse_draft(draft_field)
    response: Response
    if draft is not None:
        principal = principal_for_key(row)
        assert principal is not None  # an active key of a console role, checked above
        user = ConsoleUser(principal=principal, csrf_token=cookie.csrf_token, session_id=record.id)
        response = render(request, "resume.html", resume_context(user, draft))
    else:
        response = RedirectResponse(safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, request, value)
    response.delete_cookie(PRESESSION_COOKIE, path=COOKIE_PATH)
    return with_headers(response, request)


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: FormUser) -> Response:
    """End the session on the server, so a copy of the cookie stops working too (the form carries the CSRF
    token, so no other site can sign anyone out)."""
    record = session.get(ConsoleSessionRecord, user.session_id)
    if record is not None:
        end_session(record, by=user.principal.actor)
        session.commit()
    response = RedirectResponse("/console/login", status_code=status.HTTP_303_SEE_OTHER)
    clear_session_cookie(response)
    return with_headers(response, request)
