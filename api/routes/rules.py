"""Rules: list and detail of the rule files the checker runs."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Path, Request

from api.deps import AnyRoleDep
from api.routing import api_router
from api.schemas.common import ERROR_RESPONSES, ErrorBody
from api.schemas.rules import RuleDetail, RuleOut, RulesOut
from checker.rules.loader import RuleSet, load_rules
from markwatch.errors import NotFoundError

router = api_router("/rules", ["rules"], responses=ERROR_RESPONSES)
_lock = threading.Lock()


def get_rules(request: Request) -> RuleSet:
    """The rule set, read once per app (rule files change with a deploy, not at run time)."""
    state = request.app.state
    with _lock:
        if getattr(state, "rules", None) is None:
            state.rules = load_rules()
        rules: RuleSet = state.rules
    return rules


RulesDep = Annotated[RuleSet, Depends(get_rules)]


@router.get("", response_model=RulesOut, summary="List the rules")
def list_route(_who: AnyRoleDep, rules: RulesDep) -> RulesOut:
    """In id order, with the rule set's content hash."""
    return RulesOut(
        digest=rules.digest,
        rules=[RuleOut.model_validate(RuleDetail.of(r).model_dump()) for r in rules.rules],
    )


@router.get(
    "/{rule_id}",
    response_model=RuleDetail,
    summary="One rule",
    responses={404: {"model": ErrorBody, "description": "No such rule"}},
)
def detail_route(
    _who: AnyRoleDep, rules: RulesDep, rule_id: Annotated[str, Path(pattern=r"^SHS\d{3}$")]
) -> RuleDetail:
    """Message and remediation templates, parameters and the condition."""
    try:
        return RuleDetail.of(rules.by_id(rule_id))
    except KeyError:
        raise NotFoundError(f"no rule {rule_id}") from None
