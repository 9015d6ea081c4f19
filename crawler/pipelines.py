"""Snapshot, then check, then persist: one page at a time, each step committed, each page checked once."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from crawler.checking import CheckOutcome, PageChecker, load_checker
from crawler.items import PageItem
from crawler.middlewares import STAT_LOOP, STAT_NON_HTTP, STAT_OFFSITE, STAT_ROBOTS
from crawler.snapshots import latest_snapshot, snapshot_body, store_snapshot
from crawler.store.models import Finding, Sweep, SweepPage
from markwatch import db

log = logging.getLogger(__name__)


class SweepPipeline:
    """Writes every page of one sweep (MARKWATCH_SWEEP_ID) to the database named by MARKWATCH_DB."""

    def __init__(self, db_url: str, sweep_id: int) -> None:
        self.db_url = db_url
        self.sweep_id = sweep_id
        self.sessions: sessionmaker[Session] | None = None
        self.checker: PageChecker | None = None
        self.checked: set[str] = set()
        # Counter values from this process's stats already added to the sweep row: only the difference
        # is added each time, so several processes of one sweep (a cluster) never overwrite each other.
        self.flushed: dict[str, int] = {}
        self.stats: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SweepPipeline:
        pipeline = cls(crawler.settings.get("MARKWATCH_DB"), crawler.settings.getint("MARKWATCH_SWEEP_ID"))
        pipeline.stats = crawler.stats
        return pipeline

    def open_spider(self, spider: Any) -> None:
        self.sessions = db.session_factory(self.db_url)
        with self.sessions() as session:
            sweep = session.get(Sweep, self.sweep_id)
            if sweep is None:
                raise LookupError(f"sweep {self.sweep_id} does not exist")
            self.checked = set(
                session.scalars(select(SweepPage.url).where(SweepPage.sweep_id == self.sweep_id))
            )
        self.checker = load_checker(self.db_url)
        spider.replay = self.replay

    def replay(self, url: str) -> tuple[str, bytes, dict[str, str]] | None:
        """The stored page for a URL this sweep already checked (resume re-reads links, not the network)."""
        if url not in self.checked or self.sessions is None:
            return None
        with self.sessions() as session:
            snapshot = latest_snapshot(session, self.sweep_id, url)
            if snapshot is None:
                return None
            return snapshot.final_url or url, snapshot_body(session, snapshot), dict(snapshot.headers)

    def process_item(self, item: PageItem, spider: Any) -> PageItem:
        if not isinstance(item, PageItem):
            return item  # images: crawler.images.pipeline
        if item.replayed or item.requested_url in self.checked:
            return item
        assert self.sessions is not None and self.checker is not None
        with self.sessions() as session, session.begin():
            snapshot = store_snapshot(
                session,
                body=item.body,
                requested_url=item.requested_url,
                final_url=item.final_url,
                status=item.status,
                headers=item.headers,
                fetched_at=item.fetched_at,
                sweep_id=self.sweep_id,
            )
            snapshot_id = snapshot.id
        try:
            outcome = self.checker.check(
                item.body,
                url=item.final_url,
                declared_charset=item.declared_charset,
                observed_at=item.fetched_at,
                seller=item.seller,
            )
            status = "ok"
        except Exception:
            log.exception("checking %s failed", item.final_url)
            self.stats.inc_value("markwatch/errors/check_failed")
            outcome, status = CheckOutcome(claims=0, findings=[]), "check_failed"
        try:
            with self.sessions() as session, session.begin():
                self._persist(session, item, snapshot_id, outcome, status)
        except IntegrityError:
            # Another process of this sweep (a cluster worker) just stored a finding with the same key,
            # e.g. two URLs that redirect to one page: read the keys again and store the rest.
            with self.sessions() as session, session.begin():
                self._persist(session, item, snapshot_id, outcome, status)
        self.checked.add(item.requested_url)
        return item

    def _persist(
        self, session: Session, item: PageItem, snapshot_id: int, outcome: CheckOutcome, status: str
    ) -> None:
        known = set(session.scalars(select(Finding.finding_key).where(Finding.sweep_id == self.sweep_id)))
        host = urlsplit(item.final_url).hostname
        for record in outcome.findings:
            if record.finding_key in known:
                continue
            known.add(record.finding_key)
            session.add(
                Finding(
                    sweep_id=self.sweep_id,
                    snapshot_id=snapshot_id,
                    finding_key=record.finding_key,
                    rule_id=record.rule_id,
                    severity=record.severity,
                    standard_code=record.standard_code,
                    claim=record.claim,
                    message=record.message,
                    evidence=record.evidence,
                    page_url=item.final_url,
                    site=host,
                    claimant=record.claimant,
                    observed_at=item.fetched_at,
                )
            )
        session.add(
            SweepPage(
                sweep_id=self.sweep_id,
                url=item.requested_url,
                snapshot_id=snapshot_id,
                status=status,
                checked_at=db.utcnow(),
                claims=outcome.claims,
            )
        )
        session.execute(
            update(Sweep)
            .where(Sweep.id == self.sweep_id)
            .values(pages_fetched=Sweep.pages_fetched + 1, claims=Sweep.claims + outcome.claims)
        )
        self.add_counters(session)

    def counters(self) -> dict[str, int]:
        """This process's robots/off-site/error counts so far ("error:<kind>" keys for errors)."""
        stats = self.stats.get_stats()
        counts = {"robots": int(stats.get(STAT_ROBOTS, 0)), "offsite": int(stats.get(STAT_OFFSITE, 0))}
        for key, value in stats.items():
            if key.startswith("markwatch/errors/"):
                counts["error:" + key.removeprefix("markwatch/errors/")] = int(value)
        for key, kind in ((STAT_NON_HTTP, "non_http"), (STAT_LOOP, "redirect_loop")):
            if stats.get(key):
                counts[f"error:{kind}"] = counts.get(f"error:{kind}", 0) + int(stats[key])
        return counts

    def add_counters(self, session: Session) -> None:
        """Add what the counters grew by since the last flush to the sweep row (earlier runs' counts stay)."""
        current = self.counters()
        delta = {k: v - self.flushed.get(k, 0) for k, v in current.items() if v != self.flushed.get(k, 0)}
        if not delta:
            return
        # Row lock: the errors JSON is read, merged and written back; other processes wait their turn.
        sweep = session.get(Sweep, self.sweep_id, with_for_update=True)
        assert sweep is not None
        sweep.robots_skipped += delta.pop("robots", 0)
        sweep.offsite_dropped += delta.pop("offsite", 0)
        errors = dict(sweep.errors or {})
        for key, grew in delta.items():
            kind = key.removeprefix("error:")
            errors[kind] = errors.get(kind, 0) + grew
        sweep.errors = errors
        session.flush()
        self.flushed = current

    def close_spider(self, spider: Any) -> None:
        if self.sessions is None:
            return
        with self.sessions() as session, session.begin():
            self.add_counters(session)
