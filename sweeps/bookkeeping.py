"""Sweep bookkeeping: start or resume a sweep row (one running per target, enforced by the database), run
its crawl, record how it ended with the accounting of every URL, compare with the previous sweep."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from checker.registry.gate import ALLOWED_IN_SUMMARY, allowed_by_summary, require_registry
from crawler import heartbeat, ledger, process
from crawler.images.scan import mark_scans_given_up, rescan_failed, scan_given_up
from crawler.store.models import PARTIAL, Snapshot, Sweep, SweepPage, SweepUrl
from crawler.targets import Target
from markwatch import db
from markwatch.errors import ConflictError, DatabaseError, NotFoundError
from sweeps.images.accounting import (
    image_accounting,
    mark_reads_given_up,
    not_read_given_up,
    pages_not_read,
    pages_not_read_urls,
    pages_not_scanned,
    pages_to_scan,
    pending_images,
    pending_pages,
    reread_run_failures,
)
from sweeps.models import Finding
from sweeps.run import CrawlResult

log = logging.getLogger(__name__)

UNFINISHED = ("running", "interrupted", "incomplete")
# Not-handled reasons beside ledger.UNHANDLED, counting stored pages: pages whose images could not be looked for,
# and pages with an image markwatch's own reading failed on in this run (time limit, crashed or failing OCR
# worker, no worker: checker/images/store.py RUN_FAILURES), not one that is the image's own (undecodable,
# unsupported, refused by the gate, not fetched from its host: recorded on the page, the sweep still finishes).
IMAGES_NOT_SCANNED = "images_not_scanned"
IMAGES_NOT_READ = "images_not_read"
# Missing URLs kept in the summary (all of them stay queryable in sweep_urls).
SUMMARY_MISSING = 50
# Given-up items listed in the summary (all of them stay queryable: failed rows with their retries).
SUMMARY_GIVEN_UP = 50
# Written by record_end, never carried from one run of a sweep to the next.
_PER_RUN = ("pid", "missing", "spooled", "unkept", "images_pending", "images_pending_scan",
            "images_pending_pages", "unhandled", "images_not_read_pages", "given_up", "given_up_items",
            "nothing_to_retry", "max_attempts")  # fmt: skip


@dataclass(frozen=True)
class GivenUp:
    """What markwatch failed itself in a sweep as often as it may (MARKWATCH_MAX_ATTEMPTS): by reason (the
    units of `not_handled`: URLs, or pages for images_not_scanned/images_not_read), the first items, and how
    many not-handled items a resume would still do again."""

    counts: dict[str, int]
    items: list[dict[str, Any]]
    retryable: int
    attempts: int


def is_given_up(sweep: Sweep) -> bool:
    """An incomplete sweep with nothing left to retry: every item markwatch failed itself used its attempts.
    It is never resumed by itself (the next run of its target starts a new sweep); only `sweep resume ID
    --retry-given-up` does it again, or a resume once MARKWATCH_MAX_ATTEMPTS was raised (resume_plan)."""
    return sweep.state == "incomplete" and bool((sweep.summary or {}).get("nothing_to_retry"))


def resume_plan(session: Session, sweep: Sweep, *, retry_given_up: bool, anew: str) -> dict[str, Any]:
    """What a resume of `sweep` records in its summary before it redoes anything (`reopened` when a raised
    MARKWATCH_MAX_ATTEMPTS gives given-up items attempts again, else nothing); ConflictError for a sweep that
    gave up with nothing left to retry under the limit in force, unless `retry_given_up`. `anew` is the
    command that sweeps the target anew instead, named in the refusal."""
    if not is_given_up(sweep) or retry_given_up:
        return {}
    summary = sweep.summary or {}
    was = int(summary.get("max_attempts") or 0)
    left = given_up(session, sweep.id)
    if left.attempts > was and left.retryable > 0:
        # The limit was raised since the sweep gave up: what has attempts left under the new one is done
        # again, and the sweep says why it was resumed after saying nothing was left to retry.
        log.warning("sweep %d: %s raised from %d to %d: %d given-up item(s) tried again", sweep.id,
                    ledger.ATTEMPTS_VARIABLE, was, left.attempts, left.retryable)  # fmt: skip
        return {"reopened": {"max_attempts_was": was, "max_attempts": left.attempts, "items": left.retryable}}
    raise ConflictError(
        f"sweep {sweep.id} is incomplete with "
        + given_up_text(summary.get("given_up") or {}, was)
        + f" ({ledger.ATTEMPTS_VARIABLE}); {anew} starts a new sweep of {sweep.target!r}, "
        f"or try them once more with `markwatch sweep resume {sweep.id} --retry-given-up` "
        f"(or raise {ledger.ATTEMPTS_VARIABLE} above {was})"
    )


def stored_target(sweep: Sweep, *, anew: str) -> Target:
    """The target a sweep resumes with: the one stored with it (its targets file may have changed since, or
    lost it). ConflictError, before anything is written, when markwatch can no longer use it (a field it no
    longer knows, an adapter since removed): a resume would set the sweep running, count an attempt against
    every item it puts back, and fail before fetching any. `anew` names the command that starts a new sweep."""
    from pydantic import ValidationError

    from crawler.adapters import adapter_names

    stored = (sweep.summary or {}).get("target")
    if stored is None:
        raise ConflictError(f"sweep {sweep.id} predates resumable sweeps: {anew} starts a new sweep instead")
    try:
        target = Target.model_validate(stored)
    except ValidationError as exc:
        problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        problem = f"the target stored with it no longer reads ({problem})"
    else:
        if target.adapter in adapter_names():
            return target
        problem = f"unknown adapter {target.adapter!r} (known: {', '.join(adapter_names())})"
    raise ConflictError(
        f"sweep {sweep.id} of {sweep.target!r} cannot be resumed: {problem}; nothing was resumed, "
        f"{anew} starts a new sweep from the targets file"
    )


def reopened_text(summary: dict[str, Any]) -> str:
    """ "MARKWATCH_MAX_ATTEMPTS raised from 2 to 4: 1 given-up item(s) tried again"; "" if not reopened."""
    reopened = summary.get("reopened") or {}
    if not reopened:
        return ""
    return (
        f"{ledger.ATTEMPTS_VARIABLE} raised from {reopened.get('max_attempts_was')} to "
        f"{reopened.get('max_attempts')}: {reopened.get('items')} given-up item(s) tried again"
    )


@dataclass(frozen=True)
class Comparison:
    """Finding keys of a sweep against the previous finished sweep of the same target."""

    new: int
    recurring: int
    resolved: int


def reap_dead(session: Session, target: str | None = None) -> list[int]:
    """Mark running sweeps whose process died (killed, crashed, machine rebooted) interrupted: resumable.

    On the machine that runs a single-process sweep its pid answers at once (alive: running, gone: dead).
    Anywhere else, and for a cluster's sweep (no single process), a sweep is dead once its heartbeat is older
    than `heartbeat.stale_after()` seconds: every host then tells the same story."""
    query = select(Sweep).where(Sweep.state == "running")
    if target is not None:
        query = query.where(Sweep.target == target)
    now, bound = heartbeat.clock(session), heartbeat.stale_after()
    cutoff = now - dt.timedelta(seconds=bound)
    reaped = []
    for sweep in session.scalars(query):
        summary = dict(sweep.summary or {})
        where = [Sweep.id == sweep.id, Sweep.state == "running"]
        if not summary.get("distributed") and process.is_local(summary):
            if process.is_alive(summary):
                continue
            ended = {"pid": None, "ended": "process gone"}
        else:
            if heartbeat.last_sign_of_life(sweep) >= cutoff:
                continue
            # Checked again in the statement: a beat that lands meanwhile keeps the sweep running.
            where.append(or_(Sweep.heartbeat_at.is_(None), Sweep.heartbeat_at < cutoff))
            where.append(Sweep.started_at < cutoff)
            ended = {"ended": f"no heartbeat for {bound:.0f} s",
                     "last_heartbeat": heartbeat.last_sign_of_life(sweep).isoformat()}  # fmt: skip
        result = session.execute(update(Sweep).where(*where).values(state="interrupted",
                                                                    summary={**summary, **ended}))  # fmt: skip
        if _rowcount(result):
            log.warning("sweep %d of %s: %s (process %s on %s); marked interrupted", sweep.id, sweep.target,
                        ended["ended"], summary.get("pid"), summary.get("host"))  # fmt: skip
            reaped.append(sweep.id)
    session.flush()
    session.expire_all()
    for sweep_id in reaped:
        # A killed process never wrote its counts (they are written as a sweep ends): write them now, from
        # the ledger, so every view of the row (list, API, console) says what `sweep status` says.
        dead = session.get(Sweep, sweep_id)
        if dead is not None:
            apply_accounting(session, dead)
            dead.summary = {**(dead.summary or {}),
                             "missing": ledger.queued_urls(session, sweep_id, limit=SUMMARY_MISSING)}  # fmt: skip
    session.flush()
    return reaped


def running_sweep_id(session: Session, target: str) -> int | None:
    """The target's sweep that is running now (a live process, or a cluster); dead ones are reaped first."""
    reap_dead(session, target)
    return session.scalar(select(Sweep.id).where(Sweep.target == target, Sweep.state == "running"))


