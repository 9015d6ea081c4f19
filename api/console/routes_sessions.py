"""Admins see who is signed in to the console and can end any session at once."""

from __future__ import annotations

from fastapi import Request, status
from fastapi.responses import RedirectResponse, Response

from api.console.auth import ConsoleUser, CurrentUser, FormUser
from api.console.common import console_router
from api.console.errors import ConsoleForbidden
from api.console.pages import render, with_headers
from api.deps import SessionDep
from api.schemas.common import IdPath
from markwatch.cases.audit import append_event
from markwatch.cases.models import ApiKey
from markwatch.cases.sessions import ConsoleSessionRecord, end_session, list_sessions
from markwatch.db import utcnow
from markwatch.errors import NotFoundError

router = console_router()


def _admin(user: ConsoleUser) -> None:
    if not user.is_admin:
        raise ConsoleForbidden("only an admin may see and end console sessions")


@router.get("/sessions")
def sessions_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Active sessions (and, with ?all=1, ended ones): who, since when, last seen, from where."""
    _admin(user)
    include_ended = request.query_params.get("all") == "1"
    context = {
        "user": user,
        "csrf_token": user.csrf_token,
        "rows": list_sessions(session, include_ended=include_ended),
        "include_ended": include_ended,
        "now": utcnow(),
        "done": request.query_params.get("done") == "revoked",
    }
    return render(request, "sessions.html", context)


@router.post("/sessions/{session_id}/revoke")
def revoke_session(request: Request, session_id: IdPath, session: SessionDep, user: FormUser) -> Response:
    """End a session now; the audit chain records who ended whose session."""
    _admin(user)
    record = session.get(ConsoleSessionRecord, session_id)
    if record is None:
        raise NotFoundError(f"no console session {session_id}")
    key = session.get(ApiKey, record.api_key_id)
    if record.revoked_at is None:
        end_session(record, by=user.principal.actor)
        append_event(
            session,
            case_id=None,
            kind="session_revoked",
            actor=user.principal.actor,
            payload={"session_id": record.id, "key_name": key.name if key else None},
        )
        session.commit()
    response = RedirectResponse("/console/sessions?done=revoked", status_code=status.HTTP_303_SEE_OTHER)
    return with_headers(response, request)
