"""No client can stall everyone: many slow URL self-checks against a trickling server, real uvicorn, real
concurrent clients; an inspector's case list must stay fast meanwhile, and each key is held to its slots."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.server
import statistics
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cases_support import (
    LiveServer,
    add_finding,
    import_example_registry,
    make_keys,
    make_settings,
    make_sweep,
)

from api.app import create_app
from markwatch import db
from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.keys import create_key
from markwatch.cases.models import Role

SLOW_CHECKS = 44
TRICKLE_SECONDS = 12.0


class _Trickle(http.server.BaseHTTPRequestHandler):
    """Answers 200 at once, then one byte every quarter second: the slowest body a server can send."""

    active = 0
    lock = threading.Lock()

    def do_GET(self) -> None:
        with _Trickle.lock:
            _Trickle.active += 1
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            deadline = time.monotonic() + TRICKLE_SECONDS
            while time.monotonic() < deadline:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.25)
        except OSError:
            pass
        finally:
            with _Trickle.lock:
                _Trickle.active -= 1

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def trickle() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slow"
    server.shutdown()
    server.server_close()


def _live(url: str, timeout: float = 8, **overrides: Any) -> tuple[Any, dict[str, str]]:
    with db.session_scope(url) as session:
        sweep = make_sweep(session)
        for n in range(5):
            add_finding(session, sweep, key=f"K{n}")
        ingest_sweep(session, sweep.id)
    import_example_registry(url)
    keys = make_keys(url)
    with db.session_scope(url) as session:
        keys["enterprise2"] = create_key(session, role=Role.ENTERPRISE, name="second enterprise").secret
    settings = make_settings(
        url, fetch_allow_networks=("127.0.0.1/32",), fetch_timeout_seconds=timeout, **overrides
    )
    return create_app(settings), keys


async def _slow_checks(base: str, keys: list[str], target: str, count: int) -> list[int]:
    return [a.status_code for a in await _slow_answers(base, keys, target, count)]


async def _slow_answers(base: str, keys: list[str], target: str, count: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        return await asyncio.gather(
            *(
                client.post("/v1/selfcheck", json={"url": target}, headers={"X-API-Key": keys[n % len(keys)]})
                for n in range(count)
            )
        )


def test_case_list_stays_fast_while_slow_url_checks_run(db_url: str, trickle: str) -> None:
    app, keys = _live(db_url, fetch_max_concurrent_per_key=SLOW_CHECKS, fetch_max_concurrent=SLOW_CHECKS)
    with LiveServer(app) as base:
        slow: list[int] = []
        runner = threading.Thread(
            target=lambda: slow.extend(
                asyncio.run(
                    _slow_checks(base, [keys["enterprise"], keys["enterprise2"]], trickle, SLOW_CHECKS)
                )
            )
        )
        runner.start()
        deadline = time.monotonic() + 10
        while _Trickle.active < SLOW_CHECKS:
            assert time.monotonic() < deadline, f"only {_Trickle.active} slow fetches started"
            time.sleep(0.05)
        latencies = []
        with httpx.Client(base_url=base, timeout=30) as inspector:
            for _ in range(15):
                started = time.perf_counter()
                answer = inspector.get("/v1/cases", headers={"X-API-Key": keys["inspector"]})
                latencies.append(time.perf_counter() - started)
                assert answer.status_code == 200 and answer.json()["total"] == 5
        still_slow = _Trickle.active
        runner.join(timeout=60)
    # Every slow fetch was still running while the inspector was answered, and each ended by the timeout.
    assert still_slow == SLOW_CHECKS
    assert slow == [422] * SLOW_CHECKS
    # Before the fix the 40-thread pool filled and this list took 3-10 s; a loaded 2-core CI machine still
    # answers in well under a second.
    assert max(latencies) < 1.0, latencies
    assert statistics.median(latencies) < 0.25, latencies


def test_each_key_is_held_to_its_url_slots(sqlite_url: str, trickle: str) -> None:
    app, keys = _live(sqlite_url, timeout=2, fetch_max_concurrent_per_key=2, fetch_max_concurrent=10)
    with LiveServer(app) as base:
        answers = asyncio.run(_slow_answers(base, [keys["enterprise"]], trickle, 3))
        assert sorted(a.status_code for a in answers) == [422, 422, 429]
        [busy] = [a for a in answers if a.status_code == 429]
        assert busy.headers["retry-after"] == "1" and "per API key" in busy.json()["detail"]
        # Four at once again, two through each of two keys: nobody is refused.
        both = asyncio.run(_slow_checks(base, [keys["enterprise"], keys["enterprise2"]], trickle, 4))
        assert both == [422] * 4


def _engine_race(url: str, race: Any) -> Any:
    """Run `race(check, page)` against a real check service on the example registry."""
    from api.engine import BatchBudget, EngineCheckService, PageInput
    from api.registry_index import ThrottledRegistryCache
    from api.selfchecks import text_document

    import_example_registry(url)
    registry = ThrottledRegistryCache(1).load(db.session_factory(url))
    service = EngineCheckService()
    observed_at = dt.datetime.now(dt.UTC)

    def page(n: int) -> PageInput:
        text = f"产品{n} 执行标准：T/SHHJ 000003-2018（上海标准） 生产企业：上海某某新材料有限公司"
        return PageInput(text_document(text), None, "utf-8")

    async def check(count: int, done: list[tuple[str, float]], name: str) -> None:
        # A batch comes with its budget, a single self-check without.
        budget = BatchBudget(100_000, 3600.0) if count > 1 else None
        pages = [page(n) for n in range(count)]
        answers = await service.check_pages(
            pages, observed_at=observed_at, registry=registry, max_claims=50, budget=budget
        )
        assert all(not isinstance(a, Exception) and a.claims for a in answers), answers[:1]
        done.append((name, time.monotonic()))

    async def main() -> Any:
        await check(1, [], "warm-up")  # loads the rules
        return await race(check)

    try:
        return asyncio.run(main())
    finally:
        service.close()


def test_a_single_self_check_is_checked_between_a_batchs_slices(sqlite_url: str) -> None:
    """A batch of 100 short texts (~1.3 s of checking) was one job on the checker's thread: three keys sending
    batches made another key's single self-check wait 1.4 s at the median, behind them. A batch now goes back
    to the queue after each slice of CPU time, so a single queued behind it is checked long before it ends."""

    async def race(check: Any) -> list[tuple[str, float]]:
        done: list[tuple[str, float]] = []
        batch = asyncio.create_task(check(300, done, "batch"))
        await asyncio.sleep(0.05)  # the batch is on the thread now
        await check(1, done, "single")
        await batch
        return done

    done = _engine_race(sqlite_url, race)
    assert [name for name, _ in done] == ["single", "batch"], done


def test_batches_take_turns_whole(sqlite_url: str) -> None:
    """Sliced against each other, concurrent batches all finished together, each after all of them: 32
    batches of 50 at once finished none within 3 s. Batches keep their order of arrival on a thread."""

    async def race(check: Any) -> list[tuple[str, float]]:
        done: list[tuple[str, float]] = []
        started = time.monotonic()
        await asyncio.gather(check(150, done, "first"), check(150, done, "second"))
        return [(name, at - started) for name, at in done]

    [(first, first_at), (second, second_at)] = _engine_race(sqlite_url, race)
    assert (first, second) == ("first", "second")
    assert first_at < 0.75 * second_at, (first_at, second_at)


def test_each_key_is_held_to_its_batch_slots(sqlite_url: str) -> None:
    """Batches take turns whole: one key's 30 batches at once made every other key's batch wait behind all of
    them (~40 s). Past its slots a key is answered 429 with Retry-After; another key is not."""
    app, keys = _live(sqlite_url, batch_max_concurrent_per_key=1)
    text = "".join(f"产品{n} 执行标准：T/SHHJ 0000{n % 10}3-2018（上海标准）\n" for n in range(12))
    body = {"items": [{"text": f"{text}#{n}"} for n in range(100)]}

    async def batches(base: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            return await asyncio.gather(
                *(
                    client.post("/v1/selfcheck/batch", json=body, headers={"X-API-Key": key})
                    for key in (keys["enterprise"], keys["enterprise"], keys["enterprise2"])
                )
            )

    with LiveServer(app) as base:
        first, second, other = asyncio.run(batches(base))
    assert sorted([first.status_code, second.status_code]) == [201, 429], (
        first.text[:200],
        second.text[:200],
    )
    refused = first if first.status_code == 429 else second
    assert refused.headers["retry-after"] == "1" and "batches" in refused.json()["detail"]
    assert other.status_code == 201, other.text[:200]
