"""Case queries shared by the API, the CLI and the console: filters, paging, counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Exists, UnaryExpression, and_, case, exists, func, select
from sqlalchemy.orm import Session, selectinload

from markwatch.cases.models import Case, CaseEvent, CaseStatus, Waiver
from markwatch.cases.staleness import claim_gone
from markwatch.cases.text import storable
from markwatch.db import utcnow
from markwatch.errors import InputError, NotFoundError


@dataclass(frozen=True)
class CaseFilter:
    """What a case list is narrowed to; None means no condition."""

    statuses: tuple[CaseStatus, ...] = ()
    rule_id: str | None = None
    severity: str | None = None
    site: str | None = None
    claimant: str | None = None  # substring, case-insensitive
    assignee: str | None = None
    seen_from: dt.datetime | None = None  # last seen at or after
    seen_to: dt.datetime | None = None  # first seen before
    waived: bool | None = None
    claim_gone: bool | None = None  # page read whole again without the claim (see cases.staleness)


def _active_waiver(now: dt.datetime) -> Exists:
    return exists().where(
        and_(Waiver.case_id == Case.id, Waiver.revoked_at.is_(None), Waiver.expires_at > now)
    )


def conditions(f: CaseFilter, now: dt.datetime | None = None) -> list[ColumnElement[bool]]:
    """The WHERE conditions a filter stands for."""
    where: list[ColumnElement[bool]] = []
    for name in ("rule_id", "severity", "site", "claimant", "assignee"):
        storable(getattr(f, name), where=name)
    if f.statuses:
        where.append(Case.status.in_([s.value for s in f.statuses]))
    if f.rule_id:
        where.append(Case.rule_id == f.rule_id)
    if f.severity:
        where.append(Case.severity == f.severity)
    if f.site:
        where.append(Case.site == f.site)
    if f.claimant:
        escaped = f.claimant.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(func.lower(Case.claimant).like(f"%{escaped}%", escape="\\"))
    if f.assignee:
        where.append(Case.assignee == f.assignee)
    if f.seen_from:
        where.append(Case.last_seen_at >= f.seen_from)
    if f.seen_to:
        where.append(Case.first_seen_at < f.seen_to)
    if f.waived is not None:
        condition = _active_waiver(now or utcnow())
        where.append(condition if f.waived else ~condition)
    if f.claim_gone is not None:
        gone = claim_gone()
        where.append(gone if f.claim_gone else ~gone)
    return where


# Severity words do not sort alphabetically into their rank.
_SEVERITY_RANK = case((Case.severity == "high", 0), (Case.severity == "medium", 1), else_=2)
# Sort orders a list may ask for; every one ends on the id so paging is stable.
SORTS: dict[str, tuple[UnaryExpression[Any], ...]] = {
    "last_seen_desc": (Case.last_seen_at.desc(), Case.id.desc()),
    "last_seen_asc": (Case.last_seen_at.asc(), Case.id.asc()),
    "first_seen_asc": (Case.first_seen_at.asc(), Case.id.asc()),
    "first_seen_desc": (Case.first_seen_at.desc(), Case.id.desc()),
    "severity": (_SEVERITY_RANK.asc(), Case.last_seen_at.desc(), Case.id.desc()),
    "rule": (Case.rule_id.asc(), Case.last_seen_at.desc(), Case.id.desc()),
    "status": (Case.status.asc(), Case.last_seen_at.desc(), Case.id.desc()),
}
DEFAULT_SORT = "last_seen_desc"


def list_cases(
    session: Session, f: CaseFilter, *, limit: int, offset: int, sort: str = DEFAULT_SORT
) -> tuple[list[Case], int]:
    """One page of cases (most recently seen first unless `sort` names another order) and the total."""
    if sort not in SORTS:
        raise InputError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}", where="sort")
    where = conditions(f)
    total = session.scalar(select(func.count(Case.id)).where(*where))
    query = select(Case).where(*where).options(selectinload(Case.waivers))
    rows = session.scalars(query.order_by(*SORTS[sort]).limit(limit).offset(offset))
    return list(rows), int(total or 0)


def iter_cases(session: Session, f: CaseFilter, batch: int = 500) -> Iterator[Case]:
    """Every matching case, in id order, loaded in batches (CSV export)."""
    last_id = 0
    where = conditions(f)
    while True:
        query = select(Case).where(*where).options(selectinload(Case.waivers))
        rows = list(session.scalars(query.where(Case.id > last_id).order_by(Case.id).limit(batch)))
        yield from rows
        if len(rows) < batch:
            return
        last_id = rows[-1].id


def get_case(session: Session, case_id: int) -> Case:
    """One case or NotFoundError."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError(f"no case {case_id}")
    return case


def case_events(session: Session, case_id: int) -> list[CaseEvent]:
    """The audit entries of one case, oldest first."""
    return list(
        session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq))
    )


def counts_by_status(session: Session) -> dict[str, int]:
    """How many cases are in each status (zero included)."""
    counts = dict.fromkeys((s.value for s in CaseStatus), 0)
    for status, count in session.execute(select(Case.status, func.count()).group_by(Case.status)):
        counts[status] = int(count)
    return counts
