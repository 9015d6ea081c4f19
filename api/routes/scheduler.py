"""The sweep schedule: per target its cron line, next run, the scheduler's last run and the last sweep."""

from __future__ import annotations

from pathlib import Path

from api.deps import SessionDep, SettingsDep, StaffDep
from api.routing import api_router
from api.schemas.common import ERROR_RESPONSES, ErrorBody
from markwatch.db import utcnow
from markwatch.errors import NotFoundError
from markwatch.schedule.cron import zone
from markwatch.schedule.status import TargetSchedule, schedule_status

router = api_router("/scheduler", ["scheduler"], responses=ERROR_RESPONSES)


@router.get(
    "",
    response_model=list[TargetSchedule],
    summary="The sweep schedule of every target",
    responses={404: {"model": ErrorBody, "description": "No sweep targets file is configured"}},
)
def schedule_route(session: SessionDep, settings: SettingsDep, _who: StaffDep) -> list[TargetSchedule]:
    """Read from the targets file (MARKWATCH_SWEEP_TARGETS_FILE) and the scheduler's log in the database."""
    if not settings.sweep_targets_file:
        raise NotFoundError("no sweep targets file is configured (MARKWATCH_SWEEP_TARGETS_FILE)")
    return schedule_status(session, Path(settings.sweep_targets_file), zone(settings.timezone), utcnow())