def _busy(session: Session, target: str) -> ConflictError:
    sweep = session.scalars(select(Sweep).where(Sweep.target == target, Sweep.state == "running")).first()
    if sweep is None:
        return ConflictError(f"another sweep of {target!r} started at the same moment")
    summary = sweep.summary or {}
    if summary.get("distributed"):
        return ConflictError(
            f"sweep {sweep.id} of {target!r} is a distributed sweep in progress; "
            f"run `markwatch cluster worker {sweep.id}` or `markwatch cluster abandon {sweep.id}`"
        )
    where = f" on {summary['host']}" if summary.get("host") and not process.is_local(summary) else ""
    return ConflictError(f"sweep {sweep.id} of {target!r} is still running (pid {summary.get('pid')}{where})")


def start_or_resume(
    session: Session, target: Target, job_root: Path, *, retry_given_up: bool = False
) -> tuple[Sweep, bool]:
    """The target's unfinished sweep (resumed) or a new one; ConflictError while another process runs one.

    What markwatch failed itself in it is done again, each item only up to MARKWATCH_MAX_ATTEMPTS times in
    all; a sweep with nothing left to retry (is_given_up) is not resumed but replaced by a new sweep, unless
    `retry_given_up` (then each given-up item is done once more).

    The row goes to "running" in one statement that the database checks against its one-running-sweep-
    per-target index, so of several processes starting the same target at once exactly one wins."""
    reap_dead(session, target.name)
    if session.scalar(select(Sweep.id).where(Sweep.target == target.name, Sweep.state == "running")):
        raise _busy(session, target.name)
    me = {**process.identity(), "target": target.model_dump(mode="json")}
    previous = session.scalars(
        select(Sweep)
        .where(Sweep.target == target.name, Sweep.state.in_(UNFINISHED))
        .order_by(Sweep.id.desc())
        .limit(1)
    ).first()
    plan: dict[str, Any] = {}
    if previous is not None:
        try:
            plan = resume_plan(session, previous, retry_given_up=retry_given_up, anew="`markwatch sweep run`")
        except ConflictError:
            # Resuming it would do nothing but end it incomplete again: the target is swept anew instead.
            previous = None
    try:
        if previous is not None:
            if (previous.summary or {}).get("distributed"):
                raise _busy_cluster(previous)
            summary = {
                **{k: v for k, v in (previous.summary or {}).items() if k != "reopened"},
                **me,
                **plan,
                "resumed": (previous.summary or {}).get("resumed", 0) + 1,
            }
            moved = session.execute(
                update(Sweep)
                .where(Sweep.id == previous.id, Sweep.state.in_(("interrupted", "incomplete")))
                .values(state="running", summary=summary, heartbeat_at=heartbeat.now_value(session))
            )
            if not _rowcount(moved):
                raise _busy(session, target.name)
            # What markwatch failed itself last time (a page it could not check or store, images it could not
            # look for or read) is done again, up to the bound of attempts.
            redo_unhandled(session, previous.id, retry_given_up=retry_given_up)
            session.flush()
            session.refresh(previous)
            return previous, True
        sweep = Sweep(target=target.name, started_at=db.utcnow(), state="running", summary=me,
                      heartbeat_at=heartbeat.now_value(session))  # fmt: skip
        session.add(sweep)
        session.flush()
    except IntegrityError:
        session.rollback()
        raise _busy(session, target.name) from None
    sweep.job_dir = str(job_root / f"sweep-{sweep.id}")
    session.flush()
    return sweep, False


