"""The checker behind the API: pages are extracted and judged in one worker-thread hop per request (or per
batch), the engine calls themselves on the checker's one engine thread."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gc
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio
from fastapi import Request

from checker.check import Checker
from checker.claimants import Claimant, fill_claimant
from checker.extract import extract_page
from checker.registry import RegistryIndex
from markwatch.errors import InputError, MarkwatchError


@dataclass(frozen=True)
class CheckOutcome:
    """Claims and findings of one page, as JSON-ready dicts."""

    claims: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    # Claims the page held before the per-self-check cap (None: not capped).
    claims_found: int | None = None
    # What the extractor could not read ({code, message}): "no finding" is then not "nothing wrong".
    warnings: list[dict[str, str]] = field(default_factory=list)
    # The codec the input was read with (None: the raw-bytes gate skipped it undecoded).
    decoded_as: str | None = None


@dataclass(frozen=True)
class PageInput:
    """One page to check: its bytes, where it came from, and who stands behind unattributed claims."""

    raw: bytes
    url: str | None
    declared_charset: str | None
    claimant: str | None = None


class BatchSpent(InputError):
    """An item of a batch not checked: the batch's budget was spent on the items before it."""


@dataclass
class BatchBudget:
    """What one request may cost in all: claims checked and CPU seconds of checking.

    Every limit of a single self-check (claims, the CPU budget, the answer size) holds per item, so a batch of
    100 items could cost 100 of them (a 2 MB batch checked 50,000 claims for 128 s and stored 200 MB). Items
    are checked in order until the budget is spent; the rest are answered "not checked" with the reason."""

    max_claims: int
    cpu_seconds: float
    claims: int = 0
    # CPU seconds its own items cost (thread time around each): a batch is checked in slices between other
    # requests' checks on the same thread, so the thread's clock since the batch began would count theirs too.
    cpu_used: float = 0.0

    def charge(self, claims: int, cpu_seconds: float) -> None:
        """Count one item: the claims it checked and the CPU time it took."""
        self.claims += claims
        self.cpu_used += cpu_seconds

    def spent(self) -> str | None:
        """Why nothing more is checked, or None."""
        if self.claims >= self.max_claims:
            return f"the batch's {self.max_claims} claims (MARKWATCH_BATCH_MAX_CLAIMS) were checked on earlier items"
        if self.cpu_used >= self.cpu_seconds:
            return (
                f"the batch's {self.cpu_seconds:g} s of checking (MARKWATCH_BATCH_CPU_SECONDS) were spent on earlier "
                "items"
            )
        return None

    def refusal(self, reason: str) -> BatchSpent:
        """The error an unchecked item is answered with."""
        return BatchSpent(f"not checked: {reason}; send this item again in another batch", where="items")


class CheckService(Protocol):
    """What the self-check route needs from the checker (tests override it)."""

    async def check_page(
        self,
        raw: bytes,
        *,
        url: str | None,
        declared_charset: str | None,
        observed_at: dt.datetime,
        registry: RegistryIndex,
        claimant: str | None = None,
    ) -> CheckOutcome:
        """Check one page; `claimant` stands in where the page names no seller or manufacturer."""
        ...


async def check_all(
    service: CheckService,
    pages: list[PageInput],
    *,
    observed_at: dt.datetime,
    registry: RegistryIndex,
    max_claims: int,
    budget: BatchBudget | None = None,
) -> list[CheckOutcome | MarkwatchError]:
    """Check several pages in one go when the service can (the real one can), else one by one; with a
    `budget`, pages past it are answered BatchSpent."""
    many = getattr(service, "check_pages", None)
    if many is not None:
        results: list[CheckOutcome | MarkwatchError] = await many(
            pages, observed_at=observed_at, registry=registry, max_claims=max_claims, budget=budget
        )
        return results
    answers: list[CheckOutcome | MarkwatchError] = []
    for page in pages:
        if budget is not None and (reason := budget.spent()) is not None:
            answers.append(budget.refusal(reason))
            continue
        started = time.thread_time()
        claims = 0
        try:
            outcome = await service.check_page(
                page.raw,
                url=page.url,
                declared_charset=page.declared_charset,
                observed_at=observed_at,
                registry=registry,
                claimant=page.claimant,
            )
        except MarkwatchError as exc:
            answers.append(exc)
        else:
            answers.append(_capped(outcome, max_claims))
            claims = len(outcome.claims)
        if budget is not None:
            budget.charge(claims, time.thread_time() - started)
    return answers


