"""A sweep's images, aggregated from its rows (ledger URLs of kind image, sightings, readings) when they are
needed: nothing is counted up under a lock, so any number of writers and image stages can work at once."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from checker.images.store import RUN_FAILURES, ImageReadingRow
from crawler.images.models import PENDING_STATES, ImageSighting
from crawler.images.scan import FAILED as SCAN_FAILED
from crawler.images.scan import PENDING as SCAN_PENDING
from crawler.images.storage import given_up_image_warning, is_image_warning, swap_page_warning, unread_warning
from crawler.ledger import IMAGE
from crawler.store.models import SweepPage, SweepUrl
from sweeps.models import Finding

IMAGE_CLAIM_KINDS = ("image-text", "mark-image")
# A sighting's reason when markwatch's own reading failed in this run (the stage's `error:<reading reason>`).
_RUN_FAILED = sorted(f"error:{reason}" for reason in RUN_FAILURES)


def pending_images(session: Session, sweep_id: int) -> int:
    """Image work not done yet: sightings whose image is not fetched, read or judged with its page, and
    stored pages whose images are not looked for yet (crawler/images/scan.py)."""
    sightings = session.scalar(
        select(func.count()).where(
            ImageSighting.sweep_id == sweep_id, ImageSighting.status.in_(PENDING_STATES)
        )
    )
    return int(sightings or 0) + pages_to_scan(session, sweep_id)


def pages_to_scan(session: Session, sweep_id: int) -> int:
    """Stored pages whose images are not looked for yet (part of pending_images)."""
    pages = session.scalar(
        select(func.count()).where(SweepPage.sweep_id == sweep_id, SweepPage.image_scan == SCAN_PENDING)
    )
    return int(pages or 0)


def pending_pages(session: Session, sweep_id: int, limit: int = 20) -> list[str]:
    """Pages still waiting for their images' work (listed on an incomplete sweep), in URL order."""
    waiting = session.scalars(
        select(ImageSighting.page_url)
        .distinct()
        .where(ImageSighting.sweep_id == sweep_id, ImageSighting.status.in_(PENDING_STATES))
        .order_by(ImageSighting.page_url)
        .limit(limit)
    )
    unscanned = session.scalars(
        select(SweepPage.url)
        .where(SweepPage.sweep_id == sweep_id, SweepPage.image_scan == SCAN_PENDING)
        .order_by(SweepPage.url)
        .limit(limit)
    )
    return sorted({*waiting, *unscanned})[:limit]


def image_accounting(session: Session, sweep_id: int) -> dict[str, Any]:
    """found, requested/fetched/failed/skipped (ledger), read/cache hits/gate skips/errors (readings),
    claims and findings from images, OCR seconds, and what is still pending."""
    ledger: Counter[str] = Counter()
    fetch_failed: Counter[str] = Counter()
    fetch_skipped: Counter[str] = Counter()
    for state, reason, count in session.execute(
        select(SweepUrl.state, SweepUrl.reason, func.count())
        .where(SweepUrl.sweep_id == sweep_id, SweepUrl.kind == IMAGE)
        .group_by(SweepUrl.state, SweepUrl.reason)
    ):
        ledger[state] += count
        if state == "failed":
            fetch_failed[reason or "unknown"] += count
        elif state == "skipped":
            fetch_skipped[reason or "unknown"] += count
    rows = session.execute(
        select(
            ImageSighting.status,
            ImageSighting.reason,
            ImageSighting.reading,
            ImageSighting.image_sha256,
            ImageSighting.url,
            ImageSighting.claims,
        ).where(ImageSighting.sweep_id == sweep_id)
    ).all()
    statuses: Counter[str] = Counter(row.status for row in rows)
    read_here = {row.image_sha256 for row in rows if row.reading == "read"}
    ocr_read = {row.image_sha256 for row in rows if row.reading == "read" and row.reason is None}
    cache_hits = {row.url for row in rows if row.reading == "cached"}
    gated = {row.image_sha256 for row in rows if (row.reason or "").startswith("gate:")}
    # Per image, not per sighting: a broken image on a thousand listings is one broken image.
    broken = {(row.image_sha256, row.reason) for row in rows if row.image_sha256 and _is_error(row.reason)}
    errors: Counter[str] = Counter(str(reason).split(":", 1)[1] for _, reason in broken)
    seconds = 0.0
    if read_here:
        per_image = session.execute(
            select(ImageReadingRow.sha256, func.max(ImageReadingRow.seconds))
            .where(ImageReadingRow.sha256.in_(sorted(s for s in read_here if s)))
            .group_by(ImageReadingRow.sha256)
        ).all()
        seconds = sum(float(value or 0.0) for _, value in per_image)
    findings = sum(
        1
        for (evidence,) in session.execute(select(Finding.evidence).where(Finding.sweep_id == sweep_id))
        if any(
            (location or {}).get("kind") in IMAGE_CLAIM_KINDS
            for location in (evidence or {}).get("locations") or [evidence or {}]
        )
    )
    return {
        "found": len(rows),
        "requested": sum(ledger.values()),
        "fetched": ledger["stored"],
        "fetch_failed": dict(fetch_failed),
        "fetch_skipped": dict(fetch_skipped),
        "read": len(ocr_read),
        "skipped_by_gate": len(gated),
        "errors": dict(errors),
        "cache_hits": len(cache_hits),
        "claims": sum(row.claims for row in rows),
        "findings": findings,
        "ocr_seconds": round(seconds, 1),
        "pending": sum(statuses[state] for state in PENDING_STATES),
        "sightings": dict(statuses),
        # Pages whose images could not be looked for (logged): none of their images is known.
        "pages_not_scanned": pages_not_scanned(session, sweep_id),
        # Pages with an image markwatch failed to read in this run: read again by `sweep resume`.
        "pages_not_read": pages_not_read(session, sweep_id),
    }