def redo_unhandled(session: Session, sweep_id: int, *, retry_given_up: bool = False) -> int:
    """Put back what markwatch failed itself in a sweep (URLs, image scans, image readings), each item that
    has attempts left (MARKWATCH_MAX_ATTEMPTS), or every one when `retry_given_up`. How many items."""
    attempts = ledger.max_attempts()
    return (
        ledger.requeue_unhandled(session, sweep_id, max_attempts=attempts, retry_given_up=retry_given_up)
        + rescan_failed(session, sweep_id, attempts=attempts, retry_given_up=retry_given_up)
        + reread_run_failures(session, sweep_id, attempts=attempts, retry_given_up=retry_given_up)
    )


def given_up(
    session: Session,
    sweep_id: int,
    *,
    max_attempts: int | None = None,
    unhandled: dict[str, int] | None = None,
) -> GivenUp:
    """What markwatch failed itself in the sweep `max_attempts` times (default: the setting) and no longer
    does again on resume, by reason, with the first SUMMARY_GIVEN_UP items."""
    attempts = ledger.max_attempts_or_setting(max_attempts)
    if unhandled is None:
        unhandled = not_handled(session, sweep_id, ledger.account(session, sweep_id))
    counts: dict[str, int] = {}
    items: list[dict[str, Any]] = []
    # Counted in the database, listed up to the bound: a broken checker may give up every page of a sweep.
    for reason, count in session.execute(
        select(SweepUrl.reason, func.count())
        .where(*ledger.unhandled_given_up(sweep_id, attempts))
        .group_by(SweepUrl.reason)
    ):
        counts[str(reason)] = int(count)
    for reason, url, retries in session.execute(
        select(SweepUrl.reason, SweepUrl.url, SweepUrl.retries)
        .where(*ledger.unhandled_given_up(sweep_id, attempts))
        .order_by(SweepUrl.url)
        .limit(SUMMARY_GIVEN_UP)
    ):
        items.append({"reason": str(reason), "url": url, "attempts": retries + 1})
    scanned = session.scalar(select(func.count()).where(*scan_given_up(sweep_id, attempts)))
    if scanned:
        counts[IMAGES_NOT_SCANNED] = int(scanned)
        items += [
            {"reason": IMAGES_NOT_SCANNED, "url": url, "attempts": n + 1}
            for url, n in session.execute(
                select(SweepPage.url, SweepPage.image_scan_retries)
                .where(*scan_given_up(sweep_id, attempts))
                .order_by(SweepPage.url)
                .limit(SUMMARY_GIVEN_UP)
            )
        ]
    pages, unread = not_read_given_up(session, sweep_id, attempts, SUMMARY_GIVEN_UP)
    if pages:
        counts[IMAGES_NOT_READ] = pages
        items += unread
    return GivenUp(
        counts=dict(sorted(counts.items())),
        items=items[:SUMMARY_GIVEN_UP],
        retryable=sum(unhandled.values()) - sum(counts.values()),
        attempts=attempts,
    )


