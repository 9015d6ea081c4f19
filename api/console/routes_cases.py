"""The case queue, the case page, and every action on a case (through markwatch.cases, so all is audited)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Form, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from api.console.auth import ConsoleUser, CurrentUser, FormUser
from api.console.casefile import load_case_file
from api.console.common import console_router
from api.console.conflicts import (
    Conflict,
    comment_draft,
    last_change,
    latest_move_reason,
    latest_seq,
    notice_draft,
)
from api.console.deadlines import check_deadline
from api.console.errors import ConsoleForbidden, FormError
from api.console.filters import CONFIDENCES, DUE_CHOICES, PAGE_SIZE, QUEUE_SORTS, parse_queue_query
from api.console.images import image_evidence
from api.console.notice import DEFAULT_NOTICE_DAYS, issued_notices
from api.console.pages import render, translator_for, with_headers
from api.console.queue import queue_page
from api.console.routes_evidence import page_reading
from api.console.sent_form import SEND_METHODS, sent_outside
from api.console.settings import ConsoleSettings, ConsoleSettingsDep
from api.console.stats import open_case_ages
from api.deps import RegistryCacheDep, SessionDep
from api.routes.rules import RulesDep
from api.schemas.common import IdPath
from checker.registry import RegistryIndex
from checker.rules.loader import RuleSet
from markwatch.cases import notice_numbers
from markwatch.cases.audit import serialise_case_writes
from markwatch.cases.audit_export import case_audit
from markwatch.cases.bulk import MAX_BULK
from markwatch.cases.lifecycle import transition
from markwatch.cases.models import CaseStatus, DismissalKind
from markwatch.cases.notes import add_comment, assign
from markwatch.cases.queries import case_events, counts_by_status, get_case
from markwatch.cases.waivers import grant_waiver, revoke_waiver
from markwatch.db import utcnow
from markwatch.errors import InputError

router = console_router()
# The forward move first (it is the page's primary action: "start review" on a new case), dismissal last.
MOVE_ORDER = [
    CaseStatus.IN_REVIEW,
    CaseStatus.CONFIRMED,
    CaseStatus.NOTICE_SENT,
    CaseStatus.RECTIFICATION_DUE,
    CaseStatus.CLOSED,
    CaseStatus.ESCALATED,
    CaseStatus.OPEN,
    CaseStatus.DISMISSED,
]
# Flash messages are keys into the catalogue, never text from the query string.
FLASHES = frozenset(
    {"moved", "already", "commented", "assigned", "waived", "waiver_revoked", "issued", "sent_recorded"}
)


def _back_to_case(request: Request, case_id: int, flash: str) -> Response:
    response = RedirectResponse(
        f"/console/cases/{case_id}?done={flash}", status_code=status.HTTP_303_SEE_OTHER
    )
    return with_headers(response, request)


@router.get("/cases")
def queue(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    rules: RulesDep,
    settings: ConsoleSettingsDep,
) -> Response:
    """Filtered, sorted, paged cases with counts per status and open cases by age."""
    query = parse_queue_query(request.query_params)
    now = utcnow()
    page = queue_page(session, query, rules, now=now, limit=PAGE_SIZE, zone=settings.zone)
    # An offset past the end (a bookmark, a page whose cases were worked off): show the last page, and say so.
    past_end = page.total > 0 and query.offset >= page.total
    if past_end:
        query = replace(query, offset=(page.total - 1) // PAGE_SIZE * PAGE_SIZE)
        page = queue_page(session, query, rules, now=now, limit=PAGE_SIZE, zone=settings.zone)
    context = {
        "past_end": past_end,
        "user": user,
        "csrf_token": user.csrf_token,
        "query": query,
        "rows": page.rows,
        "total": page.total,
        "page_size": PAGE_SIZE,
        "counts": counts_by_status(session),
        "open_ages": open_case_ages(session, now=now),
        "statuses": list(CaseStatus),
        "rules": [loaded.rule for loaded in rules.rules],
        "sorts": list(QUEUE_SORTS),
        "due_choices": DUE_CHOICES,
        "confidences": CONFIDENCES,
        "today": now.astimezone(settings.zone).date(),
        "select_all": request.query_params.get("select") == "page",
        "max_bulk": MAX_BULK,
    }
    return render(request, "queue.html", context)


@dataclass(frozen=True)
class NoticeFormState:
    """The notice form as the inspector filled it in, and what was wrong with it (shown on the form)."""

    values: dict[str, str]
    error: FormError | None = None


def case_view(
    request: Request,
    session: Session,
    user: ConsoleUser,
    rules: RuleSet,
    registry: RegistryIndex,
    settings: ConsoleSettings,
    case_id: int,
    *,
    notice_form: NoticeFormState | None = None,
    conflict: Conflict | None = None,
    status_code: int = 200,
) -> Response:
    """The case page; with `notice_form`, its notice form keeps the typed values and shows their error; with
    `conflict`, it says why a stale form was refused and puts what was typed back into its form."""
    done = request.query_params.get("done")
    file = load_case_file(session, rules, case_id, registry)
    archived, (shown_as, read_as) = page_reading(session, file)
    hits = archived.hits if archived is not None else ()
    today = utcnow().astimezone(settings.zone).date()
    suggested = today + dt.timedelta(days=min(DEFAULT_NOTICE_DAYS, settings.max_deadline_days))
    values = {
        "deadline": suggested.isoformat(),
        "enterprise": file.case.claimant or "",
        "uscc": file.uscc or "",
    }
    if notice_form is not None:
        values.update(notice_form.values)
    draft = comment_draft(conflict, [move.value for move in file.allowed])
    if conflict is not None and conflict.what == "notice":
        # A notice refused as stale keeps what was typed: in its form while one can still be issued, else
        # in the comment box, to keep as a note.
        if file.issue_allowed:
            values.update(conflict.typed)
        else:
            draft = notice_draft(translator_for(request), conflict.typed)
    # Marking a case as notified is not a move among others: it records a notice sent outside markwatch, on
    # its own form beside (and after) issuing one here. The others keep their order, dismissal last.
    moves = sorted((m for m in file.allowed if m is not CaseStatus.NOTICE_SENT), key=MOVE_ORDER.index)
    # The assignment form says which assignment the inspector saw, so a newer one is never overwritten unseen.
    assigned = last_change(file.events, "assign")
    notices = issued_notices(file.events)
    # Numbers this year's register lost (a partial restore): an inspector issuing here is told before and after.
    gaps = notice_numbers.register_gaps(session, year=today.year) if file.issue_allowed or notices else {}
    context = {
        "user": user,
        "csrf_token": user.csrf_token,
        "file": file,
        "hits": hits,
        # A label the browser obeyed showed the quote otherwise than markwatch read it (archive.read_otherwise).
        "shown_as": shown_as,
        "read_as": read_as,
        "flash": done if done in FLASHES else None,
        "today": today,
        "first_deadline": today + dt.timedelta(days=1),
        "last_deadline": settings.latest_deadline(today),
        "notice_values": values,
        "notice_error": notice_form.error if notice_form is not None else None,
        "notices": notices,
        "register_gaps": [(year, seq) for year, seqs in gaps.items() for seq in seqs],
        "dismissal_kinds": list(DismissalKind),
        "moves": moves,
        "record_sent": CaseStatus.NOTICE_SENT in file.allowed,
        "send_methods": SEND_METHODS,
        "conflict": conflict,
        "assigned_seq": assigned.seq if assigned is not None else 0,
        "comment_draft": draft,
        "settings": settings,
        "images": {
            index: image_evidence(session, loc.image) for index, loc in enumerate(file.locations) if loc.image
        },
    }
    return render(request, "case.html", context, status_code=status_code)


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    case_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    rules: RulesDep,
    registry: RegistryCacheDep,
    settings: ConsoleSettingsDep,
) -> Response:
    """Snippet, rule, registry record, snapshot and archived page, history, and the action forms."""
    return case_view(request, session, user, rules, registry.current(session), settings, case_id)


@router.get("/cases/{case_id}/audit.json")
def audit_json(request: Request, case_id: IdPath, session: SessionDep, _user: CurrentUser) -> Response:
    """The case's audit entries with their hash-chain fields, as a file to attach to the case's record."""
    body = json.dumps(case_audit(session, case_id), ensure_ascii=False, indent=2)
    headers = {"Content-Disposition": f'attachment; filename="case-{case_id}-audit.json"'}
    return with_headers(Response(body, media_type="application/json", headers=headers), request)


def _refuse_stale(
    request: Request,
    session: Session,
    user: ConsoleUser,
    rules: RuleSet,
    registry: RegistryIndex,
    settings: ConsoleSettings,
    case_id: int,
    *,
    what: str,
    typed: dict[str, str],
) -> Response:
    """The case page as it is now (409), naming the change that made the form stale, with the form refilled."""
    session.rollback()  # nothing is written: the case-write lock the check was made under is not held to render
    event = last_change(case_events(session, case_id), what)
    conflict = Conflict(what=what, typed=typed, event=event)
    return case_view(
        request, session, user, rules, registry, settings, case_id, conflict=conflict, status_code=409
    )


@router.post("/cases/{case_id}/transition")
def move(
    request: Request,
    case_id: IdPath,
    session: SessionDep,
    user: FormUser,
    settings: ConsoleSettingsDep,
    rules: RulesDep,
    registry: RegistryCacheDep,
    to: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    due_on: Annotated[str, Form(max_length=20)] = "",
    dismissal_kind: Annotated[str, Form(max_length=40)] = "",
    expected: Annotated[str, Form(alias="from", max_length=40)] = "",
    notice_number: Annotated[str, Form(max_length=200)] = "",
    sent_on: Annotated[str, Form(max_length=20)] = "",
    send_method: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Move the case; the lifecycle refuses illegal moves and missing reasons or deadlines.

    The form says which status the inspector saw (`from`). If the case has moved on since, the form is stale:
    a second submission of the same move (a double click, a resent form) lands on the case page without a
    second audit entry; any other stale move is refused instead of being applied to a case nobody looked at,
    on the case page as it is now, with the typed reason back in its form (or in the comment box when that
    move can no longer be made).
    """
    try:
        target = CaseStatus(to)
    except ValueError:
        raise InputError(f"unknown status {to!r}", where="to") from None
    # The write lock before the read the stale check rests on: of two decisions sent at the same moment, the
    # second is then judged on the case the first left (and refused with its words kept), not on the status
    # both read before either was made (which left it to the compare-and-set, a bare 409 page).
    serialise_case_writes(session)
    case = get_case(session, case_id)
    if expected and expected != case.status:
        if case.status == target.value and _same_move_recorded(session, case_id, reason):
            return _back_to_case(request, case_id, "already")
        typed = {
            "to": to,
            "reason": reason,
            "due_on": due_on,
            "dismissal_kind": dismissal_kind,
            "notice_number": notice_number,
            "sent_on": sent_on,
            "send_method": send_method,
        }
        return _refuse_stale(
            request,
            session,
            user,
            rules,
            registry.current(session),
            settings,
            case_id,
            what="move",
            typed=typed,
        )
    if target is CaseStatus.CONFIRMED and not reason.strip():
        raise InputError("confirming misuse needs a short reason", where="reason")
    kind = None
    if target is CaseStatus.DISMISSED:
        try:
            kind = DismissalKind(dismissal_kind)
        except ValueError:
            raise InputError("choose why the case is dismissed", where="dismissal_kind") from None
    due_at = None
    if due_on.strip() or target is CaseStatus.RECTIFICATION_DUE:
        today = utcnow().astimezone(settings.zone).date()
        due_at = settings.end_of_day(check_deadline(due_on, field="due_on", today=today, settings=settings))
    sent = None
    if target is CaseStatus.NOTICE_SENT:
        today = utcnow().astimezone(settings.zone).date()
        sent = sent_outside(notice_number, sent_on, send_method, today=today)
    transition(
        session,
        case,
        target,
        actor=user.principal.actor,
        reason=reason,
        due_at=due_at,
        dismissal_kind=kind,
        sent=sent,
    )
    session.commit()
    return _back_to_case(request, case_id, "sent_recorded" if sent else "moved")


