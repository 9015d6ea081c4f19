"""Whether a case's page was read again without its finding: a case is never silently stale.

A sweep closes only cases waiting for rectification (after their deadline); an open, in-review or confirmed
case needs an inspector's decision even when the claim is gone. The inspector must be told that it is gone:
the first finished sweep after the case's latest finding that read the page whole (status ok) and found
nothing to link to the case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, exists, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from crawler.store.models import Snapshot, Sweep, SweepPage
from markwatch.cases.models import Case, CaseFinding, CaseStatus
from sweeps.models import Finding

# Cases whose work is over: whether their page still shows the claim no longer asks anything of anyone.
DONE_STATUSES = frozenset({CaseStatus.CLOSED.value, CaseStatus.DISMISSED.value})


@dataclass(frozen=True)
class NotSeenSince:
    """The sweep that read the case's page whole again without finding its claim."""

    sweep_id: int
    checked_at: dt.datetime


def _unseen_pages(case_id: ColumnElement[int] | InstrumentedAttribute[int]) -> Select[int, dt.datetime]:
    """The pages read whole, by a finished sweep of the same target after the case's latest finding, that
    linked nothing to the case: one SQL shape for one case and for a whole queue (correlated on Case.id)."""
    latest = (
        select(Finding.id)
        .join(CaseFinding, CaseFinding.finding_id == Finding.id)
        .where(CaseFinding.case_id == case_id)
        .order_by(Finding.observed_at.desc(), Finding.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    found_in = aliased(Sweep)
    linked_in_sweep = (
        exists()
        .where(CaseFinding.case_id == case_id, CaseFinding.sweep_id == SweepPage.sweep_id)
        .correlate(Case, SweepPage)
    )
    return (
        select(SweepPage.sweep_id, SweepPage.checked_at)
        .select_from(Finding)
        .join(found_in, found_in.id == Finding.sweep_id)
        .outerjoin(Snapshot, Snapshot.id == Finding.snapshot_id)
        # The page is stored under the address requested; the finding under the address after redirects.
        .join(
            SweepPage,
            and_(
                SweepPage.sweep_id > Finding.sweep_id,
                or_(SweepPage.url == Finding.page_url, SweepPage.url == Snapshot.requested_url),
            ),
        )
        .join(Sweep, Sweep.id == SweepPage.sweep_id)
        .where(
            Finding.id == latest,
            Sweep.target == found_in.target,
            Sweep.state == "finished",
            SweepPage.status == "ok",
            ~linked_in_sweep,
        )
        # Case.id two subqueries down must name the enclosing query's case, which auto-correlation (one
        # level only) would not do: it would add every case to the inner FROM.
        .correlate(Case)
    )


def not_seen_since(session: Session, case: Case) -> NotSeenSince | None:
    """The first finished sweep after the case's latest finding that read its page whole without the
    finding (None: not read again since, read only in part, or seen again)."""
    row = session.execute(_unseen_pages(literal(case.id)).order_by(SweepPage.sweep_id).limit(1)).first()
    return NotSeenSince(int(row[0]), row[1]) if row is not None else None


def claim_gone() -> ColumnElement[bool]:
    """Cases still needing work whose page was read whole again without their claim: the queue's filter and
    badge, the same judgement as `not_seen_since` for each case."""
    return and_(Case.status.not_in(DONE_STATUSES), exists(_unseen_pages(Case.id)))