def given_up_text(counts: dict[str, int], attempts: int) -> str:
    """ "nothing left to retry: 2 given up after 3 attempt(s) (check_failed 1, images_not_read 1)"."""
    by_reason = ", ".join(f"{reason} {count}" for reason, count in sorted(counts.items()))
    return f"nothing left to retry: {sum(counts.values())} given up after {attempts} attempt(s) ({by_reason})"


def _busy_cluster(sweep: Sweep) -> ConflictError:
    return ConflictError(
        f"sweep {sweep.id} of {sweep.target!r} is a distributed sweep ({sweep.state}); "
        f"carry it on with `markwatch cluster worker {sweep.id}` or `markwatch sweep resume {sweep.id}`"
    )


def compare(session: Session, sweep: Sweep) -> Comparison:
    """New, recurring and resolved finding keys; resolved only counts pages this sweep checked again."""
    current = set(session.scalars(select(Finding.finding_key).where(Finding.sweep_id == sweep.id)))
    previous_id = session.scalar(
        select(func.max(Sweep.id)).where(
            Sweep.target == sweep.target, Sweep.state == "finished", Sweep.id < sweep.id
        )
    )
    if previous_id is None:
        return Comparison(new=len(current), recurring=0, resolved=0)
    checked = set(
        session.scalars(select(SweepPage.url).where(SweepPage.sweep_id == sweep.id, SweepPage.status == "ok"))
    )
    # A finding is stored under its page's address after redirects, a sweep's pages under the address
    # requested: the finding's snapshot holds both, so a claim taken off a redirected page is seen resolved.
    previous = session.execute(
        select(Finding.finding_key, Finding.page_url, Snapshot.requested_url)
        .outerjoin(Snapshot, Snapshot.id == Finding.snapshot_id)
        .where(Finding.sweep_id == previous_id)
    ).all()
    previous_keys = {key for key, _, _ in previous}
    resolved = {
        key
        for key, url, requested in previous
        if key not in current and (url in checked or requested in checked)
    }
    return Comparison(
        new=len(current - previous_keys), recurring=len(current & previous_keys), resolved=len(resolved)
    )


