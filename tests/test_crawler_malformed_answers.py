"""A server that answers something that is not HTTP is said to, not recorded as a lost connection; hostile
redirects, encodings and page links (fault probe s32) are handled or recorded with their reason, never followed
off the target's hosts.

A status line without a number, conflicting Content-Length headers, a Content-Length that is no number, a
header line without a colon: Twisted refuses each, and the sweep recorded all of them as `connection_lost`
("connection lost during the answer"), a network fault, when the server did answer, wrongly. A real sweep in a
subprocess against a raw-socket server on 127.0.0.1."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cases_support import import_example_registry
from localsite import sweep_command
from sqlalchemy import select

from crawler.store.models import Sweep, SweepPage, SweepUrl
from markwatch import db

REPO = Path(__file__).resolve().parent.parent
PAGE = "<html><head><meta charset='utf-8'></head><body><p>执行标准：T/DEMO 001-2019（上海标准）</p></body></html>"
BODY = PAGE.encode()
ANSWERS = {
    "/robots.txt": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 23\r\n\r\nUser-agent: *\nAllow: /\n",
    "/whole.html": b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s"
    % (len(BODY), BODY),
    "/status-word.html": b"HTTP/1.1 abc OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s"
    % (len(BODY), BODY),
    "/two-lengths.html": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nContent-Length: 9\r\n\r\n%s"
    % (len(BODY), BODY),
    "/length-word.html": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: many\r\n\r\n%s"
    % BODY,
    "/no-colon.html": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nnot a header\r\nContent-Length: %d\r\n\r\n%s"
    % (len(BODY), BODY),
}


def _answer(status: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    head = "".join(f"{key}: {value}\r\n" for key, value in headers.items())
    return f"HTTP/1.1 {status}\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


def _utf16(body: str) -> bytes:
    return "\ufeff".encode("utf-16-le") + body.replace("<meta charset='utf-8'>", "").encode("utf-16-le")


HTML = {"Content-Type": "text/html; charset=utf-8"}
# What each hostile answer must come to in the ledger (state, reason), and the claims of the stored ones.
HOSTILE = {
    "/to-file": (_answer("302 Found", {"Location": "file:///etc/passwd"}), ("failed", "redirect_non_http")),
    "/to-data": (
        _answer("302 Found", {"Location": "data:text/html,<p>x</p>"}),
        ("failed", "redirect_non_http"),
    ),
    "/to-script": (
        _answer("302 Found", {"Location": "javascript:alert(1)"}),
        ("failed", "redirect_non_http"),
    ),
    # .invalid never resolves (RFC 6761): even a crawler bug could not reach another host.
    "/to-other-host": (_answer("302 Found", {"Location": "//offsite.invalid/x"}), ("skipped", "offsite")),
    "/to-userinfo": (
        _answer("302 Found", {"Location": "http://127.0.0.1@offsite.invalid/x"}),
        ("skipped", "offsite"),
    ),
    "/to-own-fragment": (
        _answer("302 Found", {"Location": "/to-own-fragment#top"}),
        ("failed", "redirect_loop"),
    ),
    "/gzip-bomb.html": (
        _answer("200 OK", {**HTML, "Content-Encoding": "gzip"}, gzip.compress(b" " * (64 * 1024 * 1024), 9)),
        ("failed", "too_large"),
    ),
    "/html-as-png.html": (_answer("200 OK", {"Content-Type": "image/png"}, BODY), ("failed", "not_html")),
    "/utf16.html": (
        _answer("200 OK", {"Content-Type": "text/html; charset=utf-16"}, _utf16(PAGE)),
        ("stored", None),
    ),
    "/utf16-bom-only.html": (
        _answer("200 OK", {"Content-Type": "text/html"}, _utf16(PAGE)),
        ("stored", None),
    ),
    "/base-elsewhere.html": (
        _answer(
            "200 OK",
            HTML,
            PAGE.replace("<head>", "<head><base href='http://offsite.invalid/'>")
            .replace("</p>", "</p><a href='rel.html'>r</a><a href='/abs.html'>a</a>")
            .encode(),
        ),
        ("stored", None),
    ),
    "/refresh-elsewhere.html": (
        _answer(
            "200 OK",
            HTML,
            PAGE.replace(
                "<head>", "<head><meta http-equiv='refresh' content='0; url=http://offsite.invalid/r'>"
            ).encode(),
        ),
        ("stored", None),
    ),
}
# Where the <base href> and the refresh point: recorded, never requested.
ELSEWHERE = ["http://offsite.invalid/rel.html", "http://offsite.invalid/abs.html", "http://offsite.invalid/r"]
ANSWERS |= {path: answer for path, (answer, _outcome) in HOSTILE.items()}
MALFORMED = ["/status-word.html", "/two-lengths.html", "/length-word.html", "/no-colon.html"]


@contextmanager
def _raw_server(hits: list[str]) -> Iterator[str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def answer(conn: socket.socket) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                request += chunk
            path = request.split(b" ", 2)[1].decode("latin-1")
            hits.append(path)
            conn.sendall(ANSWERS.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
            conn.shutdown(socket.SHUT_WR)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def test_an_answer_that_is_not_http_is_recorded_as_malformed_not_as_a_lost_connection(tmp_path: Path) -> None:
    db_url, base, hits, done = _sweep(tmp_path, ["/whole.html", *MALFORMED], kind="product", max_depth=0)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    with db.session_scope(db_url) as session:
        ledger = {
            url.removeprefix(base): (state, reason)
            for url, state, reason in session.execute(select(SweepUrl.url, SweepUrl.state, SweepUrl.reason))
        }
        sweep = session.scalars(select(Sweep)).one()
        assert ledger == {"/whole.html": ("stored", None)} | {
            path: ("failed", "bad_response") for path in MALFORMED
        }
        assert sweep.state == "finished" and sweep.errors["bad_response"] == len(MALFORMED)
        assert "connection_lost" not in sweep.errors
    # A server that garbles one answer may not garble the next: each is asked once more, as a cut is.
    assert all(hits.count(path) == 2 for path in MALFORMED), hits


def _sweep(
    tmp_path: Path, paths: list[str], *, kind: str = "listing", max_depth: int = 1
) -> tuple[str, str, list[str], subprocess.CompletedProcess[str]]:
    """A real sweep of the raw server's `paths` (seeds of `kind`) into a fresh SQLite database."""
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    hits: list[str] = []
    env = dict(os.environ)
    env.pop("MARKWATCH_CHECKER", None)
    with _raw_server(hits) as base:
        seeds = "".join(f'      - {{url: "{base}{path}", kind: {kind}}}\n' for path in paths)
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            f"targets:\n  - name: raw\n    seeds:\n{seeds}    allowed_domains: [127.0.0.1]\n    adapter: generic\n"
            f"    max_depth: {max_depth}\n    max_pages: 40\n    delay: 0\n    timeout: 5\n    retries: 1\n",
            encoding="utf-8",
        )
        done = subprocess.run(
            sweep_command(targets, db_url, tmp_path / "jobs", "--no-cases"),
            env=env, capture_output=True, text=True, timeout=300, cwd=REPO,
        )  # fmt: skip
    return db_url, base, hits, done


