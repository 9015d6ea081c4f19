"""Compile a checked `when` condition to durable-rules JSON."""

from __future__ import annotations

from typing import Any

from checker.rules.loader import RuleSet

_DURABLE_OPS = {"neq": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
_NEGATED = {"eq": "neq", "neq": "eq", "lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}


def _leaf(fact: str, op: str, value: Any) -> dict[str, Any]:
    if op == "eq":
        return {fact: value}
    if op in _DURABLE_OPS:
        return {_DURABLE_OPS[op]: {fact: value}}
    if op == "exists":
        return {"$ex": {fact: 1}}
    if op == "absent":
        return {"$nex": {fact: 1}}
    if op == "in":
        # durable-rules has no $in.
        return {"$or": [{fact: item} for item in value]}
    raise ValueError(op)


def _negate(node: dict[str, Any]) -> dict[str, Any]:
    # durable-rules has no $not: push it down to the leaves (De Morgan). A negated comparison also holds when
    # the fact is absent, because the positive comparison is false on an absent fact.
    if "all" in node:
        return {"any": [_negate(c) for c in node["all"]]}
    if "any" in node:
        return {"all": [_negate(c) for c in node["any"]]}
    if "not" in node:
        return node["not"]
    fact = node["fact"]
    op = next(k for k in node if k != "fact")
    if op == "exists":
        return {"fact": fact, "absent": True}
    if op == "absent":
        return {"fact": fact, "exists": True}
    absent = {"fact": fact, "absent": True}
    if op == "in":
        return {"any": [absent, {"all": [{"fact": fact, "neq": v} for v in node["in"]]}]}
    return {"any": [absent, {"fact": fact, _NEGATED[op]: node[op]}]}


def compile_condition(node: dict[str, Any]) -> dict[str, Any]:
    """A durable-rules `m` expression for a checked condition."""
    if "all" in node:
        return {"$and": [compile_condition(c) for c in node["all"]]}
    if "any" in node:
        return {"$or": [compile_condition(c) for c in node["any"]]}
    if "not" in node:
        return compile_condition(_negate(node["not"]))
    op = next(k for k in node if k != "fact")
    return _leaf(node["fact"], op, node[op])


def ruleset_name(rules: RuleSet) -> str:
    """The engine's name for a ruleset: one per content hash, since a name cannot be registered twice."""
    return f"markwatch_{rules.digest}"


# durable-rules 2.0.28 corrupts its heap when a session whose fact matched no rule is deleted
# (MessageNotHandledException, then delete_state: "free(): invalid pointer" or SIGSEGV, by heap layout), and
# not deleting runs into its 1024-session limit. So every ruleset gets a rule every fact matches: it tests a
# field DurableEngine stamps on each fact (not the sid: the session state has one too, and a rule on it
# re-fires forever), and its action does nothing (durable_engine.py), so no fact goes unhandled.
EVERY_FACT_RULE = "_every_fact"
EVERY_FACT_FIELD = "_markwatch_fact"


def compile_ruleset(rules: RuleSet) -> dict[str, Any]:
    """`{name: {rule_id: {"all": [{"m": expr}], "run": rule_id}}}` for `Host.set_rulesets`."""
    body = {
        loaded.rule.id: {"all": [{"m": compile_condition(loaded.condition)}], "run": loaded.rule.id}
        for loaded in rules.rules
    }
    body[EVERY_FACT_RULE] = {"all": [{"m": {EVERY_FACT_FIELD: 1}}], "run": EVERY_FACT_RULE}
    return {ruleset_name(rules): body}