def apply_accounting(session: Session, sweep: Sweep) -> ledger.Accounting:
    """Write the sweep's counts, aggregated from its ledger, into its row."""
    acc = ledger.account(session, sweep.id)
    sweep.pages_fetched, sweep.claims = acc.pages, acc.claims
    sweep.urls_discovered, sweep.urls_taken = acc.discovered, acc.taken
    sweep.urls_failed, sweep.urls_skipped, sweep.urls_missing = (
        acc.failed_total,
        acc.skipped_total,
        acc.missing,
    )
    sweep.skipped = dict(acc.skipped)
    sweep.robots_skipped = acc.skipped.get("robots", 0)
    sweep.offsite_dropped = acc.skipped.get("offsite", 0)
    # Failed URLs by reason, and page notes (layout drift) as before: what an operator should look at.
    sweep.errors = {**acc.failed, **acc.notes}
    return acc


def record_end(session: Session, sweep: Sweep, result: CrawlResult) -> Sweep:
    """Set the end state from the ledger: finished only when no URL is left queued, no URL failed by
    markwatch's own fault (ledger.UNHANDLED: a page it could not check or store), every fetched page reached
    the database and no image work it took is left (fetched, read or checked with its page); else
    interrupted (stopped by a signal) or incomplete (missing URLs, URLs not handled by reason and pages
    waiting for images, or with images markwatch failed to read, listed)."""
    acc = apply_accounting(session, sweep)
    summary = {k: v for k, v in (sweep.summary or {}).items() if k not in _PER_RUN}
    summary["ended"] = _ended(result)
    warnings = merge_warnings(summary.get("warnings") or [], result.warnings)
    if warnings:
        summary["warnings"] = warnings
    images_left = pending_images(session, sweep.id)
    images = image_accounting(session, sweep.id)
    if images["found"] or images["requested"]:
        summary["images"] = images
    unhandled = not_handled(session, sweep.id, acc)
    if acc.missing == 0 and result.all_written and images_left == 0 and not unhandled:
        state = "finished"
    else:
        state = "interrupted" if result.reason == "shutdown" and not result.gave_up else "incomplete"
        summary["missing"] = ledger.queued_urls(session, sweep.id, limit=SUMMARY_MISSING)
        if unhandled:
            summary["unhandled"] = unhandled  # by reason; `sweep resume` fetches and checks them again
            if summary["ended"] == "finished":
                by_reason = ", ".join(f"{reason} {count}" for reason, count in sorted(unhandled.items()))
                summary["ended"] = f"{sum(unhandled.values())} URL(s) not handled ({by_reason})"
            if unhandled.get(IMAGES_NOT_READ):
                # `sweep resume` reads their images again (reread_run_failures).
                summary["images_not_read_pages"] = pages_not_read_urls(session, sweep.id, SUMMARY_MISSING)
            left = given_up(session, sweep.id, unhandled=unhandled)
            if left.counts:
                # Tried MARKWATCH_MAX_ATTEMPTS times: still recorded with their reasons, not done again, and
                # marked so on their pages (a page's images, an image on it).
                summary["given_up"], summary["given_up_items"] = left.counts, left.items
                summary["max_attempts"] = left.attempts
                mark_scans_given_up(session, sweep.id, left.attempts)
                mark_reads_given_up(session, sweep.id, left.attempts)
            nothing_left = (
                state == "incomplete" and left.retryable == 0 and acc.missing == 0 and result.all_written
                and images_left == 0 and not result.gave_up
            )  # fmt: skip
            if nothing_left:
                # Incomplete, never finished; but a resume would do nothing: the next run of the target
                # starts a new sweep, and the scheduler opens cases from this one marked incomplete.
                summary["nothing_to_retry"] = True
                summary["ended"] = given_up_text(left.counts, left.attempts)
        if result.unkept:
            summary["unkept"] = result.unkept  # in no spool either: their URLs, queued, are fetched again
        elif not result.all_written:
            summary["spooled"] = True  # fetched pages wait in the job directory for `sweep resume`
        if images_left:
            # Image work left (the OCR drain bound passed, or the crawl was stopped): `sweep resume` does it.
            summary["images_pending"] = images_left
            summary["images_pending_scan"] = pages_to_scan(session, sweep.id)  # of images_pending
            summary["images_pending_pages"] = pending_pages(session, sweep.id)
            if summary["ended"] == "finished":
                summary["ended"] = f"images pending ({result.images or 'not drained'})"
    finish(session, sweep, state, summary)
    return sweep


