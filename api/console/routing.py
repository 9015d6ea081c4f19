"""The console's route class: maps errors at the console boundary to pages instead of JSON."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import SQLAlchemyError

from api.console.auth import user_of
from api.console.drafts import Draft, make_draft
from api.console.errors import ConsoleForbidden, FormError, PdfRenderError, SignInRequired
from api.console.pages import render, with_headers
from api.errors import status_for
from markwatch.errors import MarkwatchError, NotReady

log = logging.getLogger(__name__)


def error_page(
    request: Request,
    status_code: int,
    message: str,
    where: str | None = None,
    form_error: FormError | None = None,
) -> Response:
    """An error shown as a console page with its HTTP status: a summary in the UI language, the field named
    (and, for a form error, what the field allows), and the technical detail (in English, as raised) for the
    English UI or for whoever reports it."""
    context: dict[str, object] = {
        "status": status_code,
        "message": message,
        "where": where,
        "form_error": form_error,
    }
    if (user := user_of(request)) is not None:
        # Still inside the console: its navigation and sign-out, not a dead end.
        context.update(user=user, csrf_token=user.csrf_token)
    return render(request, "error.html", context, status_code=status_code)


def sign_in_redirect(request: Request) -> Response:
    """Send the browser to sign in, remembering where it was going (GET pages only)."""
    target = "/console/login"
    if request.method == "GET":
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += "?" + urlencode({"next": path})
    return with_headers(RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER), request)


async def _draft_of(request: Request) -> Draft | None:
    # The form was read before the session was checked; Starlette keeps it parsed on the request.
    try:
        form = await request.form()
    except Exception:  # a body already consumed or malformed: nothing to keep
        return None
    return make_draft(request.url.path, form.multi_items())


def draft_sign_in_page(request: Request, draft: Draft) -> Response:
    """Sign in again (401): the form was not applied, and what was typed rides along in the sign-in form."""
    from api.console.routes_auth import login_page  # the sign-in page lives with its routes

    return login_page(
        request,
        next_url=f"/console/cases/{draft.case_id}",
        error=None,
        status_code=status.HTTP_401_UNAUTHORIZED,
        draft=draft,
    )


def not_saved_page(request: Request, draft: Draft, exc: SQLAlchemyError | NotReady) -> Response | None:
    """A case form the database failed to save (a lock past its timeout, a lost connection, a disk fault), or
    one that waits for an operator (NotReady: e.g. the notice register behind the chain), given back filled in
    to send again or drop (503), with the reason; None when nobody is signed in to give it back to. Nothing of
    it was applied: the request's transaction was rolled back."""
    from api.console.routes_auth import resume_context  # the resume page lives with the sign-in routes

    user = user_of(request)
    if user is None:
        return None
    reason = str(getattr(exc, "detail", None) or getattr(exc, "orig", None) or exc).strip()
    log.error("console form %s not saved: %s", request.url.path, reason, exc_info=exc)
    help_key = "draft.not_ready" if isinstance(exc, NotReady) else "draft.db_failed"
    context = {**resume_context(user, draft), "help_key": help_key, "detail": reason}
    return render(request, "resume.html", context, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


def _invalid_request_page(request: Request, exc: RequestValidationError) -> Response:
    # A browser user typed or followed a bad URL: an HTML page, not the API's JSON. A malformed id in the
    # path names no page at all (404); a bad form or query field is 422 and names the field.
    errors = exc.errors()
    if errors and all(error.get("loc", ("",))[0] == "path" for error in errors):
        return error_page(
            request, status.HTTP_404_NOT_FOUND, "No such page: the address holds a malformed id."
        )
    fields = ", ".join(str(error.get("loc", ("", "?"))[-1]) for error in errors) or "request"
    return error_page(request, status.HTTP_422_UNPROCESSABLE_CONTENT, f"Invalid input: {fields}.", fields)


def markwatch_error_page(request: Request, exc: MarkwatchError) -> Response:
    """A markwatch error as the console's HTML page, with the API's status for it."""
    # A missing or failing Chromium is the server's problem, and may pass: 503, not 500.
    code = status.HTTP_503_SERVICE_UNAVAILABLE if isinstance(exc, PdfRenderError) else status_for(exc)
    if code >= 500:
        log.error("console request failed: %s", exc, exc_info=exc)
    page = error_page(
        request,
        code,
        getattr(exc, "detail", None) or str(exc),
        getattr(exc, "where", None),
        exc if isinstance(exc, FormError) else None,
    )
    if retry_after := getattr(exc, "retry_after", None):
        page.headers["Retry-After"] = retry_after
    return page


class ConsoleRoute(APIRoute):
    """An APIRoute whose markwatch errors become HTML pages (sign-in redirect, 403, 404, 409, 422...)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                if request.method == "POST" and (draft := await _draft_of(request)) is not None:
                    return draft_sign_in_page(request, draft)
                return sign_in_redirect(request)
            except ConsoleForbidden as exc:
                return error_page(request, status.HTTP_403_FORBIDDEN, str(exc))
            except RequestValidationError as exc:
                return _invalid_request_page(request, exc)
            except SQLAlchemyError as exc:
                draft = await _draft_of(request) if request.method == "POST" else None
                page = not_saved_page(request, draft, exc) if draft is not None else None
                if page is None:
                    raise  # not a case form: the API's answer (503 busy, 409 conflict, 500), logged there
                return page
            except NotReady as exc:
                draft = await _draft_of(request) if request.method == "POST" else None
                page = not_saved_page(request, draft, exc) if draft is not None else None
                return page or markwatch_error_page(request, exc)
            except MarkwatchError as exc:
                return markwatch_error_page(request, exc)

        return console_handler
