"""The seam between crawling and checking: a PageChecker turns one snapshot into claims and findings."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from markwatch.errors import ExecutionError

CHECKER_ENV = "MARKWATCH_CHECKER"
DEFAULT_CHECKER = "sweeps.checking:registry_checker"


@dataclass(frozen=True)
class FindingRecord:
    """What the findings table needs from one checker finding."""

    finding_key: str
    rule_id: str
    severity: str
    standard_code: str | None
    message: str
    claim: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    claimant: str | None = None


@dataclass(frozen=True)
class CheckOutcome:
    """Claims found on a page and the findings they raised."""

    claims: int
    findings: list[FindingRecord]
    # PageWarning dumps ({code, message}): parts of the page the extractor could not read.
    warnings: list[dict[str, str]] = field(default_factory=list)


class PageChecker(Protocol):
    """Anything that checks one fetched page."""

    def check(
        self,
        raw: bytes,
        *,
        url: str,
        declared_charset: str | None,
        observed_at: dt.datetime,
        seller: str | None = None,
    ) -> CheckOutcome: ...


class RegistryChecker:
    """checker.check.Checker against the registry as loaded at sweep start."""

    def __init__(self, checker: Any, registry: Any) -> None:
        self.checker = checker
        self.registry = registry

    def check(
        self,
        raw: bytes,
        *,
        url: str,
        declared_charset: str | None,
        observed_at: dt.datetime,
        seller: str | None = None,
    ) -> CheckOutcome:
        # Imported here: the sweep's page writer loads the checker on its own thread while the crawl starts.
        from checker.claimants import Claimant

        result = self.checker.check_page(
            raw,
            url=url,
            declared_charset=declared_charset,
            observed_at=observed_at,
            registry=self.registry,
            fallback_claimant=Claimant(seller, "adapter:seller") if seller else None,
        )
        return outcome_of(result)


def outcome_of(result: Any) -> CheckOutcome:
    """A checker.check.PageResult as the findings table needs it (also used for pages checked with their
    images, sweeps/images/stage.py)."""
    claims = {claim.id: claim for claim in _claims_of(result)}
    page = getattr(result, "page", None)
    # How the quotes were read: the console shows the archived bytes decoded the same way, whatever a later
    # extractor version would make of them.
    reading = (
        {"decoded_as": page.encoding, "extractor_version": page.extractor_version}
        if page is not None and page.encoding
        else {}
    )
    records = []
    for finding in result.findings:
        claim = claims.get(finding.claim_id)
        evidence = finding.evidence
        records.append(
            FindingRecord(
                finding_key=finding.finding_key,
                rule_id=finding.rule_id,
                severity=str(finding.severity),
                standard_code=finding.standard_code,
                message=finding.message,
                claim=claim.model_dump(mode="json") if claim is not None else {},
                # Every location, the confidence and the record judged travel with the stored finding.
                evidence={
                    **(finding.stored_evidence() if hasattr(finding, "stored_evidence") else dict(evidence)),
                    **reading,
                },
                claimant=getattr(claim, "claimant", None),
            )
        )
    warnings = [w.model_dump() for w in page.warnings] if page is not None else []
    return CheckOutcome(claims=len(claims), findings=records, warnings=warnings)


def _claims_of(result: Any) -> list[Any]:
    page = getattr(result, "page", None)
    return list(page.claims if page is not None else result.claims)


def registry_checker(db_url: str) -> PageChecker:
    """The production checker: rules over the registry snapshot taken now."""
    try:
        from checker.check import Checker
        from checker.registry import RegistryIndex
    except ImportError as exc:
        raise ExecutionError(f"the checker is not available ({exc}); cannot run a sweep") from exc
    from markwatch.db import session_scope

    with session_scope(db_url) as session:
        registry = RegistryIndex.load(session)
    return RegistryChecker(Checker(), registry)


def load_checker(db_url: str) -> PageChecker:
    """The checker named by MARKWATCH_CHECKER ("module:function"), the registry checker by default."""
    spec = os.environ.get(CHECKER_ENV, DEFAULT_CHECKER)
    module_name, _, attribute = spec.partition(":")
    factory = getattr(importlib.import_module(module_name), attribute)
    checker: PageChecker = factory(db_url)
    return checker