def not_handled(session: Session, sweep_id: int, acc: ledger.Accounting) -> dict[str, int]:
    """What markwatch failed itself in a sweep, by reason: URLs it could not check or store
    (ledger.UNHANDLED), stored pages whose images it could not look for, and stored pages with an image it
    could not read in this run (their image claims unknown). Any of them keeps the sweep from being finished;
    `sweep resume` does them again."""
    counts = dict(acc.unhandled)
    unscanned = pages_not_scanned(session, sweep_id)
    if unscanned:
        counts[IMAGES_NOT_SCANNED] = unscanned
    unread = pages_not_read(session, sweep_id)
    if unread:
        counts[IMAGES_NOT_READ] = unread
    return counts


def merge_warnings(kept: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A sweep's warnings over its runs (a resumed sweep keeps the earlier runs'), one per code and host."""
    merged = {(w.get("code"), w.get("host")): w for w in kept}
    for warning in new:
        merged[(warning.get("code"), warning.get("host"))] = warning
    return list(merged.values())


def _ended(result: CrawlResult) -> str | None:
    if result.gave_up in ("database", "redis"):
        return (
            f"{'PostgreSQL' if result.gave_up == 'database' else 'Redis'} unreachable past the outage bound"
        )
    if result.gave_up:
        return "the page writer failed"
    return result.reason


def finish(session: Session, sweep: Sweep, state: str, summary: dict[str, Any]) -> None:
    """Store the state (and, when finished, the comparison with the previous finished sweep)."""
    sweep.state = state
    if state == "finished":
        sweep.finished_at = db.utcnow()
        result = compare(session, sweep)
        sweep.findings_new, sweep.findings_recurring, sweep.findings_resolved = (
            result.new,
            result.recurring,
            result.resolved,
        )
        summary["pages_checked"] = sweep.pages_fetched
        summary["findings"] = result.new + result.recurring
        # Pages the extractor could not read whole: "no finding" there is not "no misuse".
        summary["pages_partial"] = session.scalar(
            select(func.count())
            .select_from(SweepPage)
            .where(SweepPage.sweep_id == sweep.id, SweepPage.status == PARTIAL)
        )
    sweep.summary = summary
    session.flush()


def close_sweep(db_url: str, sweep_id: int, result: CrawlResult, *, wait: float = 120.0) -> Sweep:
    """Record how the sweep ended, waiting up to `wait` seconds for an unreachable database."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with db.session_scope(db_url) as session:
                sweep = session.get(Sweep, sweep_id, with_for_update=True)
                if sweep is None:
                    raise NotFoundError(f"no sweep {sweep_id}")
                return record_end(session, sweep, result)
        except DatabaseError:
            raise
        except Exception as exc:
            from sweeps.storage import is_retryable, is_unreachable

            if not (is_unreachable(exc) or is_retryable(exc)) or time.monotonic() > deadline:
                if is_unreachable(exc):
                    raise DatabaseError(
                        f"database unreachable: sweep {sweep_id} could not be recorded as ended; "
                        f"`markwatch sweep list` marks it interrupted once the database is back"
                    ) from exc
                raise
            time.sleep(1.0)


