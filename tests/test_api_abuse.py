"""The API under abuse: throttles per address and per key, bounded self-checks, batches, headers, docs."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cases_support import REGISTRY, make_keys, make_settings
from console_support import console_app, csrf_from, seed, sign_in
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from api.app import create_app
from api.known_keys import ActiveKeyDigests
from api.schemas.selfcheck import ClaimOut
from checker.registry import import_registry_file
from markwatch import db
from markwatch.cases.keys import create_key, revoke_key
from markwatch.cases.models import ApiKey, Role, SelfCheck

CLAIM = "执行标准：GB/T {n}-2020（上海标准）"


def _claims_text(count: int) -> str:
    return "\n".join(f"产品{n} " + CLAIM.format(n=10000 + n) for n in range(count))


@pytest.fixture
def checked(db_url: str) -> Iterator[tuple[TestClient, dict[str, str], str]]:
    """The real checker on a database with the example registry, and small caps to reach."""
    with db.session_scope(db_url) as session:
        import_registry_file(session, REGISTRY)
    keys = make_keys(db_url)
    settings = make_settings(db_url, selfcheck_max_claims=5, selfcheck_answer_items=2, batch_max_items=4)
    with TestClient(create_app(settings)) as client:
        yield client, keys, db_url


def test_wrong_keys_are_throttled_per_address(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    app = create_app(make_settings(url, auth_failures_per_minute=1, auth_failure_burst=3))
    keys = make_keys(url)
    with TestClient(app) as client, TestClient(app, client=("198.51.100.7", 5000)) as other:
        good = {"X-API-Key": keys["inspector"]}
        assert client.get("/v1/cases", headers=good).status_code == 200
        answers = [client.get("/v1/cases", headers={"X-API-Key": f"mwk_wrong{n}"}) for n in range(4)]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert int(answers[-1].headers["retry-after"]) >= 1
        assert answers[-1].json()["error"] == "RateLimited"
        # Valid keys at this address are never refused for its wrong ones: one seen before, and one never
        # seen by this process (a colleague behind the same NAT); wrong keys still wait.
        assert client.get("/v1/cases", headers=good).status_code == 200
        assert client.get("/v1/cases", headers={"X-API-Key": keys["admin"]}).status_code == 200
        assert client.get("/v1/cases", headers={"X-API-Key": "mwk_wrong9"}).status_code == 429
        # Other addresses are not affected.
        assert other.get("/v1/cases", headers={"X-API-Key": keys["admin"]}).status_code == 200
        assert other.get("/v1/cases", headers={"X-API-Key": "mwk_wrong"}).status_code == 401
    db.reset_caches()


def _api_key_queries(url: str) -> list[str]:
    """Every statement on the api_keys table from now on (appended as they run)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "api_keys" in statement:
            seen.append(statement)

    event.listen(db.get_engine(url), "before_cursor_execute", record)
    return seen


