"""A page the extractor could not read whole is stored as such: partial status, its warnings, sweep counts."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from checker.extract.limits import default_limits
from crawler.canonical import Canonicalizer
from crawler.items import PageItem
from crawler.store.models import PARTIAL, Sweep, SweepPage
from markwatch import db
from markwatch.cases.ingest import _fetched_pages
from markwatch.cli import cli
from sweeps.bookkeeping import close_sweep
from sweeps.checking import load_checker
from sweeps.run import CrawlResult
from sweeps.writer import Job, PageWriter, WriterEvents

T0 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
REGISTRY = (
    "designations:\n"
    '  - {code: "T/DEMO 001-2022", title: "演示用智能水杯（虚构）", type: group,'
    ' designated_on: 2022-06-01, holders: [{name: "演示标准化协会（虚构）"}], source: test}\n'
)


@pytest.fixture
def few_attributes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MARKWATCH_EXTRACT_MAX_ATTRIBUTES", "4")
    default_limits.cache_clear()
    yield
    monkeypatch.delenv("MARKWATCH_EXTRACT_MAX_ATTRIBUTES")
    default_limits.cache_clear()


def _item(path: str, body: str) -> PageItem:
    html = f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>".encode()
    url = f"http://127.0.0.1:9{path}"
    return PageItem(url, url, 200, {"Content-Type": "text/html"}, html, T0, "utf-8", "product")


class _Written(WriterEvents):
    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def written(self, jobs: list[Job]) -> None:
        self.jobs += jobs


def test_partial_pages_are_stored_counted_and_never_close_a_case(
    db_url: str, tmp_path: Path, few_attributes: None
) -> None:
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    assert CliRunner().invoke(cli, ["registry", "import", str(registry), "--db", db_url]).exit_code == 0
    with db.session_scope(db_url) as session:
        sweep = Sweep(target="local", started_at=T0, state="running")
        session.add(sweep)
        session.flush()
        sweep_id = sweep.id
    # The sweep's own page writer with the registry checker: what a crawl stores, without the network.
    events = _Written()
    writer = PageWriter(
        db_url=db_url, sweep_id=sweep_id, checker_factory=lambda: load_checker(db_url),
        canonical=Canonicalizer.of([]), spool_dir=tmp_path / "spool", events=events,
    )  # fmt: skip
    writer.start()
    claim = "<p>执行标准：T/DEMO 001-2022（上海标准）</p>"
    writer.submit(Job(page=_item("/whole.html", claim), entry="e1"))
    writer.submit(Job(page=_item("/partial.html", "<span a=1 b=2 c=3 d=4 e=5>x</span>" + claim), entry="e2"))
    deadline = time.monotonic() + 60
    while len(events.jobs) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert writer.close(time.monotonic() + 30)
    close_sweep(db_url, sweep_id, CrawlResult("finished"))
    with db.session_scope(db_url) as session:
        pages = {p.url.rsplit("/", 1)[1]: p for p in session.scalars(select(SweepPage))}
        assert (pages["whole.html"].status, pages["whole.html"].warnings) == ("ok", [])
        assert pages["partial.html"].status == PARTIAL
        assert [w["code"] for w in pages["partial.html"].warnings] == ["too-complex"]
        assert "5 attributes" in pages["partial.html"].warnings[0]["message"]
        stored = session.get(Sweep, sweep_id)
        assert stored is not None
        assert stored.errors == {"page-warning:too-complex": 1}
        assert stored.summary["pages_partial"] == 1 and stored.summary["pages_checked"] == 2
        # A case waiting for rectification is closed only by a page read whole that no longer shows it.
        fetched = _fetched_pages(session, sweep_id)
        assert any(url.endswith("/whole.html") for url in fetched)
        assert not any(url.endswith("/partial.html") for url in fetched)
