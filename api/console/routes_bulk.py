"""Bulk actions from the queue: start review on, or assign, several selected cases, each on its own.

Each checkbox carries what the inspector saw of its case (`id|status|assignee`), so each case gets its own
stale check; the answer is a page listing every selected case with what became of it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import Form, Request
from fastapi.responses import Response

from api.console.auth import FormUser
from api.console.common import console_router
from api.console.pages import render
from api.deps import SessionDep
from markwatch.cases.bulk import MAX_BULK, BulkAction, Outcome, Selected, apply_bulk
from markwatch.errors import InputError

router = console_router()
_MAX_FIELD = 16 + 40 + 200  # id, status and assignee (cases/notes.py MAX_ASSIGNEE)


def parse_selected(values: list[str]) -> list[Selected]:
    """The checked boxes: `id|status|assignee` each (InputError naming `case` for anything else)."""
    selected = []
    for value in values:
        case_id, sep, rest = value.partition("|")
        status, sep2, assignee = rest.partition("|")
        if not (sep and sep2 and case_id.isdigit() and 0 < int(case_id) < 2**62):
            raise InputError(f"{value[:40]!r} is not a selected case", where="case")
        selected.append(Selected(case_id=int(case_id), status=status, assignee=assignee))
    return selected


def _back(query: str) -> str:
    # The queue as it was filtered; only its own query parameters, rebuilt (never a URL from the form).
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k != "select"]
    return "/console/cases" + (f"?{urlencode(pairs)}" if pairs else "")


@router.post("/cases/bulk")
def bulk(
    request: Request,
    session: SessionDep,
    user: FormUser,
    action: Annotated[str, Form(max_length=20)] = "",
    case: Annotated[list[str] | None, Form(max_length=_MAX_FIELD)] = None,
    assignee: Annotated[str, Form(alias="assign_to", max_length=200)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Apply the action to every selected case in turn and show each case's outcome."""
    try:
        chosen = BulkAction(action)
    except ValueError:
        raise InputError(f"unknown bulk action {action!r}", where="action") from None
    selected = parse_selected(case or [])
    if chosen is BulkAction.ASSIGN and not assignee.strip():
        raise InputError("name the inspector to assign the cases to", where="assign_to")
    results = apply_bulk(session, selected, chosen, actor=user.principal.actor, assignee=assignee)
    done = sum(r.outcome in (Outcome.DONE, Outcome.ALREADY) for r in results)
    context = {
        "user": user,
        "csrf_token": user.csrf_token,
        "action": chosen.value,
        "assignee": assignee.strip(),
        "results": results,
        "done": done,
        "refused": len(results) - done,
        "back": _back(back),
        "max_bulk": MAX_BULK,
    }
    return render(request, "bulk.html", context)