def test_brute_force_from_a_throttled_address_costs_no_key_lookups(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    app = create_app(make_settings(url, auth_failures_per_minute=1, auth_failure_burst=2))
    keys = make_keys(url)
    with TestClient(app) as client:
        assert [
            client.get("/v1/cases", headers={"X-API-Key": f"mwk_x{n}"}).status_code for n in range(3)
        ] == [
            401,
            401,
            429,
        ]
        queries = _api_key_queries(url)
        answers = [client.get("/v1/cases", headers={"X-API-Key": f"mwk_guess{n}"}) for n in range(200)]
        assert {a.status_code for a in answers} == {429}
        # At most the fingerprint of the keys table (once a second), never a lookup per guess.
        assert len(queries) <= 2, queries
        assert client.get("/v1/cases", headers={"X-API-Key": keys["inspector"]}).status_code == 200
    db.reset_caches()


def test_keys_created_or_revoked_elsewhere_are_seen_at_a_throttled_address(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    app = create_app(
        make_settings(url, auth_failures_per_minute=1, auth_failure_burst=1, auth_cache_seconds=0)
    )
    keys = make_keys(url)
    now = [0.0]
    app.state.authenticator.active = ActiveKeyDigests(check_seconds=1.0, clock=lambda: now[0])
    with TestClient(app) as client:
        assert client.get("/v1/cases", headers={"X-API-Key": "mwk_x"}).status_code == 401
        assert client.get("/v1/cases", headers={"X-API-Key": "mwk_y"}).status_code == 429
        with db.session_scope(url) as session:  # `markwatch keys create` / `revoke` in another process
            fresh = create_key(session, role=Role.INSPECTOR, name="new colleague").secret
            revoke_key(session, session.scalars(select(ApiKey).where(ApiKey.name == "test-admin")).one().id)
        now[0] += 1.5
        assert client.get("/v1/cases", headers={"X-API-Key": fresh}).status_code == 200
        assert client.get("/v1/cases", headers={"X-API-Key": keys["admin"]}).status_code == 429
        assert client.get("/v1/cases", headers={"X-API-Key": keys["inspector"]}).status_code == 200
    db.reset_caches()


def test_console_sign_ins_are_throttled_per_address(sqlite_url: str) -> None:
    data = seed(sqlite_url)
    app = console_app(sqlite_url, sign_in_failures_per_minute=1, sign_in_failure_burst=2)
    with TestClient(app) as client:
        statuses = []
        for key in ("mwk_bad-1", data.keys["enterprise"], "mwk_bad-3"):
            token = csrf_from(client.get("/console/login").text)
            answer = client.post("/console/login", data={"api_key": key, "csrf_token": token})
            statuses.append(answer.status_code)
            last = answer
        assert statuses == [401, 403, 429]
        assert int(last.headers["retry-after"]) >= 1
        assert "text/html" in last.headers["content-type"] and "登录失败次数过多" in last.text
        # A wrong key waits; the right key does not (a colleague behind the same NAT signs in).
        token = csrf_from(client.get("/console/login").text)
        wrong = client.post("/console/login", data={"api_key": "mwk_bad-4", "csrf_token": token})
        assert wrong.status_code == 429
        token = csrf_from(client.get("/console/login").text)
        right = client.post(
            "/console/login",
            data={"api_key": data.keys["inspector"], "csrf_token": token},
            follow_redirects=False,
        )
        assert right.status_code == 303


def test_console_pages_count_against_the_key_rate_limit(sqlite_url: str) -> None:
    data = seed(sqlite_url)
    app = console_app(sqlite_url, rate_limit_per_minute=1, rate_limit_burst=3)
    with TestClient(app) as client:
        sign_in(client, data.keys["inspector"])
        answers = [client.get("/console/cases") for _ in range(4)]
        statuses = [a.status_code for a in answers]
        # The burst of 3 is shared with the sign-in's own page load; then the key waits.
        assert statuses[0] == 200 and statuses[-1] == 429 and set(statuses) == {200, 429}
        assert int(answers[-1].headers["retry-after"]) >= 1


def test_json_answers_are_nosniff(checked: tuple[TestClient, dict[str, str], str]) -> None:
    client, keys, _url = checked
    for response in (
        client.get("/v1/health"),
        client.get("/v1/cases", headers={"X-API-Key": keys["inspector"]}),
        client.get("/v1/cases"),
        client.post("/v1/selfcheck", json={"text": 1}, headers={"X-API-Key": keys["enterprise"]}),
    ):
        assert response.headers["x-content-type-options"] == "nosniff", response.url


def test_docs_are_off_in_production(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    production = create_app(make_settings(url, environment="production"))
    with TestClient(production) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/redoc").status_code == 404
    switched_on = create_app(make_settings(url, environment="production", api_docs=True))
    with TestClient(switched_on) as client:
        assert client.get("/openapi.json").status_code == 200
    db.reset_caches()


def test_claims_are_capped_and_answers_paged(checked: tuple[TestClient, dict[str, str], str]) -> None:
    client, keys, db_url = checked
    mine = {"X-API-Key": keys["enterprise"]}
    made = client.post("/v1/selfcheck", json={"text": _claims_text(8)}, headers=mine)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["claims_total"], body["claims_found"]) == (5, 8)
    assert any("only the first 5 were checked" in note for note in body["notes"])
    assert len(body["claims"]) == 2 and len(body["findings"]) == 2
    assert body["findings_total"] >= 5 and body["verdict"] == "problems"
    claims = client.get(f"/v1/selfcheck/{body['id']}/claims?offset=2&limit=10", headers=mine).json()
    assert claims["total"] == 5 and [c["id"] for c in claims["items"]] == ["c3", "c4", "c5"]
    findings = client.get(f"/v1/selfcheck/{body['id']}/findings?limit=200", headers=mine).json()
    assert len(findings["items"]) == findings["total"] == body["findings_total"]
    # The stored result holds only what can be answered, not the checker's full records.
    with db.session_scope(db_url) as session:
        stored = session.get(SelfCheck, body["id"]).result
    assert set(stored["claims"][0]) <= set(ClaimOut.model_fields)
    assert not {"snippet_normalized", "standard_key", "pattern", "image"} & set(stored["claims"][0])
    assert "finding_key" not in stored["findings"][0] and "patterns" not in stored["findings"][0]
    other = make_keys(db_url)["enterprise"]
    assert client.get(f"/v1/selfcheck/{body['id']}/claims", headers={"X-API-Key": other}).status_code == 404


def test_mention_flood_is_refused_before_extraction(checked: tuple[TestClient, dict[str, str], str]) -> None:
    client, keys, _url = checked
    flood = "上海标准 " * 51  # over 10 candidates per allowed claim (cap 5)
    refused = client.post("/v1/selfcheck", json={"text": flood}, headers={"X-API-Key": keys["enterprise"]})
    assert refused.status_code == 422
    assert "split it" in refused.json()["detail"]


def test_batch_answers_per_item_in_one_transaction(checked: tuple[TestClient, dict[str, str], str]) -> None:
    client, keys, db_url = checked
    mine = {"X-API-Key": keys["enterprise"]}
    items: list[dict[str, Any]] = [
        {"text": "执行标准：GB/T 1499.2-2018（上海标准）"},
        {"html": "<p>执行标准：T/SHHJ 000003-2018（上海标准）</p>", "enterprise_name": "上海某某有限公司"},
        {"text": "上海标准 " * 60},
        {"text": "无关的文字", "claimed_standard": "GB/T 1499.2-2018"},
    ]
    answer = client.post("/v1/selfcheck/batch", json={"items": items}, headers=mine)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["checked"], body["failed"]) == (3, 1)
    assert [i["index"] for i in body["items"]] == [0, 1, 2, 3]
    assert [i["status"] for i in body["items"]] == ["checked", "checked", "failed", "checked"]
    assert body["items"][0]["result"]["verdict"] == "problems"
    assert body["items"][2]["error"] == "InputError"
    assert body["items"][3]["result"]["claims"][0]["id"] == "claimed-c1"
    ids = [i["result"]["id"] for i in body["items"] if i["status"] == "checked"]
    with db.session_scope(db_url) as session:
        rows = [session.get(SelfCheck, i) for i in ids]
        assert len({r.created_at for r in rows}) == 1  # stored together
    listed = client.get("/v1/selfcheck", headers=mine).json()
    assert listed["total"] == 3
    too_many = client.post("/v1/selfcheck/batch", json={"items": items + items[:1]}, headers=mine)
    assert too_many.status_code == 422 and too_many.json()["where"] == "items"
    with_url = client.post(
        "/v1/selfcheck/batch", json={"items": [{"url": "http://example.com/"}]}, headers=mine
    )
    assert with_url.status_code == 422


@pytest.mark.parametrize(
    ("limit", "checked_items"),
    [
        ({"batch_max_claims": 6}, 2),  # 4 claims each: the third item would start past 6
        ({"batch_cpu_seconds": 1e-9}, 1),  # the first item spends it
    ],
)
def test_a_batch_costs_at_most_its_own_budget(
    db_url: str, limit: dict[str, float], checked_items: int
) -> None:
    # Each item's limits are a single self-check's: a 2 MB batch of 100 items checked 50,000 claims for 128 s
    # and stored 200 MB. Past the batch's budget, items are answered "not checked", to be sent again.
    with db.session_scope(db_url) as session:
        import_registry_file(session, REGISTRY)
    keys = make_keys(db_url)
    settings = make_settings(db_url, selfcheck_max_claims=5, batch_max_items=4, **limit)
    with TestClient(create_app(settings)) as client:
        items = [{"text": _claims_text(4)} for _ in range(4)]
        body = client.post(
            "/v1/selfcheck/batch", json={"items": items}, headers={"X-API-Key": keys["enterprise"]}
        )
        assert body.status_code == 201, body.text
        answers = body.json()["items"]
    assert [a["status"] for a in answers] == ["checked"] * checked_items + ["failed"] * (4 - checked_items)
    refused = answers[checked_items]
    assert refused["error"] == "BatchSpent" and "send this item again" in refused["detail"]
    assert ("MARKWATCH_BATCH_MAX_CLAIMS" in refused["detail"]) == ("batch_max_claims" in limit)


@pytest.mark.postgres
def test_a_spent_connection_pool_is_503_with_retry_after(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under a burst on PostgreSQL (two workers, hundreds of requests) every pooled connection was taken: the
    # requests behind waited 30 s and then failed with a 500.
    monkeypatch.setattr(db, "PG_POOL_TIMEOUT_S", 0.2)
    db.reset_caches()
    keys = make_keys(postgres_url)
    engine = db.get_engine(postgres_url)
    with TestClient(create_app(make_settings(postgres_url))) as client:
        held = [engine.connect() for _ in range(engine.pool.size() + engine.pool._max_overflow)]  # type: ignore[attr-defined]
        try:
            answer = client.get("/v1/cases", headers={"X-API-Key": keys["inspector"]})
        finally:
            for connection in held:
                connection.close()
        assert answer.status_code == 503 and answer.headers["retry-after"]
        assert answer.json()["error"] == "DatabaseBusy"
        assert client.get("/v1/cases", headers={"X-API-Key": keys["inspector"]}).status_code == 200
    db.reset_caches()


def test_a_client_that_leaves_mid_upload_is_no_internal_error(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # An unauthenticated client sends half a body and goes: two ERROR tracebacks each (11 MB for 1,500).
    import asyncio

    keys = make_keys(db_url)
    app = create_app(make_settings(db_url))
    messages = iter(
        [
            {"type": "http.request", "body": b'{"text": "', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/v1/selfcheck", "raw_path": b"/v1/selfcheck", "query_string": b"", "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000"),
                    (b"x-api-key", keys["enterprise"].encode())],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    with TestClient(app), caplog.at_level("DEBUG"):  # started up, as under uvicorn
        asyncio.run(app(scope, receive, send))  # raises nothing: uvicorn has nothing to log
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert any("client disconnected" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("written", ["1_0", "+1", "%201", "1%20", "01e0", "١"])  # "١": an Arabic-Indic digit
def test_a_path_id_is_digits_only(checked: tuple[TestClient, dict[str, str], str], written: str) -> None:
    # Lax integer parsing answered /v1/selfcheck/1_0 as self-check 10, and " 1" or "+1" as 1.
    client, keys, _url = checked
    mine = {"X-API-Key": keys["enterprise"]}
    made = client.post("/v1/selfcheck", json={"text": "执行标准：GB/T 1-2020"}, headers=mine)
    assert made.status_code == 201 and made.json()["id"] == 1
    assert client.get("/v1/selfcheck/1", headers=mine).status_code == 200
    answer = client.get(f"/v1/selfcheck/{written}", headers=mine)
    assert answer.status_code == 422 and answer.json()["where"] == "path.check_id", answer.text


def test_a_slash_redirect_never_sends_the_client_to_the_host_it_named(
    checked: tuple[TestClient, dict[str, str], str],
) -> None:
    client, keys, _url = checked
    answer = client.get(
        "/v1/selfcheck/?limit=5",
        headers={"X-API-Key": keys["enterprise"], "Host": "evil.example"},
        follow_redirects=False,
    )
    assert answer.status_code == 307 and answer.headers["location"] == "/v1/selfcheck?limit=5"


def test_a_body_that_does_not_arrive_in_time_is_408(db_url: str) -> None:
    # A client sending a byte now and then (no key needed: the body is read first) held its request for ever.
    import asyncio

    app = create_app(make_settings(db_url, body_timeout_seconds=0.3))
    sent: list[dict[str, Any]] = []
    first = True

    async def receive() -> dict[str, Any]:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b'{"te', "more_body": True}
        await asyncio.sleep(3600)  # the rest never comes
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/v1/selfcheck", "raw_path": b"/v1/selfcheck", "query_string": b"", "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
        "client": ("127.0.0.1", 50001), "server": ("127.0.0.1", 8000),
    }  # fmt: skip

    async def run() -> None:
        await asyncio.wait_for(app(scope, receive, send), 10)

    with TestClient(app):
        asyncio.run(run())
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert start["status"] == 408 and b'"error": "RequestTimeout"' in body


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "GZIP"])
def test_a_compressed_body_is_415(checked: tuple[TestClient, dict[str, str], str], encoding: str) -> None:
    """A gzip body was read as JSON: 422 "'utf-8' codec can't decode byte 0x8b", naming nothing an integrator
    could act on. Compressed bodies are refused as such, and never inflated (the size limit is on what is read)."""
    client, keys, _ = checked
    body = gzip.compress(json.dumps({"text": "执行标准：GB/T 1-2020（上海标准）"}).encode())
    answer = client.post(
        "/v1/selfcheck",
        content=body,
        headers={
            "X-API-Key": keys["enterprise"],
            "Content-Type": "application/json",
            "Content-Encoding": encoding,
        },
    )
    assert answer.status_code == 415, answer.text
    assert answer.json()["error"] == "UnsupportedMediaType" and "Content-Encoding" in answer.json()["detail"]
    plain = client.post(
        "/v1/selfcheck",
        json={"text": "执行标准：GB/T 1-2020（上海标准）"},
        headers={"X-API-Key": keys["enterprise"], "Content-Encoding": "identity"},
    )
    assert plain.status_code == 201, plain.text
