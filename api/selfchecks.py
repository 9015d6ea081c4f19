"""Self-checks: turn requests into pages, check them, store the results in one transaction, answer.

Shared by `POST /v1/selfcheck` and `POST /v1/selfcheck/batch`; the batch is the same work with the fixed
costs (authentication, registry, thread hops, commit) paid once for all items.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from api.engine import BatchBudget, CheckOutcome, CheckService, PageInput, check_all
from api.registry_index import ThrottledRegistryCache
from api.schemas.selfcheck import ClaimOut, FindingOut, SelfCheckOut
from api.writer import GroupWriter
from checker.registry import RegistryIndex
from checker.registry.gate import refuse_empty_registry
from markwatch.cases.models import SelfCheck
from markwatch.db import utcnow
from markwatch.errors import InputError, MarkwatchError
from pagetext.decode import shown_otherwise

# A claim needs at least one written mention; these byte sequences start every common spelling of one
# (上海 in UTF-8 and GB18030, its numeric and percent-encoded forms, "shanghai" in ASCII and full width).
_MENTION_STARTS = (
    "上海".encode(),
    "上海".encode("gb18030"),
    b"&#19978",  # with or without its semicolon (browsers read both)
    b"&#x4e0a",
    b"%e4%b8%8a",
    b"shanghai",
    "ｓｈａｎｇｈａｉ".encode(),
)
# Extraction costs about a third of a millisecond per mention: refuse before extracting an input with
# more candidates than this many times the claims cap, rather than stall the process for seconds.
CANDIDATES_PER_CLAIM = 10


class SelfCheckRequest(Protocol):
    """What a single or a batch item carries."""

    @property
    def text(self) -> str | None: ...
    @property
    def html(self) -> str | None: ...
    @property
    def claimed_standard(self) -> str | None: ...
    @property
    def enterprise_name(self) -> str | None: ...
    @property
    def uscc(self) -> str | None: ...
    @property
    def kind(self) -> str: ...


def text_document(text: str) -> bytes:
    """Plain text as a minimal UTF-8 HTML page, one paragraph per line (the extractor reads pages)."""
    paragraphs = "".join(f"<p>{html_lib.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return (
        f'<!doctype html><html><head><meta charset="utf-8"></head><body>{paragraphs}</body></html>'.encode()
    )


def mention_candidates(raw: bytes) -> int:
    """An upper bound on the mentions a page can hold, counted on its bytes without parsing it."""
    lowered = raw.lower()
    return sum(lowered.count(start) for start in _MENTION_STARTS)


def check_budget(raw: bytes, max_claims: int, where: str) -> None:
    """InputError when the input holds far more candidate mentions than a self-check will check."""
    limit = max_claims * CANDIDATES_PER_CLAIM
    found = mention_candidates(raw)
    if found > limit:
        raise InputError(
            f"the input holds {found} possible mentions of the designation, more than {limit}; "
            f"split it (a self-check checks at most {max_claims} claims)",
            where=where,
        )


@dataclass
class Prepared:
    """One self-check's pages, ready to check."""

    request: SelfCheckRequest
    kind: str
    raw: bytes
    url: str | None
    charset: str | None
    notes: list[str] = field(default_factory=list)

    def pages(self) -> list[PageInput]:
        """The input page, and the claimed standard written as the disclosure it would be."""
        claimant = self.request.enterprise_name
        pages = [PageInput(self.raw, self.url, self.charset, claimant)]
        if self.request.claimed_standard:
            disclosure = text_document(f"执行标准：{self.request.claimed_standard}（上海标准）")
            pages.append(PageInput(disclosure, None, "utf-8", claimant))
        return pages


def prepare_inline(request: SelfCheckRequest, max_claims: int, where: str = "body") -> Prepared:
    """A text or HTML input as a page."""
    raw = request.html.encode("utf-8") if request.html is not None else text_document(request.text or "")
    check_budget(raw, max_claims, where)
    return Prepared(request, request.kind, raw, None, "utf-8")


SHOWN_OTHERWISE_NOTE = (
    "the page declares its charset as {said}, but its bytes are not {said}: its quotes were decoded as {read}; "
    "a browser that follows the declaration shows them garbled, so buyers may not have seen them as quoted"
)
# Claims and findings of the claimed_standard field carry this before their ids, and the field's name as
# their location: the enterprise must tell them from those of its own page.
CLAIMED_PREFIX = "claimed-"
CLAIMED_LOCATION = "claimed_standard"


def _claimed_claim(claim: dict[str, Any]) -> dict[str, Any]:
    return {**claim, "id": f"{CLAIMED_PREFIX}{claim.get('id')}", "location": CLAIMED_LOCATION}


def _claimed_place(evidence: dict[str, Any]) -> dict[str, Any]:
    return {
        **evidence,
        "claim_id": f"{CLAIMED_PREFIX}{evidence.get('claim_id')}",
        "location": CLAIMED_LOCATION,
    }


