"""Load rules/*.yaml strictly: any invalid rule refuses the whole ruleset with file and path named."""

from __future__ import annotations

import hashlib
import json
import os
import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from checker.rules.facts import ClaimFacts, MatchOptions
from checker.rules.schema import ConditionError, Rule, check_condition
from checker.wording import DERIVED
from markwatch.errors import RuleFileError

# The rule whose parameters say when a title names a registered standard (title_match_min, title_near_miss).
TITLE_RULE = "SHS001"
DEFAULT_RULES_DIR = Path(__file__).resolve().parents[2] / "rules"


@dataclass(frozen=True)
class LoadedRule:
    """A validated rule with its parameters compiled into `condition`."""

    rule: Rule
    condition: dict[str, Any]
    path: Path


@dataclass(frozen=True)
class RuleSet:
    """Every rule of one directory, in id order, with a content hash naming it in the engine."""

    rules: tuple[LoadedRule, ...]
    digest: str

    def by_id(self, rule_id: str) -> LoadedRule:
        """The rule with this id."""
        for loaded in self.rules:
            if loaded.rule.id == rule_id:
                return loaded
        raise KeyError(rule_id)

    def param(self, rule_id: str, name: str) -> object | None:
        """A rule's parameter, or None when the rule or the parameter is not there."""
        for loaded in self.rules:
            if loaded.rule.id == rule_id:
                return loaded.rule.params.get(name)
        return None

    def match_options(self) -> MatchOptions:
        """How claims are tied to registry records, from SHS001's parameters (see rules/SHS001-*.yaml)."""
        for loaded in self.rules:
            if loaded.rule.id == TITLE_RULE:
                return MatchOptions.from_params(loaded.rule.params)
        return MatchOptions()


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def with_uses(condition: dict[str, Any], uses: Sequence[str]) -> dict[str, Any]:
    """The condition restricted to claims of the given uses (`applies_to`), as one more checked leaf.

    Added here, before compilation, so the plain evaluator and the durable engine read the same condition."""
    return {"all": [check_condition({"fact": "use", "in": list(uses)}, {}, "applies_to"), condition]}


def load_rule_file(path: Path) -> LoadedRule:
    """One rule file, validated; RuleFileError names the file and the path inside it."""
    source = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleFileError(f"cannot read: {exc}", source=source) from exc
    if not isinstance(data, dict):
        raise RuleFileError("a rule file must be a mapping", source=source)
    try:
        rule = Rule.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(root)"
        raise RuleFileError(first["msg"], source=source, where=where) from exc
    if not path.stem.startswith(f"{rule.id}-") or path.stem != f"{rule.id}-{rule.slug}":
        raise RuleFileError(f"file name must be {rule.id}-{rule.slug}.yaml", source=source, where="id")
    try:
        condition = with_uses(check_condition(rule.when, rule.params), rule.applies_to)
    except ConditionError as exc:
        raise RuleFileError(str(exc).split(": ", 1)[1], source=source, where=exc.path) from exc
    known = set(ClaimFacts.model_fields) | set(DERIVED)
    for field in ("message", "remediation"):
        for lang in ("zh", "en"):
            unknown = _placeholders(getattr(getattr(rule, field), lang)) - known
            if unknown:
                raise RuleFileError(
                    f"unknown placeholder(s) {sorted(unknown)}", source=source, where=f"{field}.{lang}"
                )
    return LoadedRule(rule=rule, condition=condition, path=path)


def rule_files(directory: Path) -> list[Path]:
    """Rule files in `directory` (test files beside them excluded)."""
    return sorted(p for p in directory.glob("SHS*.yaml") if not p.name.endswith(".test.yaml"))


def load_rules(directory: Path | None = None) -> RuleSet:
    """Every rule in `directory` (default: MARKWATCH_RULES_DIR, else the project's rules/); duplicates and
    empty sets refused."""
    # The rules are the project's data, kept at the repository root beside the code that reads them;
    # a deployment that keeps its own reviewed copy points MARKWATCH_RULES_DIR at it.
    directory = directory or Path(os.environ.get("MARKWATCH_RULES_DIR") or DEFAULT_RULES_DIR)
    loaded = [load_rule_file(path) for path in rule_files(directory)]
    if not loaded:
        raise RuleFileError("no rule files (SHS*.yaml)", source=str(directory))
    seen: dict[str, Path] = {}
    for item in loaded:
        if item.rule.id in seen:
            raise RuleFileError(
                f"duplicate id, also in {seen[item.rule.id]}", source=str(item.path), where="id"
            )
        seen[item.rule.id] = item.path
    loaded.sort(key=lambda item: item.rule.id)
    payload = json.dumps([[i.rule.id, i.condition] for i in loaded], sort_keys=True, ensure_ascii=False)
    return RuleSet(rules=tuple(loaded), digest=hashlib.sha256(payload.encode()).hexdigest()[:16])
