"""Report formats for check results: a text table, JSON markwatch.check.v1, SARIF 2.1.0."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from checker.check import PageResult
from checker.rules.loader import RuleSet

SCHEMA = "markwatch.check.v1"
_SARIF_LEVEL = {"high": "error", "medium": "warning", "low": "note"}


@dataclass(frozen=True)
class TargetResult:
    """One checked target (file, URL or stdin) and its result."""

    target: str
    result: PageResult


def to_json(results: list[TargetResult], as_of: dt.date | None) -> dict[str, Any]:
    """The documented, stable JSON document (schema markwatch.check.v1)."""
    day = as_of or (results[0].result.as_of if results else dt.date.today())
    return {
        "schema": SCHEMA,
        "as_of": day.isoformat(),
        "results": [
            {
                "target": item.target,
                "claims": [
                    {
                        "id": c.id,
                        "kind": c.kind,
                        "text": c.text,
                        "standard_code": c.standard_code,
                        "standard_title": c.standard_title,
                        "claimant": c.claimant,
                        "location": c.location,
                    }
                    for c in item.result.page.claims
                ],
                # Parts of the page the extractor could not read: never the same as "no claim found".
                "warnings": [w.model_dump() for w in item.result.page.warnings],
                "findings": [
                    f.model_dump(
                        include={
                            "rule_id": True,
                            "rule": True,
                            "severity": True,
                            "standard_code": True,
                            "claim_id": True,
                            "message": True,
                            "basis": True,
                            "remediation": True,
                            "evidence": {"snippet", "location"},
                        }
                    )
                    for f in item.result.findings
                ],
            }
            for item in results
        ],
    }


def to_text(results: list[TargetResult]) -> str:
    """A readable terminal table: one line per finding, then a summary."""
    rows = [("TARGET", "CLAIM", "RULE", "SEVERITY", "STANDARD", "MESSAGE")]
    claims = 0
    for item in results:
        claims += len(item.result.page.claims)
        for f in item.result.findings:
            rows.append(
                (
                    item.target,
                    f.claim_id,
                    f"{f.rule_id} {f.rule}",
                    f.severity,
                    f.standard_code or "-",
                    f.message.split(" / ")[0],
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(widths[i]) if i < 5 else cell for i, cell in enumerate(row)) for row in rows
    ]
    findings = len(rows) - 1
    summary = f"{len(results)} target(s), {claims} claim(s), {findings} finding(s)"
    unread = page_warning_lines(results)
    if unread:
        summary += f", {sum(1 for r in results if r.result.page.warnings)} page(s) not read whole"
    return "\n".join([*lines, *unread, summary] if findings else [*unread, summary])


def page_warning_lines(results: list[TargetResult]) -> list[str]:
    """One line per page warning: what part of which page could not be read, and why."""
    return [
        f"warning: {item.target}: [{w.code}] {w.message}"
        for item in results
        for w in item.result.page.warnings
    ]


def to_sarif(results: list[TargetResult], rules: RuleSet) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run and the rule catalogue as the driver's rules."""
    ids = [r.rule.id for r in rules.rules]
    driver = {
        "name": "markwatch",
        "informationUri": "https://github.com/markwatch/markwatch",
        "rules": [
            {
                "id": r.rule.id,
                "name": r.rule.slug,
                "shortDescription": {"text": r.rule.title.en},
                "fullDescription": {"text": r.rule.title.zh},
                "help": {"text": f"{r.rule.remediation.en} Basis: {r.rule.basis_text()}"},
                "defaultConfiguration": {"level": _SARIF_LEVEL[r.rule.severity]},
            }
            for r in rules.rules
        ],
    }
    sarif_results = [
        {
            "ruleId": f.rule_id,
            "ruleIndex": ids.index(f.rule_id),
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    # No region: the extractor gives a CSS path, not the line/offset a SARIF region requires.
                    "physicalLocation": {"artifactLocation": {"uri": item.target}},
                    "logicalLocations": [{"fullyQualifiedName": f.evidence.location or f.claim_id}],
                }
            ],
            "partialFingerprints": {"markwatchFindingKey/v1": f.finding_key},
            "properties": {
                "claimId": f.claim_id,
                "snippet": f.evidence.snippet,
                "standardCode": f.standard_code,
                "basis": f.basis,
            },
        }
        for item in results
        for f in item.result.findings
    ]
    # Page warnings are notifications about the tool's run, not results: a page that could not be read whole.
    notifications = [
        {
            "level": "warning",
            "descriptor": {"id": w.code},
            "message": {"text": w.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": item.target}}}],
        }
        for item in results
        for w in item.result.page.warnings
    ]
    invocation = {"executionSuccessful": True, "toolExecutionNotifications": notifications}
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "invocations": [invocation], "results": sarif_results}],
    }


def dumps(document: dict[str, Any]) -> str:
    """JSON text, UTF-8 kept readable."""
    return json.dumps(document, ensure_ascii=False, indent=2)
