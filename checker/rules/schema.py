"""The strict rule-file model: unknown keys, facts, operators or parameter types are errors."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from checker.extract.models import ClaimUse
from checker.rules.facts import fact_types

Severity = Literal["low", "medium", "high"]
SEVERITY_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3}
COMPARISONS = ("eq", "neq", "lt", "lte", "gt", "gte")
OPERATORS = (*COMPARISONS, "exists", "absent", "in")
ORDERED = ("lt", "lte", "gt", "gte")
PARAM_PREFIX = "$params."
ParamValue = bool | int | str | list[str]


class Text(BaseModel):
    """A text in Chinese and English."""

    model_config = ConfigDict(extra="forbid")
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Basis(BaseModel):
    """The provision a rule rests on."""

    model_config = ConfigDict(extra="forbid")
    document: str = Field(min_length=1)
    part: str = Field(min_length=1)


class Rule(BaseModel):
    """One rule file (rules/SHSnnn-slug.yaml); `when` is the raw condition, checked by `check_condition`."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^SHS\d{3}$")
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: Text
    severity: Severity
    basis: list[Basis] = Field(min_length=1)
    message: Text
    remediation: Text
    params: dict[str, ParamValue] = Field(default_factory=dict)
    # Which claims the rule judges: product claims, organisation announcements, or both (issue 13 §1).
    # Required, so a new rule cannot silently judge announcements it cannot apply to.
    applies_to: list[ClaimUse] = Field(min_length=1)
    when: dict[str, Any]

    @field_validator("applies_to")
    @classmethod
    def _distinct_uses(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(f"a use is listed twice: {value}")
        return value

    @field_validator("params")
    @classmethod
    def _param_names(cls, value: dict[str, ParamValue]) -> dict[str, ParamValue]:
        for name in value:
            if not name.isidentifier():
                raise ValueError(f"parameter name {name!r} is not an identifier")
        return value

    def basis_text(self) -> str:
        """The basis as one line, e.g. '沪市监规范〔2023〕12号 part 4; 标准化法 Art. 27'."""
        return "; ".join(f"{b.document} {b.part}" for b in self.basis)


class ConditionError(ValueError):
    """A `when` condition is invalid at `path`."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def resolve(value: Any, params: dict[str, ParamValue], path: str) -> Any:
    """A literal, or the parameter a '$params.name' string names."""
    if isinstance(value, str) and value.startswith(PARAM_PREFIX):
        name = value[len(PARAM_PREFIX) :]
        if name not in params:
            raise ConditionError(path, f"unknown parameter {name!r}")
        return params[name]
    return value


def _check_value(value: Any, expected: type, path: str) -> None:
    # bool is an int subclass in Python; durable compares loosely ("5" == 5), so types must match exactly.
    if type(value) is not expected:
        raise ConditionError(path, f"expected {expected.__name__}, got {type(value).__name__} {value!r}")


def check_condition(node: Any, params: dict[str, ParamValue], path: str = "when") -> Any:
    """The condition with parameters substituted; raises ConditionError naming the path of any fault."""
    if not isinstance(node, dict) or len(node) == 0:
        raise ConditionError(path, "a condition must be a non-empty mapping")
    if "all" in node or "any" in node:
        (key,) = node.keys() if len(node) == 1 else (None,)
        if key is None:
            raise ConditionError(path, f"'all'/'any' take no other keys, found {sorted(node)}")
        items = node[key]
        if not isinstance(items, list) or not items:
            raise ConditionError(f"{path}.{key}", "must be a non-empty list")
        return {key: [check_condition(c, params, f"{path}.{key}[{i}]") for i, c in enumerate(items)]}
    if "not" in node:
        if len(node) != 1:
            raise ConditionError(path, f"'not' takes no other keys, found {sorted(node)}")
        return {"not": check_condition(node["not"], params, f"{path}.not")}
    if "fact" not in node:
        raise ConditionError(path, f"expected one of all/any/not/fact, found {sorted(node)}")
    fact = node["fact"]
    types_by_fact = fact_types()
    if fact not in types_by_fact:
        raise ConditionError(f"{path}.fact", f"unknown fact {fact!r}")
    ops = [k for k in node if k != "fact"]
    if len(ops) != 1:
        raise ConditionError(path, f"expected exactly one operator, found {ops}")
    op = ops[0]
    if op not in OPERATORS:
        raise ConditionError(f"{path}.{op}", f"unknown operator {op!r} (allowed: {', '.join(OPERATORS)})")
    expected = types_by_fact[fact]
    value = resolve(node[op], params, f"{path}.{op}")
    if op in ("exists", "absent"):
        if value is not True:
            raise ConditionError(f"{path}.{op}", "must be true")
    elif op == "in":
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{path}.in", "must be a non-empty list")
        for i, item in enumerate(value):
            _check_value(item, expected, f"{path}.in[{i}]")
    else:
        _check_value(value, expected, f"{path}.{op}")
        if op in ORDERED and expected is not int:
            raise ConditionError(
                f"{path}.{op}", f"ordering needs a number fact; {fact!r} is {expected.__name__}"
            )
    return {"fact": fact, op: value}
