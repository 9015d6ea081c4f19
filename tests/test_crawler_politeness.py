"""Politeness per host, as a site asks for it: robots.txt Crawl-delay (also when the robots.txt is read mid-crawl,
and capped with a warning on the sweep), and Retry-After holding back the whole host, not one request.

Real sweeps in a subprocess against real servers on 127.0.0.1. Spacing is asserted as a lower bound on the
server's own arrival times: a loaded machine only ever widens the gaps, so the assertions cannot flake."""

from __future__ import annotations

import email.utils
import math
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from cases_support import import_example_registry
from localsite import running, sweep_command
from sqlalchemy import select

from crawler.store.models import Sweep, SweepUrl
from markwatch import db

REPO = Path(__file__).resolve().parent.parent
# Some slack below the asked spacing for clock granularity (the crawler's and the server's clocks are one).
SLACK = 0.05


@dataclass
class Site:
    """A site's robots.txt and pages; records (monotonic time, path) of every request as it arrives."""

    robots: str = "User-agent: *\nAllow: /\n"
    pages: dict[str, str] = field(default_factory=dict)
    # (status, headers) answered to the very first page request (the page itself is served when retried)
    first: tuple[int, dict[str, str]] | None = None
    seen: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def arrivals(self, keep: Callable[[str], bool] = lambda path: path != "/robots.txt") -> list[float]:
        with self.lock:
            return [at for at, path in self.seen if keep(path)]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            with site.lock:
                first_page = not any(path != "/robots.txt" for _at, path in site.seen)
                site.seen.append((time.monotonic(), self.path))
            headers: dict[str, str] = {}
            if self.path == "/robots.txt":
                status, body, kind = 200, site.robots.encode(), "text/plain"
            elif site.first is not None and first_page and self.path != "/robots.txt":
                status, headers = site.first
                # An HTTP date `HTTP_DATE_AHEAD` s from the moment of the answer.
                headers = {key: _ahead(value) for key, value in headers.items()}
                body, kind = b"busy", "text/plain"
            elif self.path in site.pages:
                status, body, kind = 200, site.pages[self.path].encode(), "text/html; charset=utf-8"
            else:
                status, body, kind = 404, b"not found", "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


HTTP_DATE_AHEAD = "http-date+3"


def _ahead(value: str) -> str:
    return email.utils.formatdate(time.time() + 3, usegmt=True) if value == HTTP_DATE_AHEAD else value


def _page(n: int, links: str = "") -> str:
    return f"<html><body><h1>page {n}</h1>{links}</body></html>"


def _targets(path: Path, seeds: list[str], *, kind: str = "product", concurrency: int = 4) -> Path:
    lines = "\n".join(f'      - {{url: "{url}", kind: {kind}}}' for url in seeds)
    path.write_text(
        f"targets:\n  - name: polite\n    seeds:\n{lines}\n    allowed_domains: [127.0.0.1]\n"
        f"    adapter: generic\n    max_depth: 2\n    max_pages: 50\n    delay: 0\n"
        f"    concurrency: {concurrency}\n    timeout: 10\n    retries: 1\n",
        encoding="utf-8",
    )
    return path


def _sweep(tmp_path: Path, targets: Path, *extra: str) -> tuple[str, subprocess.CompletedProcess[str]]:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    command = sweep_command(
        targets, db_url, tmp_path / "jobs", "--no-cases", "--set", "AUTOTHROTTLE_ENABLED=false", *extra
    )
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO)
    return db_url, done


def _gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in pairwise(times)]


def _sweep_row(db_url: str) -> Sweep:
    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        session.expunge(sweep)
        return sweep


