"""Cases for inspectors: list, export, detail with evidence, transitions, comments, assignment, waivers."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated

from fastapi import Depends, Query, Request, status
from fastapi.responses import StreamingResponse

from api.console.settings import ConsoleSettings
from api.deps import AdminDep, SessionDep, StaffDep
from api.routing import api_router
from api.schemas.cases import (
    AssigneeIn,
    AuditEntryOut,
    CaseCounts,
    CaseDetail,
    CaseFindingOut,
    CaseSummary,
    CommentIn,
    CommentOut,
    NotSeenOut,
    OccurrenceOut,
    TransitionIn,
    WaiverIn,
    WaiverOut,
)
from api.schemas.common import ERROR_RESPONSES, Day, ErrorBody, IdPath, LimitQuery, OffsetQuery, Page
from markwatch.cases.evidence import case_findings, occurrences
from markwatch.cases.export import csv_lines
from markwatch.cases.lifecycle import allowed_targets, transition
from markwatch.cases.models import Case, CaseStatus, Waiver
from markwatch.cases.notes import add_comment, assign
from markwatch.cases.queries import (
    CaseFilter,
    case_events,
    counts_by_status,
    get_case,
    iter_cases,
    list_cases,
)
from markwatch.cases.staleness import DONE_STATUSES, not_seen_since
from markwatch.cases.waivers import active_waiver, grant_waiver, revoke_waiver
from markwatch.db import utcnow
from markwatch.errors import InputError

router = api_router("/cases", ["cases"], responses=ERROR_RESPONSES)
NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"model": ErrorBody, "description": "No such case"}}
REFUSED: dict[int | str, dict[str, object]] = {
    **NOT_FOUND,
    409: {"model": ErrorBody, "description": "Not allowed from the case's current state"},
    422: {"model": ErrorBody, "description": "Missing reason or deadline, or invalid input"},
}


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def case_filter(
    status_: Annotated[list[CaseStatus] | None, Query(alias="status", max_length=8)] = None,
    rule: Annotated[str | None, Query(max_length=20, description="rule id, e.g. SHS003")] = None,
    severity: Annotated[str | None, Query(max_length=20)] = None,
    site: Annotated[str | None, Query(max_length=255)] = None,
    claimant: Annotated[str | None, Query(max_length=200, description="part of the claimant's name")] = None,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
    seen_from: Annotated[Day | None, Query(description="last seen on or after this day (UTC)")] = None,
    seen_to: Annotated[Day | None, Query(description="first seen on or before this day (UTC)")] = None,
    waived: Annotated[bool | None, Query(description="only waived (true) or unwaived (false) cases")] = None,
    claim_gone: Annotated[
        bool | None,
        Query(
            description="only cases whose page a later sweep read whole without their claim (true), or not"
        ),
    ] = None,
) -> CaseFilter:
    """The case filter from query parameters."""
    return CaseFilter(
        statuses=tuple(status_ or ()),
        rule_id=rule,
        severity=severity,
        site=site,
        claimant=claimant,
        assignee=assignee,
        seen_from=_start_of(seen_from) if seen_from else None,
        seen_to=_start_of(seen_to) + dt.timedelta(days=1) if seen_to and seen_to < dt.date.max else None,
        waived=waived,
        claim_gone=claim_gone,
    )


FilterDep = Annotated[CaseFilter, Depends(case_filter)]


def summary(case: Case, now: dt.datetime | None = None) -> CaseSummary:
    """A case as listed, with its waiver state evaluated now."""
    fields = {name: getattr(case, name) for name in CaseSummary.model_fields if name != "waived"}
    return CaseSummary(**fields, waived=active_waiver(case, now) is not None)


def _waiver_out(waiver: Waiver, now: dt.datetime) -> WaiverOut:
    return WaiverOut(
        id=waiver.id,
        reason=waiver.reason,
        approver=waiver.approver,
        expires_at=waiver.expires_at,
        created_at=waiver.created_at,
        revoked_at=waiver.revoked_at,
        active=waiver.active_at(now),
    )


def _detail(session: SessionDep, case: Case) -> CaseDetail:
    now = utcnow()
    not_seen = None if case.status in DONE_STATUSES else not_seen_since(session, case)
    findings = case_findings(session, case)
    return CaseDetail(
        **summary(case, now).model_dump(),
        not_seen_since=NotSeenOut(sweep_id=not_seen.sweep_id, checked_at=not_seen.checked_at)
        if not_seen
        else None,
        allowed_transitions=sorted(allowed_targets(CaseStatus(case.status))),
        occurrences=[OccurrenceOut(**o) for o in occurrences(findings)],
        findings=[CaseFindingOut(**f) for f in findings],
        events=[AuditEntryOut.model_validate(e) for e in case_events(session, case.id)],
        comments=[CommentOut.model_validate(c) for c in case.comments],
        waivers=[_waiver_out(w, now) for w in case.waivers],
    )


@router.get("", response_model=Page[CaseSummary], summary="List cases with filters and paging")
def list_route(
    session: SessionDep, _who: StaffDep, f: FilterDep, limit: LimitQuery = 50, offset: OffsetQuery = 0
) -> Page[CaseSummary]:
    """Most recently seen first; `total` counts every match."""
    rows, total = list_cases(session, f, limit=limit, offset=offset)
    now = utcnow()
    return Page[CaseSummary](items=[summary(c, now) for c in rows], total=total, limit=limit, offset=offset)


@router.get("/counts", response_model=CaseCounts, summary="Count cases per status")
def counts_route(session: SessionDep, _who: StaffDep) -> CaseCounts:
    """Every status, zero included."""
    return CaseCounts(counts=counts_by_status(session))


@router.get(
    "/export.csv",
    summary="Export matching cases as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV, formula cells neutralised"}},
)
def export_route(session: SessionDep, _who: StaffDep, f: FilterDep) -> StreamingResponse:
    """Cells a spreadsheet would run as a formula (= + - @) are prefixed with a quote."""
    lines = csv_lines(iter_cases(session, f), session)
    # Run the first query now: a filter the database refuses is an error answer, not a cut-off stream.
    first = next(lines)
    return StreamingResponse(
        itertools.chain((first,), lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="markwatch-cases.csv"'},
    )


@router.get(
    "/{case_id}", response_model=CaseDetail, summary="One case with evidence and history", responses=NOT_FOUND
)
def detail_route(case_id: IdPath, session: SessionDep, _who: StaffDep) -> CaseDetail:
    """Findings with their snapshot hash, the audit entries, comments, waivers and allowed moves."""
    return _detail(session, get_case(session, case_id))


@router.post("/{case_id}/transitions", response_model=CaseDetail, summary="Move a case", responses=REFUSED)
def transition_route(
    case_id: IdPath, body: TransitionIn, request: Request, session: SessionDep, who: StaffDep
) -> CaseDetail:
    """Dismissing or reopening needs a reason; rectification_due needs `due_at` in the future and at most
    MARKWATCH_CONSOLE_MAX_DEADLINE_DAYS (365) days ahead, as in the console; a dismissal may say its kind
    (not-a-claim and wrong-standard count against the rule's confirmed precision); notice_sent needs
    `notice`, the notice that was sent (number, day, how).

    Of several concurrent decisions on one case exactly one is recorded; the others are answered 409. Send
    `from_status` (the status the decision was based on) so that a decision is never applied to a case
    that moved on since it was read."""
    if body.due_at is not None:
        _within_deadline_cap(request, body.due_at)
    case = get_case(session, case_id)
    transition(
        session,
        case,
        body.to,
        actor=who.actor,
        reason=body.reason,
        due_at=body.due_at,
        dismissal_kind=body.dismissal_kind,
        expected=body.from_status,
        sent=body.notice.record() if body.notice is not None else None,
    )
    session.commit()
    return _detail(session, case)


def _within_deadline_cap(request: Request, due_at: dt.datetime) -> None:
    # One cap for the API and the console: a typo like 9999-12-31 would park a case for ever.
    settings = getattr(request.app.state, "console_settings", None) or ConsoleSettings()
    latest = utcnow() + dt.timedelta(days=settings.max_deadline_days)
    if due_at > latest:
        raise InputError(
            f"the deadline is more than {settings.max_deadline_days} days ahead "
            "(MARKWATCH_CONSOLE_MAX_DEADLINE_DAYS)",
            where="due_at",
        )


@router.post(
    "/{case_id}/comments",
    response_model=CommentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Comment on a case",
    responses=REFUSED,
)
def comment_route(case_id: IdPath, body: CommentIn, session: SessionDep, who: StaffDep) -> CommentOut:
    """The comment is also written to the audit chain."""
    comment = add_comment(session, get_case(session, case_id), author=who.actor, body=body.body)
    session.commit()
    return CommentOut.model_validate(comment)


@router.put("/{case_id}/assignee", response_model=CaseSummary, summary="Assign a case", responses=REFUSED)
def assign_route(case_id: IdPath, body: AssigneeIn, session: SessionDep, who: StaffDep) -> CaseSummary:
    """A null assignee unassigns the case."""
    case = get_case(session, case_id)
    assign(session, case, assignee=body.assignee, actor=who.actor)
    session.commit()
    return summary(case)


@router.post(
    "/{case_id}/waivers",
    response_model=WaiverOut,
    status_code=status.HTTP_201_CREATED,
    summary="Waive a case until a date (admin)",
    responses=REFUSED,
)
def waive_route(case_id: IdPath, body: WaiverIn, session: SessionDep, who: AdminDep) -> WaiverOut:
    """The approving admin key is recorded; once `expires_at` passes the case counts as unwaived again."""
    case = get_case(session, case_id)
    waiver = grant_waiver(session, case, reason=body.reason, approver=who.actor, expires_at=body.expires_at)
    session.commit()
    return _waiver_out(waiver, utcnow())


@router.delete(
    "/{case_id}/waivers/{waiver_id}",
    response_model=WaiverOut,
    summary="Revoke a waiver (admin)",
    responses=REFUSED,
)
def revoke_route(case_id: IdPath, waiver_id: IdPath, session: SessionDep, who: AdminDep) -> WaiverOut:
    """The waiver stays on record, marked revoked."""
    waiver = revoke_waiver(session, get_case(session, case_id), waiver_id, actor=who.actor)
    session.commit()
    return _waiver_out(waiver, utcnow())
