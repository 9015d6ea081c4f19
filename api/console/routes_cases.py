"""The case queue, the case page, and every action on a case (through markwatch.cases, so all is audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, status
from fastapi.responses import RedirectResponse, Response

from api.console.auth import CurrentUser, FormUser
from api.console.casefile import load_case_file
from api.console.common import console_router, end_of_day
from api.console.errors import ConsoleForbidden
from api.console.filters import PAGE_SIZE, parse_queue_query
from api.console.pages import render, with_headers
from api.console.stats import age_bucket, open_case_ages
from api.deps import SessionDep
from api.routes.rules import RulesDep
from api.schemas.common import IdPath
from markwatch.cases.lifecycle import transition
from markwatch.cases.models import CaseStatus
from markwatch.cases.notes import add_comment, assign
from markwatch.cases.queries import SORTS, counts_by_status, get_case, list_cases
from markwatch.cases.waivers import grant_waiver, revoke_waiver
from markwatch.db import utcnow
from markwatch.errors import InputError

router = console_router()
# Flash messages are keys into the catalogue, never text from the query string.
FLASHES = frozenset({"moved", "commented", "assigned", "waived", "waiver_revoked"})


def _back_to_case(request: Request, case_id: int, flash: str) -> Response:
    response = RedirectResponse(
        f"/console/cases/{case_id}?done={flash}", status_code=status.HTTP_303_SEE_OTHER
    )
    return with_headers(response, request)


@router.get("/cases")
def queue(request: Request, session: SessionDep, user: CurrentUser, rules: RulesDep) -> Response:
    """Filtered, sorted, paged cases with counts per status and open cases by age."""
    query = parse_queue_query(request.query_params)
    rows, total = list_cases(
        session, query.case_filter(), limit=PAGE_SIZE, offset=query.offset, sort=query.sort
    )
    now = utcnow()
    context = {
        "user": user,
        "csrf_token": user.csrf_token,
        "query": query,
        "cases": rows,
        "ages": {case.id: age_bucket((now - case.first_seen_at).days) for case in rows},
        "total": total,
        "page_size": PAGE_SIZE,
        "counts": counts_by_status(session),
        "open_ages": open_case_ages(session, now=now),
        "statuses": list(CaseStatus),
        "rule_ids": [loaded.rule.id for loaded in rules.rules],
        "sorts": list(SORTS),
    }
    return render(request, "queue.html", context)


@router.get("/cases/{case_id}")
def case_page(
    request: Request, case_id: IdPath, session: SessionDep, user: CurrentUser, rules: RulesDep
) -> Response:
    """Snippet, rule, registry record, snapshot and archived page, history, and the action forms."""
    done = request.query_params.get("done")
    context = {
        "user": user,
        "csrf_token": user.csrf_token,
        "file": load_case_file(session, rules, case_id),
        "flash": done if done in FLASHES else None,
        "today": utcnow().date(),
    }
    return render(request, "case.html", context)


@router.post("/cases/{case_id}/transition")
def move(
    request: Request,
    case_id: IdPath,
    session: SessionDep,
    user: FormUser,
    to: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    due_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Move the case; the lifecycle refuses illegal moves and missing reasons or deadlines."""
    try:
        target = CaseStatus(to)
    except ValueError:
        raise InputError(f"unknown status {to!r}", where="to") from None
    case = get_case(session, case_id)
    transition(
        session,
        case,
        target,
        actor=user.principal.actor,
        reason=reason,
        due_at=end_of_day(due_on, field="due_on"),
    )
    session.commit()
    return _back_to_case(request, case_id, "moved")


@router.post("/cases/{case_id}/comment")
def comment(
    request: Request,
    case_id: IdPath,
    session: SessionDep,
    user: FormUser,
    body: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """Add a comment (also an audit entry)."""
    add_comment(session, get_case(session, case_id), author=user.principal.actor, body=body)
    session.commit()
    return _back_to_case(request, case_id, "commented")


@router.post("/cases/{case_id}/assign")
def assign_case(
    request: Request,
    case_id: IdPath,
    session: SessionDep,
    user: FormUser,
    assignee: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Assign the case (empty unassigns it)."""
    assign(session, get_case(session, case_id), assignee=assignee, actor=user.principal.actor)
    session.commit()
    return _back_to_case(request, case_id, "assigned")


@router.post("/cases/{case_id}/waivers")
def waive(
    request: Request,
    case_id: IdPath,
    session: SessionDep,
    user: FormUser,
    reason: Annotated[str, Form(max_length=2000)] = "",
    expires_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Grant a waiver; as in the API, only an admin approves one."""
    if not user.is_admin:
        raise ConsoleForbidden("only an admin may approve a waiver")
    expires_at = end_of_day(expires_on, field="expires_on")
    if expires_at is None:
        raise InputError("a waiver needs an expiry date", where="expires_on")
    case = get_case(session, case_id)
    grant_waiver(session, case, reason=reason, approver=user.principal.actor, expires_at=expires_at)
    session.commit()
    return _back_to_case(request, case_id, "waived")


@router.post("/cases/{case_id}/waivers/{waiver_id}/revoke")
def revoke(
    request: Request, case_id: IdPath, waiver_id: IdPath, session: SessionDep, user: FormUser
) -> Response:
    """Revoke a waiver (admin)."""
    if not user.is_admin:
        raise ConsoleForbidden("only an admin may revoke a waiver")
    revoke_waiver(session, get_case(session, case_id), waiver_id, actor=user.principal.actor)
    session.commit()
    return _back_to_case(request, case_id, "waiver_revoked")
