"""50 concurrent self-checks against a live uvicorn server with the real checker: each answered correctly."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator

import httpx
import pytest
from cases_support import REGISTRY, LiveServer, make_keys, make_settings

from api.app import create_app
from checker.registry import import_registry_file
from markwatch import db

CONCURRENT = 50


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    path = tmp_path_factory.mktemp("concurrency") / "c.db"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    with db.session_scope(url) as session:
        import_registry_file(session, REGISTRY)
    key = make_keys(url)["enterprise"]
    app = create_app(make_settings(url, sweep_command=(sys.executable, "-c", "pass")))
    with LiveServer(app) as base:
        yield base, key
    db.reset_caches()


def _text(n: int) -> tuple[str, str | None]:
    """Even requests name a national standard (SHS002, unique code each); odd ones a valid designation."""
    if n % 2 == 0:
        code = f"GB/T {10000 + n}-2020"
        return f"产品{n}号 执行标准：{code}（上海标准）", code
    return f"产品{n}号 执行标准：T/SHHJ 000003-2018（上海标准）", None


async def _all(base: str, key: str) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        return await asyncio.gather(
            *(
                client.post("/v1/selfcheck", json={"text": _text(n)[0]}, headers={"X-API-Key": key})
                for n in range(CONCURRENT)
            )
        )


def test_fifty_concurrent_self_checks(live: tuple[str, str]) -> None:
    base, key = live
    responses = asyncio.run(_all(base, key))
    assert [r.status_code for r in responses] == [201] * CONCURRENT
    for n, response in enumerate(responses):
        body = response.json()
        _text_sent, code = _text(n)
        assert len(body["claims"]) == 1, (n, body)
        if code is None:
            assert body["findings"] == [], (n, body)
        else:
            rules = {(f["rule_id"], f["standard_code"]) for f in body["findings"]}
            assert ("SHS002", code) in rules, (n, body)