def test_robots_crawl_delay_spaces_the_host_s_requests(tmp_path: Path) -> None:
    # Our own group's Crawl-delay counts, not the one for everybody else.
    site = Site(robots="User-agent: markwatch\nCrawl-delay: 1\n\nUser-agent: *\nCrawl-delay: 0\n")
    site.pages = {f"/p/{n}.html": _page(n) for n in range(1, 5)}
    with running(_handler(site)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        targets = _targets(tmp_path / "t.yaml", [f"{base}/p/{n}.html" for n in range(1, 5)])
        db_url, done = _sweep(tmp_path, targets)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    arrivals = site.arrivals()
    assert len(arrivals) == 4
    assert min(_gaps(arrivals)) >= 1.0 - SLACK, _gaps(arrivals)
    assert "crawl_delay_capped" not in str(_sweep_row(db_url).summary)


def test_the_slowest_request_rate_of_the_group_holds_all_day(tmp_path: Path) -> None:
    # Protego keeps a group's last Request-rate only: the window's 1/1s was lost to the 10/1s after it, and
    # inside 0600-0845 UTC the host got ten times what it asked. Windows are not evaluated: the slowest holds.
    site = Site(robots="User-agent: *\nRequest-rate: 1/1s 0600-0845\nRequest-rate: 10/1s 0845-0600\n")
    site.pages = {f"/p/{n}.html": _page(n) for n in range(1, 5)}
    with running(_handler(site)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        targets = _targets(tmp_path / "t.yaml", [f"{base}/p/{n}.html" for n in range(1, 5)])
        _db_url, done = _sweep(tmp_path, targets)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    arrivals = site.arrivals()
    assert len(arrivals) == 4
    assert min(_gaps(arrivals)) >= 1.0 - SLACK, _gaps(arrivals)


# Protego drops a Crawl-delay that is not finite: `inf` and `1e400` gave the host no spacing at all (measured:
# gaps of 0.7 ms and 3.8 ms), while a finite 600 got the cap. Each gets the cap, with the warning (asked "inf":
# JSON has no infinite number).
@pytest.mark.parametrize(("asked", "recorded"), [("600", 600.0), ("inf", "inf"), ("1e400", "inf")])
def test_a_crawl_delay_over_the_cap_is_capped_and_the_sweep_says_so(
    tmp_path: Path, asked: str, recorded: float | str
) -> None:
    site = Site(robots=f"User-agent: *\nCrawl-delay: {asked}\n")
    site.pages = {f"/p/{n}.html": _page(n) for n in range(1, 4)}
    with running(_handler(site)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        targets = _targets(tmp_path / "t.yaml", [f"{base}/p/{n}.html" for n in range(1, 4)])
        db_url, done = _sweep(tmp_path, targets, "--set", "MARKWATCH_CRAWL_DELAY_MAX=1")
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    arrivals = site.arrivals()
    assert len(arrivals) == 3 and min(_gaps(arrivals)) >= 1.0 - SLACK, _gaps(arrivals)
    sweep = _sweep_row(db_url)
    assert sweep.state == "finished"
    assert sweep.summary["warnings"] == [
        {"code": "crawl_delay_capped", "host": "127.0.0.1", "asked": recorded, "applied": 1.0}
    ]
    status = subprocess.run(
        [*sweep_command(targets, db_url, tmp_path / "jobs")[:1], "sweep", "status", "1", "--db", db_url],
        capture_output=True, text=True, timeout=60, cwd=REPO,
    )  # fmt: skip
    shown = "600" if recorded == 600.0 else "inf"
    assert f"warning: crawl_delay_capped 127.0.0.1 (robots.txt asks {shown} s" in status.stdout, status.stdout


def test_a_crawl_delay_read_mid_crawl_applies_to_the_host_from_then_on(tmp_path: Path) -> None:
    # The sweep starts on a host without a delay; the second server's robots.txt is read only when its links
    # are met, with requests to the same host (download slot) already going out.
    first = Site()
    second = Site(robots="User-agent: *\nCrawl-delay: 1\n")
    second.pages = {f"/q/{n}.html": _page(n) for n in range(1, 5)}
    with running(_handler(first)) as one, running(_handler(second)) as two:
        other = f"http://127.0.0.1:{two.server_address[1]}"
        links = "".join(f"<a href='{other}/q/{n}.html'>{n}</a>" for n in range(1, 5))
        first.pages = {"/": _page(0, links)}
        targets = _targets(
            tmp_path / "t.yaml", [f"http://127.0.0.1:{one.server_address[1]}/"], kind="listing"
        )
        _db_url, done = _sweep(tmp_path, targets)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    arrivals = second.arrivals()
    assert len(arrivals) == 4
    assert min(_gaps(arrivals)) >= 1.0 - SLACK, _gaps(arrivals)


def test_retry_after_holds_back_the_whole_host(tmp_path: Path) -> None:
    # One page answers 429 with Retry-After: 2; the host's other pages wait the same two seconds.
    site = Site()
    site.pages = {f"/p/{n}.html": _page(n) for n in range(1, 6)}
    site.first = (429, {"Retry-After": "2"})
    with running(_handler(site)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        seeds = [f"{base}/p/{n}.html" for n in range(1, 6)]
        # One connection at a time: nothing else is in flight when the 429 comes back.
        targets = _targets(tmp_path / "t.yaml", seeds, concurrency=1)
        db_url, done = _sweep(tmp_path, targets)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    with site.lock:
        seen = [(at, path) for at, path in site.seen if path != "/robots.txt"]
    refused_at, _refused = seen[0]
    after = [(round(at - refused_at, 2), path) for at, path in seen if at > refused_at]
    assert len(after) == 5, after  # four other pages and the retry
    assert min(wait for wait, _path in after) >= 2.0 - SLACK, after
    with db.session_scope(db_url) as session:
        states = set(session.scalars(select(SweepUrl.state)))
    assert states == {"stored"}


def test_a_host_that_asks_for_a_pause_past_the_sweep_is_left_alone_and_its_pages_say_why(
    tmp_path: Path,
) -> None:
    # 429 with Retry-After: 86400 (tomorrow). The page failed http_429, but the host's other pages were still
    # requested, one every RETRY_AFTER_MAX (30 s by default), each answered 429 again: measured 6 pages in
    # 62.5 s, all after the server asked for a day's rest.
    site = Site()
    site.pages = {f"/p/{n}.html": _page(n) for n in range(1, 6)}
    site.first = (429, {"Retry-After": "86400"})
    with running(_handler(site)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        seeds = [f"{base}/p/{n}.html" for n in range(1, 6)]
        targets = _targets(tmp_path / "t.yaml", seeds, concurrency=1)
        started = time.monotonic()
        db_url, done = _sweep(tmp_path, targets, "--set", "RETRY_AFTER_MAX=3")
        took = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    with site.lock:
        pages = [path for _at, path in site.seen if path != "/robots.txt"]
    assert len(pages) == 1, pages  # the one that was told to wait, and nothing after it
    with db.session_scope(db_url) as session:
        ledger = {url: reason for url, reason in session.execute(select(SweepUrl.url, SweepUrl.reason))}
    assert ledger.pop(f"{base}{pages[0]}") == "http_429"
    assert sorted(ledger.values()) == ["host_paused"] * 4
    sweep = _sweep_row(db_url)
    assert sweep.state == "finished" and sweep.errors == {"http_429": 1, "host_paused": 4}
    assert "host_paused 4" in done.stdout
    assert took < 3 * 4, took  # not one RETRY_AFTER_MAX wait per page


@pytest.mark.parametrize(
    ("answer", "rest"),
    [
        # No Retry-After: the host waits as long as the retry does (RETRY_BACKOFF_BASE, 1 s). Before, the
        # host's next pages went out at once (measured 2 ms after the 429) while the refused one waited.
        ((429, {}), 1.0),
        # Retry-After as an HTTP date 3 s ahead (whole seconds: at least 2 s of it are left when it arrives).
        ((429, {"Retry-After": HTTP_DATE_AHEAD}), 2.0),
    ],
)
def test_a_429_rests_the_whole_host_with_or_without_a_retry_after(
    tmp_path: Path, answer: tuple[int, dict[str, str]], rest: float
) -> None:
    status, headers = answer
    site = Site()
    site.pages = {f"/p/{n}.html": _page(n) for n in range(1, 5)}
    site.first = (status, headers)
    with running(_handler(site)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        targets = _targets(tmp_path / "t.yaml", [f"{base}/p/{n}.html" for n in range(1, 5)], concurrency=1)
        db_url, done = _sweep(tmp_path, targets)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    with site.lock:
        seen = [(at, path) for at, path in site.seen if path != "/robots.txt"]
    refused_at = seen[0][0]
    after = [(round(at - refused_at, 2), path) for at, path in seen[1:]]
    assert len(after) == 4 and min(wait for wait, _path in after) >= rest - SLACK, after
    with db.session_scope(db_url) as session:
        assert set(session.scalars(select(SweepUrl.state))) == {"stored"}


@pytest.mark.parametrize(
    ("robots", "spacing"),
    [
        # The group's last Crawl-delay holds (Protego's rule): an unbounded one after a finite one was lost,
        # the finite one read as if it were the last.
        ("User-agent: *\nCrawl-delay: 5\nCrawl-delay: inf\n", math.inf),
        ("User-agent: *\nCrawl-delay: inf\nCrawl-delay: 5\n", 5.0),
        ("User-agent: other\nCrawl-delay: inf\n\nUser-agent: *\nCrawl-delay: 5\n", 5.0),
        ("User-agent: *\nCrawl-delay: -inf\nCrawl-delay: nonsense\n", None),
    ],
)
def test_an_unbounded_crawl_delay_counts_where_protego_would_have_read_it(
    robots: str, spacing: float | None
) -> None:
    from protego import Protego

    from crawler.politeness import robots_spacing

    assert robots_spacing(Protego.parse(robots), "markwatch", robots) == spacing


def test_request_rate_lines_are_read_one_by_one_without_parsing_the_rules_again() -> None:
    # Each Request-rate line was read with a parse of the whole robots.txt: 16 of them beside 500 KiB of
    # Disallow lines took 11.4 s, the crawl's reactor blocked all the while. The rules' values are left out of
    # those parses (their lines kept: they end a group), so it costs little more than the one parse.
    from protego import Protego

    from crawler.politeness import robots_spacing

    groups = (
        "User-agent: other\nDisallow: /\nRequest-rate: 1/20s\nRequest-rate: 1/30s\n"
        "User-agent: *\nRequest-rate: 1/2s\nRequest-rate: 1/3s\n"
    )
    assert robots_spacing(Protego.parse(groups), "markwatch", groups) == 3.0
    rules = "".join(f"Disallow: /p{n}/*.html$\n" for n in range(20000))
    text = "User-agent: *\n" + "".join(f"Request-rate: 1/{n}s\n" for n in range(1, 17)) + rules
    started = time.process_time()
    parsed = Protego.parse(text)
    one_parse = time.process_time() - started
    started = time.process_time()
    assert robots_spacing(parsed, "markwatch", text) == 16.0
    assert time.process_time() - started < 3 * one_parse + 0.2