def _capped(outcome: CheckOutcome, max_claims: int) -> CheckOutcome:
    if len(outcome.claims) <= max_claims:
        return outcome
    kept = outcome.claims[:max_claims]
    ids = {c.get("id") for c in kept}
    return dataclasses.replace(
        outcome,
        claims=kept,
        findings=[f for f in outcome.findings if f.get("claim_id") in ids],
        notes=[*outcome.notes, _cap_note(len(outcome.claims), max_claims)],
        claims_found=len(outcome.claims),
    )


def _cap_note(found: int, kept: int) -> str:
    return f"{found} claims found: only the first {kept} were checked (MARKWATCH_SELFCHECK_MAX_CLAIMS)"


async def get_check_service(request: Request) -> CheckService:
    """The app's check service, built on first use (loading rules is not free).

    `async` so that the common case (built at start-up by warm_up) costs no hop to FastAPI's thread pool: a
    plain `def` dependency cost every self-check one (about 4% of a worker's CPU under load, py-spy); the
    first build, about a second, still runs off the event loop."""
    service: CheckService | None = request.app.state.check_service
    if service is not None:
        return service
    return await anyio.to_thread.run_sync(service_of, request.app.state)


def service_of(state: Any) -> CheckService:
    """The check service on an app's state, built on first use."""
    service: CheckService | None = state.check_service
    if service is not None:
        return service
    with state.check_service_lock:
        if state.check_service is None:
            state.check_service = state.check_service_factory()
            state.on_shutdown.append(state.check_service.close)
        service = state.check_service
    assert service is not None
    return service


# A claim that exercises extraction, classification, tying and the rules end to end.
WARM_UP_PAGE = "产品名称：塑胶跑道面层 执行标准：T/SHHJ 000003-2018（上海标准） 生产企业：上海某某新材料有限公司".encode()


async def warm_up(app_state: Any) -> None:
    """Build the check service and judge one page before the server takes requests.

    The first check in a process loads the rules, starts the engine and reads the normalisation tables
    (about a second here); without this, whichever client comes first after a start or a worker restart
    waits for it, and a latency percentile counts it."""
    service = service_of(app_state)
    registry = await anyio.to_thread.run_sync(app_state.registry_cache.load, app_state.session_factory)
    await service.check_page(
        WARM_UP_PAGE,
        url=None,
        declared_charset="utf-8",
        observed_at=dt.datetime.now(dt.UTC),
        registry=registry,
    )
    # Everything loaded so far (modules, rules, tables, the engine) lives as long as the process: moved out
    # of the collector's reach, a full collection under load scans only what requests made. Without this,
    # each one paused the server 160-235 ms here, and the request in flight paid for it.
    gc.collect()
    gc.freeze()


def install(app_state: Any) -> None:
    """Prepare the lazily built check service on an app's state."""
    app_state.check_service = None
    app_state.check_service_lock = threading.Lock()
    app_state.check_service_factory = EngineCheckService


# Inputs up to this size go to the thread for small inputs, larger ones to their own: a 2 MB page then
# never holds up the many short texts behind it.
SMALL_INPUT_BYTES = 64 * 1024
# A batch goes back to the end of its thread's queue after this much CPU time (and at least one page): the
# single self-checks queued meanwhile are checked between its slices. Checked whole, three keys sending
# batches of 100 short texts (1.3 s each) made another key's single self-check wait 1.4 s at the median.
# Batches take turns on a thread whole, in order of arrival: sliced against each other, 32 batches at once
# would all finish together, each after all of them (none of 32 batches of 50 finished within 3 s).
# A slice costs one executor round trip, ~0.1 ms.
SLICE_CPU_SECONDS = 0.01


