"""The durable-rules adapter: every pitfall of stack-notes.md handled in one place."""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Mapping
from typing import Any

from durable import engine as durable

from checker.rules.compiler import EVERY_FACT_FIELD, EVERY_FACT_RULE, compile_ruleset, ruleset_name
from checker.rules.loader import RuleSet
from markwatch.errors import EngineError


class _QuietHost(durable.Host):
    """A Host without timer threads whose actions record the id of the rule that fired."""

    def __init__(self) -> None:
        self.fired: list[str] = []
        super().__init__()

    def _run(self) -> None:
        # The stock Host starts two timer threads that can steal a pending action from another thread.
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        """The action of rule `action_name`: note that it fired."""

        def action(_context: Any) -> None:
            self.record(action_name)

        def catch_all(_context: Any) -> None:
            return None  # EVERY_FACT_RULE only keeps facts handled; it is no finding

        return catch_all if action_name == EVERY_FACT_RULE else action

    def record(self, rule_id: str) -> None:
        """Note that a rule fired."""
        self.fired.append(rule_id)


_engines: dict[str, DurableEngine] = {}


def shared_engine(rules: RuleSet) -> DurableEngine:
    """The process's one engine for a ruleset; call it on the engine thread (executor.engine_thread)."""
    # Several hosts holding the same ruleset name crashed the C engine (segfault) once
    # another host had been used from another thread: keep one per ruleset and process.
    engine = _engines.get(rules.digest)
    if engine is None:
        engine = _engines[rules.digest] = DurableEngine(rules)
    return engine


class DurableEngine:
    """Runs a RuleSet on durable-rules; call it from one thread only (see executor.engine_thread)."""

    def __init__(self, rules: RuleSet) -> None:
        self._rules = rules
        self._name = ruleset_name(rules)
        self._host = _QuietHost()
        self._sids = itertools.count(1)
        self._thread = threading.get_ident()
        definition = compile_ruleset(rules)
        try:
            # set_rulesets deletes "run" from its argument: give it a copy.
            self._host.set_rulesets(copy.deepcopy(definition))
        except Exception as exc:
            raise EngineError(
                f"durable-rules refused the ruleset: {exc}; {self._locate(definition)}"
            ) from exc

    def _locate(self, definition: dict[str, Any]) -> str:
        bad = []
        for loaded in self._rules.rules:
            probe = {
                f"probe_{loaded.rule.id}_{self._rules.digest}": {"r": definition[self._name][loaded.rule.id]}
            }
            try:
                durable.Host.set_rulesets(_QuietHost(), copy.deepcopy(probe))
            except Exception:
                bad.append(str(loaded.path))
        return f"failing rule file(s): {', '.join(bad) or 'unknown'}"

    def matches(self, fact: Mapping[str, Any]) -> list[str]:
        """Ids of the rules the fact matches, sorted; a fresh session per call, always deleted."""
        if threading.get_ident() != self._thread:
            raise EngineError("the durable-rules engine was called from a second thread")
        sid = f"c{next(self._sids)}"
        self._host.fired.clear()
        try:
            try:
                state = self._host.assert_fact(self._name, {**fact, EVERY_FACT_FIELD: 1, "sid": sid})
            except durable.MessageNotHandledException as exc:
                # EVERY_FACT_RULE matches every fact: an unhandled one means the engine is not what we loaded.
                raise EngineError("durable-rules handled no rule for a fact, not even the catch-all") from exc
            if isinstance(state, dict) and state.get("exception"):
                raise EngineError(f"a rule action raised: {state['exception']}")
            return sorted(set(self._host.fired))
        finally:
            self._host.delete_state(self._name, sid)

    def close(self) -> None:
        """Nothing to release: a ruleset cannot be unregistered (stack-notes.md)."""
