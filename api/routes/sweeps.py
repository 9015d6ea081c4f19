"""Sweeps: list, detail, and trigger (a `markwatch sweep run` subprocess, one at a time per target)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Query, Request, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.deps import SessionDep, SettingsDep, StaffDep
from api.routing import api_router
from api.schemas.common import (
    ERROR_RESPONSES,
    REGISTRY_EMPTY_RESPONSE,
    ErrorBody,
    IdPath,
    LimitQuery,
    OffsetQuery,
    Page,
)
from api.schemas.sweeps import TARGET_PATTERN, GivenUpItem, LaunchOut, SweepIn, SweepOut
from api.settings import Settings
from checker.registry.gate import require_registry
from crawler.runner import Launch, SweepRunner
from crawler.store.models import Sweep, SweepPage
from crawler.targets import load_targets
from markwatch.errors import ConflictError, NotFoundError
from sweeps.bookkeeping import running_sweep_id
from sweeps.models import Finding
from sweeps.views import sweep_now, sweeps_now

router = api_router("/sweeps", ["sweeps"], responses=ERROR_RESPONSES)


def sweep_out(session: Session, sweep: Sweep) -> SweepOut:
    """A sweep with its page and finding counts (pass it through `sweeps.views`, as every view
    does, so a running sweep's counts are live)."""
    pages = dict(
        session.execute(
            select(SweepPage.status, func.count())
            .where(SweepPage.sweep_id == sweep.id)
            .group_by(SweepPage.status)
        ).all()
    )
    findings = session.scalar(select(func.count(Finding.id)).where(Finding.sweep_id == sweep.id)) or 0
    return SweepOut(
        id=sweep.id,
        target=sweep.target,
        state=sweep.state,
        started_at=sweep.started_at,
        finished_at=sweep.finished_at,
        pages_fetched=sweep.pages_fetched,
        pages_checked=int(pages.get("ok", 0)),
        pages_failed=int(sum(count for state, count in pages.items() if state != "ok")),
        robots_skipped=sweep.robots_skipped,
        offsite_dropped=sweep.offsite_dropped,
        errors={str(k): int(v) for k, v in (sweep.errors or {}).items()},
        unhandled={str(k): int(v) for k, v in ((sweep.summary or {}).get("unhandled") or {}).items()},
        given_up={str(k): int(v) for k, v in ((sweep.summary or {}).get("given_up") or {}).items()},
        given_up_items=[
            GivenUpItem.model_validate(item)
            for item in (sweep.summary or {}).get("given_up_items") or []
            if isinstance(item, dict)
        ],
        nothing_to_retry=bool((sweep.summary or {}).get("nothing_to_retry")) and sweep.state == "incomplete",
        max_attempts=(sweep.summary or {}).get("max_attempts"),
        claims=sweep.claims,
        findings=int(findings),
        findings_new=sweep.findings_new,
        findings_recurring=sweep.findings_recurring,
        findings_resolved=sweep.findings_resolved,
        urls_discovered=sweep.urls_discovered,
        urls_taken=sweep.urls_taken,
        urls_failed=sweep.urls_failed,
        urls_skipped=sweep.urls_skipped,
        urls_missing=sweep.urls_missing,
        warnings=list((sweep.summary or {}).get("warnings") or []),
    )


def running_in_database(session: Session, target: str) -> int | None:
    """The id of a running sweep of `target` (started by the CLI, the scheduler or a cluster)."""
    return running_sweep_id(session, target)


def known_target(settings: Settings, name: str) -> Path:
    """The targets file, after checking it names `name`."""
    if not settings.sweep_targets_file:
        raise NotFoundError(f"unknown target {name!r}: no sweep targets file is configured")
    path = Path(settings.sweep_targets_file)
    if name not in {t.name for t in load_targets(path).targets}:
        raise NotFoundError(f"unknown target {name!r} in {path.name}")
    return path


def launch_out(launch: Launch) -> LaunchOut:
    """A launch as answered."""
    return LaunchOut(
        target=launch.target,
        pid=launch.process.pid,
        started_at=launch.started_at,
        running=launch.running,
        returncode=launch.returncode,
    )


@router.get("", response_model=Page[SweepOut], summary="List sweeps, newest first")
def list_route(
    session: SessionDep,
    _who: StaffDep,
    target: Annotated[str | None, Query(pattern=TARGET_PATTERN)] = None,
    state: Annotated[str | None, Query(max_length=20, description="running, finished, …")] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> Page[SweepOut]:
    """Each with its counts of pages, errors and findings (a running sweep's from its ledger so far; one
    whose process is gone is interrupted), as `markwatch sweep list` shows them."""
    found = sweeps_now(session, target=target, state=state, limit=limit, offset=offset)
    return Page[SweepOut](
        items=[sweep_out(session, s) for s in found.sweeps], total=found.total, limit=limit, offset=offset
    )


@router.get(
    "/running",
    response_model=list[LaunchOut],
    summary="Sweeps this API started that are still running",
)
def running_route(request: Request, _who: StaffDep) -> list[LaunchOut]:
    """Subprocesses started through POST /v1/sweeps."""
    runner: SweepRunner = request.app.state.sweep_runner
    return [launch_out(launch) for launch in runner.running()]


@router.get(
    "/{sweep_id}",
    response_model=SweepOut,
    summary="One sweep",
    responses={404: {"model": ErrorBody, "description": "No such sweep"}},
)
def detail_route(sweep_id: IdPath, session: SessionDep, _who: StaffDep) -> SweepOut:
    """Counts of pages, errors and findings, as the list shows them."""
    return sweep_out(session, sweep_now(session, sweep_id))


@router.post(
    "",
    response_model=LaunchOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start a sweep of a target",
    responses={
        404: {"model": ErrorBody, "description": "No such target in the targets file"},
        409: {"model": ErrorBody, "description": "A sweep of this target is already running"},
        503: REGISTRY_EMPTY_RESPONSE,
    },
)
def trigger_route(
    body: SweepIn, request: Request, session: SessionDep, settings: SettingsDep, _who: StaffDep
) -> LaunchOut:
    """Runs `markwatch sweep run` as a subprocess; its findings become cases when it finishes.

    Refused (503 RegistryEmpty) while the designation registry is empty: every claim would be a finding."""
    targets = known_target(settings, body.target)
    require_registry(session)
    running = running_in_database(session, body.target)
    if running is not None:
        raise ConflictError(f"sweep {running} of {body.target!r} is still running")
    runner: SweepRunner = request.app.state.sweep_runner
    return launch_out(runner.start(body.target, (str(targets), "--target", body.target)))
