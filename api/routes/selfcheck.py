"""Self-checks for enterprises: text, HTML or a URL in (one, or a batch), claims and findings out; never a case."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.auth import Principal
from api.deps import EnterpriseDep, RoleGuard, SessionDep, refund_key_rate
from api.engine import BatchBudget, BatchSpent, CheckService, get_check_service
from api.fetch import SafeFetcher
from api.routing import api_router, parsed_json
from api.schemas.common import (
    ERROR_RESPONSES,
    REGISTRY_EMPTY_RESPONSE,
    ErrorBody,
    IdPath,
    LimitQuery,
    OffsetQuery,
    Page,
)
from api.schemas.selfcheck import (
    BatchIn,
    BatchItemOut,
    BatchOut,
    ClaimOut,
    FindingOut,
    SelfCheckIn,
    SelfCheckOut,
)
from api.selfchecks import (
    Prepared,
    answer,
    build_row,
    check_budget,
    now,
    prepare_inline,
    registry_for,
    run_checks,
    store,
    text_document,
)
from api.settings import Settings
from api.slots import KeyedSlots
from markwatch.cases.models import Role, SelfCheck
from markwatch.errors import InputError, MarkwatchError, NotFoundError
from pagetext.bodies import unreadable_reason

__all__ = ["router", "text_document"]

router: APIRouter = api_router("/selfcheck", ["selfcheck"], responses=ERROR_RESPONSES)
CheckServiceDep = Annotated[CheckService, Depends(get_check_service)]


def batch_cost(request: Request) -> int:
    """What a batch costs against its key's rate limit: one self-check per item, so a key limited to R per
    minute checks R texts a minute however it sends them. A body that is no valid batch, or holds more
    items than allowed, costs one request: it is refused without checking anything."""
    body = parsed_json(request)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return 1
    settings: Settings = request.app.state.settings
    return len(items) if len(items) <= settings.batch_max_items else 1


BatchEnterpriseDep = Annotated[Principal, Depends(RoleGuard(Role.ENTERPRISE, cost=batch_cost))]


def refuse_unreadable(body: bytes, content_type: str | None) -> None:
    """InputError for a URL that answered no page (an image, a PDF, binary bytes): checked as a page, it would
    be "ok" for words it never read."""
    reason = unreadable_reason(body, content_type)
    if reason is None:
        return
    media = (content_type or "").split(";", 1)[0].strip() or "no content type"
    if media.lower().startswith("image/"):
        raise InputError(
            f"the URL answered an image ({media}), not a page: send it to POST /v1/selfcheck/image",
            where="url",
        )
    what = f"{media}, not a page" if reason == "not_html" else "bytes that are not text"
    raise InputError(f"the URL answered {what}: nothing on it could be checked", where="url")


def _json(model: Any, status_code: int = status.HTTP_200_OK) -> Response:
    # The model was built from validated data: serialise it once, without FastAPI validating it again.
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


async def _prepare_url(request: Request, body: SelfCheckIn, key_id: int, max_claims: int) -> Prepared:
    fetcher: SafeFetcher = request.app.state.fetcher
    slots: KeyedSlots = request.app.state.url_slots
    assert body.url is not None
    with slots.hold(str(key_id)):
        page = await fetcher.afetch(body.url)
    refuse_unreadable(page.body, page.content_type)
    check_budget(page.body, max_claims, "url")
    prepared = Prepared(body, "url", page.body, page.url, page.charset)
    if page.redirects:
        prepared.notes.append(f"followed {len(page.redirects)} redirect(s) to {page.url}")
    return prepared


@router.post(
    "",
    response_model=SelfCheckOut,
    status_code=status.HTTP_201_CREATED,
    summary="Check a text, an HTML page or a public URL",
    responses={
        422: {"model": ErrorBody, "description": "Invalid input, or a URL that was refused or failed"},
        429: {"model": ErrorBody, "description": "Rate limit, or too many URL checks running for this key"},
        503: REGISTRY_EMPTY_RESPONSE,
    },
)
async def create_route(
    body: SelfCheckIn, request: Request, who: EnterpriseDep, checks: CheckServiceDep
) -> Response:
    """URLs must be public http(s) pages: private, loopback, link-local and metadata addresses are refused,
    and so is a URL that answers no page (an image, a PDF, binary bytes: 422, images go to /selfcheck/image).

    At most MARKWATCH_FETCH_MAX_CONCURRENT_PER_KEY URL checks run at once per key (429 beyond); at most
    MARKWATCH_SELFCHECK_MAX_CLAIMS claims are checked per input."""
    settings: Settings = request.app.state.settings
    factory: sessionmaker[Session] = request.app.state.session_factory
    # First: with an empty registry there is no answer to give, and no page worth fetching.
    registry = await registry_for(request.app.state.registry_cache, factory)
    if body.url is not None:
        prepared = await _prepare_url(request, body, who.key_id, settings.selfcheck_max_claims)
    else:
        prepared = prepare_inline(body, settings.selfcheck_max_claims)
    observed_at = now()
    [result] = await run_checks(
        checks,
        [prepared],
        registry=registry,
        observed_at=observed_at,
        max_claims=settings.selfcheck_max_claims,
    )
    if isinstance(result, MarkwatchError):
        raise result
    row = build_row(who.key_id, prepared, *result, observed_at, original_url=body.url)
    await store(request.app.state.selfcheck_writer, [row])
    return _json(answer(row, settings.selfcheck_answer_items), status.HTTP_201_CREATED)


@router.post(
    "/batch",
    response_model=BatchOut,
    status_code=status.HTTP_201_CREATED,
    summary="Check many texts or HTML pages in one request",
    responses={
        422: {"model": ErrorBody, "description": "Invalid input, or more items than allowed"},
        429: {"model": ErrorBody, "description": "Rate limit, or too many batches running for this key"},
        503: REGISTRY_EMPTY_RESPONSE,
    },
)
async def batch_route(
    body: BatchIn, request: Request, who: BatchEnterpriseDep, checks: CheckServiceDep
) -> Response:
    """Up to MARKWATCH_BATCH_MAX_ITEMS items (default 100), answered per item in the order sent and stored in
    one transaction. Each item counts as one self-check against the key's rate limit: a batch that does not
    fit in what is left is refused whole (429, Retry-After says when it would fit), never half-run; one
    larger than the key's whole budget (MARKWATCH_RATE_LIMIT_BURST) is refused with 422. Items answered
    `BatchSpent` were not checked and do not count. An item that cannot be checked is answered `failed` with the reason; the others are
    still checked. A batch checks at most MARKWATCH_BATCH_MAX_CLAIMS claims (default 2,000) in at most
    MARKWATCH_BATCH_CPU_SECONDS of checking (default 10): the items after that are answered `failed`
    (BatchSpent), to be sent again. URLs are not accepted here: send them to POST /v1/selfcheck.

    At most MARKWATCH_BATCH_MAX_CONCURRENT_PER_KEY batches (default 4) run or wait at once per key (429
    with Retry-After beyond): batches are checked one after another, so more would only queue."""
    slots: KeyedSlots = request.app.state.batch_slots
    with slots.hold(str(who.key_id)):
        return await _batch(body, request, who, checks)


async def _batch(body: BatchIn, request: Request, who: Principal, checks: CheckService) -> Response:
    settings: Settings = request.app.state.settings
    factory: sessionmaker[Session] = request.app.state.session_factory
    if len(body.items) > settings.batch_max_items:
        raise InputError(
            f"a batch holds at most {settings.batch_max_items} items, got {len(body.items)}", where="items"
        )
    registry = await registry_for(request.app.state.registry_cache, factory)
    answers: list[BatchItemOut | None] = [None] * len(body.items)
    prepared: list[tuple[int, Prepared]] = []
    for index, item in enumerate(body.items):
        try:
            prepared.append((index, prepare_inline(item, settings.selfcheck_max_claims, f"items.{index}")))
        except MarkwatchError as exc:
            answers[index] = _failed(index, exc)
    observed_at = now()
    results = await run_checks(
        checks,
        [p for _, p in prepared],
        registry=registry,
        observed_at=observed_at,
        max_claims=settings.selfcheck_max_claims,
        budget=BatchBudget(settings.batch_max_claims, settings.batch_cpu_seconds),
    )
    # Items the batch's budget did not reach were not checked: their rate-limit tokens are given back.
    refund_key_rate(request, who.key_id, sum(isinstance(r, BatchSpent) for r in results))
    rows: list[tuple[int, SelfCheck]] = []
    for (index, ready), result in zip(prepared, results, strict=True):
        if isinstance(result, MarkwatchError):
            answers[index] = _failed(index, result)
        else:
            rows.append((index, build_row(who.key_id, ready, *result, observed_at)))
    await store(request.app.state.selfcheck_writer, [row for _, row in rows])
    for index, row in rows:
        answers[index] = BatchItemOut(
            index=index, status="checked", result=answer(row, settings.selfcheck_answer_items)
        )
    done = [a for a in answers if a is not None]
    checked = sum(1 for a in done if a.status == "checked")
    return _json(BatchOut(checked=checked, failed=len(done) - checked, items=done), status.HTTP_201_CREATED)


def _failed(index: int, exc: MarkwatchError) -> BatchItemOut:
    return BatchItemOut(index=index, status="failed", error=type(exc).__name__, detail=str(exc))


@router.get("", response_model=Page[SelfCheckOut], summary="Your own self-checks, newest first")
def list_route(
    request: Request, session: SessionDep, who: EnterpriseDep, limit: LimitQuery = 20, offset: OffsetQuery = 0
) -> Page[SelfCheckOut]:
    """Only the self-checks made with the calling key."""
    items = request.app.state.settings.selfcheck_answer_items
    mine = SelfCheck.api_key_id == who.key_id
    total = session.scalar(select(func.count(SelfCheck.id)).where(mine)) or 0
    rows = session.scalars(
        select(SelfCheck).where(mine).order_by(SelfCheck.id.desc()).limit(limit).offset(offset)
    )
    return Page[SelfCheckOut](
        items=[SelfCheckOut.from_result(r, items) for r in rows], total=total, limit=limit, offset=offset
    )


NOT_MINE: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such self-check for this key"}
}


def _mine(session: Session, check_id: int, key_id: int) -> SelfCheck:
    row = session.get(SelfCheck, check_id)
    if row is None or row.api_key_id != key_id:
        raise NotFoundError(f"no self-check {check_id}")
    return row


@router.get("/{check_id}", response_model=SelfCheckOut, summary="One of your self-checks", responses=NOT_MINE)
def detail_route(check_id: IdPath, request: Request, session: SessionDep, who: EnterpriseDep) -> SelfCheckOut:
    """Another key's self-check answers 404, exactly like a missing one."""
    return SelfCheckOut.from_result(
        _mine(session, check_id, who.key_id), request.app.state.settings.selfcheck_answer_items
    )


@router.get(
    "/{check_id}/claims",
    response_model=Page[ClaimOut],
    summary="Page through a self-check's claims",
    responses=NOT_MINE,
)
def claims_route(
    check_id: IdPath, session: SessionDep, who: EnterpriseDep, limit: LimitQuery = 50, offset: OffsetQuery = 0
) -> Page[ClaimOut]:
    """In page order."""
    stored = _mine(session, check_id, who.key_id).result.get("claims", [])
    items = [ClaimOut.model_validate(c) for c in stored[offset : offset + limit]]
    return Page[ClaimOut](items=items, total=len(stored), limit=limit, offset=offset)


@router.get(
    "/{check_id}/findings",
    response_model=Page[FindingOut],
    summary="Page through a self-check's findings",
    responses=NOT_MINE,
)
def findings_route(
    check_id: IdPath, session: SessionDep, who: EnterpriseDep, limit: LimitQuery = 50, offset: OffsetQuery = 0
) -> Page[FindingOut]:
    """In the order the rules reported them."""
    stored = _mine(session, check_id, who.key_id).result.get("findings", [])
    items = [FindingOut.model_validate(f) for f in stored[offset : offset + limit]]
    return Page[FindingOut](items=items, total=len(stored), limit=limit, offset=offset)
