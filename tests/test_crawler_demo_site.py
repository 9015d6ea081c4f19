"""The bundled demo marketplace: served on 127.0.0.1, swept end to end (robots.txt, GBK, three layouts)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cases_support import import_example_registry
from sqlalchemy import select

from checker.extract import EXTRACTOR_VERSION
from crawler.store.models import Snapshot, Sweep, SweepPage
from markwatch import db
from sweeps.models import Finding

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo_base() -> Iterator[str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "markwatch.demo_site", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    try:
        yield line.split(" on ", 1)[1].strip().rstrip("/")
    finally:
        server.terminate()
        server.wait(timeout=10)


def _demo_targets(demo_base: str, tmp_path: Path) -> Path:
    """The bundled targets file pointed at this test's server, without politeness delays."""
    bundled = (REPO / "markwatch" / "demo_site" / "targets.yaml").read_text(encoding="utf-8")
    targets = tmp_path / "targets.yaml"
    targets.write_text(bundled.replace("http://127.0.0.1:8765", demo_base).replace("delay: 0.2", "delay: 0"))
    return targets


def _sweep_demo(
    targets: Path, db_url: str, job_dir: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("markwatch")), "sweep", "run", str(targets), "--db", db_url,
         "--job-dir", str(job_dir), "--set", "AUTOTHROTTLE_ENABLED=false"],
        env=env, capture_output=True, text=True, timeout=120, cwd=REPO,
    )  # fmt: skip


def test_demo_sweep(demo_base: str, tmp_path: Path) -> None:
    targets = _demo_targets(demo_base, tmp_path)
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)  # `sweep run` refuses an empty registry (the test checker ignores it)
    env = dict(os.environ, MARKWATCH_CHECKER="code_checker:factory",
               PYTHONPATH=str(REPO / "tests" / "data" / "crawler"))  # fmt: skip
    result = _sweep_demo(targets, db_url, tmp_path / "jobs", env)
    assert result.returncode == 0, result.stderr[-3000:]
    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        assert sweep.robots_skipped == 1
        urls = {url.removeprefix(demo_base) for url in session.scalars(select(SweepPage.url))}
        assert not any(u.startswith("/private/") for u in urls)
        assert not session.scalars(select(Snapshot).where(Snapshot.requested_url.like("%/private/%"))).first()
        assert len(urls) == 12  # two listing pages, ten items (two with their claims only in images)
        codes = {code for (code,) in session.execute(select(Finding.standard_code))}
    assert {"T/DEMO 001-2022", "T/DEMO 001-2019", "Q/DEMO 0002-2023", "Q/DEMO 0006-2025"} <= codes


def test_demo_sweep_with_rules_checker(demo_base: str, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    targets = _demo_targets(demo_base, tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "MARKWATCH_CHECKER"}
    result = _sweep_demo(targets, db_url, tmp_path / "jobs", env)
    assert result.returncode == 0, result.stderr[-3000:]
    with db.session_scope(db_url) as session:
        rows = session.execute(select(Finding.page_url, Finding.rule_id, Finding.snapshot_id)).all()
        sweep = session.scalars(select(Sweep)).one()
        read_as = {
            (url or "").rsplit("/", 1)[-1]: (evidence.get("decoded_as"), evidence.get("extractor_version"))
            for url, evidence in session.execute(select(Finding.page_url, Finding.evidence))
        }
    # Each finding records how its page was read, so its quotes are shown in that text later: the GBK pages
    # (served with charset=gbk) as gb18030, by this extractor version.
    assert read_as["jd-toothbrush.html"] == ("gb18030", EXTRACTOR_VERSION)
    assert read_as["tmall-bike.html"] == ("utf-8", EXTRACTOR_VERSION)
    fired = {(url or "").rsplit("/", 1)[-1]: rule for url, rule, _ in rows}
    assert "tmall-cup.html" not in fired  # designated edition, named holder's scope: legitimate
    assert {"tmall-cup-old.html", "tmall-bike.html", "jd-toothbrush.html"} <= set(fired)
    assert all(snapshot_id is not None for _, _, snapshot_id in rows)
    assert sweep.claims > 0 and sweep.findings_new == len(rows)
