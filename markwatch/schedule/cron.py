"""A target's 5-field cron line as an APScheduler trigger, with classic cron day-of-week numbering."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from markwatch.errors import InputError

# APScheduler numbers weekdays from Monday=0; cron from Sunday=0 (7 is Sunday too). Names are unambiguous.
_WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def zone(name: str) -> ZoneInfo:
    """The IANA time zone called `name`; InputError when it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"unknown time zone {name!r}", where="timezone") from exc


def cron_trigger(line: str, tz: ZoneInfo) -> CronTrigger:
    """The trigger for a line already accepted by crawler.targets.validate_cron."""
    minute, hour, day, month, weekday = line.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_weekdays_by_name(weekday),
        timezone=tz,
    )


def _weekdays_by_name(field: str) -> str:
    if field == "*":
        return "*"
    numbers: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        low, high = (0, 7) if base == "*" else _bounds(base)
        if step == "" and base != "*" and "-" not in base:
            high = low
        numbers.update(range(low, high + 1, int(step or 1)))
    # Listed one by one: a cron range like 5-0 has no APScheduler spelling, and "sun" sorts last there.
    return ",".join(_WEEKDAY_NAMES[n % 7] for n in sorted({n % 7 for n in numbers}))


def _bounds(base: str) -> tuple[int, int]:
    low, _, high = base.partition("-")
    return int(low), int(high or low)


# How far next_fire steps past a fire time the trigger keeps answering (at most a day of minutes).
_MAX_STEPS = 1440


def next_fire(trigger: CronTrigger, after: dt.datetime) -> dt.datetime | None:
    """The first fire time strictly after `after`, or None if the line never fires again.

    A wall time the clock shows twice (02:30 when summer time ends) fires once, as cron does. APScheduler
    answered the second 02:30 again and again for any time after it, and a scheduler catching up over that
    night looped for ever at full CPU."""
    # Arithmetic in UTC: adding to a local time keeps its wall clock, and across the repeated hour that went
    # backwards.
    cursor = after.astimezone(dt.UTC) + dt.timedelta(microseconds=1)
    for _ in range(_MAX_STEPS):
        fire: dt.datetime | None = trigger.get_next_fire_time(None, cursor)
        if fire is None:
            return None
        same_wall_time = fire.replace(tzinfo=None, fold=0) == after.replace(tzinfo=None, fold=0)
        if fire > after and not same_wall_time:
            return fire
        cursor = max(cursor, fire.astimezone(dt.UTC)) + dt.timedelta(minutes=1)
    return None


def fire_times_between(trigger: CronTrigger, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Fire times in (start, end]: the runs a scheduler that was down over that interval missed."""
    times: list[dt.datetime] = []
    fire = next_fire(trigger, start)
    while fire is not None and fire <= end:
        times.append(fire)
        fire = next_fire(trigger, fire)
    return times
