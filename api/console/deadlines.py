"""Deadlines typed into console forms: a real date, after today, and no later than the configured maximum."""

from __future__ import annotations

import datetime as dt

from api.console.errors import FormError
from api.console.settings import ConsoleSettings


def check_deadline(value: str | None, *, field: str, today: dt.date, settings: ConsoleSettings) -> dt.date:
    """The typed date, or a FormError naming `field` that says in the UI language what is allowed."""
    text = (value or "").strip()
    first, last = today + dt.timedelta(days=1), settings.latest_deadline(today)
    span = {"first": first.isoformat(), "last": last.isoformat(), "days": settings.max_deadline_days}
    if not text:
        raise FormError(
            "a rectification deadline (YYYY-MM-DD) is required",
            where=field,
            key="form.deadline_missing",
            **span,
        )
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise FormError(
            f"{text!r} is not a date (YYYY-MM-DD)", where=field, key="form.deadline_format", **span
        ) from None
    if day < first:
        raise FormError(
            f"the deadline {day.isoformat()} must be after today ({today.isoformat()})",
            where=field,
            key="form.deadline_past",
            **span,
        )
    if day > last:
        raise FormError(
            f"the deadline {day.isoformat()} is more than {settings.max_deadline_days} days after today "
            f"(latest {last.isoformat()}; MARKWATCH_CONSOLE_MAX_DEADLINE_DAYS)",
            where=field,
            key="form.deadline_too_far",
            **span,
        )
    return day
