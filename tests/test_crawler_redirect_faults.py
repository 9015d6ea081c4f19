"""Redirects and answers a crawler meets (fault probe s33): a redirect to another port of an allowed host, a
Location with spaces or Chinese, odd Retry-After values, bodies that lie about their length. Each page ends
stored, or failed/skipped with its reason; nothing is fetched off the target's origins.

Real sweeps in a subprocess against servers on 127.0.0.1 (two ports: two origins of one host)."""

from __future__ import annotations

import subprocess
import threading
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
