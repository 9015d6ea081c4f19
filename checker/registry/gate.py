"""The empty-registry gate: against no designation every designated-style code is "unregistered", so every
claim would become an SHS001 finding no inspector could sign. `markwatch check`, `sweep run`, scheduled
sweeps, `cluster start`, POST /v1/sweeps and the self-checks all refuse through here."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checker.registry.models import Designation
from markwatch.errors import RegistryEmpty

ALLOW_FLAG = "--allow-empty-registry"
# Kept in a sweep's summary when ALLOW_FLAG let it start on an empty registry: its resumes and cluster workers
# carry on under the same allowance, and any other sweep is refused at each start, resume or worker.
ALLOWED_IN_SUMMARY = "allow_empty_registry"


def designation_count(session: Session) -> int:
    """How many designations the session's database holds."""
    return session.scalar(select(func.count()).select_from(Designation)) or 0


def database_name(session: Session) -> str:
    """The session's database URL as shown to people (password hidden)."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def refuse_empty_registry(designations: int, database: str | None = None) -> None:
    """RegistryEmpty when `designations` is 0, naming the database (when known) and how to fill it (QA #6);
    ALLOW_FLAG says an empty registry is meant."""
    if designations:
        return
    where = f"the registry in {database}" if database else "the registry"
    raise RegistryEmpty(
        f"{where} holds no designations, so every claimed standard would be judged unregistered (SHS001): "
        "import the published list first (markwatch registry import FILE, or markwatch sweep sync-registry "
        f"URL), point --db at the database that holds it, or pass {ALLOW_FLAG} if an empty registry is meant",
        detail="the designation registry is empty, so no claim can be checked: an operator must import it "
        "first (markwatch registry import FILE)",
    )


def require_registry(session: Session, *, allow_empty: bool = False) -> int:
    """The number of designations in the session's database; RegistryEmpty when there is none, unless
    `allow_empty` (then the caller warns)."""
    count = designation_count(session)
    if not allow_empty:
        refuse_empty_registry(count, database_name(session))
    return count


def allowed_by_summary(summary: dict[str, object] | None) -> bool:
    """Whether a sweep (its summary) was started with ALLOW_FLAG on an empty registry."""
    return bool((summary or {}).get(ALLOWED_IN_SUMMARY))
