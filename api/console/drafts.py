"""A case form sent after the console session ended: kept as a draft through signing in again.

The form is not applied (nobody is signed in to answer for it). The sign-in page says so and shows what was
typed; the draft rides along in the sign-in form, and after signing in the same form comes back filled in,
with a fresh CSRF token, for the inspector to send or drop. Nothing is stored on the server meanwhile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

# Only the case forms that carry typed words; anything else (sign-out, revoking a waiver) is simply redone.
_ACTION = re.compile(r"^/console/cases/([1-9][0-9]{0,17})/(transition|comment|assign|waivers|notices)$")
# What each kept field is: shown as typed text (a textarea for long text), or carried unseen.
LONG_TEXT = frozenset({"reason", "body"})
SHORT_TEXT = frozenset({"assignee", "due_on", "expires_on", "deadline", "enterprise", "uscc"})
HIDDEN = frozenset({"to", "from", "dismissal_kind", "assigned_seq", "seen"})
MAX_VALUE = 10_000
MAX_DRAFT = 40_000


@dataclass(frozen=True)
class Draft:
    """The form's address and the fields it carried (the CSRF token left out: a new one is issued)."""

    action: str
    fields: tuple[tuple[str, str], ...]

    @property
    def case_id(self) -> int:
        """The case the form was for."""
        match = _ACTION.match(self.action)
        assert match is not None
        return int(match.group(1))

    @property
    def kind(self) -> str:
        """Which form: transition, comment, assign, waivers or notices."""
        return self.action.rsplit("/", 1)[1]

    def value(self, name: str) -> str:
        """A field's value, or ''."""
        return next((value for key, value in self.fields if key == name), "")

    def typed(self) -> list[tuple[str, str]]:
        """The fields the inspector typed and sees, in form order."""
        return [(key, value) for key, value in self.fields if key not in HIDDEN and value.strip()]

    def serialise(self) -> str:
        """The draft as one hidden field of the sign-in form."""
        return json.dumps({"action": self.action, "fields": self.fields}, ensure_ascii=False)


def make_draft(action: str, items: Iterable[tuple[str, object]]) -> Draft | None:
    """The draft of a form posted to `action`, or None when it is not a case form or carries nothing typed."""
    if not _ACTION.match(action):
        return None
    fields = tuple(
        (name, value)
        for name, value in items
        if isinstance(value, str)
        and (name in LONG_TEXT or name in SHORT_TEXT or name in HIDDEN)
        and len(value) <= MAX_VALUE
    )
    draft = Draft(action, fields)
    return draft if draft.typed() else None


def parse_draft(raw: str) -> Draft | None:
    """A draft carried by the sign-in form, checked again as if just posted (it came back from the browser)."""
    if not raw or len(raw) > MAX_DRAFT:
        return None
    try:
        data = json.loads(raw)
        action = data["action"]
        fields = [(str(name), value) for name, value in data["fields"]]
    except (ValueError, TypeError, KeyError):
        return None
    return make_draft(action, fields) if isinstance(action, str) else None
