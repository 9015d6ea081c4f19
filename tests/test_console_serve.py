"""`markwatch serve` mounts the console beside the API."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from cases_support import TEST_SECRET


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_serves_the_console(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "MARKWATCH_HOME": str(tmp_path),
        "MARKWATCH_ENVIRONMENT": "production",
        "MARKWATCH_SECRET_KEY": TEST_SECRET,
    }
    command = [sys.executable, "-c", "from markwatch.cli import main; main()", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--db", f"sqlite:///{tmp_path / 'serve.db'}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                login = httpx.get(f"{base}/console/login", timeout=1)
                break
            except httpx.HTTPError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert login.status_code == 200
        assert 'name="csrf_token"' in login.text and "检查员控制台" in login.text
        assert "script-src 'none'" in login.headers["content-security-policy"]
        assert httpx.get(f"{base}/console/static/console.css").headers["content-type"].startswith("text/css")
        assert httpx.get(f"{base}/console/cases").status_code == 303
        assert httpx.get(f"{base}/v1/health").json()["status"] == "ok"
    finally:
        server.terminate()
        server.wait(timeout=20)
