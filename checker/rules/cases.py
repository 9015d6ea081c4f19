"""Run the `<rule>.test.yaml` cases beside each rule: `violation:` must fire the rule, `ok:` must not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from checker.codes import code_key, parse_code
from checker.extract import extract_page
from checker.registry import DesignationRecord, Holder, RegistryIndex
from checker.registry.schema import DesignationIn
from checker.rules.facts import ClaimFacts, MatchOptions, enrich
from checker.rules.loader import LoadedRule
from checker.rules.plain_engine import evaluate
from markwatch.errors import RuleFileError


@dataclass(frozen=True)
class CaseResult:
    """One case of one rule and whether it behaved as expected."""

    rule_id: str
    kind: str  # "violation" or "ok"
    name: str
    passed: bool


def case_file(loaded: LoadedRule) -> Path:
    """The test file beside a rule file."""
    return loaded.path.with_name(f"{loaded.path.stem}.test.yaml")


def load_cases(loaded: LoadedRule) -> dict[str, list[dict[str, Any]]]:
    """The violation/ok cases of a rule; a missing file or an empty side is an error."""
    path = case_file(loaded)
    if not path.exists():
        raise RuleFileError("rule has no test file", source=str(path))
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or set(data) != {"violation", "ok"}:
        raise RuleFileError("expected exactly the keys violation and ok", source=str(path))
    for kind in ("violation", "ok"):
        if not data[kind]:
            raise RuleFileError(f"no {kind} cases", source=str(path), where=kind)
    return data


def record_from_case(data: dict[str, Any], number: int) -> DesignationRecord:
    """A registry record written inside a case, validated like an import record."""
    record = DesignationIn.model_validate(data)
    parsed = parse_code(record.code)
    return DesignationRecord(
        id=number,
        code=record.code,
        code_key=code_key(record.code),
        number_key=parsed.number_key,
        year=parsed.year,
        title=record.title,
        type=record.type,
        holders=tuple(
            Holder(h.name, h.uscc, tuple(h.english_names), tuple(h.former_names)) for h in record.holders
        ),
        designated_on=record.designated_on,
        valid_until=record.valid_until,
        revoked_on=record.revoked_on,
        abolished_on=record.abolished_on,
        pool_entered_on=record.pool_entered_on,
        scope=tuple(record.scope),
        source=record.source,
        note=record.note,
    )


def case_facts(case: dict[str, Any], options: MatchOptions | None = None) -> list[ClaimFacts]:
    """The facts a case stands for: given directly, or extracted from `html` against `registry` as of `as_of`
    (claims tied to records as `options` say: the ruleset's RuleSet.match_options())."""
    if "facts" in case:
        return [ClaimFacts.model_validate(case["facts"])]
    registry = RegistryIndex.from_records(
        record_from_case(r, i) for i, r in enumerate(case.get("registry") or [], start=1)
    )
    day = case["as_of"] if isinstance(case["as_of"], dt.date) else dt.date.fromisoformat(case["as_of"])
    page = extract_page(case["html"].encode("utf-8"), url=case.get("url"))
    return [enrich(claim, page, registry, day, options) for claim in page.claims]


def run_cases(loaded: LoadedRule, options: MatchOptions | None = None) -> list[CaseResult]:
    """Every case of a rule, judged by the plain evaluator (the oracle); `options` as for case_facts.

    A violation case passes when some claim of it fires the rule; an ok case when none does.
    """
    results = []
    for kind, cases in load_cases(loaded).items():
        for i, case in enumerate(cases):
            try:
                facts = case_facts(case, options)
            except Exception as exc:
                raise RuleFileError(str(exc), source=str(case_file(loaded)), where=f"{kind}[{i}]") from exc
            fired = any(evaluate(loaded.condition, f.as_fact()) for f in facts)
            name = case.get("name", f"{kind}[{i}]")
            passed = fired == (kind == "violation") and (kind == "ok" or bool(facts))
            results.append(CaseResult(loaded.rule.id, kind, name, passed))
    return results
