"""`make demo`: the main job end to end on the embedded default (SQLite, in-process), on invented data.

1. a fresh SQLite database under .markwatch-demo/ with the example registry imported;
2. the bundled demo marketplace served on 127.0.0.1 (robots.txt, GBK pages, three layouts, misuse);
3. a monitoring sweep over it, exactly as `markwatch sweep run` does (Scrapy in its own process);
4. the sweep's findings turned into inspectors' cases;
5. an enterprise self-check of one claim before publishing;
then a report, and the commands to look further (API, console, CLI).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from markwatch.errors import MarkwatchError

DEMO_HOME = Path(".markwatch-demo")
REPO = Path(__file__).resolve().parent.parent
REGISTRY_FILE = REPO / "examples" / "registry.yaml"
BUNDLED_TARGETS_PORT = "http://127.0.0.1:8765"
SELF_CHECK_TEXT = "产品名称：儿童安全座椅\n执行标准：GB 27887-2011（上海标准）\n生产企业：示例科技有限公司"


@contextmanager
def demo_marketplace() -> Iterator[str]:
    """Serve the bundled site on a free 127.0.0.1 port for the duration of the block."""
    import functools
    from http.server import ThreadingHTTPServer

    from markwatch.demo_site import PAGES
    from markwatch.demo_site.__main__ import DemoHandler

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(DemoHandler, directory=str(PAGES)))
    thread = threading.Thread(target=server.serve_forever, name="demo-marketplace", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _say(text: str = "") -> None:
    print(text, flush=True)


def _fresh_home(home: Path) -> str:
    # The demo always starts from nothing so that its output is the same on every run.
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    return f"sqlite:///{(home / 'markwatch.db').resolve()}"


def _import_registry(db_url: str) -> None:
    from checker.registry import import_registry_file
    from markwatch.db import session_scope

    with session_scope(db_url) as session:
        report = import_registry_file(session, REGISTRY_FILE)
    _say(f"1. registry: imported {report.added} designations from {REGISTRY_FILE.relative_to(REPO)}")


def _sweep(db_url: str, base: str, home: Path) -> int:
    from markwatch.cli.sweep import _summary_line
    from sweeps.bookkeeping import run_sweep

    bundled = (REPO / "markwatch" / "demo_site" / "targets.yaml").read_text(encoding="utf-8")
    targets = home / "targets.yaml"
    targets.write_text(bundled.replace(BUNDLED_TARGETS_PORT, base), encoding="utf-8")
    _say(f"2. demo marketplace on {base}/ (robots.txt forbids /private/)")
    _say("3. sweeping it (Scrapy in its own process) ...")
    # Scrapy's own INFO log would bury the report; warnings and errors still show.
    sweep = run_sweep(
        targets.resolve(),
        "demo-marketplace",
        db_url=db_url,
        job_root=home / "jobs",
        overrides=["LOG_LEVEL=WARNING"],
    )
    _say("   " + _summary_line(sweep))
    if sweep.state != "finished":
        raise SystemExit(f"error: the demo sweep ended {sweep.state}; see the lines above")
    return sweep.id


def _findings_and_cases(db_url: str, sweep_id: int) -> None:
    from markwatch.cases.ingest import ingest_sweep
    from markwatch.cases.models import Case
    from markwatch.db import session_scope
    from sweeps.models import Finding

    with session_scope(db_url) as session:
        report = ingest_sweep(session, sweep_id)
        findings = session.scalars(
            select(Finding).where(Finding.sweep_id == sweep_id).order_by(Finding.page_url, Finding.rule_id)
        ).all()
        _say(f"   {len(findings)} findings:")
        for finding in findings:
            page = (finding.page_url or "").rsplit("/", 1)[-1]
            code = finding.standard_code or "-"
            chinese = finding.message.split(" / ", 1)[0]  # messages are "zh / en"
            kind = (finding.evidence or {}).get("kind", "text")
            seen = " [in an image]" if kind in ("image-text", "mark-image") else ""
            _say(f"   {finding.severity:<6} {finding.rule_id}  {page:<22} {code:<18} {chinese}{seen}")
        statuses = Counter(session.scalars(select(Case.status)))
    _say(
        f"4. cases: {report.created} opened for inspectors "
        f"({', '.join(f'{s} {n}' for s, n in sorted(statuses.items()))})"
    )


def _self_check(db_url: str) -> None:
    from checker.check import Checker
    from checker.registry import RegistryIndex
    from markwatch.db import session_scope

    with session_scope(db_url) as session:
        registry = RegistryIndex.load(session)
    result = Checker().check_page(
        SELF_CHECK_TEXT.encode("utf-8"),
        url=None,
        declared_charset="utf-8",
        observed_at=None,
        registry=registry,
        as_of=dt.date.today(),
    )
    _say("5. enterprise self-check of: " + SELF_CHECK_TEXT.replace("\n", " / "))
    for finding in result.findings:
        _say(f"   {finding.severity:<6} {finding.rule_id}  {finding.message}")
        _say(f"          remediation: {finding.remediation}")
    if not result.findings:
        _say("   no findings")


def main() -> None:
    """Run the demo; exit 2 with one clear line on any markwatch error."""
    home = DEMO_HOME.resolve()
    try:
        db_url = _fresh_home(home)
        _say(f"markwatch demo: database {db_url}")
        _import_registry(db_url)
        with demo_marketplace() as base:
            sweep_id = _sweep(db_url, base, home)
        _findings_and_cases(db_url, sweep_id)
        _self_check(db_url)
    except MarkwatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    _say()
    _say("Look further (same database):")
    _say(f"  export MARKWATCH_DB={db_url}")
    _say("  .venv/bin/markwatch cases list            # the inspectors' queue")
    _say("  .venv/bin/markwatch keys create --role inspector --name me")
    _say("  .venv/bin/markwatch serve                 # API: http://127.0.0.1:8000/docs, console: /console")


if __name__ == "__main__":
    main()
