"""ClaimFacts: the flat record of derived fields that rules test, and `enrich` which builds it."""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Literal

from pydantic import BaseModel, ConfigDict

from checker.codes import CodeKind, parse_code
from checker.extract.models import Claim, PageClaims
from checker.normalize import compact
from checker.registry import DesignationRecord, DesignationStatus, RegistryIndex
from checker.registry.models import DesignationType
from markwatch.errors import CodeParseError

RegistryMatch = Literal["exact", "other-edition", "title", "none"]
_HOLDER_TYPES = {DesignationType.ENTERPRISE, DesignationType.ENTERPRISE_JOINT}


class ClaimFacts(BaseModel):
    """Derived fields of one claim as of one day; None means unknown and is dumped as absent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    claim_kind: Literal["text", "logo", "image-text", "mark-image"]
    has_code: bool
    has_title: bool
    code_kind: str | None = None
    code_eligible: bool | None = None
    registry_match: RegistryMatch = "none"
    record_type: str | None = None
    status: str | None = None
    days_since_expiry: int | None = None
    certification_wording: bool = False
    claimant_known: bool = False
    claimant_is_holder: bool | None = None
    record_has_holders: bool | None = None
    record_has_scope: bool | None = None
    product_known: bool = False
    product_in_scope: bool | None = None
    # Message-only fields: filled into {placeholders}; rules may test them too.
    standard_code: str | None = None
    standard_title: str | None = None
    record_code: str | None = None
    valid_until: str | None = None
    revoked_on: str | None = None
    abolished_on: str | None = None
    designated_on: str | None = None
    claimant: str | None = None
    product_name: str | None = None
    certification_text: str | None = None

    def as_fact(self) -> dict[str, object]:
        """The engine fact: None left out because durable-rules treats null as present."""
        return self.model_dump(exclude_none=True)


def fact_types() -> dict[str, type]:
    """Fact name -> Python value type (bool, int or str) for the rule schema's type checks."""
    result: dict[str, type] = {}
    for name, field in ClaimFacts.model_fields.items():
        annotation = field.annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) in (typing.Union, types.UnionType) and args:
            annotation = args[0]
        if typing.get_origin(annotation) is Literal:
            annotation = str
        assert isinstance(annotation, type)
        result[name] = annotation
    return result


def _pick_title_record(records: tuple[DesignationRecord, ...], day: dt.date) -> DesignationRecord:
    # Several editions can share a title: judge the claim by the best-standing one, never the worst.
    for record in records:
        if record.status_as_of(day) is DesignationStatus.DESIGNATED:
            return record
    return records[-1]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _claimant_is_holder(claimant: str, record: DesignationRecord) -> bool:
    name = compact(claimant)
    return any(compact(h.name) in name or name in compact(h.name) for h in record.holders if h.name)


def _product_in_scope(claim: Claim, record: DesignationRecord) -> bool:
    text = compact(" ".join(p for p in (claim.product_name, claim.product_category) if p))
    return any(compact(term) in text for term in record.scope if term.strip())


def _code_facts(claim: Claim) -> tuple[str | None, bool | None]:
    if claim.standard_code is None:
        return None, None
    try:
        code = parse_code(claim.standard_code)
    except CodeParseError:
        return claim.standard_kind, None
    if code.kind is CodeKind.UNKNOWN:
        # Enterprise-joint numbering is unknown (domain.md §2): eligibility cannot be judged from the code.
        return code.kind.value, None
    return code.kind.value, code.shanghai_eligible


def enrich(claim: Claim, page: PageClaims, registry: RegistryIndex, as_of: dt.date) -> ClaimFacts:
    """The facts of one claim on `page`, judged against `registry` as of `as_of`."""
    del page  # page-level context is already folded into each claim by the extractor
    code_kind, eligible = _code_facts(claim)
    record: DesignationRecord | None = None
    match: RegistryMatch = "none"
    other_code: str | None = None
    if claim.standard_code is not None:
        try:
            lookup = registry.by_code(parse_code(claim.standard_code))
        except CodeParseError:
            lookup = None
        if lookup is not None and lookup.exact is not None:
            record, match = lookup.exact, "exact"
        elif lookup is not None and lookup.other_editions:
            match, other_code = "other-edition", ", ".join(r.code for r in lookup.other_editions)
    elif claim.standard_title:
        titled = registry.by_title(claim.standard_title)
        if titled:
            record, match = _pick_title_record(titled, as_of), "title"
    values: dict[str, object] = {
        "claim_kind": claim.kind,
        "has_code": claim.standard_code is not None,
        "has_title": bool(claim.standard_title),
        "code_kind": code_kind,
        "code_eligible": eligible,
        "registry_match": match,
        "certification_wording": bool(claim.certification_words),
        "certification_text": "、".join(claim.certification_words) or None,
        "claimant_known": bool(claim.claimant),
        "product_known": bool(claim.product_name or claim.product_category),
        "standard_code": claim.standard_code,
        "standard_title": claim.standard_title,
        "claimant": claim.claimant,
        "product_name": claim.product_name,
        "record_code": other_code,
    }
    if record is not None:
        status = record.status_as_of(as_of)
        values.update(
            record_type=record.type.value,
            record_code=record.code,
            status=status.value,
            valid_until=_iso(record.valid_until),
            revoked_on=_iso(record.revoked_on),
            abolished_on=_iso(record.abolished_on),
            designated_on=_iso(record.designated_on),
            record_has_holders=bool(record.holders),
            record_has_scope=bool(record.scope),
        )
        if record.valid_until is not None and record.valid_until < as_of:
            values["days_since_expiry"] = (as_of - record.valid_until).days
        if claim.claimant and record.type in _HOLDER_TYPES and record.holders:
            values["claimant_is_holder"] = _claimant_is_holder(claim.claimant, record)
        if values["product_known"] and record.scope:
            values["product_in_scope"] = _product_in_scope(claim, record)
    return ClaimFacts.model_validate(values)
