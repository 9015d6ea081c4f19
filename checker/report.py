"""Report formats for check results: a text table, JSON markwatch.check.v2 (v1 kept), SARIF 2.1.0, --explain.

Crawled text is hostile: the text formats escape control and bidi-override characters, so a snippet can
never move the cursor, recolour the terminal or reorder what an inspector reads."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.check import PageResult
from checker.confidence import describe
from checker.findings import Evidence, Finding
from checker.rules.loader import RuleSet

SCHEMA = "markwatch.check.v2"
SCHEMA_V1 = "markwatch.check.v1"
# The JSON Schema of SCHEMA, shipped with the package so consumers can validate what they read.
SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "check-v2.schema.json"
_SARIF_LEVEL = {"high": "error", "medium": "warning", "low": "note"}
_SNIPPET_CHARS = 100


@dataclass(frozen=True)
class TargetResult:
    """One checked target (file, URL or stdin) and its result."""

    target: str
    result: PageResult


def _day(results: list[TargetResult], as_of: dt.date | None) -> str:
    return (as_of or (results[0].result.as_of if results else dt.date.today())).isoformat()


def standard_text(finding: Finding) -> str:
    """The standard as a reader should see it: code, else 《title》 (with the record its title matched)."""
    if finding.standard_code:
        return finding.standard_code
    if finding.standard_title:
        title = f"《{finding.standard_title}》"
        if finding.record_match == "title" and finding.record_code:
            return f"{title} → {finding.record_code}"
        return title
    return "(none disclosed)"


# ---- JSON v2 -------------------------------------------------------------------------------------------

_CLAIM_FIELDS = (
    "id",
    "kind",
    "text",
    "verbatim",
    "pattern",
    "use",
    "use_signals",
    "use_confidence",
    "standard_code",
    "standard_title",
    "tie",
    "claimant",
    "product_name",
    "location",
    "image",
    "hidden",
    "hidden_inside",
)
_FINDING_FIELDS = (
    "finding_key",
    "rule_id",
    "rule",
    "severity",
    "confidence",
    "confidence_reasons",
    "standard_code",
    "standard_title",
    "record_id",
    "record_code",
    "record_match",
    "title_score",
    "claim_ids",
    "patterns",
    "message",
    "basis",
    "remediation",
)
_LOCATION_FIELDS = {"claim_id", "kind", "snippet", "verbatim", "location", "image"}


def finding_v2(finding: Finding) -> dict[str, Any]:
    """One finding as markwatch.check.v2 writes it: every location, confidence and the record judged."""
    data = finding.model_dump(mode="json", include=set(_FINDING_FIELDS))
    data = {name: data[name] for name in _FINDING_FIELDS}
    data["locations"] = [item.model_dump(mode="json", include=_LOCATION_FIELDS) for item in finding.locations]
    return data


def to_json(results: list[TargetResult], as_of: dt.date | None) -> dict[str, Any]:
    """The documented JSON document, schema markwatch.check.v2 (SCHEMA_FILE)."""
    out = []
    for item in results:
        page = item.result.page
        out.append(
            {
                "target": item.target,
                "url": page.url,
                "encoding": page.encoding,
                "extractor_version": page.extractor_version,
                "page_kind": page.page_kind,
                "page_signals": list(page.page_signals),
                "warnings": [w.model_dump(mode="json") for w in page.warnings],
                "claims": [c.model_dump(mode="json", include=set(_CLAIM_FIELDS)) for c in page.claims],
                "occurrences": [
                    o.model_dump(
                        mode="json", include={"text", "verbatim", "use", "signals", "claim_id", "location"}
                    )
                    for o in page.occurrences
                ],
                "findings": [finding_v2(f) for f in item.result.findings],
            }
        )
    return {"schema": SCHEMA, "as_of": _day(results, as_of), "results": out}


def to_json_v1(results: list[TargetResult], as_of: dt.date | None) -> dict[str, Any]:
    """The previous document, schema markwatch.check.v1, for consumers not yet moved to v2 (deprecated).

    Its findings are the v2 findings (one per thing to act on) with only their first location as evidence."""
    return {
        "schema": SCHEMA_V1,
        "as_of": _day(results, as_of),
        "results": [
            {
                "target": item.target,
                "claims": [
                    c.model_dump(
                        include={
                            "id",
                            "kind",
                            "text",
                            "standard_code",
                            "standard_title",
                            "claimant",
                            "location",
                        }
                    )
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


# ---- text ----------------------------------------------------------------------------------------------


def safe(text: str | None, limit: int | None = None) -> str:
    """Page text made harmless for a terminal: control and format characters shown as escapes."""
    if not text:
        return ""
    out = []
    for char in text:
        if char in "\n\t":
            out.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co"):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    clean = "".join(out)
    return clean if limit is None or len(clean) <= limit else clean[: limit - 1] + "…"


def _where(item: Evidence) -> str:
    return f"{item.claim_id or '-'} {safe(item.location) or '(no location)'}: {safe(item.snippet, _SNIPPET_CHARS)}"


def to_text(results: list[TargetResult]) -> str:
    """A readable terminal table: one line per finding with its locations beneath, then a summary."""
    rows = [("TARGET", "CLAIMS", "RULE", "SEVERITY", "CONFIDENCE", "STANDARD", "MESSAGE")]
    below: dict[int, list[str]] = {}
    claims = review = 0
    for item in results:
        claims += len(item.result.page.claims)
        for f in item.result.findings:
            review += f.confidence == "review"
            rows.append(
                (
                    safe(item.target),
                    ",".join(f.claim_ids or [f.claim_id]),
                    f"{f.rule_id} {f.rule}",
                    f.severity,
                    f.confidence,
                    safe(standard_text(f)),
                    f.message.split(" / ")[0],
                )
            )
            below[len(rows) - 1] = [f"    at {_where(loc)}" for loc in f.locations or [f.evidence]]
    last = len(rows[0]) - 1
    widths = [max(len(r[i]) for r in rows) for i in range(last)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) if i < last else cell for i, cell in enumerate(row)))
        lines.extend(below.get(index, []))
    findings = len(rows) - 1
    summary = f"{len(results)} target(s), {claims} claim(s), {findings} finding(s)"
    if review:
        summary += f", {review} to review"
    unread = page_warning_lines(results)
    if unread:
        summary += f", {sum(1 for r in results if r.result.page.warnings)} page(s) not read whole"
    return "\n".join([*lines, *unread, summary] if findings else [*unread, summary])


def page_warning_lines(results: list[TargetResult]) -> list[str]:
    """One line per page warning: what part of which page could not be read, and why."""
    return [
        f"warning: {safe(item.target)}: [{w.code}] {safe(w.message)}"
        for item in results
        for w in item.result.page.warnings
    ]


def to_explain(results: list[TargetResult]) -> str:
    """Why each occurrence was or was not judged, and why each finding has its confidence (check --explain)."""
    lines: list[str] = []
    for item in results:
        page = item.result.page
        lines.append(f"== {safe(item.target)}")
        signals = ", ".join(page.page_signals) or "no signals"
        lines.append(f"page: {page.page_kind or 'not classified'} ({safe(signals)})")
        for warning in page.warnings:
            lines.append(f"warning: {warning.code}: {safe(warning.message)}")
        for note in page.notes:
            lines.append(f"note: {safe(note)}")
        claims = {c.id: c for c in page.claims}
        explained: set[str] = set()
        lines.append(f"occurrences: {len(page.occurrences)}")
        for number, occ in enumerate(page.occurrences, start=1):
            how = ", ".join(occ.signals) or "no signals"
            if occ.claim_id is not None and occ.use != "discussion":
                explained.add(occ.claim_id)
                verdict = f"judged as {occ.use} claim {occ.claim_id}"
            elif occ.use == "discussion":
                verdict = "not judged: discussion of the scheme, not a use of the designation"
            else:
                verdict = f"not judged: classified {occ.use} but no claim was made of it"
            text = safe(occ.verbatim or occ.text, 40)
            lines.append(
                f"  {number}. “{text}” at {safe(occ.location) or '-'}: {verdict}; because: {safe(how)}"
            )
        for claim in page.claims:
            if claim.id in explained:
                continue
            # An extractor that records no occurrences still says how each claim was classified.
            how = ", ".join(claim.use_signals) or "no signals"
            lines.append(
                f"  claim {claim.id} “{safe(claim.verbatim or claim.text, 40)}” at {safe(claim.location) or '-'}: "
                f"judged as {claim.use} claim ({claim.use_confidence}); because: {safe(how)}"
            )
        if not page.claims and not page.occurrences:
            lines.append("  no occurrence of the words or mark: nothing to judge")
        by_claim: dict[str, list[str]] = {cid: [] for cid in claims}
        for f in item.result.findings:
            for cid in f.claim_ids:
                by_claim.setdefault(cid, []).append(f.rule_id)
        quiet = [cid for cid, fired in by_claim.items() if not fired]
        if quiet:
            lines.append(f"claims judged without a finding: {', '.join(quiet)}")
        lines.append(f"findings: {len(item.result.findings)}")
        for f in item.result.findings:
            lines.append(
                f"  {f.rule_id} {f.rule} [{f.severity}] {safe(standard_text(f))}: "
                f"{f.confidence}, {len(f.locations)} location(s) ({', '.join(f.claim_ids)})"
            )
            for text in f.confidence_reasons:
                lines.append(f"      - {safe(describe(text))}")
    return "\n".join(lines)


# ---- SARIF ---------------------------------------------------------------------------------------------


def _sarif_location(target: str, index: int, item: Evidence) -> dict[str, Any]:
    location: dict[str, Any] = {
        "id": index,
        # No region: the extractor gives a CSS path, not the line/offset a SARIF region requires.
        "physicalLocation": {"artifactLocation": {"uri": target}},
        "logicalLocations": [{"fullyQualifiedName": item.location or item.claim_id or "", "kind": "element"}],
        "message": {"text": item.snippet or item.verbatim or ""},
        "properties": {"claimId": item.claim_id, "kind": item.kind, "verbatim": item.verbatim},
    }
    if item.image is not None:
        location["properties"]["image"] = item.image.model_dump(mode="json")
    return location


def _sarif_result(target: str, f: Finding, ids: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": ids.index(f.rule_id),
        "message": {"text": f.message},
        "locations": [_sarif_location(target, i, loc) for i, loc in enumerate(f.locations or [f.evidence])],
        "partialFingerprints": {"markwatchFindingKey/v1": f.finding_key},
        "properties": {
            "claimId": f.claim_id,
            "claimIds": f.claim_ids,
            "snippet": f.evidence.snippet,
            "standardCode": f.standard_code,
            "standardTitle": f.standard_title,
            "recordCode": f.record_code,
            "recordMatch": f.record_match,
            "titleScore": f.title_score,
            "basis": f.basis,
            "severity": f.severity,
            "confidence": f.confidence,
            "confidenceReasons": f.confidence_reasons,
        },
    }
    if f.confidence == "review":
        # SARIF's own word for "a human must decide"; the spec then requires level "none" (§3.27.10).
        result["kind"], result["level"] = "review", "none"
    else:
        result["kind"], result["level"] = "fail", _SARIF_LEVEL[f.severity]
    return result


def to_sarif(results: list[TargetResult], rules: RuleSet) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run, the rule catalogue as the driver's rules, every location per result."""
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
    sarif_results = [_sarif_result(item.target, f, ids) for item in results for f in item.result.findings]
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
