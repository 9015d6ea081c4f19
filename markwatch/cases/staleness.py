"""Whether a case's page was read again without its finding: a case is never silently stale.

A sweep closes only cases waiting for rectification (after their deadline); an open, in-review or confirmed
case needs an inspector's decision even when the claim is gone. The inspector must be told that it is gone:
the first finished sweep after the case's latest finding that read the page whole (status ok) and found
nothing to link to the case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from crawler.store.models import Finding, Snapshot, Sweep, SweepPage
from markwatch.cases.models import Case, CaseFinding, CaseStatus

# Cases whose work is over: whether their page still shows the claim no longer asks anything of anyone.
DONE_STATUSES = frozenset({CaseStatus.CLOSED.value, CaseStatus.DISMISSED.value})


@dataclass(frozen=True)
class NotSeenSince:
    """The sweep that read the case's page whole again without finding its claim."""

    sweep_id: int
    checked_at: dt.datetime


def not_seen_since(session: Session, case: Case) -> NotSeenSince | None:
    """The first finished sweep after the case's latest finding that read its page whole without the
    finding (None: not read again since, read only in part, or seen again)."""
    latest = session.execute(
        select(Finding.sweep_id, Finding.page_url, Snapshot.requested_url, Sweep.target)
        .join(CaseFinding, CaseFinding.finding_id == Finding.id)
        .join(Sweep, Sweep.id == Finding.sweep_id)
        .outerjoin(Snapshot, Snapshot.id == Finding.snapshot_id)
        .where(CaseFinding.case_id == case.id)
        .order_by(Finding.observed_at.desc(), Finding.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    sweep_id, page_url, requested_url, target = latest
    # The page is stored under the address requested; the finding under the address after redirects.
    addresses = {url for url in (page_url, requested_url) if url}
    if not addresses:
        return None
    linked_in_sweep = exists().where(
        CaseFinding.case_id == case.id, CaseFinding.sweep_id == SweepPage.sweep_id
    )
    row = session.execute(
        select(SweepPage.sweep_id, SweepPage.checked_at)
        .join(Sweep, Sweep.id == SweepPage.sweep_id)
        .where(
            Sweep.target == target,
            Sweep.state == "finished",
            SweepPage.sweep_id > sweep_id,
            SweepPage.url.in_(addresses),
            SweepPage.status == "ok",
            ~linked_in_sweep,
        )
        .order_by(SweepPage.sweep_id)
        .limit(1)
    ).first()
    return NotSeenSince(int(row[0]), row[1]) if row is not None else None
