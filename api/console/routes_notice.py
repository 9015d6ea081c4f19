"""The notice for a confirmed case: a printable page, and the same page as a PDF download."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from api.console.auth import CurrentUser
from api.console.casefile import load_case_file
from api.console.common import console_router
from api.console.notice import build_notice, notice_css
from api.console.pages import environment, render, translator_for, with_headers
from api.console.pdf import html_to_pdf
from api.deps import SessionDep
from api.routes.rules import RulesDep
from api.schemas.common import IdPath
from markwatch.db import utcnow

router = console_router()
DeadlineQuery = Annotated[str | None, Query(max_length=20, description="YYYY-MM-DD")]


@router.get("/cases/{case_id}/notice")
def notice_page(
    request: Request,
    case_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    rules: RulesDep,
    deadline: DeadlineQuery = None,
) -> Response:
    """The notice as a printable page."""
    file = load_case_file(session, rules, case_id)
    notice = build_notice(file, translator_for(request), deadline=deadline, now=utcnow())
    return render(
        request,
        "notice.html",
        {"user": user, "notice": notice, "case_id": case_id, "inline_css": None, "deadline": deadline},
    )


@router.get("/cases/{case_id}/notice.pdf")
def notice_pdf(
    request: Request,
    case_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    rules: RulesDep,
    deadline: DeadlineQuery = None,
) -> Response:
    """The same notice printed to PDF by headless Chromium (503 when Chromium is missing or fails)."""
    file = load_case_file(session, rules, case_id)
    t = translator_for(request)
    notice = build_notice(file, t, deadline=deadline, now=utcnow())
    html = (
        environment()
        .get_template("notice.html")
        .render(
            t=t,
            lang=t.lang,
            user=user,
            notice=notice,
            case_id=case_id,
            inline_css=notice_css(),
            deadline=deadline,
        )
    )
    pdf = html_to_pdf(html)
    headers = {"Content-Disposition": f'attachment; filename="markwatch-notice-{notice.number}.pdf"'}
    return with_headers(Response(pdf, media_type="application/pdf", headers=headers), request)
