"""Redirects and answers a crawler meets (fault probe s33): a redirect to another port of an allowed host, a
Location with spaces or Chinese, odd Retry-After values, bodies that lie about their length. Each page ends
stored, or failed/skipped with its reason; nothing is fetched off the target's origins.

Real sweeps in a subprocess against servers on 127.0.0.1 (two ports: two origins of one host)."""

from __future__ import annotations

import email.utils
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from cases_support import import_example_registry
from localsite import running, sweep_command
from sqlalchemy import select

from crawler.store.models import Sweep, SweepUrl
from markwatch import db

REPO = Path(__file__).resolve().parent.parent
PAGE = "<html><head><meta charset='utf-8'></head><body><p>执行标准：T/DEMO 001-2019（上海标准）</p></body></html>"

# (status, headers, body) of one answer; a route answers given the request's path and its hit count.
Answer = tuple[int, dict[str, str], bytes]
Route = Callable[[str, int], Answer]


def page(path: str, count: int) -> Answer:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode()


def redirect(location: str, status: int = 302) -> Route:
    return lambda path, count: (status, {"Location": location}, b"")


@dataclass
class Origin:
    """One server: routes by path (anything else a page); records every path requested."""

    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hits(self, path: str) -> int:
        with self.lock:
            return self.seen.count(path)


def _handler(origin: Origin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            with origin.lock:
                origin.seen.append(self.path)
                count = origin.seen.count(self.path)
            if self.path == "/robots.txt":
                status, headers, body = 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
            else:
                status, headers, body = origin.routes.get(self.path, page)(self.path, count)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@dataclass
class Swept:
    """A finished sweep: its row and its ledger (path or URL -> (state, reason))."""

    sweep: Sweep
    ledger: dict[str, tuple[str, str | None]]


def _sweep(
    tmp_path: Path,
    base: str,
    paths: list[str],
    *,
    domains: str = "[127.0.0.1]",
    retries: int = 1,
    **extra: str,
) -> Swept:
    tmp_path.mkdir(exist_ok=True)
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    seeds = "".join(f'      - {{url: "{base}{path}", kind: product}}\n' for path in paths)
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        f"targets:\n  - name: r\n    seeds:\n{seeds}    allowed_domains: {domains}\n    adapter: generic\n"
        f"    max_depth: 1\n    max_pages: 40\n    delay: 0\n    timeout: 5\n    retries: {retries}\n",
        encoding="utf-8",
    )
    settings = [part for key, value in extra.items() for part in ("--set", f"{key}={value}")]
    done = subprocess.run(
        sweep_command(targets, db_url, tmp_path / "jobs", "--no-cases", *settings),
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    with db.session_scope(db_url) as session:
        ledger = {
            url.removeprefix(base): (state, reason)
            for url, state, reason in session.execute(select(SweepUrl.url, SweepUrl.state, SweepUrl.reason))
        }
        sweep = session.scalars(select(Sweep)).one()
        session.expunge(sweep)
    return Swept(sweep, ledger)


def test_a_redirect_to_another_port_of_an_allowed_host_is_refused_unless_that_port_is_allowed(
    tmp_path: Path,
) -> None:
    # A port is another origin (another server, maybe an admin interface). A redirect from :A to :B of the
    # same allowed host was followed: politeness and the host check are per host name.
    main, other = Origin(), Origin()
    with running(_handler(main)) as one, running(_handler(other)) as two:
        base = f"http://127.0.0.1:{one.server_address[1]}"
        elsewhere = f"http://127.0.0.1:{two.server_address[1]}"
        main.routes["/to-other-port"] = redirect(f"{elsewhere}/landing.html")
        main.routes["/to-same-origin"] = redirect(f"{base}/landing.html")
        swept = _sweep(tmp_path, base, ["/to-other-port", "/to-same-origin"])
        assert other.seen == []
        assert swept.ledger == {
            "/to-other-port": ("skipped", "offsite_port"),
            "/to-same-origin": ("stored", None),
        }
        assert swept.sweep.state == "finished" and swept.sweep.skipped == {"offsite_port": 1}
        # Listed with its port, the other origin is the target's: the redirect is followed.
        allowed = f"[127.0.0.1, '127.0.0.1:{two.server_address[1]}']"
        swept = _sweep(tmp_path / "allowed", base, ["/to-other-port"], domains=allowed)
    assert swept.ledger == {"/to-other-port": ("stored", None)}
    assert other.hits("/landing.html") == 1


def _once(first: Answer) -> Route:
    """`first` for the first request, the page after."""
    return lambda path, count: first if count == 1 else page(path, count)


def _http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


def _raw_header(text: str) -> str:
    # http.server writes header values as latin-1: this sends `text` as UTF-8 bytes, as real servers do.
    return text.encode().decode("latin-1")


# path -> (answer, what the ledger says of it). Each ends stored, or with the reason it was not.
PROBES: dict[str, tuple[Route, tuple[str, str | None]]] = {
    "/location-space": (redirect("/a b.html"), ("stored", None)),
    "/location-chinese": (redirect(_raw_header("/商品 页.html")), ("stored", None)),
    "/location-bad-port": (redirect("http://127.0.0.1:99999/x"), ("failed", "bad_url")),
    "/location-idn-elsewhere": (redirect(_raw_header("http://例子.测试/x")), ("skipped", "offsite")),
    "/retry-after-past": (
        lambda path, count: (
            (503, {"Retry-After": _http_date(-3600)}, b"down") if count == 1 else page(path, count)
        ),
        ("stored", None),
    ),
    # A line past 16 KiB was connection_lost; headers past 256 KiB in all were read without end (a server
    # streaming headers took the crawler from 40 MB to 222 MB RSS in a 5 s timeout).
    "/huge-header-line": (
        lambda path, count: (200, {"X-Padding": "x" * 100_000}, PAGE.encode()),
        ("failed", "headers_too_large"),
    ),
    "/many-headers": (
        lambda path, count: (200, {f"X-Pad-{n}": "x" * 1000 for n in range(300)}, PAGE.encode()),
        ("failed", "headers_too_large"),
    ),
    "/big-but-bounded-headers": (
        lambda path, count: (
            200,
            {"Content-Type": "text/html; charset=utf-8", **{f"X-Pad-{n}": "x" * 1000 for n in range(100)}},
            PAGE.encode(),
        ),
        ("stored", None),
    ),
}


def test_odd_locations_retry_afters_and_headers_end_with_a_reason(tmp_path: Path) -> None:
    main = Origin(routes={path: route for path, (route, _outcome) in PROBES.items()})
    with running(_handler(main)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        swept = _sweep(tmp_path, base, list(PROBES), RETRY_AFTER_MAX="3")
    assert {path: swept.ledger.get(path) for path in PROBES} == {
        path: outcome for path, (_route, outcome) in PROBES.items()
    }
    # Locations are requested as RedirectMiddleware percent-encodes them (UTF-8), never off the host.
    assert "/a%20b.html" in main.seen and "/%E5%95%86%E5%93%81%20%E9%A1%B5.html" in main.seen, main.seen
    assert swept.sweep.state == "finished"