class EngineCheckService:
    """The real checker: small inputs checked whole on the checker's engine thread, large ones on their own.

    Checking is CPU-bound Python: more threads add no speed under the GIL, only contention. Small inputs
    (nearly every self-check) run extraction and rules on the engine thread itself, so a page costs one
    hop from the event loop and no handoff per engine call; a large input is extracted on a thread of its
    own (a 2 MB page never holds up the short texts behind it) and only its engine calls queue there."""

    def __init__(self) -> None:
        self.checker = Checker()
        self._small = self.checker.engine_executor
        self._large = ThreadPoolExecutor(max_workers=1, thread_name_prefix="markwatch-check-large")
        # One batch at a time per thread, per event loop (an asyncio lock belongs to one loop; tests run
        # several apps, each on its own loop).
        self._batch_turns: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[ThreadPoolExecutor, asyncio.Lock]
        ] = weakref.WeakKeyDictionary()

    def _executor(self, pages: list[PageInput]) -> ThreadPoolExecutor:
        return self._small if sum(len(p.raw) for p in pages) <= SMALL_INPUT_BYTES else self._large

    async def check_page(
        self,
        raw: bytes,
        *,
        url: str | None,
        declared_charset: str | None,
        observed_at: dt.datetime,
        registry: RegistryIndex,
        claimant: str | None = None,
    ) -> CheckOutcome:
        """Extract and judge one page without blocking the event loop."""
        page = PageInput(raw, url, declared_charset, claimant)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor([page]), self._one, page, observed_at, registry, None
        )

    async def check_pages(
        self,
        pages: list[PageInput],
        *,
        observed_at: dt.datetime,
        registry: RegistryIndex,
        max_claims: int,
        budget: BatchBudget | None = None,
    ) -> list[CheckOutcome | MarkwatchError]:
        """Several pages, a slice of them per worker-thread hop; a page that fails is answered with its error.

        A batch (a `budget` is given) waits for the batches before it on the same thread to finish."""
        loop = asyncio.get_running_loop()
        executor = self._executor(pages)
        if budget is None:
            return await self._slices(loop, executor, pages, observed_at, registry, max_claims, None)
        turns = self._batch_turns.setdefault(loop, {})
        async with turns.setdefault(executor, asyncio.Lock()):
            return await self._slices(loop, executor, pages, observed_at, registry, max_claims, budget)

    async def _slices(
        self,
        loop: asyncio.AbstractEventLoop,
        executor: ThreadPoolExecutor,
        pages: list[PageInput],
        observed_at: dt.datetime,
        registry: RegistryIndex,
        max_claims: int,
        budget: BatchBudget | None,
    ) -> list[CheckOutcome | MarkwatchError]:
        answers: list[CheckOutcome | MarkwatchError] = []
        while len(answers) < len(pages):
            answers += await loop.run_in_executor(
                executor, self._many, pages[len(answers) :], observed_at, registry, max_claims, budget
            )
        return answers

    def _many(
        self,
        pages: list[PageInput],
        observed_at: dt.datetime,
        registry: RegistryIndex,
        max_claims: int,
        budget: BatchBudget | None,
    ) -> list[CheckOutcome | MarkwatchError]:
        """The first pages of `pages`, until SLICE_CPU_SECONDS are spent (at least one page)."""
        answers: list[CheckOutcome | MarkwatchError] = []
        slice_started = time.thread_time()
        for page in pages:
            if budget is not None and (reason := budget.spent()) is not None:
                answers.append(budget.refusal(reason))
                continue
            started = time.thread_time()
            answer: CheckOutcome | MarkwatchError
            try:
                answer = self._one(page, observed_at, registry, max_claims)
            except MarkwatchError as exc:
                answer = exc
            answers.append(answer)
            finished = time.thread_time()
            if budget is not None:
                claims = len(answer.claims) if isinstance(answer, CheckOutcome) else 0
                budget.charge(claims, finished - started)
            if finished - slice_started >= SLICE_CPU_SECONDS:
                break
        return answers

    def _one(
        self, item: PageInput, observed_at: dt.datetime, registry: RegistryIndex, max_claims: int | None
    ) -> CheckOutcome:
        page = extract_page(
            item.raw, url=item.url, declared_charset=item.declared_charset, observed_at=observed_at
        )
        notes = [*page.encoding_notes, *page.notes]
        found: int | None = None
        if max_claims is not None and len(page.claims) > max_claims:
            found = len(page.claims)
            page.claims = page.claims[:max_claims]
            notes.append(_cap_note(found, max_claims))
        if item.claimant and (filled := fill_claimant(page, Claimant(item.claimant, "selfcheck"))):
            notes.append(f"{filled} claim(s) name no seller: checked as made by {item.claimant}")
        # check_claims hands the engine work to the checker's single engine thread and waits for it.
        findings = self.checker.check_claims(page, registry, observed_at.date())
        return CheckOutcome(
            claims=[c.model_dump(mode="json") for c in page.claims],
            findings=[f.model_dump(mode="json") for f in findings],
            notes=notes,
            claims_found=found,
            warnings=[warning.model_dump() for warning in page.warnings],
            decoded_as=page.encoding,
        )

    def close(self) -> None:
        """Stop the large-input thread and the checker (the engine thread is the process's, shared)."""
        self._large.shutdown(wait=False, cancel_futures=True)
        self.checker.close()
