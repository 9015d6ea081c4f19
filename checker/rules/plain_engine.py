"""The plain-Python evaluator of the same conditions: the oracle for rule tests and the differential test."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.rules.loader import RuleSet


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "eq":
        return bool(actual == expected)
    if op == "neq":
        return bool(actual != expected)
    if op == "lt":
        return bool(actual < expected)
    if op == "lte":
        return bool(actual <= expected)
    if op == "gt":
        return bool(actual > expected)
    if op == "gte":
        return bool(actual >= expected)
    raise ValueError(op)


def evaluate(node: Mapping[str, Any], fact: Mapping[str, Any]) -> bool:
    """Whether `fact` (None-free, as given to the engine) satisfies a checked condition."""
    if "all" in node:
        return all(evaluate(c, fact) for c in node["all"])
    if "any" in node:
        return any(evaluate(c, fact) for c in node["any"])
    if "not" in node:
        return not evaluate(node["not"], fact)
    name = node["fact"]
    op = next(k for k in node if k != "fact")
    present = name in fact
    if op == "exists":
        return present
    if op == "absent":
        return not present
    # Same as durable-rules: every comparison, $neq included, is false on an absent fact.
    if not present:
        return False
    if op == "in":
        return fact[name] in node["in"]
    return _compare(op, fact[name], node[op])


class PlainEngine:
    """Evaluates every rule of a RuleSet in Python."""

    def __init__(self, rules: RuleSet) -> None:
        self._rules = rules

    def matches(self, fact: Mapping[str, Any]) -> list[str]:
        """Ids of the rules the fact matches, sorted."""
        return [r.rule.id for r in self._rules.rules if evaluate(r.condition, fact)]

    def close(self) -> None:
        """Nothing to release."""
