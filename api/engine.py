"""The checker behind the API: page checks run on the checker's one engine thread, awaited from async code."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import Request

from checker.check import Checker
from checker.claimants import Claimant, fill_claimant
from checker.extract import extract_page
from checker.registry import RegistryIndex


@dataclass(frozen=True)
class CheckOutcome:
    """Claims and findings of one page, as JSON-ready dicts."""

    claims: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


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


def get_check_service(request: Request) -> CheckService:
    """The app's check service, built on first use (loading rules is not free)."""
    state = request.app.state
    with state.check_service_lock:
        if state.check_service is None:
            state.check_service = state.check_service_factory()
            state.on_shutdown.append(state.check_service.close)
        service: CheckService = state.check_service
    return service


def install(app_state: Any) -> None:
    """Prepare the lazily built check service on an app's state."""
    app_state.check_service = None
    app_state.check_service_lock = threading.Lock()
    app_state.check_service_factory = EngineCheckService


class EngineCheckService:
    """The real checker: extraction in a worker thread, every engine call on the checker's one engine thread."""

    def __init__(self) -> None:
        self.checker = Checker()

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
        page = await asyncio.to_thread(
            extract_page, raw, url=url, declared_charset=declared_charset, observed_at=observed_at
        )
        notes = [*page.encoding_notes, *page.notes]
        if claimant and (filled := fill_claimant(page, Claimant(claimant, "selfcheck"))):
            notes.append(f"{filled} claim(s) name no seller: checked as made by {claimant}")
        # check_claims hands the engine work to the checker's single engine thread and waits for it.
        findings = await asyncio.to_thread(self.checker.check_claims, page, registry, observed_at.date())
        return CheckOutcome(
            claims=[c.model_dump(mode="json") for c in page.claims],
            findings=[f.model_dump(mode="json") for f in findings],
            notes=notes,
        )

    def close(self) -> None:
        """Stop the engine thread."""
        self.checker.close()
