"""Rules as data: schema, loader, compiler to durable-rules JSON, both evaluators, fact enrichment."""

from checker.rules.facts import ClaimFacts, enrich
from checker.rules.loader import load_rules
from checker.rules.schema import Rule

__all__ = ["ClaimFacts", "Rule", "enrich", "load_rules"]
