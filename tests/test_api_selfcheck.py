"""Self-checks: input kinds, privacy between enterprise keys, never a case, SSRF refusals over HTTP."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cases_support import REGISTRY, import_example_registry, make_keys, make_settings
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
    import_example_registry(db_url)
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


# Answers that are no page: checked as one, each would have been "ok" for words never read.
_NOT_PAGES = {
    "/label.png": (b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"),
    "/spec.pdf": (b"%PDF-1.7\n" + bytes(range(256)) * 4, "application/pdf"),
    "/blob": (bytes(range(256)) * 16, ""),
}


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return
        body, ctype = f"<p>{WORDING}</p>".encode("gb18030"), "text/html; charset=gbk"
        if self.path in _NOT_PAGES:
            body, ctype = _NOT_PAGES[self.path]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
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
    ("path", "says"),
    [
        ("/label.png", "an image (image/png), not a page: send it to POST /v1/selfcheck/image"),
        ("/spec.pdf", "application/pdf, not a page"),
        ("/blob", "bytes that are not text"),
    ],
)
def test_a_url_that_answers_no_page_is_refused_not_ok(
    api: tuple[TestClient, dict[str, dict[str, str]], FakeChecks], page_server: str, path: str, says: str
) -> None:
    client, h, fake = api
    before = len(fake.pages)
    refused = client.post("/v1/selfcheck", json={"url": page_server + path}, headers=h["enterprise"])
    assert refused.status_code == 422, refused.text
    assert says in refused.json()["detail"] and refused.json()["where"] == "url"
    assert len(fake.pages) == before  # nothing was checked


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


NOT_A_STANDARD = [
    "not a code at all ??",
    "上海标准",
    "《》",
    "GB/T 1234-2020 and T/ABC 001-2022",
    "《a》《b》",
    "   ",
]


@pytest.mark.parametrize("claimed", NOT_A_STANDARD)
def test_claimed_standard_that_names_no_standard_is_refused(
    api: tuple[TestClient, dict[str, dict[str, str]], FakeChecks], claimed: str
) -> None:
    """QA #20: it was checked as a claim naming no standard, a second SHS008 for one typo."""
    client, h, fake = api
    single = client.post(
        "/v1/selfcheck", json={"text": "上海标准", "claimed_standard": claimed}, headers=h["enterprise"]
    )
    assert single.status_code == 422, single.text
    assert single.json()["where"] == "body.claimed_standard"
    batch = client.post(
        "/v1/selfcheck/batch",
        json={"items": [{"text": "上海标准"}, {"html": "<p>上海标准</p>", "claimed_standard": claimed}]},
        headers=h["enterprise"],
    )
    assert batch.status_code == 422, batch.text
    assert batch.json()["where"] == "body.items.1.claimed_standard"
    assert fake.pages == []
    assert client.get("/v1/selfcheck", headers=h["enterprise"]).json()["total"] == 0


def test_every_spelling_the_code_parser_reads_is_a_claimed_standard() -> None:
    from test_codes import KNOWN

    from api.schemas.selfcheck import BatchItemIn, SelfCheckIn

    title = "《生活饮用水用聚氯乙烯管材》"
    for written, *_parsed in KNOWN:
        for claimed in (written, f"{written}{title}", f"{written} {title}", f" {written} "):
            assert SelfCheckIn(text="x", claimed_standard=claimed).claimed_standard == claimed.strip()
            assert BatchItemIn(text="x", claimed_standard=claimed).claimed_standard == claimed.strip()
    assert SelfCheckIn(text="x", claimed_standard=title).claimed_standard == title


def test_a_long_claimed_standard_is_refused_before_it_is_parsed() -> None:
    import time

    from pydantic import ValidationError

    from api.schemas.selfcheck import SelfCheckIn

    started = time.monotonic()
    with pytest.raises(ValidationError, match="at most 100 characters"):
        SelfCheckIn(text="x", claimed_standard="GB/T 1234-2020 " * 100_000)
    assert time.monotonic() - started < 0.5


def test_real_checker_claimed_standard_adds_no_second_finding(db_url: str) -> None:
    import_example_registry(db_url)
    keys = make_keys(db_url)
    headers = {"X-API-Key": keys["enterprise"]}
    with TestClient(create_app(make_settings(db_url))) as client:
        typo = {"text": "本产品执行上海标准", "claimed_standard": "not a code at all ??"}
        assert client.post("/v1/selfcheck", json=typo, headers=headers).status_code == 422
        made = client.post(
            "/v1/selfcheck", json={**typo, "claimed_standard": "DB31/T 1108-2018"}, headers=headers
        )
        assert made.status_code == 201, made.text
        not_disclosed = [f["claim_id"] for f in made.json()["findings"] if f["rule_id"] == "SHS008"]
        assert not_disclosed == ["c1"]


def test_an_empty_registry_is_503_not_findings(db_url: str, page_server: str) -> None:
    """Against no designation every designated code would be reported as not designated."""
    keys = make_keys(db_url)
    headers = {"X-API-Key": keys["enterprise"]}
    # Re-read the registry on every request, so the import below is seen at once.
    settings = make_settings(db_url, fetch_allow_networks=("127.0.0.1/32",), registry_check_seconds=0)
    app = create_app(settings)
    fake = FakeChecks()
    app.dependency_overrides[get_check_service] = lambda: fake
    with TestClient(app) as client:
        for path, body in (
            ("/v1/selfcheck", {"text": WORDING}),
            ("/v1/selfcheck", {"url": page_server + "/item"}),
            ("/v1/selfcheck/batch", {"items": [{"text": WORDING}, {"html": f"<p>{WORDING}</p>"}]}),
        ):
            response = client.post(path, json=body, headers=headers)
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/json"
            answer = response.json()
            assert answer["error"] == "RegistryEmpty"
            assert "registry is empty" in answer["detail"]
            assert "markwatch registry import" in answer["detail"]
        assert fake.pages == []
        assert client.get("/v1/selfcheck", headers=headers).json()["total"] == 0
        import_example_registry(db_url)
        assert client.post("/v1/selfcheck", json={"text": WORDING}, headers=headers).status_code == 201


