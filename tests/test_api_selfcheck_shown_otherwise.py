"""A self-check says when the page's charset label shows its quotes otherwise than markwatch read them.

A server that labels GBK bytes UTF-8 (or UTF-8 bytes GBK) makes every browser show the words garbled, while
markwatch reads the bytes for what they are. The console's case page says so (#shown-otherwise); the API
answer carries it too (`shown_as`, the label a browser obeyed), and a note in words.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cases_support import import_example_registry, make_keys, make_settings
from evidence_probe_support import pages_handler
from fastapi.testclient import TestClient
from localsite import running

from api.app import create_app

CLAIM = "<p>产品名称：跑道面层 执行标准：T/ZZZ 001-2020（上海标准）</p>"
# Path -> (bytes, Content-Type) served on 127.0.0.1.
PAGES = {
    "/gbk-said-utf8": (CLAIM.encode("gb18030"), "text/html; charset=utf-8"),
    "/utf8-said-gbk": (CLAIM.encode(), "text/html; charset=gbk"),
    "/gbk-said-gbk": (CLAIM.encode("gb18030"), "text/html; charset=gbk"),
    "/utf8-meta-gbk": (f"<meta charset='gbk'>{CLAIM}".encode(), "text/html"),
    "/utf8-said-utf8": (CLAIM.encode(), "text/html; charset=utf-8"),
}


@pytest.fixture
def site() -> Iterator[str]:
    with running(pages_handler(PAGES)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def client(db_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    import_example_registry(db_url)
    keys = make_keys(db_url)
    app = create_app(make_settings(db_url, fetch_allow_networks=("127.0.0.1/32",)))
    with TestClient(app) as test_client:
        yield test_client, {"X-API-Key": keys["enterprise"]}


@pytest.mark.parametrize(
    ("path", "decoded_as", "shown_as"),
    [
        ("/gbk-said-utf8", "gb18030", "utf-8"),
        ("/utf8-said-gbk", "utf-8", "gbk"),
        ("/utf8-meta-gbk", "utf-8", "gbk"),
        ("/gbk-said-gbk", "gb18030", None),
        ("/utf8-said-utf8", "utf-8", None),
    ],
)
def test_the_answer_says_when_a_browser_showed_the_quotes_otherwise(
    client: tuple[TestClient, dict[str, str]], site: str, path: str, decoded_as: str, shown_as: str | None
) -> None:
    test_client, key = client
    made = test_client.post("/v1/selfcheck", json={"url": site + path}, headers=key)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["findings_total"] >= 1 and body["decoded_as"] == decoded_as
    assert body["shown_as"] == shown_as
    noted = [note for note in body["notes"] if "garbled" in note]
    assert len(noted) == (1 if shown_as else 0)
    if shown_as:
        assert shown_as in noted[0] and decoded_as in noted[0]
    # Read back, the same.
    again = test_client.get(f"/v1/selfcheck/{body['id']}", headers=key).json()
    assert (again["shown_as"], again["decoded_as"]) == (shown_as, decoded_as)


def test_inline_input_is_never_shown_otherwise(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, key = client
    body = test_client.post("/v1/selfcheck", json={"html": CLAIM}, headers=key).json()
    assert body["decoded_as"] == "utf-8" and body["shown_as"] is None


def test_a_capped_answer_keeps_how_the_page_was_read(db_url: str, site: str) -> None:
    # More claims than a self-check checks: the answer was rebuilt without decoded_as (null for a page read).
    import_example_registry(db_url)
    keys = make_keys(db_url)
    app = create_app(make_settings(db_url, fetch_allow_networks=("127.0.0.1/32",), selfcheck_max_claims=1))
    many = CLAIM * 3
    with TestClient(app) as test_client:
        body = test_client.post(
            "/v1/selfcheck", json={"html": many}, headers={"X-API-Key": keys["enterprise"]}
        ).json()
    assert body["claims_found"] == 3 and body["decoded_as"] == "utf-8"


def test_the_field_is_documented_in_the_schema(client: tuple[TestClient, dict[str, str]]) -> None:
    schema = client[0].get("/openapi.json").json()
    field = schema["components"]["schemas"]["SelfCheckOut"]["properties"]["shown_as"]
    assert "garbled" in field["description"] and "decoded_as" in field["description"]
