"""Self-checks: input kinds, privacy between enterprise keys, never a case, SSRF refusals over HTTP."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from cases_support import REGISTRY, make_keys, make_settings
from fastapi.testclient import TestClient

from api.app import create_app
from api.engine import CheckOutcome, get_check_service
from checker.registry import RegistryIndex
from markwatch import db
from markwatch.cases.keys import create_key
from markwatch.cases.models import Case, Role

WORDING = "本产品通过上海标准认证"


class FakeChecks:
    """Stands in for the checker: one SHS009 finding per line carrying certification wording."""

    def __init__(self) -> None:
        self.pages: list[tuple[bytes, str | None, str | None]] = []

    async def check_page(
        self,
        raw: bytes,
        *,
        url: str | None,
        declared_charset: str | None,
        observed_at: dt.datetime,
        registry: RegistryIndex,
        claimant: str | None = None,
    ) -> CheckOutcome:
        self.pages.append((raw, url, declared_charset))
        hits = raw.decode("utf-8", "replace").count(WORDING)
        claims = [{"id": f"c{i}", "kind": "text", "text": WORDING} for i in range(hits)]
        findings = [
            {
                "rule_id": "SHS009",
                "severity": "medium",
                "claim_id": f"c{i}",
                "message": "上海标准 is not a product certification",
                "remediation": "say which standard the product implements",
                "evidence": {"snippet": WORDING, "location": "p"},
            }
            for i in range(hits)
        ]
        return CheckOutcome(claims=claims, findings=findings)


@pytest.fixture
def api(db_url: str) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], FakeChecks]]:
    app = create_app(make_settings(db_url, fetch_allow_networks=("127.0.0.1/32",)))
    fake = FakeChecks()
    app.dependency_overrides[get_check_service] = lambda: fake
    keys = make_keys(db_url)
    with TestClient(app) as client:
        yield client, {role: {"X-API-Key": key} for role, key in keys.items()}, fake


def test_text_html_and_private_results(
    api: tuple[TestClient, dict[str, dict[str, str]], FakeChecks], db_url: str
) -> None:
    client, h, fake = api
    made = client.post(
        "/v1/selfcheck",
        json={
            "text": f"{WORDING}\n<script>x</script>",
            "enterprise_name": "上海甲公司",
            "uscc": "91310000MA1FL00000",
        },
        headers=h["enterprise"],
    )
    assert made.status_code == 201, made.text
    result = made.json()
    assert result["verdict"] == "problems"
    assert result["findings"][0]["remediation"]
    assert result["input_kind"] == "text"
    assert b"&lt;script&gt;" in fake.pages[-1][0]
    clean = client.post(
        "/v1/selfcheck", json={"html": "<p>执行标准：GB/T 1-2020</p>"}, headers=h["enterprise"]
    )
    assert clean.json()["verdict"] == "ok"
    own = client.get(f"/v1/selfcheck/{result['id']}", headers=h["enterprise"])
    assert own.status_code == 200 and own.json()["findings"] == result["findings"]
    assert client.get("/v1/selfcheck", headers=h["enterprise"]).json()["total"] == 2
    with db.session_scope(db_url) as session:
        other = create_key(session, role=Role.ENTERPRISE, name="another enterprise").secret
        assert session.query(Case).count() == 0
    assert client.get(f"/v1/selfcheck/{result['id']}", headers={"X-API-Key": other}).status_code == 404
    assert client.get("/v1/selfcheck", headers={"X-API-Key": other}).json()["total"] == 0
    assert client.get(f"/v1/selfcheck/{result['id']}", headers=h["inspector"]).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": "a", "html": "<p>a</p>"},
        {"text": ""},
        {"text": "a", "uscc": "not-a-credit-code"},
        {"text": "a\u0000b"},
        {"url": "javascript:alert(1)"},
        {"text": "a", "unknown": 1},
    ],
)
def test_bad_input_is_4xx(
    api: tuple[TestClient, dict[str, dict[str, str]], FakeChecks], body: dict[str, Any]
) -> None:
    client, h, _fake = api
    response = client.post("/v1/selfcheck", json=body, headers=h["enterprise"])
    assert response.status_code == 422, response.text


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        body = f"<p>{WORDING}</p>".encode("gb18030")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=gbk")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def page_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_from_allowlisted_server(
    api: tuple[TestClient, dict[str, dict[str, str]], FakeChecks], page_server: str
) -> None:
    client, h, fake = api
    made = client.post("/v1/selfcheck", json={"url": page_server + "/item"}, headers=h["enterprise"])
    assert made.status_code == 201, made.text
    raw, url, charset = fake.pages[-1]
    assert (url, charset) == (page_server + "/item", "gbk")
    assert WORDING.encode("gb18030") in raw


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        # (localhost is allowlisted here with 127.0.0.1; test_api_fetch refuses it without the allowlist)
        "http://127.0.0.2/",
        "{server}/to-metadata",
    ],
)
def test_url_ssrf_attempts_are_refused(
    api: tuple[TestClient, dict[str, dict[str, str]], FakeChecks], page_server: str, target: str
) -> None:
    client, h, fake = api
    response = client.post(
        "/v1/selfcheck", json={"url": target.format(server=page_server)}, headers=h["enterprise"]
    )
    assert response.status_code == 422, response.text
    assert "refused" in response.json()["detail"]
    assert fake.pages == []


def test_real_checker_messages_and_claimed_standard(db_url: str) -> None:
    from checker.registry import import_registry_file

    with db.session_scope(db_url) as session:
        import_registry_file(session, REGISTRY)
    keys = make_keys(db_url)
    with TestClient(create_app(make_settings(db_url))) as client:
        made = client.post(
            "/v1/selfcheck",
            json={
                "text": "本品执行标准：GB/T 1499.2-2018（上海标准）",
                "claimed_standard": "DB31/T 1108-2018",
                "enterprise_name": "上海市医疗急救中心",
            },
            headers={"X-API-Key": keys["enterprise"]},
        )
        assert made.status_code == 201, made.text
        body = made.json()
        rules = {(f["rule_id"], f["claim_id"]) for f in body["findings"]}
        assert ("SHS002", "c1") in rules
        assert all(f["remediation"] and f["basis"] for f in body["findings"])
        assert not any(claim_id.startswith("claimed-") for _rule, claim_id in rules)
        assert [c["id"] for c in body["claims"]] == ["c1", "claimed-c1"]
        assert body["claims"][0]["claimant"] == "上海市医疗急救中心"
        assert body["verdict"] == "problems"