def finish_once(db_url: str, sweep_id: int, *, warnings: list[dict[str, Any]] | None = None) -> Sweep | None:
    """Finish a cluster's sweep once its work is done, with its workers' host `warnings`; None when another
    worker already did."""
    with db.session_scope(db_url) as session:
        # Row lock: of two workers finishing together, the second waits and then sees "finished".
        sweep = session.get(Sweep, sweep_id, with_for_update=True)
        if sweep is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        # Interrupted too: a view that heard no heartbeat within its bound (a long database outage) may have
        # marked it so while its workers carried on.
        if sweep.state not in ("running", "incomplete", "interrupted"):
            return None
        record_end(session, sweep, CrawlResult(reason="finished", warnings=list(warnings or [])))
        return sweep


def run_sweep(
    targets_path: Path,
    target_name: str,
    *,
    db_url: str,
    job_root: Path,
    overrides: list[str] = (),  # type: ignore[assignment]
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    outage_bound: float | None = None,
    allow_empty_registry: bool = False,
) -> Sweep:
    """Start or resume the target's sweep and crawl it in this process; record how it ended.

    RegistryEmpty, with nothing written, when the registry holds no designation and `allow_empty_registry`
    is not given: every claim would become an SHS001 finding (checker/registry/gate.py)."""
    from crawler.targets import load_targets

    target = load_targets(targets_path).get(target_name)
    ledger.max_attempts()  # a wrong setting is refused now, before anything is written, not as the sweep ends
    with db.session_scope(db_url) as session:
        designations = require_registry(session, allow_empty=allow_empty_registry)
        sweep, _resumed = start_or_resume(session, target, job_root)
        if not designations:  # let through by the flag: its resumes judge against nothing too, knowingly
            sweep.summary = {**(sweep.summary or {}), ALLOWED_IN_SUMMARY: True}
        sweep_id, job_dir = sweep.id, Path(sweep.job_dir or job_root / f"sweep-{sweep.id}")
    return _crawl_and_close(target, sweep_id, job_dir, db_url, overrides, on_progress, outage_bound)


