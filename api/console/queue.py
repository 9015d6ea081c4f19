"""The queue's page of cases with what each row shows beyond the case itself: rule title, product, deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, selectinload

from api.console.filters import QUEUE_SORTS, QueueQuery
from api.console.stats import age_bucket
from checker.rules.loader import RuleSet
from markwatch.cases.lifecycle import AWAITING_RECTIFICATION
from markwatch.cases.models import Case, CaseFinding, CaseStatus
from markwatch.cases.queries import conditions
from markwatch.cases.staleness import claim_gone
from markwatch.cases.waivers import active_waiver
from sweeps.models import Finding

_AWAITING = [s.value for s in AWAITING_RECTIFICATION]


@dataclass(frozen=True)
class QueueRow:
    """One case as the queue shows it."""

    case: Case
    rule_title: dict[str, str] | None
    product: str | None
    standard_title: str | None
    waived: bool
    claim_gone: bool  # a later sweep read the page whole without the claim
    age: str
    deadline_state: str | None  # "due" | "overdue" | None


@dataclass(frozen=True)
class QueuePage:
    """One page of rows and how many cases match in all."""

    rows: list[QueueRow]
    total: int


def extra_conditions(query: QueueQuery, now: dt.datetime) -> list[ColumnElement[bool]]:
    """The console's filters beyond the shared CaseFilter: confidence, deadline state, opening sweep."""
    where: list[ColumnElement[bool]] = []
    if query.confidence:
        where.append(Case.confidence == query.confidence)
    if query.due == "due":
        where.append(
            and_(Case.status == CaseStatus.RECTIFICATION_DUE.value, Case.rectification_due_at >= now)
        )
    elif query.due == "overdue":
        where.append(and_(Case.status.in_(_AWAITING), Case.rectification_due_at < now))
    if query.sweep is not None:
        # Cases this sweep opened: their first linked finding came from it.
        first_sweep = (
            select(func.min(CaseFinding.sweep_id)).where(CaseFinding.case_id == Case.id).scalar_subquery()
        )
        where.append(first_sweep == query.sweep)
    return where


def deadline_state(case: Case, now: dt.datetime) -> str | None:
    """Whether the case's rectification deadline is running or has passed."""
    due = case.rectification_due_at
    if due is None or case.status not in _AWAITING:
        return None
    return "overdue" if due < now else "due"


def _latest_claims(session: Session, case_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not case_ids:
        return {}
    latest = dict(
        session.execute(
            select(CaseFinding.case_id, func.max(CaseFinding.finding_id))
            .where(CaseFinding.case_id.in_(case_ids))
            .group_by(CaseFinding.case_id)
        ).all()
    )
    rows = session.execute(select(Finding.id, Finding.claim).where(Finding.id.in_(latest.values()))).all()
    claims: dict[int, dict[str, Any]] = {int(finding_id): claim for finding_id, claim in rows}
    return {case_id: dict(claims.get(finding_id) or {}) for case_id, finding_id in latest.items()}


def queue_page(
    session: Session, query: QueueQuery, rules: RuleSet, *, now: dt.datetime, limit: int, zone: dt.tzinfo
) -> QueuePage:
    """The cases `query` selects, one page of them, with each row's rule title, product and deadline state;
    the days the query names are calendar days in `zone`."""
    where = [*conditions(query.case_filter(zone), now), *extra_conditions(query, now)]
    total = int(session.scalar(select(func.count(Case.id)).where(*where)) or 0)
    cases = list(
        session.scalars(
            select(Case)
            .where(*where)
            .options(selectinload(Case.waivers))
            .order_by(*QUEUE_SORTS[query.sort])
            .limit(limit)
            .offset(query.offset)
        )
    )
    page_ids = [case.id for case in cases]
    claims = _latest_claims(session, page_ids)
    gone = (
        set(session.scalars(select(Case.id).where(Case.id.in_(page_ids), claim_gone()))) if cases else set()
    )
    titles = {loaded.rule.id: loaded.rule.title.model_dump() for loaded in rules.rules}
    rows = []
    for case in cases:
        claim = claims.get(case.id, {})
        rows.append(
            QueueRow(
                case=case,
                rule_title=titles.get(case.rule_id),
                product=str(claim.get("product_name") or "") or None,
                standard_title=str(claim.get("standard_title") or "") or None,
                waived=active_waiver(case, now) is not None,
                claim_gone=case.id in gone,
                age=age_bucket((now - case.first_seen_at).days),
                deadline_state=deadline_state(case, now),
            )
        )
    return QueuePage(rows=rows, total=total)
