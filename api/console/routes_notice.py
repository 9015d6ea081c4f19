"""Notices: a draft to check, issuing (audited, moves the case to its deadline), and reprints from the audit."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.console.auth import ConsoleUser, CurrentUser, FormUser
from api.console.casefile import load_case_file
from api.console.common import console_router
from api.console.conflicts import Conflict, notice_change
from api.console.errors import FormError
from api.console.i18n import Translator
from api.console.notice import (
    Notice,
    StaleNotice,
    build_notice,
    find_issued,
    issue_notice,
    notice_css,
    read_request,
    require_notice_allowed,
    style_hash,
)
from api.console.pages import environment, render, translator_for, with_headers
from api.console.pdf import html_to_pdf
from api.console.routes_cases import NoticeFormState, case_view
from api.console.routes_evidence import page_reading
from api.console.settings import ConsoleSettings, ConsoleSettingsDep
from api.deps import RegistryCacheDep, SessionDep
from api.routes.rules import RulesDep
from api.schemas.common import IdPath
from checker.registry import RegistryIndex
from checker.rules.loader import RuleSet
from markwatch.cases import notice_numbers
from markwatch.cases.queries import case_events, get_case
from markwatch.cases.sent import NOTICE_EVENT
from markwatch.db import utcnow
from markwatch.errors import ConflictError

router = console_router()
FieldQuery = Annotated[str | None, Query(max_length=200)]


def render_document(t: Translator, notice: Notice) -> str:
    """The notice as the self-contained HTML document that is issued, hashed and printed."""
    template = environment().get_template("notice.html")
    return template.render(t=t, lang=notice.lang, notice=notice, inline_css=notice_css())


def _document_response(html: str, request: Request, sha256: str) -> Response:
    # The issued document carries its own stylesheet inline: allow exactly that one by hash, nothing else.
    csp = (
        f"default-src 'none'; style-src {style_hash(html)}; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )
    response = HTMLResponse(html, headers={"Content-Security-Policy": csp, "X-Notice-Sha256": sha256})
    return with_headers(response, request)


@router.get("/cases/{case_id}/notice")
def notice_preview(
    request: Request,
    case_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    rules: RulesDep,
    registry: RegistryCacheDep,
    settings: ConsoleSettingsDep,
    deadline: FieldQuery = None,
    enterprise: FieldQuery = None,
    uscc: FieldQuery = None,
) -> Response:
    """The draft notice with the values typed on the case page, and the button that issues it."""
    index = registry.current(session)
    file = load_case_file(session, rules, case_id, index)
    require_notice_allowed(file)
    t = translator_for(request)
    today = utcnow().astimezone(settings.zone).date()
    typed = {"deadline": deadline or "", "enterprise": enterprise or "", "uscc": uscc or ""}
    try:
        form = read_request(settings, deadline=deadline, enterprise=enterprise, uscc=uscc, today=today)
    except FormError as exc:
        # Back to the case page's notice form, with what was typed and what is wrong with it.
        state = NoticeFormState(typed, exc)
        return case_view(
            request, session, user, rules, index, settings, case_id, notice_form=state, status_code=422
        )
    _, reading = page_reading(session, file)
    notice = build_notice(file, t, settings, form, inspector=user.principal.name, reading=reading)
    # The audit entry the draft was made after: a notice issued (or a move made) after it makes this one stale.
    seen = file.events[-1].seq if file.events else 0
    context = {"user": user, "csrf_token": user.csrf_token, "notice": notice, "form": form, "seen": seen}
    return render(request, "notice_preview.html", context)


@router.post("/cases/{case_id}/notices")
def issue(
    request: Request,
    case_id: IdPath,
    session: SessionDep,
    user: FormUser,
    rules: RulesDep,
    registry: RegistryCacheDep,
    settings: ConsoleSettingsDep,
    deadline: Annotated[str, Form(max_length=20)] = "",
    enterprise: Annotated[str, Form(max_length=400)] = "",
    uscc: Annotated[str, Form(max_length=40)] = "",
    seen: Annotated[int | None, Form(ge=0)] = None,
) -> Response:
    """Issue the notice: number it, record it in the audit chain, and start its deadline on the case.

    The form says which audit entry of the case the inspector's draft was made after (`seen`). A notice sent
    for a case moved on since (another notice issued, a dismissal), whether before this request or while it
    waited for the lock, is refused on the case page naming that notice or move, with the typed fields kept."""
    index = registry.current(session)
    file = load_case_file(session, rules, case_id, index)
    typed = {"deadline": deadline, "enterprise": enterprise, "uscc": uscc}
    if not file.issue_allowed:
        return _refuse_stale_notice(request, session, user, rules, index, settings, case_id, typed, seen)
    t = translator_for(request)
    now = utcnow()
    today = now.astimezone(settings.zone).date()
    try:
        form = read_request(settings, deadline=deadline, enterprise=enterprise, uscc=uscc, today=today)
    except FormError as exc:
        # A draft checked yesterday, or a tampered form: nothing is issued; the form says why.
        state = NoticeFormState(typed, exc)
        return case_view(
            request, session, user, rules, index, settings, case_id, notice_form=state, status_code=422
        )
    try:
        event = issue_notice(
            session,
            file,
            t,
            settings,
            form,
            actor=user.principal.actor,
            inspector=user.principal.name,
            now=now,
            render=lambda notice: render_document(t, notice),
            reading=page_reading(session, file)[1],
        )
    except StaleNotice:
        return _refuse_stale_notice(request, session, user, rules, index, settings, case_id, typed, seen)
    session.commit()
    return _to_notice(request, case_id, event.seq)


def _to_notice(request: Request, case_id: int, seq: int) -> Response:
    target = f"/console/cases/{case_id}?done=issued#notice-{seq}"
    return with_headers(RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER), request)


def _refuse_stale_notice(
    request: Request,
    session: Session,
    user: ConsoleUser,
    rules: RuleSet,
    registry: RegistryIndex,
    settings: ConsoleSettings,
    case_id: int,
    typed: dict[str, str],
    seen: int | None,
) -> Response:
    """The case page as it is now (409), naming the notice (or move) that made the form stale, with what was
    typed kept; the same form sent twice lands on the notice it issued instead."""
    session.rollback()  # nothing is written: the case-write lock is not held to render
    change = notice_change(case_events(session, case_id), seen)
    if change is None:
        status_now = get_case(session, case_id).status
        raise ConflictError(f"case {case_id} is {status_now}: a notice is issued from confirmed or escalated")
    payload = change.payload or {}
    if (
        change.kind == NOTICE_EVENT
        and change.actor == user.principal.actor
        and payload.get("deadline") == typed["deadline"].strip()
    ):
        return _to_notice(request, case_id, change.seq)  # a double click, or the form sent again
    conflict = Conflict(what="notice", typed=typed, event=change)
    return case_view(
        request, session, user, rules, registry, settings, case_id, conflict=conflict, status_code=409
    )


@router.get("/cases/{case_id}/notices/{seq}")
def issued_html(
    request: Request, case_id: IdPath, seq: IdPath, session: SessionDep, _user: CurrentUser
) -> Response:
    """An issued notice exactly as issued, from its audit entry."""
    notice = find_issued(case_events(session, case_id), seq)
    if not notice.verified:
        raise ConflictError(
            f"notice {notice.number} no longer matches its recorded hash: the audit was altered"
        )
    return _document_response(notice.html, request, notice.content_sha256)


@router.get("/cases/{case_id}/notices/{seq}/pdf")
def issued_pdf(
    request: Request, case_id: IdPath, seq: IdPath, session: SessionDep, _user: CurrentUser
) -> Response:
    """The issued notice printed to PDF (dated at issue, so every reprint is the same file)."""
    notice = find_issued(case_events(session, case_id), seq)
    if not notice.verified:
        raise ConflictError(
            f"notice {notice.number} no longer matches its recorded hash: the audit was altered"
        )
    pdf = html_to_pdf(notice.html, created_at=notice.event.created_at)
    name = f"notice-{case_id}-{seq}.pdf"
    headers = {
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(notice.number + '.pdf')}",
        "X-Notice-Sha256": notice.content_sha256,
    }
    return with_headers(Response(pdf, media_type="application/pdf", headers=headers), request)


@router.get("/notices/register")
def notice_register(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The notice number register by year (how many numbers it holds, the highest) and the numbers it lacks
    below a year's highest: issued by the chain, lost from the register (a partial restore), with the
    commands that check and mend it. Read from the register's key alone, never from the notices."""
    gaps = notice_numbers.register_gaps(session)
    context = {
        "user": user,
        "csrf_token": user.csrf_token,
        "years": notice_numbers.register_years(session),
        "gaps": gaps,
        "missing": [(year, seq) for year, seqs in gaps.items() for seq in seqs],
    }
    return render(request, "register.html", context)
