"""API throughput and latency: /v1/health (the baseline), single and batch self-checks at 1 and 32 clients.

One `markwatch serve` (uvicorn, MARKWATCH_BENCH_WORKERS processes, default 2 = one per core here) on a fresh
SQLite database serves every scenario, so the ratios compare like with like. The load comes from Debian's
`wrk` (C, one Lua script per scenario): a Python client would itself be the bottleneck long before /health
is. Every self-check text is different (a counter in the Lua script), so nothing is answered from a cache.

Targets (issue 17, 2-core machine): single self-check at 32 clients >= 50% of /health's req/s on the same
server; batch >= 1,000 texts/s; p99 of a single self-check at 1 client <= 10 ms.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
REGISTRY = REPO / "examples" / "registry.yaml"
QUICK = os.environ.get("MARKWATCH_BENCH_QUICK") == "1"
SECONDS = 3 if QUICK else 8
WARM_UP_SECONDS = 1 if QUICK else 3
WORKERS = int(os.environ.get("MARKWATCH_BENCH_WORKERS", "2"))
BATCH_ITEMS = 50
CLIENTS = (1, 32)
# wrk counts completed requests only, and requests still in flight when a run ends are lost: a measured run
# lasts at least this many median latencies (of its warm-up), so at most about 1/ROUNDS of the requests is cut
# off. A 3 s quick run of 32 batches in flight (p50 ~1 s) counted 745-895 texts/s where 6 s runs count
# 1,130-1,390.
ROUNDS = 12
MARKWATCH = (sys.executable, "-c", "from markwatch.cli import main; main()")

# wrk's Lua: a distinct text per request, and a JSON line with the figures at the end.
_TEXT = "学校运动场地面层材料' .. n .. '号 执行标准：T/SHHJ 000003-2018（上海标准） 生产企业：上海某某新材料有限公司"
_REPORT = """
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format('{"requests": %d, "seconds": %.3f, "p50_us": %d, "p99_us": %d, "non_2xx": %d, '
    .. '"socket_errors": %d}\\n', summary.requests, summary.duration / 1e6, latency:percentile(50),
    latency:percentile(99), non2xx, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
"""
_HEALTH = "request = function() return wrk.format('GET', '/v1/health') end\n"
_SINGLE = """
local n = 0
request = function()
  n = n + 1
  local body = '{"text": "%(text)s"}'
  return wrk.format('POST', '/v1/selfcheck', {['Content-Type']='application/json', ['X-API-Key']='%(key)s'}, body)
end
"""
_BATCH = """
local n = 0
request = function()
  local items = {}
  for i = 1, %(items)d do
    n = n + 1
    items[i] = '{"text": "%(text)s"}'
  end
  local body = '{"items": [' .. table.concat(items, ',') .. ']}'
  return wrk.format('POST', '/v1/selfcheck/batch', {['Content-Type']='application/json', ['X-API-Key']='%(key)s'}, body)
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _markwatch(*args: str, env: dict[str, str]) -> str:
    return subprocess.run([*MARKWATCH, *args], env=env, capture_output=True, text=True, check=True).stdout


def _wrk(
    base: str, path: str, script: str, clients: int, tmp: Path, seconds: float = SECONDS
) -> dict[str, Any]:
    lua = tmp / f"scenario-{abs(hash(script))}.lua"
    lua.write_text(script + _REPORT, encoding="utf-8")
    threads = min(clients, 2)
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(lua),
            base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "req_per_s": round(figures["requests"] / figures["seconds"], 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "requests": figures["requests"],
        "failures": figures["non_2xx"] + figures["socket_errors"],
    }


def _measure(base: str, key: str, tmp: Path) -> dict[str, Any]:
    scenarios = {
        "health": ("/v1/health", _HEALTH),
        "selfcheck": ("/v1/selfcheck", _SINGLE % {"text": _TEXT, "key": key}),
        f"batch of {BATCH_ITEMS}": (
            "/v1/selfcheck/batch",
            _BATCH % {"text": _TEXT, "key": key, "items": BATCH_ITEMS},
        ),
    }
    results: dict[str, Any] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        # Warm up every worker: the first self-check in a process loads the rules and the engine.
        for _ in range(8 * WORKERS):
            client.post(
                "/v1/selfcheck",
                json={"text": "执行标准：GB/T 1-2020（上海标准）"},
                headers={"X-API-Key": key},
            )
    for name, (path, script) in scenarios.items():
        for clients in CLIENTS:
            # A shorter run first, reported as warm_up, not in the targets: in the first seconds of self-checks
            # after a start, wrk sees a tail at 1 client (p99 30-120 ms over the first 10 s; 5-6 ms after 3 s
            # of load) that the server's own timing of each request (first byte read to last byte written)
            # and an event-loop lag probe do not show. Its cause is not found; it is kept visible here.
            warm_up = _wrk(base, path, script, clients, tmp, seconds=WARM_UP_SECONDS)
            seconds = max(SECONDS, round(ROUNDS * warm_up["p50_ms"] / 1000))
            measured = _wrk(base, path, script, clients, tmp, seconds=seconds)
            measured["seconds"] = seconds
            measured["warm_up"] = {k: warm_up[k] for k in ("req_per_s", "p50_ms", "p99_ms")}
            results[f"{name} @{clients}"] = measured
    for clients in CLIENTS:
        batch = results[f"batch of {BATCH_ITEMS} @{clients}"]
        batch["texts_per_s"] = round(batch["req_per_s"] * BATCH_ITEMS, 1)
    health32, single32 = results["health @32"], results["selfcheck @32"]
    results["ratios"] = {
        "selfcheck@32 / health@32 (target >= 0.5)": round(single32["req_per_s"] / health32["req_per_s"], 3),
        "batch texts/s @32 (target >= 1000)": results[f"batch of {BATCH_ITEMS} @32"]["texts_per_s"],
        "selfcheck p99 ms @1 (target <= 10)": results["selfcheck @1"]["p99_ms"],
        "batch texts/s / single selfcheck req/s @32": round(
            results[f"batch of {BATCH_ITEMS} @32"]["texts_per_s"] / single32["req_per_s"], 1
        ),
    }
    return results


def run() -> dict[str, Any]:
    """Start a server on a fresh database, measure every scenario against it, stop it."""
    if shutil.which("wrk") is None:
        raise RuntimeError("bench/api.py needs wrk as its load generator: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="markwatch-bench-api-") as tmp_name:
        tmp = Path(tmp_name)
        env = {
            **os.environ,
            "MARKWATCH_DB": f"sqlite:///{tmp / 'bench.db'}",
            "MARKWATCH_HOME": tmp_name,
            "MARKWATCH_ENVIRONMENT": "development",
            "MARKWATCH_RATE_LIMIT_PER_MINUTE": "100000000",
            "MARKWATCH_RATE_LIMIT_BURST": "10000000",
            # One key stands for the 32 clients here: it may have all its batches in flight.
            "MARKWATCH_BATCH_MAX_CONCURRENT_PER_KEY": "1000",
        }
        _markwatch("registry", "import", str(REGISTRY), env=env)
        key = _markwatch("keys", "create", "--role", "enterprise", "--name", "bench", env=env).split()[-1]
        port = _free_port()
        command = [*MARKWATCH, "serve", "--port", str(port), "--workers", str(WORKERS), "--no-access-log"]
        with (tmp / "server.log").open("wb") as log:
            server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"server did not start: {(tmp / 'server.log').read_text()[-2000:]}")
                time.sleep(0.2)
            results = _measure(base, key, tmp)
        finally:
            server.terminate()
            server.wait(timeout=60)
        server_config = (
            f"markwatch serve --workers {WORKERS} --no-access-log, SQLite (WAL), "
            f"wrk {SECONDS}s per run ({ROUNDS} median latencies if longer)"
        )
        return {"server": server_config, "load": os.getloadavg(), **results}


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=2))
