"""API latency: self-check p50/p99 at 1 and 32 concurrent clients (text claim, 300 KB page) beside /v1/health.

Runs `markwatch serve` (uvicorn) on 127.0.0.1 in a subprocess, so the load generator does not share its GIL.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
REGISTRY = REPO / "examples" / "registry.yaml"
BIG_PAGE = REPO / "tests" / "data" / "realpages" / "taobao_item_01.html"
CLAIM = "执行标准：T/SHHJ 000003-2018（上海标准）"
TEXT = f"学校运动场地面层材料 {CLAIM} 生产企业：上海某某新材料有限公司"
QUICK = os.environ.get("MARKWATCH_BENCH_QUICK") == "1"
CONCURRENCY = (1, 32)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _big_page() -> str:
    """A real ~300 KB marketplace page with one claim planted near the end of the body."""
    page = BIG_PAGE.read_bytes().decode("utf-8", "replace")
    cut = page.rfind("</body>")
    cut = cut if cut > 0 else len(page)
    return page[:cut] + f"<div class='attr'>{CLAIM}</div>" + page[cut:]


MARKWATCH = (sys.executable, "-c", "from markwatch.cli import main; main()")


def _markwatch(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [*MARKWATCH, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def _load(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    body: Any,
    headers: dict[str, str],
    clients: int,
    total: int,
) -> dict[str, Any]:
    latencies: list[float] = []
    failures: Counter[str] = Counter()  # by status code or exception: a failure must be explainable
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(total):
        queue.put_nowait(n)

    async def worker() -> None:
        while True:
            try:
                queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            try:
                response = await client.request(method, url, json=body, headers=headers)
                if response.status_code >= 300:
                    failures[f"HTTP {response.status_code}"] += 1
            except httpx.HTTPError as exc:
                failures[type(exc).__name__] += 1
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "p50_ms": round(_percentile(latencies, 0.50), 2),
        "p99_ms": round(_percentile(latencies, 0.99), 2),
        "req_per_s": round(total / elapsed, 1),
        "requests": total,
        "failures": sum(failures.values()),
        "failure_kinds": dict(failures),
    }


async def _measure(base: str, key: str) -> dict[str, Any]:
    page = _big_page()
    auth = {"X-API-Key": key}
    scenarios: dict[str, tuple[str, str, Any, dict[str, str], int]] = {
        "health (baseline)": ("GET", "/v1/health", None, {}, 400),
        "selfcheck text": ("POST", "/v1/selfcheck", {"text": TEXT}, auth, 200),
        "selfcheck 300KB page": ("POST", "/v1/selfcheck", {"html": page}, auth, 64),
    }
    results: dict[str, Any] = {"page_bytes": len(page.encode())}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        for name, (method, path, body, headers, total) in scenarios.items():
            # Warm up: first self-check loads the rules and the engine.
            await client.request(method, path, json=body, headers=headers)
            for clients in CONCURRENCY:
                count = max(clients * 2, total // (4 if QUICK else 1))
                results[f"{name} @{clients}"] = await _load(
                    client, method, path, body, headers, clients, count
                )
    return results


def run() -> dict[str, Any]:
    """Start a server on a fresh database, measure, stop it."""
    with tempfile.TemporaryDirectory(prefix="markwatch-bench-api-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        env = {
            **os.environ,
            "MARKWATCH_DB": db_url,
            "MARKWATCH_HOME": tmp,
            "MARKWATCH_ENVIRONMENT": "development",
            "MARKWATCH_RATE_LIMIT_PER_MINUTE": "10000000",
            "MARKWATCH_RATE_LIMIT_BURST": "1000000",
        }
        _markwatch("registry", "import", str(REGISTRY), env=env)
        key = _markwatch("keys", "create", "--role", "enterprise", "--name", "bench", env=env).split()[-1]
        port = _free_port()
        # The access log goes to a file: an unread pipe fills up and stalls the server.
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [*MARKWATCH, "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(
                        f"server did not start: {server.stderr.read().decode() if server.stderr else ''}"
                    )
                time.sleep(0.1)
            return asyncio.run(_measure(base, key))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=2))
