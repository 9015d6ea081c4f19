"""Builds the frontier a crawl's settings ask for, loaded with what the sweep's ledger already holds."""

from __future__ import annotations

from typing import Any

from crawler.frontier import Frontier
from crawler.frontier.local import LocalFrontier
from crawler.ledger import resume_state
from markwatch import db


def open_frontier(runtime: Any, spider: Any) -> Frontier:
    """MARKWATCH_FRONTIER=local (default) or stream (a cluster worker on Redis)."""
    settings = runtime.crawler.settings
    kind = settings.get("MARKWATCH_FRONTIER", "local")
    if kind == "stream":
        from crawler.cluster.stream import open_stream_frontier

        frontier: Frontier = open_stream_frontier(runtime, spider)
        return frontier
    local = LocalFrontier(runtime.target.max_pages)
    runtime.writer.write_spool()
    with db.session_scope(runtime.db_url) as session:
        state = resume_state(session, runtime.sweep_id)
    requeued = local.load(state, spider, runtime.canonical)
    if requeued:
        spider.logger.info("sweep %d: resuming with %d queued request(s)", runtime.sweep_id, requeued)
    return local