def _claimed_finding(finding: dict[str, Any]) -> dict[str, Any]:
    relabelled = {
        **finding,
        "claim_id": f"{CLAIMED_PREFIX}{finding.get('claim_id')}",
        "claim_ids": [f"{CLAIMED_PREFIX}{claim_id}" for claim_id in finding.get("claim_ids") or []],
        "locations": [_claimed_place(place) for place in finding.get("locations") or []],
    }
    if finding.get("evidence"):
        relabelled["evidence"] = _claimed_place(finding["evidence"])
    return relabelled


def _stored(items: list[dict[str, Any]], model: type[ClaimOut] | type[FindingOut]) -> list[dict[str, Any]]:
    # Only what is answered is stored: the checker's full records (signals, occurrences) would multiply
    # the row size for nothing the enterprise can read.
    return [model.model_validate(item).model_dump(mode="json", exclude_none=True) for item in items]


def build_row(
    key_id: int,
    prepared: Prepared,
    outcome: CheckOutcome,
    claimed: CheckOutcome | None,
    observed_at: dt.datetime,
    original_url: str | None = None,
) -> SelfCheck:
    """The self_checks row for one checked input."""
    claims, findings = outcome.claims, outcome.findings
    notes = [*prepared.notes]
    if claimed is not None:
        claims = claims + [_claimed_claim(c) for c in claimed.claims]
        findings = findings + [_claimed_finding(f) for f in claimed.findings]
        notes.append(f"claims and findings with ids starting '{CLAIMED_PREFIX}' are about claimed_standard")
    result: dict[str, Any] = {
        "claims": _stored(claims, ClaimOut),
        "findings": _stored(findings, FindingOut),
        "notes": notes + outcome.notes,
    }
    if outcome.claims_found is not None:
        result["claims_found"] = outcome.claims_found
    if outcome.warnings:
        result["warnings"] = outcome.warnings
    if outcome.decoded_as:
        result["decoded_as"] = outcome.decoded_as
        # The console's case page says this beside the quote (#shown-otherwise): an enterprise is told too.
        quotes = [
            str(claim.get("snippet") or claim.get("verbatim") or "")
            for claim in outcome.claims
            if claim.get("kind") not in ("image-text", "mark-image")
        ]
        shown_as = shown_otherwise(prepared.raw, prepared.charset, outcome.decoded_as, quotes)
        if shown_as:
            result["shown_as"] = shown_as
            result["notes"].append(SHOWN_OTHERWISE_NOTE.format(said=shown_as, read=outcome.decoded_as))
    request = prepared.request
    return SelfCheck(
        api_key_id=key_id,
        input_kind=prepared.kind,
        url=prepared.url or original_url,
        input_sha256=hashlib.sha256(prepared.raw).hexdigest(),
        enterprise_name=request.enterprise_name,
        uscc=request.uscc,
        claimed_standard=request.claimed_standard,
        result=result,
        created_at=observed_at,
    )


async def store(writer: GroupWriter, rows: list[SelfCheck]) -> None:
    """Insert one request's rows, in one transaction (shared with other requests waiting at that moment)."""
    await writer.store(rows)


async def registry_for(cache: ThrottledRegistryCache, factory: sessionmaker[Session]) -> RegistryIndex:
    """The current registry index, read off the event loop only when its interval has passed.

    RegistryEmpty (503) when it holds no designation: checked against nothing, every designated code would
    be reported as "not designated" (SHS001) to an enterprise that did nothing wrong."""
    index = cache.fresh()
    if index is None:
        index = await anyio.to_thread.run_sync(cache.load, factory)
    refuse_empty_registry(len(index))
    return index


async def run_checks(
    service: CheckService,
    prepared: list[Prepared],
    *,
    registry: RegistryIndex,
    observed_at: dt.datetime,
    max_claims: int,
    budget: BatchBudget | None = None,
) -> list[tuple[CheckOutcome, CheckOutcome | None] | MarkwatchError]:
    """Every prepared input checked in one call; per input its outcome (and the claimed standard's) or error."""
    pages: list[PageInput] = []
    spans: list[tuple[int, int]] = []
    for item in prepared:
        item_pages = item.pages()
        spans.append((len(pages), len(item_pages)))
        pages.extend(item_pages)
    results = await check_all(
        service, pages, observed_at=observed_at, registry=registry, max_claims=max_claims, budget=budget
    )
    answers: list[tuple[CheckOutcome, CheckOutcome | None] | MarkwatchError] = []
    for start, count in spans:
        mine = results[start : start + count]
        error = next((r for r in mine if isinstance(r, MarkwatchError)), None)
        if error is not None:
            answers.append(error)
            continue
        outcome = mine[0]
        claimed = mine[1] if count > 1 else None
        assert isinstance(outcome, CheckOutcome) and (claimed is None or isinstance(claimed, CheckOutcome))
        answers.append((outcome, claimed))
    return answers


def answer(row: SelfCheck, items: int) -> SelfCheckOut:
    """The answer for a stored row."""
    return SelfCheckOut.from_result(row, items)


def now() -> dt.datetime:
    """The observation time of a self-check."""
    return utcnow()
