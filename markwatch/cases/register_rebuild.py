"""Rebuilding the notice number register from the audit chain, only from a chain that verifies.

The register (notice_numbers) is derived from the chain; a restore can lose it or leave it behind the chain,
and the next notice would then take a number already issued. Rebuilding it trusts the chain's notice entries,
so it is refused when the chain itself does not verify (an edited, removed or reordered entry; a truncated or
rewritten chain against the signed checkpoints): numbers read from a tampered chain would be made official.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from markwatch.cases import notice_numbers
from markwatch.cases.audit import serialise_case_writes
from markwatch.cases.checkpoints import AuditKey, AuditReport, SignedHead, verify_audit
from markwatch.errors import ConflictError


class ChainUnverified(ConflictError):
    """The audit chain does not verify, so nothing can be derived from it."""

    def __init__(self, report: AuditReport) -> None:
        reasons = [*([str(report.broken)] if report.broken else []), *report.problems]
        super().__init__(
            "the audit chain does not verify, so the notice number register is not rebuilt from it "
            "(nothing was written): " + "; ".join(reasons)
        )
        self.report = report


def rebuild_notice_register(
    session: Session, key: AuditKey | None, extra: Iterable[SignedHead] = ()
) -> tuple[AuditReport, notice_numbers.Comparison]:
    """Verify the chain (links, hashes and, with a key, the checkpoints in the database and `extra`), then add
    to the register what the chain issued and it lacks, in this transaction (flushed, not committed), all under
    the case-write lock so no entry is appended between the check and the rebuild."""
    serialise_case_writes(session)
    report = verify_audit(session, key, extra, states=False)
    if not report.ok:
        raise ChainUnverified(report)
    return report, notice_numbers.rebuild(session)