def test_hostile_redirects_encodings_and_links_are_handled_or_said_and_never_leave_the_host(
    tmp_path: Path,
) -> None:
    db_url, base, hits, done = _sweep(tmp_path, list(HOSTILE))
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    with db.session_scope(db_url) as session:
        ledger = {
            url.removeprefix(base): (state, reason)
            for url, state, reason in session.execute(select(SweepUrl.url, SweepUrl.state, SweepUrl.reason))
        }
        claims = {url: count for url, count in session.execute(select(SweepPage.url, SweepPage.claims))}
        sweep = session.scalars(select(Sweep)).one()
    assert {path: ledger[path] for path in HOSTILE} == {
        path: outcome for path, (_a, outcome) in HOSTILE.items()
    }
    assert {url: ledger[url] for url in ELSEWHERE} == {url: ("skipped", "offsite") for url in ELSEWHERE}
    # A UTF-16 page is read, by its header or its byte order mark alone; off-site links cost nothing else.
    assert claims[f"{base}/utf16.html"] == claims[f"{base}/utf16-bom-only.html"] == 1
    assert claims[f"{base}/base-elsewhere.html"] == claims[f"{base}/refresh-elsewhere.html"] == 1
    assert sweep.state == "finished" and sweep.urls_missing == 0
    assert set(hits) <= {"/robots.txt", *HOSTILE}, hits
