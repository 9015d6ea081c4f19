"""The pipeline: page → claims → facts → findings."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from checker.claimants import Claimant, fill_claimant
from checker.confidence import ReviewPolicy, assess_claim, combine, condition_facts
from checker.extract import PageClaims, extract_page
from checker.extract.models import Claim
from checker.findings import Evidence, Finding, finding_key, finding_subject, subject_text
from checker.registry import RegistryIndex
from checker.rules.durable_engine import DurableEngine, shared_engine
from checker.rules.executor import engine_thread
from checker.rules.facts import ClaimFacts, MatchOptions, enrich, resolve_row_tie
from checker.rules.loader import LoadedRule, RuleSet, load_rules
from checker.rules.plain_engine import PlainEngine
from checker.wording import render, standard_label


class PageResult(BaseModel):
    """The claims of one page and the findings on them."""

    page: PageClaims
    as_of: dt.date
    findings: list[Finding]


@dataclass
class _Group:
    """The claims of one page that fired one rule for one claimant and standard: one finding."""

    loaded: LoadedRule
    key: str
    members: list[tuple[Claim, ClaimFacts]] = field(default_factory=list)


def _evidence(claim: Claim) -> Evidence:
    return Evidence(
        snippet=claim.snippet,
        location=claim.location,
        claim_id=claim.id,
        kind=claim.kind,
        verbatim=claim.verbatim,
        image=claim.image,
    )


def _message(zh: str, en: str, group: _Group) -> str:
    """The rule's message from the first claim's facts, naming any other standard the group holds.

    Title-only claims have no code in their key, so two different titles on one page firing one rule are one
    finding (the case key is unchanged); the message must not hide the second title."""
    first = group.members[0][1]
    others = list(dict.fromkeys(standard_label(f, "zh") for _, f in group.members[1:]))
    others = [label for label in others if label != standard_label(first, "zh")]
    text_zh, text_en = render(zh, first, "zh"), render(en, first, "en")
    if others:
        text_zh += f"（同页另有：{'、'.join(others)}）"
        text_en += f" (also on this page: {', '.join(others)})"
    return f"{text_zh} / {text_en}"


def tested_facts(loaded: LoadedRule) -> frozenset[str]:
    """The facts a rule's condition tests (its findings' confidence depends on how sure those facts are)."""
    return frozenset(condition_facts(loaded.condition))


def make_finding(
    group: _Group, page: PageClaims, options: MatchOptions, policy: ReviewPolicy, tested: frozenset[str]
) -> Finding:
    """One Finding for a rule that fired on one or more claims of a page: the first claim speaks for the
    message, every claim is a location."""
    rule = group.loaded.rule
    claim, facts = group.members[0]
    assessment = combine(
        rule.id,
        [
            assess_claim(
                c,
                f,
                page,
                rule_id=rule.id,
                tested=tested,
                near_miss=options.title_near_miss,
                policy=policy,
            )
            for c, f in group.members
        ],
        policy,
    )
    locations = [_evidence(c) for c, _ in group.members]
    judged = facts.registry_match in ("exact", "title")
    subject = finding_subject(
        {
            "use": c.use,
            "use_confidence": c.use_confidence,
            "claimant": f.claimant,
            "product_name": c.product_name or f.product_name,
        }
        for c, f in group.members
    )
    return Finding(
        rule_id=rule.id,
        rule=rule.slug,
        severity=rule.severity,
        standard_code=facts.standard_code,
        standard_title=facts.standard_title,
        record_id=facts.record_id if judged else None,
        record_code=facts.record_code if judged else None,
        record_match=facts.registry_match,
        title_score=facts.title_score,
        patterns=sorted({c.pattern for c, _ in group.members if c.pattern}),
        claim_id=claim.id,
        claim_ids=[c.id for c, _ in group.members],
        message=_message(rule.message.zh, rule.message.en, group),
        basis=rule.basis_text(),
        remediation=f"{render(rule.remediation.zh, facts, 'zh')} / {render(rule.remediation.en, facts, 'en')}",
        evidence=locations[0],
        locations=locations,
        confidence=assessment.confidence,
        confidence_reasons=list(assessment.reasons),
        finding_key=group.key,
        subject=subject,
        subject_text=subject_text(c.snippet_normalized or c.snippet for c, _ in group.members)
        if subject == "organisation"
        else None,
        standard_key=claim.standard_key,
    )


class Checker:
    """One per process; owns the single engine thread."""

    def __init__(
        self, rules_dir: Path | None = None, engine: Literal["durable", "plain"] = "durable"
    ) -> None:
        self.rules: RuleSet = load_rules(rules_dir)
        self._tested = {loaded.rule.id: tested_facts(loaded) for loaded in self.rules.rules}
        self._thread = engine_thread()
        self._engine: DurableEngine | PlainEngine
        if engine == "durable":
            self._engine = self._thread.call(lambda: shared_engine(self.rules))
        else:
            self._engine = PlainEngine(self.rules)

    @property
    def engine_executor(self) -> ThreadPoolExecutor:
        """The engine thread as an executor: checks run there make their engine calls without a handoff."""
        return self._thread.executor

    def match_facts(self, facts: list[ClaimFacts]) -> list[list[str]]:
        """Rule ids fired per fact, all on the engine thread."""
        return self.match([f.as_fact() for f in facts])

    def match(self, facts: list[dict[str, Any]]) -> list[list[str]]:
        """Rule ids fired per already-dumped fact, all on the engine thread."""
        return self._thread.call(lambda: [self._engine.matches(d) for d in facts])

    def check_claims(
        self,
        page: PageClaims,
        registry: RegistryIndex,
        as_of: dt.date,
        review: ReviewPolicy | None = None,
    ) -> list[Finding]:
        """One finding per (page, claimant, rule, standard) with every claim behind it as a location.

        A page that repeats a claim in its attribute summary, parameter table and description is one thing
        to act on; the groups are exactly the case keys (finding_key), which do not change."""
        options = self.rules.match_options()
        # A row's standard the registry does not know as a 上海标准 is not the claim's: every caller (a sweep, the
        # API, an image check) stores and shows the claims as judged, naming no standard then.
        page.claims = [resolve_row_tie(claim, registry, as_of) for claim in page.claims]
        facts = [enrich(claim, page, registry, as_of, options) for claim in page.claims]
        groups: dict[str, _Group] = {}
        for claim, fact, fired in zip(page.claims, facts, self.match_facts(facts), strict=True):
            for rule_id in fired:
                key = finding_key(page.url, fact.claimant, rule_id, claim.standard_key)
                group = groups.get(key)
                if group is None:
                    group = groups[key] = _Group(self.rules.by_id(rule_id), key)
                group.members.append((claim, fact))
        policy = review or ReviewPolicy()
        return [
            make_finding(group, page, options, policy, self._tested[group.loaded.rule.id])
            for group in groups.values()
        ]

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
        review: ReviewPolicy | None = None,
    ) -> PageResult:
        """Extract and judge one page; as_of defaults to the observation date, then today (UTC).

        `fallback_claimant` names the claimant of claims the page itself ties to nobody (the seller a site
        adapter found in the shop header, the enterprise asking for a self-check). `review` names the rules
        and patterns inspectors' decisions send to review (markwatch.cases.precision.review_policy)."""
        page = extract_page(raw, url=url, declared_charset=declared_charset, observed_at=observed_at)
        if fallback_claimant is not None:
            fill_claimant(page, fallback_claimant)
        day = as_of or (observed_at.date() if observed_at else dt.datetime.now(dt.UTC).date())
        return PageResult(page=page, as_of=day, findings=self.check_claims(page, registry, day, review))

    def close(self) -> None:
        """Nothing to stop: the engine thread and engine are shared by the whole process."""
