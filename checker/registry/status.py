"""Designation status on a given day, with the precedence of domain.md §5."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class DesignationStatus(StrEnum):
    """Where a registry record stands on one day."""

    DESIGNATED = "designated"  # designated on or before the day, and nothing below applies
    EXPIRED = "expired"  # valid_until is before the day
    REVOKED = "revoked"  # the designation was withdrawn on or before the day
    ABOLISHED = "abolished"  # the standard itself was abolished on or before the day
    NOT_DESIGNATED = "not-designated"  # cultivation pool only, or designated after the day


def status_on(
    day: dt.date,
    *,
    designated_on: dt.date | None,
    valid_until: dt.date | None,
    revoked_on: dt.date | None,
    abolished_on: dt.date | None,
) -> DesignationStatus:
    """The status on `day`; precedence revoked > abolished > expired > not-designated."""
    if revoked_on is not None and revoked_on <= day:
        return DesignationStatus.REVOKED
    if abolished_on is not None and abolished_on <= day:
        return DesignationStatus.ABOLISHED
    if valid_until is not None and valid_until < day:
        return DesignationStatus.EXPIRED
    if designated_on is None or designated_on > day:
        return DesignationStatus.NOT_DESIGNATED
    return DesignationStatus.DESIGNATED
