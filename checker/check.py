"""The pipeline: page → claims → facts → findings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from checker.claimants import Claimant, fill_claimant
from checker.extract import PageClaims, extract_page
from checker.findings import Evidence, Finding, finding_key
from checker.registry import RegistryIndex
from checker.rules.durable_engine import DurableEngine, shared_engine
from checker.rules.executor import engine_thread
from checker.rules.facts import ClaimFacts, enrich
from checker.rules.loader import LoadedRule, RuleSet, load_rules
from checker.rules.plain_engine import PlainEngine


class PageResult(BaseModel):
    """The claims of one page and the findings on them."""

    page: PageClaims
    as_of: dt.date
    findings: list[Finding]


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def render(template: str, facts: ClaimFacts) -> str:
    """A message with {placeholders} filled from facts; an unknown value shows as '?'."""
    return template.format_map(_Missing(facts.as_fact()))


def make_finding(
    loaded: LoadedRule,
    facts: ClaimFacts,
    claim_id: str,
    page: PageClaims,
    snippet: str,
    location: str,
    standard_key: str | None,
) -> Finding:
    """A Finding for one rule that fired on one claim."""
    rule = loaded.rule
    return Finding(
        rule_id=rule.id,
        rule=rule.slug,
        severity=rule.severity,
        standard_code=facts.standard_code,
        claim_id=claim_id,
        message=f"{render(rule.message.zh, facts)} / {render(rule.message.en, facts)}",
        basis=rule.basis_text(),
        remediation=f"{render(rule.remediation.zh, facts)} / {render(rule.remediation.en, facts)}",
        evidence=Evidence(snippet=snippet, location=location, claim_id=claim_id),
        claim_ids=[claim_id],
        locations=[Evidence(snippet=snippet, location=location, claim_id=claim_id)],
        finding_key=finding_key(page.url, facts.claimant, rule.id, standard_key),
    )


class Checker:
    """One per process; owns the single engine thread."""

    def __init__(
        self, rules_dir: Path | None = None, engine: Literal["durable", "plain"] = "durable"
    ) -> None:
        self.rules: RuleSet = load_rules(rules_dir)
        self._thread = engine_thread()
        self._engine: DurableEngine | PlainEngine
        if engine == "durable":
            self._engine = self._thread.call(lambda: shared_engine(self.rules))
        else:
            self._engine = PlainEngine(self.rules)

    def match_facts(self, facts: list[ClaimFacts]) -> list[list[str]]:
        """Rule ids fired per fact, all on the engine thread."""
        return self.match([f.as_fact() for f in facts])

    def match(self, facts: list[dict[str, Any]]) -> list[list[str]]:
        """Rule ids fired per already-dumped fact, all on the engine thread."""
        return self._thread.call(lambda: [self._engine.matches(d) for d in facts])

    def check_claims(self, page: PageClaims, registry: RegistryIndex, as_of: dt.date) -> list[Finding]:
        """Findings for every claim of an extracted page."""
        facts = [enrich(claim, page, registry, as_of) for claim in page.claims]
        findings: list[Finding] = []
        for claim, fact, fired in zip(page.claims, facts, self.match_facts(facts), strict=True):
            for rule_id in fired:
                findings.append(
                    make_finding(
                        self.rules.by_id(rule_id),
                        fact,
                        claim.id,
                        page,
                        claim.snippet,
                        claim.location,
                        claim.standard_key,
                    )
                )
        return findings

    def check_page(
        self,
        raw: bytes,
        *,
        url: str | None,
        declared_charset: str | None,
        observed_at: dt.datetime | None,
        registry: RegistryIndex,
        as_of: dt.date | None = None,
        fallback_claimant: Claimant | None = None,
    ) -> PageResult:
        """Extract and judge one page; as_of defaults to the observation date, then today (UTC).

        `fallback_claimant` names the claimant of claims the page itself ties to nobody (the seller a site
        adapter found in the shop header, the enterprise asking for a self-check)."""
        page = extract_page(raw, url=url, declared_charset=declared_charset, observed_at=observed_at)
        if fallback_claimant is not None:
            fill_claimant(page, fallback_claimant)
        day = as_of or (observed_at.date() if observed_at else dt.datetime.now(dt.UTC).date())
        return PageResult(page=page, as_of=day, findings=self.check_claims(page, registry, day))

    def close(self) -> None:
        """Nothing to stop: the engine thread and engine are shared by the whole process."""
