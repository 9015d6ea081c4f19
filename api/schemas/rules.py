"""Rule models: what each rule checks, on what basis, and how to fix what it finds."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from checker.rules.loader import LoadedRule


class TextOut(BaseModel):
    """A text in Chinese and English."""

    zh: str
    en: str


class BasisOut(BaseModel):
    """A provision a rule rests on."""

    document: str
    part: str


class RuleOut(BaseModel):
    """A rule as listed."""

    id: str
    slug: str
    title: TextOut
    severity: str
    basis: list[BasisOut]


class RuleDetail(RuleOut):
    """A rule with its message and remediation templates, parameters and condition."""

    message: TextOut
    remediation: TextOut
    params: dict[str, Any]
    when: dict[str, Any]
    file: str

    @classmethod
    def of(cls, loaded: LoadedRule) -> RuleDetail:
        """From a loaded rule file."""
        rule = loaded.rule
        return cls(
            **rule.model_dump(include={"id", "slug", "title", "severity", "basis", "message", "remediation"}),
            params=dict(rule.params),
            when=rule.when,
            file=loaded.path.name,
        )


class RulesOut(BaseModel):
    """Every rule, with the content hash that names the rule set."""

    digest: str
    rules: list[RuleOut]
