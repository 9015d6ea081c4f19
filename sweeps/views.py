"""Sweeps as every view shows them (`sweep list|show|status`, `GET /v1/sweeps`, the console): one function,
so no view tells another story.

A sweep's row holds its counts only once it ends, and a sweep whose process was killed stays `running`
until someone notices. Every view therefore first marks such sweeps interrupted (with their counts from the
ledger: `reap_dead`) and shows a running sweep with its counts from the ledger so far.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler import ledger
from crawler.store.models import Sweep
from markwatch.errors import NotFoundError
from sweeps.bookkeeping import apply_accounting, not_handled, reap_dead
from sweeps.images.accounting import image_accounting


@dataclass(frozen=True)
class SweepList:
    """One page of sweeps, newest first, and how many match in all."""

    sweeps: list[Sweep]
    total: int


def _reap(session: Session, target: str | None = None) -> None:
    # Committed at once: a view that only reads (an API request rolls back what it leaves) still records
    # that the process is gone, and the next view need not judge it again.
    if reap_dead(session, target):
        session.commit()


def _live(session: Session, sweep: Sweep) -> Sweep:
    """A running sweep's row with its counts from the ledger so far; nothing is written (the row is detached
    first), and a sweep that is not running is returned as it is."""
    if sweep.state != "running":
        return sweep
    session.expunge(sweep)
    apply_accounting(session, sweep)
    return sweep


def sweeps_now(
    session: Session,
    *,
    target: str | None = None,
    state: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> SweepList:
    """Sweeps newest first as they stand now: dead ones interrupted, running ones with live counts."""
    _reap(session, target)
    where = []
    if target:
        where.append(Sweep.target == target)
    if state:
        where.append(Sweep.state == state)
    total = session.scalar(select(func.count(Sweep.id)).where(*where)) or 0
    query = select(Sweep).where(*where).order_by(Sweep.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return SweepList([_live(session, sweep) for sweep in list(session.scalars(query))], int(total))


def sweep_now(session: Session, sweep_id: int) -> Sweep:
    """One sweep as it stands now (as in `sweeps_now`); NotFoundError when there is none."""
    sweep = session.get(Sweep, sweep_id)
    if sweep is None:
        raise NotFoundError(f"no sweep {sweep_id}")
    if sweep.state == "running":
        _reap(session, sweep.target)
        session.refresh(sweep)
    return _live(session, sweep)


def report(session: Session, sweep_id: int, *, missing_limit: int | None = None) -> dict[str, Any]:
    """A sweep as it stands now with its accounting and missing URLs (for `sweep show` / `sweep status`)."""
    sweep = sweep_now(session, sweep_id)
    data = {column.name: getattr(sweep, column.key) for column in Sweep.__table__.columns}
    acc = ledger.account(session, sweep_id)
    data["accounting"] = {
        "discovered": acc.discovered,
        "taken": acc.taken,
        "stored": acc.stored,
        "pages": acc.pages,
        "failed": acc.failed,
        # markwatch's own failures (a page it could not check or store, or whose images it could not look for)
        "unhandled": not_handled(session, sweep_id, acc),
        "skipped": acc.skipped,
        "missing": acc.missing,
        "notes": acc.notes,
    }
    data["missing_urls"] = ledger.queued_urls(session, sweep_id, limit=missing_limit)
    images = image_accounting(session, sweep_id)
    if images["found"] or images["requested"]:
        data["accounting"]["images"] = images
    return data
