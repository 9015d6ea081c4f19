"""Self-checks for enterprises: text, HTML or a URL in, claims and findings out; never a case."""

from __future__ import annotations

import hashlib
import html as html_lib
from typing import Annotated, Any

from fastapi import Depends, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.deps import EnterpriseDep, SessionDep
from api.engine import CheckService, get_check_service
from api.fetch import SafeFetcher
from api.routing import api_router
from api.schemas.common import ERROR_RESPONSES, ErrorBody, IdPath, LimitQuery, OffsetQuery, Page
from api.schemas.selfcheck import SelfCheckIn, SelfCheckOut
from checker.registry import RegistryIndex
from checker.registry.cache import RegistryCache
from markwatch.cases.models import SelfCheck
from markwatch.db import utcnow
from markwatch.errors import NotFoundError

router = api_router("/selfcheck", ["selfcheck"], responses=ERROR_RESPONSES)
CheckServiceDep = Annotated[CheckService, Depends(get_check_service)]


def text_document(text: str) -> bytes:
    """Plain text as a minimal UTF-8 HTML page, one paragraph per line (the extractor reads pages)."""
    paragraphs = "".join(f"<p>{html_lib.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return (
        f'<!doctype html><html><head><meta charset="utf-8"></head><body>{paragraphs}</body></html>'.encode()
    )


def _relabel(item: dict[str, Any], field: str) -> dict[str, Any]:
    return {**item, field: f"claimed-{item.get(field)}", "location": "claimed_standard"}


def _load_registry(factory: sessionmaker[Session], cache: RegistryCache) -> RegistryIndex:
    with factory() as session:
        return cache.current(session)


def _store(factory: sessionmaker[Session], row: SelfCheck) -> SelfCheckOut:
    with factory() as session:
        session.add(row)
        session.commit()
        return SelfCheckOut.from_result(row)


@router.post(
    "",
    response_model=SelfCheckOut,
    status_code=status.HTTP_201_CREATED,
    summary="Check a text, an HTML page or a public URL",
    responses={
        422: {"model": ErrorBody, "description": "Invalid input, or a URL that was refused or failed"}
    },
)
async def create_route(
    body: SelfCheckIn, request: Request, who: EnterpriseDep, checks: CheckServiceDep
) -> SelfCheckOut:
    """URLs must be public http(s) pages: private, loopback, link-local and metadata addresses are refused."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    notes: list[str] = []
    url: str | None = None
    charset: str | None = "utf-8"
    if body.url is not None:
        fetcher: SafeFetcher = request.app.state.fetcher
        page = await run_in_threadpool(fetcher.fetch, body.url)
        raw, url, charset = page.body, page.url, page.charset
        if page.redirects:
            notes.append(f"followed {len(page.redirects)} redirect(s) to {page.url}")
    elif body.html is not None:
        raw = body.html.encode("utf-8")
    else:
        raw = text_document(body.text or "")
    observed_at = utcnow()
    registry = await run_in_threadpool(_load_registry, factory, request.app.state.registry_cache)
    outcome = await checks.check_page(
        raw,
        url=url,
        declared_charset=charset,
        observed_at=observed_at,
        registry=registry,
        claimant=body.enterprise_name,
    )
    claims, findings = outcome.claims, outcome.findings
    if body.claimed_standard:
        # The standard the enterprise says it implements is checked as the disclosure it would publish.
        claimed = await checks.check_page(
            text_document(f"执行标准：{body.claimed_standard}（上海标准）"),
            url=None,
            declared_charset="utf-8",
            observed_at=observed_at,
            registry=registry,
            claimant=body.enterprise_name,
        )
        claims = claims + [_relabel(c, "id") for c in claimed.claims]
        findings = findings + [_relabel(f, "claim_id") for f in claimed.findings]
        notes.append("claims and findings with ids starting 'claimed-' are about claimed_standard")
    row = SelfCheck(
        api_key_id=who.key_id,
        input_kind=body.kind,
        url=url or body.url,
        input_sha256=hashlib.sha256(raw).hexdigest(),
        enterprise_name=body.enterprise_name,
        uscc=body.uscc,
        claimed_standard=body.claimed_standard,
        result={"claims": claims, "findings": findings, "notes": notes + outcome.notes},
        created_at=observed_at,
    )
    return await run_in_threadpool(_store, factory, row)


@router.get("", response_model=Page[SelfCheckOut], summary="Your own self-checks, newest first")
def list_route(
    session: SessionDep, who: EnterpriseDep, limit: LimitQuery = 20, offset: OffsetQuery = 0
) -> Page[SelfCheckOut]:
    """Only the self-checks made with the calling key."""
    mine = SelfCheck.api_key_id == who.key_id
    total = session.scalar(select(func.count(SelfCheck.id)).where(mine)) or 0
    rows = session.scalars(
        select(SelfCheck).where(mine).order_by(SelfCheck.id.desc()).limit(limit).offset(offset)
    )
    return Page[SelfCheckOut](
        items=[SelfCheckOut.from_result(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/{check_id}",
    response_model=SelfCheckOut,
    summary="One of your self-checks",
    responses={404: {"model": ErrorBody, "description": "No such self-check for this key"}},
)
def detail_route(check_id: IdPath, session: SessionDep, who: EnterpriseDep) -> SelfCheckOut:
    """Another key's self-check answers 404, exactly like a missing one."""
    row = session.get(SelfCheck, check_id)
    if row is None or row.api_key_id != who.key_id:
        raise NotFoundError(f"no self-check {check_id}")
    return SelfCheckOut.from_result(row)