def resume_sweep(
    sweep_id: int,
    *,
    db_url: str,
    job_root: Path,
    overrides: list[str] = (),  # type: ignore[assignment]
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    outage_bound: float | None = None,
    allow_empty_registry: bool = False,
    retry_given_up: bool = False,
) -> Sweep:
    """Carry on one interrupted or incomplete single-process sweep by id (its target is in its row).

    RegistryEmpty when the registry holds no designation, unless `allow_empty_registry` or the sweep was
    started with that allowance (an emptied registry would turn the rest of its claims into SHS001).
    ConflictError for a sweep with nothing left to retry (is_given_up), unless `retry_given_up`: then what
    was given up is done once more."""
    ledger.max_attempts()  # a wrong setting is refused now, before anything is written, not as the sweep ends
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        if sweep is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        require_registry(session, allow_empty=allow_empty_registry or allowed_by_summary(sweep.summary))
        reap_dead(session, sweep.target)
        session.refresh(sweep)
        if sweep.state == "finished":
            raise ConflictError(f"sweep {sweep_id} is finished: nothing to resume")
        if sweep.state == "failed":
            raise ConflictError(f"sweep {sweep_id} was abandoned (failed): start a new sweep instead")
        target = stored_target(sweep, anew="`markwatch sweep run`")
        newer = session.scalar(select(func.max(Sweep.id)).where(Sweep.target == sweep.target))
        if newer != sweep_id:
            raise ConflictError(
                f"sweep {sweep_id} is not the newest sweep of {sweep.target!r} (sweep {newer} is)"
            )
        resume_plan(session, sweep, retry_given_up=retry_given_up, anew="`markwatch sweep run`")
        resumed, _ = start_or_resume(session, target, job_root, retry_given_up=retry_given_up)
        if resumed.id != sweep_id:  # pragma: no cover - start_or_resume picks the newest unfinished row
            raise ConflictError(f"sweep {resumed.id} of {sweep.target!r} was resumed instead")
        job_dir = Path(resumed.job_dir or job_root / f"sweep-{sweep_id}")
    return _crawl_and_close(target, sweep_id, job_dir, db_url, overrides, on_progress, outage_bound)


def _crawl_and_close(
    target: Target,
    sweep_id: int,
    job_dir: Path,
    db_url: str,
    overrides: list[str],
    on_progress: Callable[[dict[str, Any]], None] | None,
    outage_bound: float | None,
) -> Sweep:
    from sweeps.run import crawl, crawl_settings, parse_overrides

    extra: dict[str, Any] = {}
    if outage_bound is not None:
        extra["MARKWATCH_OUTAGE_BOUND"] = outage_bound
    settings = crawl_settings(
        target, db_url=db_url, sweep_id=sweep_id, job_dir=job_dir, overrides=parse_overrides(list(overrides)),
        extra=extra,
    )  # fmt: skip
    result: CrawlResult | None = None
    try:
        with heartbeat.Heartbeat(db_url, sweep_id):
            result = crawl(target, settings, on_progress=on_progress)
    finally:
        ended = close_sweep(db_url, sweep_id, result or CrawlResult(reason="error", all_written=False))
    return ended


def _rowcount(result: Any) -> int:
    # Result of an INSERT/UPDATE statement (a CursorResult): how many rows it wrote.
    return int(getattr(result, "rowcount", 0) or 0)
