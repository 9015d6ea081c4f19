"""ClaimFacts: the flat record of derived fields that rules test, and `enrich` which builds it."""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rapidfuzz.distance import LCSseq

from checker.codes import CodeKind, parse_code
from checker.extract.models import Claim, ClaimKind, ClaimUse, PageClaims
from checker.extract.patterns import HONOURS_LISTED
from checker.holder_names import HolderMatch, match_claimant
from checker.registry import DesignationRecord, DesignationStatus, RegistryIndex
from checker.registry.models import DesignationType
from checker.registry.titles import TitleMatch, title_key
from markwatch.errors import CodeParseError

RegistryMatch = Literal["exact", "other-edition", "title", "none"]
_HOLDER_TYPES = {DesignationType.ENTERPRISE, DesignationType.ENTERPRISE_JOINT}
SCOPE_SEPARATOR = "、"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _same_script(a: str, b: str) -> bool:
    """Whether two texts can be compared character by character: both hold Chinese characters or neither
    does. "Vacuum flask" is not outside the scope term 保温杯: across scripts the fact stays unknown. (Names
    of holders are compared the same way, with their registered English names: checker/holder_names.py.)"""
    return bool(_CJK.search(a)) == bool(_CJK.search(b))


@dataclass(frozen=True)
class MatchOptions:
    """How claims are tied to registry records; read from SHS001's parameters so every rule judges the same
    record. `title_match_min`: a title at least this similar (0-100) to a registered title names that record;
    below it SHS001 fires. `title_near_miss`: from this score up, such an SHS001 goes to review."""

    title_match_min: float = 85.0
    title_near_miss: float = 70.0

    @classmethod
    def from_params(cls, params: typing.Mapping[str, object]) -> MatchOptions:
        """Options from a rule's parameters (SHS001), defaults for the ones it does not set."""

        def number(name: str, default: float) -> float:
            value = params.get(name, default)
            return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default

        return cls(
            title_match_min=number("title_match_min", cls.title_match_min),
            title_near_miss=number("title_near_miss", cls.title_near_miss),
        )


class ClaimFacts(BaseModel):
    """Derived fields of one claim as of one day; None means unknown and is dumped as absent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    claim_kind: ClaimKind
    # product | organisation (discussion is never a claim); rules restrict themselves with `applies_to`.
    use: ClaimUse = "product"
    has_code: bool
    has_title: bool
    code_kind: str | None = None
    code_eligible: bool | None = None
    registry_match: RegistryMatch = "none"
    record_type: str | None = None
    status: str | None = None
    days_since_expiry: int | None = None
    certification_wording: bool = False
    # The words are an item of the organisation's own list of honours (荣誉资质 | 上海标准): its award (SHS009).
    presented_as_honour: bool = False
    claimant_known: bool = False
    claimant_is_holder: bool | None = None
    # How the claimant's name stood against the holders' registered names (checker/holder_names.py):
    # name, former-name, no-match, english-no-match, or not-compared (no holder has a registered name in
    # the claimant's script, so claimant_is_holder stays unknown).
    claimant_holder_match: HolderMatch | None = None
    # Holders with no registered name in the claimant's script, so not compared with it.
    holders_not_compared: int | None = None
    record_has_holders: bool | None = None
    record_has_scope: bool | None = None
    product_known: bool = False
    product_in_scope: bool | None = None
    product_scope_score: int | None = None
    title_score: int | None = None
    # Message-only fields: filled into {placeholders}; rules may test them too.
    standard_code: str | None = None
    standard_title: str | None = None
    record_code: str | None = None
    record_id: int | None = None
    record_title: str | None = None
    record_scope: str | None = None
    nearest_title: str | None = None
    nearest_code: str | None = None
    valid_until: str | None = None
    revoked_on: str | None = None
    abolished_on: str | None = None
    designated_on: str | None = None
    claimant: str | None = None
    # The registered name the claimant matched (a former name: that name) and the holder's name today.
    claimant_matched_name: str | None = None
    holder_name: str | None = None
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


def _discloses_its_standard(page: PageClaims) -> bool:
    """Whether the organisation's page announces a standard of its own by code (企业标准Q/… 获评“上海标准”): an
    honours item naming the words (“上海标准”证书, “上海标准”实施单位) then refers to that standard's designation."""
    return any(claim.use == "organisation" and claim.standard_code for claim in page.claims)