ITEM_PAGE = (
    "<html><body><h1>智能水杯 商品详情</h1><p>价格：¥99</p><ul><li>产品名称：智能水杯</li>"
    "<li>执行标准：T/SHHJ 000003-2018（上海标准）</li></ul><p>本产品通过上海标准认证</p></body></html>"
)


def _assert_issue_13_fields(answer: dict[str, Any]) -> None:
    claims = {c["id"]: c for c in answer["claims"]}
    assert claims["c2"]["use"] == "product"
    assert "page:price" in claims["c2"]["use_signals"]
    assert claims["c2"]["use_confidence"] == "high"
    assert claims["c2"]["verbatim"] == "上海标准"
    [finding] = [f for f in answer["findings"] if f["rule_id"] == "SHS009"]
    assert finding["claim_ids"] == ["c2"]
    assert finding["confidence"] in {"high", "review"}
    assert [place["claim_id"] for place in finding["locations"]] == ["c2"]
    assert finding["locations"][0]["verbatim"] == "上海标准"
    reasons = {reason["code"]: reason for reason in finding["confidence_reasons"]}
    assert reasons["use"]["en"].startswith("classified as: product")
    assert reasons["use"]["zh"].startswith("用途判定: product")
    assert reasons["use"]["sends_to_review"] is False


def test_answers_carry_confidence_locations_and_use(db_url: str) -> None:
    """QA #7: issue 13's fields reach the enterprise, alike from the single and the batch endpoint."""
    import_example_registry(db_url)
    keys = make_keys(db_url)
    headers = {"X-API-Key": keys["enterprise"]}
    with TestClient(create_app(make_settings(db_url))) as client:
        made = client.post(
            "/v1/selfcheck",
            json={"html": ITEM_PAGE, "claimed_standard": "T/SHHJ 000003-2018《学校运动场地》"},
            headers=headers,
        )
        assert made.status_code == 201, made.text
        single = made.json()
        _assert_issue_13_fields(single)
        batch = client.post("/v1/selfcheck/batch", json={"items": [{"html": ITEM_PAGE}]}, headers=headers)
        assert batch.status_code == 201, batch.text
        _assert_issue_13_fields(batch.json()["items"][0]["result"])
        stored = client.get(f"/v1/selfcheck/{single['id']}", headers=headers).json()
        assert stored["findings"] == single["findings"] and stored["claims"] == single["claims"]
        paged = client.get(f"/v1/selfcheck/{single['id']}/findings", headers=headers).json()
        assert paged["items"] == single["findings"]
        claimed = [c for c in single["claims"] if c["id"].startswith("claimed-")]
        assert claimed and all(c["location"] == "claimed_standard" for c in claimed)
        assert claimed[0]["standard_title"] == "学校运动场地"
        for finding in single["findings"]:
            if finding["claim_id"].startswith("claimed-"):
                assert all(claim_id.startswith("claimed-") for claim_id in finding["claim_ids"])
                assert {p["location"] for p in [finding["evidence"], *finding["locations"]]} == {
                    "claimed_standard"
                }


def test_answers_stored_before_issue_13_fields_still_read(
    api: tuple[TestClient, dict[str, dict[str, str]], FakeChecks], db_url: str
) -> None:
    client, h, _fake = api
    made = client.post("/v1/selfcheck", json={"text": WORDING}, headers=h["enterprise"]).json()
    from markwatch.cases.models import SelfCheck

    with db.session_scope(db_url) as session:
        row = session.get(SelfCheck, made["id"])
        assert row is not None
        old = {"rule_id": "SHS009", "severity": "medium", "message": "m", "claim_id": "c0"}
        row.result = {**row.result, "findings": [old], "claims": [{"id": "c0", "kind": "text"}]}
    answer = client.get(f"/v1/selfcheck/{made['id']}", headers=h["enterprise"]).json()
    [finding] = answer["findings"]
    assert (finding["confidence"], finding["confidence_reasons"], finding["locations"]) == (None, [], [])
    assert answer["claims"][0]["use"] is None


def test_schema_examples_are_valid_answers_and_match_the_checker(tmp_path: Path) -> None:
    from api.schemas.selfcheck import ClaimOut, FindingOut
    from api.schemas.selfcheck_examples import CLAIM_EXAMPLE, FINDING_EXAMPLE

    assert (
        FindingOut.model_validate(FINDING_EXAMPLE).model_dump(mode="json", exclude_none=True)
        == FINDING_EXAMPLE
    )
    assert ClaimOut.model_validate(CLAIM_EXAMPLE).model_dump(mode="json", exclude_none=True) == CLAIM_EXAMPLE
    # The checker's reason strings become the example's objects.
    as_checker_gives = [f"{r['code']}: {r['detail']}" for r in FINDING_EXAMPLE["confidence_reasons"]]
    read = FindingOut.model_validate({**FINDING_EXAMPLE, "confidence_reasons": as_checker_gives})
    assert read.model_dump(mode="json", exclude_none=True) == FINDING_EXAMPLE
    schemas = create_app(make_settings(f"sqlite:///{tmp_path / 'x.db'}")).openapi()["components"]["schemas"]
    assert schemas["FindingOut"]["examples"] == [FINDING_EXAMPLE]
    assert schemas["ClaimOut"]["examples"] == [CLAIM_EXAMPLE]
