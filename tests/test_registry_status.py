"""Status of a designation on a day, and the precedence revoked > abolished > expired > not-designated."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.registry import DesignationRecord, DesignationStatus, DesignationType, status_on

DAY = dt.date(2025, 6, 1)
BEFORE = dt.date(2025, 5, 31)
AFTER = dt.date(2025, 6, 2)

S = DesignationStatus


@pytest.mark.parametrize(
    ("designated_on", "valid_until", "revoked_on", "abolished_on", "expected"),
    [
        # plain cases
        (BEFORE, None, None, None, S.DESIGNATED),
        (DAY, None, None, None, S.DESIGNATED),  # designated on the day itself
        (BEFORE, DAY, None, None, S.DESIGNATED),  # valid through valid_until inclusive
        (BEFORE, BEFORE, None, None, S.EXPIRED),
        (BEFORE, None, DAY, None, S.REVOKED),  # revoked on the day counts
        (BEFORE, None, AFTER, None, S.DESIGNATED),  # revocation not yet effective
        (BEFORE, None, None, DAY, S.ABOLISHED),
        (BEFORE, None, None, AFTER, S.DESIGNATED),
        (None, None, None, None, S.NOT_DESIGNATED),  # cultivation pool only
        (AFTER, None, None, None, S.NOT_DESIGNATED),  # designated later
        # precedence
        (BEFORE, BEFORE, BEFORE, BEFORE, S.REVOKED),
        (BEFORE, BEFORE, None, BEFORE, S.ABOLISHED),
        (None, BEFORE, BEFORE, None, S.REVOKED),
        (None, None, None, BEFORE, S.ABOLISHED),
        (AFTER, BEFORE, None, None, S.EXPIRED),
        (BEFORE, BEFORE, AFTER, AFTER, S.EXPIRED),
    ],
)
def test_status_precedence(
    designated_on: dt.date | None,
    valid_until: dt.date | None,
    revoked_on: dt.date | None,
    abolished_on: dt.date | None,
    expected: DesignationStatus,
) -> None:
    assert (
        status_on(
            DAY,
            designated_on=designated_on,
            valid_until=valid_until,
            revoked_on=revoked_on,
            abolished_on=abolished_on,
        )
        is expected
    )
    record = DesignationRecord(
        id=1,
        code="T/DEMO 001-2022",
        code_key="T/DEMO 1-2022",
        number_key="T/DEMO 1",
        year=2022,
        title="演示",
        type=DesignationType.GROUP,
        holders=(),
        designated_on=designated_on,
        valid_until=valid_until,
        revoked_on=revoked_on,
        abolished_on=abolished_on,
        pool_entered_on=None,
        scope=(),
        source=None,
        note=None,
    )
    assert record.status_as_of(DAY) is expected


def test_status_values_are_the_contract_strings() -> None:
    assert [s.value for s in DesignationStatus] == [
        "designated",
        "expired",
        "revoked",
        "abolished",
        "not-designated",
    ]