def _same_move_recorded(session: Session, case_id: int, reason: str) -> bool:
    """Whether the latest move already carries this reason (or none was typed): the form was sent twice."""
    return not reason.strip() or reason.strip() == latest_move_reason(session, case_id).strip()


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
    settings: ConsoleSettingsDep,
    rules: RulesDep,
    registry: RegistryCacheDep,
    assignee: Annotated[str, Form(max_length=200)] = "",
    seen: Annotated[int | None, Form(alias="assigned_seq", ge=0)] = None,
) -> Response:
    """Assign the case (empty unassigns it). The form says which assignment the inspector saw (the audit
    seq of the latest, 0 for none): one made meanwhile by someone else is not silently overwritten. (A seq
    rather than the name: a browser's empty field reaches FastAPI as no field at all.)"""
    # As for moves: an assignment made at the same moment is seen, not overwritten.
    serialise_case_writes(session)
    case = get_case(session, case_id)
    # Only the latest assignment's seq, under the lock: not the case's whole history with its documents.
    changed = seen is not None and seen != latest_seq(session, case_id, "assign")
    if changed and assignee.strip() != (case.assignee or ""):
        return _refuse_stale(
            request,
            session,
            user,
            rules,
            registry.current(session),
            settings,
            case_id,
            what="assign",
            typed={"assignee": assignee},
        )
    assign(session, case, assignee=assignee, actor=user.principal.actor)
    session.commit()
    return _back_to_case(request, case_id, "assigned")


@router.post("/cases/{case_id}/waivers")
def waive(
    request: Request,
    case_id: IdPath,
    session: SessionDep,
    user: FormUser,
    settings: ConsoleSettingsDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
    expires_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Grant a waiver; as in the API, only an admin approves one."""
    if not user.is_admin:
        raise ConsoleForbidden("only an admin may approve a waiver")
    if not expires_on.strip():
        raise InputError("a waiver needs an expiry date", where="expires_on")
    try:
        expires_at = settings.end_of_day(dt.date.fromisoformat(expires_on.strip()))
    except ValueError:
        raise InputError(f"{expires_on!r} is not a date (YYYY-MM-DD)", where="expires_on") from None
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
