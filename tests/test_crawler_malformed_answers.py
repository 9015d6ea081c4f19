"""A server that answers something that is not HTTP is said to, not recorded as a lost connection.

A status line without a number, conflicting Content-Length headers, a Content-Length that is no number, a
header line without a colon: Twisted refuses each, and the sweep recorded all of them as `connection_lost`
("connection lost during the answer"), a network fault, when the server did answer, wrongly. A real sweep in a
subprocess against a raw-socket server on 127.0.0.1."""

from __future__ import annotations

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

from crawler.store.models import Sweep, SweepUrl
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
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    hits: list[str] = []
    env = dict(os.environ)
    env.pop("MARKWATCH_CHECKER", None)
    with _raw_server(hits) as base:
        seeds = "".join(
            f'      - {{url: "{base}{path}", kind: product}}\n' for path in ["/whole.html", *MALFORMED]
        )
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            f"targets:\n  - name: raw\n    seeds:\n{seeds}    allowed_domains: [127.0.0.1]\n    adapter: generic\n"
            "    max_depth: 0\n    max_pages: 20\n    delay: 0\n    timeout: 5\n    retries: 1\n",
            encoding="utf-8",
        )
        done = subprocess.run(
            sweep_command(targets, db_url, tmp_path / "jobs", "--no-cases"),
            env=env, capture_output=True, text=True, timeout=300, cwd=REPO,
        )  # fmt: skip
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
