"""Snapshot, then check, then persist: one page at a time, each step committed, each page checked once."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
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
        self.base: dict[str, Any] = {}
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
            self.base = {
                "robots": sweep.robots_skipped,
                "offsite": sweep.offsite_dropped,
                "errors": dict(sweep.errors or {}),
            }
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
            )
            status = "ok"
        except Exception:
            log.exception("checking %s failed", item.final_url)
            self.stats.inc_value("markwatch/errors/check_failed")
            outcome, status = CheckOutcome(claims=0, findings=[]), "check_failed"
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
            .values(
                pages_fetched=Sweep.pages_fetched + 1, claims=Sweep.claims + outcome.claims, **self.counters()
            )
        )

    def counters(self) -> dict[str, Any]:
        """robots/off-site/error counters: what earlier runs of this sweep recorded plus this run's stats."""
        stats = self.stats.get_stats()
        errors = dict(self.base["errors"])
        for key, value in stats.items():
            if key.startswith("markwatch/errors/"):
                kind = key.removeprefix("markwatch/errors/")
                errors[kind] = errors.get(kind, 0) + int(value)
        for key, kind in ((STAT_NON_HTTP, "non_http"), (STAT_LOOP, "redirect_loop")):
            if stats.get(key):
                errors[kind] = errors.get(kind, 0) + int(stats[key])
        return {
            "robots_skipped": self.base["robots"] + int(stats.get(STAT_ROBOTS, 0)),
            "offsite_dropped": self.base["offsite"] + int(stats.get(STAT_OFFSITE, 0)),
            "errors": errors,
        }

    def close_spider(self, spider: Any) -> None:
        if self.sessions is None:
            return
        with self.sessions() as session, session.begin():
            session.execute(update(Sweep).where(Sweep.id == self.sweep_id).values(**self.counters()))
