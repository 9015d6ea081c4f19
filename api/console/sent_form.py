"""The form that records a notice sent outside markwatch (a paper notice served on an inspection, a letter
from the authority's own system): its number, the day it was sent and how, read into a SentNotice."""

from __future__ import annotations

import datetime as dt

from markwatch.cases.sent import OUTSIDE, SendMethod, SentNotice
from markwatch.errors import InputError

# The console offers only the outside methods: a notice issued here moves the case itself.
SEND_METHODS = [method.value for method in OUTSIDE]


def sent_outside(number: str, sent_on: str, method: str, *, today: dt.date) -> SentNotice:
    """The typed notice, or InputError naming the field (the lifecycle checks the number and the day again)."""
    if not number.strip():
        raise InputError("the number of the notice that was sent is required", where="notice_number")
    try:
        how = SendMethod(method)
    except ValueError:
        raise InputError("choose how the notice was sent", where="send_method") from None
    if how is SendMethod.MARKWATCH:
        raise InputError("a notice issued in markwatch moves the case itself", where="send_method")
    try:
        day = dt.date.fromisoformat(sent_on.strip())
    except ValueError:
        raise InputError(f"{sent_on!r} is not a date (YYYY-MM-DD)", where="sent_on") from None
    if day > today:
        raise InputError("the day the notice was sent is in the future", where="sent_on")
    return SentNotice(number=number.strip(), sent_on=day, method=how)