def pages_not_scanned(session: Session, sweep_id: int) -> int:
    """Stored pages whose images could not be looked for (crawler/images/scan.py marked them failed)."""
    pages = session.scalar(
        select(func.count()).where(SweepPage.sweep_id == sweep_id, SweepPage.image_scan == SCAN_FAILED)
    )
    return int(pages or 0)


def _not_read(sweep_id: int) -> tuple[Any, ...]:
    # Done with (checked with its page) but not read: the reading failed for a reason of the run, not the image.
    return (
        ImageSighting.sweep_id == sweep_id,
        ImageSighting.status == "checked",
        ImageSighting.reason.in_(_RUN_FAILED),
    )


def pages_not_read(session: Session, sweep_id: int) -> int:
    """Pages with an image markwatch failed to read in this run (time limit, a crashed or failing OCR worker,
    no worker at all): their image claims are unknown, and `sweep resume` reads those images again."""
    pages = session.scalar(
        select(func.count(func.distinct(ImageSighting.page_ledger_url))).where(*_not_read(sweep_id))
    )
    return int(pages or 0)


def pages_not_read_urls(session: Session, sweep_id: int, limit: int) -> list[str]:
    """Up to `limit` of those pages (as the ledger knows them), in URL order."""
    return list(
        session.scalars(
            select(ImageSighting.page_ledger_url)
            .distinct()
            .where(*_not_read(sweep_id))
            .order_by(ImageSighting.page_ledger_url)
            .limit(limit)
        )
    )


def not_read_given_up(
    session: Session, sweep_id: int, attempts: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """Pages with an image markwatch's reading failed on `attempts` times or more and none it may still read
    again: how many, and up to `limit` of their given-up images ({reason, url, image, attempts}, URL order)."""
    retryable = set(
        session.scalars(
            select(ImageSighting.page_ledger_url)
            .distinct()
            .where(*_not_read(sweep_id), ImageSighting.retries + 1 < attempts)
        )
    )
    rows = session.execute(
        select(ImageSighting.page_ledger_url, ImageSighting.url, ImageSighting.retries)
        .where(*_not_read(sweep_id), ImageSighting.retries + 1 >= attempts)
        .order_by(ImageSighting.page_ledger_url, ImageSighting.url)
    ).all()
    pages = sorted({page for page, _, _ in rows} - retryable)
    items = [
        {"reason": "images_not_read", "url": page, "image": image, "attempts": retries + 1}
        for page, image, retries in rows
        if page not in retryable
    ]
    return len(pages), items[:limit]


def mark_reads_given_up(session: Session, sweep_id: int, attempts: int) -> None:
    """Each image markwatch's reading failed on `attempts` times or more is marked given up on its page, with
    its reason and attempts (the page's warning for it says it is not read again on resume)."""
    rows = session.execute(
        select(ImageSighting.page_ledger_url, ImageSighting.url, ImageSighting.reason, ImageSighting.retries)
        .where(*_not_read(sweep_id), ImageSighting.retries + 1 >= attempts)
        .order_by(ImageSighting.page_ledger_url, ImageSighting.position)
    ).all()
    for page, image, reason, retries in rows:
        mark = given_up_image_warning(image, str(reason), retries + 1)
        swap_page_warning(session, sweep_id, page, is_image_warning(image, str(reason)), mark, add=True)


def reread_run_failures(
    session: Session, sweep_id: int, *, attempts: int, retry_given_up: bool = False
) -> int:
    """Sightings whose reading failed for a reason of the run, fetched again (a resumed sweep), each counted
    as one more retry: the image stage reads them and checks their pages again, taking back the earlier run's
    warnings. Those already tried `attempts` times stay as they are (given up, their page keeps its warning)
    unless `retry_given_up`. How many."""
    where: tuple[Any, ...] = (
        ImageSighting.sweep_id == sweep_id,
        ImageSighting.status.in_(("read", "checked")),
        ImageSighting.reason.in_(_RUN_FAILED),
    )
    if not retry_given_up:
        where = (*where, ImageSighting.retries + 1 < attempts)
    # A given-up mark goes back to the plain warning the image stage takes back once the image is read (and
    # keeps when it fails again; record_end marks it again if it is given up again).
    for page, image, reason in session.execute(
        select(ImageSighting.page_ledger_url, ImageSighting.url, ImageSighting.reason).where(*where)
    ):
        plain = unread_warning(image, str(reason))
        swap_page_warning(session, sweep_id, page, is_image_warning(image, str(reason)), plain, add=False)
    moved = session.execute(
        update(ImageSighting)
        .where(*where)
        .values(
            status="fetched",
            reason=None,
            reading=None,
            claims=0,
            lease_owner=None,
            lease_until=None,
            retries=ImageSighting.retries + 1,
        )
    )
    return int(getattr(moved, "rowcount", 0) or 0)


def _is_error(reason: str | None) -> bool:
    return bool(reason and reason.startswith("error:"))