def _pick_title_record(records: tuple[DesignationRecord, ...], day: dt.date) -> DesignationRecord:
    # Several editions can share a title: judge the claim by the best-standing one, never the worst.
    for record in records:
        if record.status_as_of(day) is DesignationStatus.DESIGNATED:
            return record
    return records[-1]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _product_in_scope(claim: Claim, record: DesignationRecord) -> tuple[bool, int]:
    """Whether a scope term names the product (either contains the other), and how close the nearest term
    comes: the share (0-100) of its characters found, in order, in the product name (longest common
    subsequence). SHS011 fires only when that share is low: "智能保温杯" against the term "智能水杯" (75) is
    neither in scope nor clearly out of it; "不锈钢保温杯" (25) is clearly out."""
    product = title_key(claim.product_name or "")
    text = title_key(" ".join(p for p in (claim.product_name, claim.product_category) if p))
    terms = [key for key in (title_key(term) for term in record.scope) if key]
    inside = any(term in text or (product and product in term) for term in terms)
    best = max((100 * LCSseq.similarity(term, product) / len(term) for term in terms), default=0.0)
    return inside, round(best)


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


def _row_tie_holds(claim: Claim, registry: RegistryIndex, as_of: dt.date) -> bool:
    """Whether a claim tied only through the page's rows ("page-row") has the rows' standard: when the
    registry knows its number as a designated 上海标准 (this edition or another, now or once). A row without the
    words never wrote them beside a standard: any other code (unregistered, never designated, national) stays
    apart from the claim, which then names none (SHS008, standard-elsewhere)."""
    try:
        lookup = registry.by_code(parse_code(claim.standard_code or ""))
    except CodeParseError:
        return False
    records = ([lookup.exact] if lookup.exact is not None else []) + list(lookup.other_editions)
    return any(r.designated_on is not None and r.designated_on <= as_of for r in records)


def resolve_row_tie(claim: Claim, registry: RegistryIndex, as_of: dt.date) -> Claim:
    """The claim as judged: a "page-row" tie that does not hold leaves it naming no standard, as extracted
    before the tie existed (same standard key, so the same case key)."""
    if claim.tie != "page-row" or _row_tie_holds(claim, registry, as_of):
        return claim
    unset = dict.fromkeys(("standard_code", "standard_key", "standard_number_key", "standard_kind"))
    return claim.model_copy(update={**unset, "tie": "none"})


def enrich(
    claim: Claim,
    page: PageClaims,
    registry: RegistryIndex,
    as_of: dt.date,
    options: MatchOptions | None = None,
) -> ClaimFacts:
    """The facts of one claim on `page`, judged against `registry` as of `as_of`."""
    # Page-level context is folded into each claim by the extractor, but for whether the page announces the
    # organisation's own standard by code (an honours item then refers to it: presented_as_honour).
    options = options or MatchOptions()
    claim = resolve_row_tie(claim, registry, as_of)
    code_kind, eligible = _code_facts(claim)
    record: DesignationRecord | None = None
    match: RegistryMatch = "none"
    other_code: str | None = None
    nearest: TitleMatch | None = None
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
        nearest = registry.nearest_title(claim.standard_title)
        if nearest is not None and nearest.score >= options.title_match_min:
            record, match = _pick_title_record(nearest.records, as_of), "title"
    values: dict[str, object] = {
        "claim_kind": claim.kind,
        "use": claim.use,
        "has_code": claim.standard_code is not None,
        "has_title": bool(claim.standard_title),
        "code_kind": code_kind,
        "code_eligible": eligible,
        "registry_match": match,
        "certification_wording": bool(claim.certification_words),
        "certification_text": "、".join(claim.certification_words) or None,
        "presented_as_honour": HONOURS_LISTED in claim.certification_words
        and not _discloses_its_standard(page),
        "claimant_known": bool(claim.claimant),
        # Only a product *name* counts: the extractor leaves it None when it cannot name the product with
        # confidence, and a category alone is too vague to call a product outside a standard's scope.
        "product_known": bool(claim.product_name),
        "standard_code": claim.standard_code,
        "standard_title": claim.standard_title,
        "claimant": claim.claimant,
        "product_name": claim.product_name,
        "record_code": other_code,
    }
    if nearest is not None:
        values["title_score"] = round(nearest.score)
        if nearest.score > 0:  # a title sharing no character with any registered one has no "nearest"
            values.update(
                nearest_title=nearest.title, nearest_code=", ".join(r.code for r in nearest.records)
            )
    if record is not None:
        status = record.status_as_of(as_of)
        values.update(
            record_type=record.type.value,
            record_code=record.code,
            record_id=record.id,
            record_title=record.title,
            record_scope=SCOPE_SEPARATOR.join(t for t in record.scope if t.strip()) or None,
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
            found = match_claimant(claim.claimant, record.holders)
            values.update(
                claimant_is_holder=found.is_holder,
                claimant_holder_match=found.outcome,
                claimant_matched_name=found.matched,
                holder_name=found.current,
                holders_not_compared=found.uncompared,
            )
        if (
            values["product_known"]
            and record.scope
            and any(_same_script(term, claim.product_name or "") for term in record.scope)
        ):
            values["product_in_scope"], values["product_scope_score"] = _product_in_scope(claim, record)
    return ClaimFacts.model_validate(values)
