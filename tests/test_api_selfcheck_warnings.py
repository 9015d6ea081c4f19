"""A self-check says what it could not read: "no finding" in a page only partly read is not "ok"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cases_support import import_example_registry, make_keys, make_settings
from fastapi.testclient import TestClient

from api.app import create_app

DEPTH = 3000  # past the extractor's nesting limit (MARKWATCH_EXTRACT_MAX_DEPTH, 1024)
CLAIM = "<p>执行标准：T/ZZZ 001-2020（上海标准）</p>"
DISCUSSION = "<p>什么是上海标准？上海标准是对标准的评价，不是产品认证。</p>"


def _deep(inner: str) -> str:
    return f"<html><body>{'<div>' * DEPTH}{inner}{'</div>' * DEPTH}</body></html>"


@pytest.fixture
def client(db_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    import_example_registry(db_url)
    app = create_app(make_settings(db_url))
    keys = make_keys(db_url)
    with TestClient(app) as test_client:
        yield test_client, {"X-API-Key": keys["enterprise"]}


def test_a_page_only_partly_read_is_incomplete_not_ok(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, key = client
    # The words are there (the raw-bytes gate lets the page through), but the page is cut: no claim was read.
    made = test_client.post("/v1/selfcheck", json={"html": _deep(DISCUSSION)}, headers=key)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["verdict"] == "incomplete" and body["findings_total"] == 0
    assert [w["code"] for w in body["warnings"]] == ["depth-cut"] and body["warnings"][0]["message"]
    # Read back, and in a batch, the same.
    again = test_client.get(f"/v1/selfcheck/{body['id']}", headers=key).json()
    assert again["verdict"] == "incomplete" and again["warnings"] == body["warnings"]
    batch = test_client.post(
        "/v1/selfcheck/batch", json={"items": [{"html": _deep(DISCUSSION)}]}, headers=key
    )
    [item] = batch.json()["items"]
    assert item["result"]["verdict"] == "incomplete"


def test_findings_in_a_page_only_partly_read_carry_the_warning(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    test_client, key = client
    body = test_client.post("/v1/selfcheck", json={"html": _deep(CLAIM)}, headers=key).json()
    assert body["verdict"] == "problems" and [w["code"] for w in body["warnings"]] == ["depth-cut"]
    assert all(f["confidence"] == "review" for f in body["findings"])


def test_a_page_read_whole_has_no_warnings(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, key = client
    body = test_client.post("/v1/selfcheck", json={"text": "执行标准：GB/T 1-2020"}, headers=key).json()
    assert body["verdict"] == "ok" and body["warnings"] == []


def test_a_page_the_gate_refuses_is_read_whole(client: tuple[TestClient, dict[str, str]]) -> None:
    # No byte sequence that could spell the words: nothing could hide a claim, however deep the page.
    test_client, key = client
    body = test_client.post(
        "/v1/selfcheck", json={"html": _deep("<p>执行标准：GB/T 1-2020</p>")}, headers=key
    ).json()
    assert body["verdict"] == "ok" and body["warnings"] == []


def test_words_only_in_the_head_are_said(client: tuple[TestClient, dict[str, str]]) -> None:
    # A page whose body a script draws: the words are in its title, the body is empty.
    page = (
        "<html><head><title>上海标准认证 塑胶跑道面层</title></head><body><div id='app'></div></body></html>"
    )
    body = client[0].post("/v1/selfcheck", json={"html": page}, headers=client[1]).json()
    assert body["verdict"] == "incomplete" and [w["code"] for w in body["warnings"]] == ["head-only"]


def test_a_page_that_shows_nothing_is_incomplete(client: tuple[TestClient, dict[str, str]]) -> None:
    # A shell whose body a script draws (or an empty answer to a URL check): never "ok" for words unread.
    page = "<html><head><title>演示商城</title></head><body><div id='app'></div><script src='/a.js'></script></body></html>"
    body = client[0].post("/v1/selfcheck", json={"html": page}, headers=client[1]).json()
    assert body["verdict"] == "incomplete" and [w["code"] for w in body["warnings"]] == ["blank-page"]


def test_the_answer_says_which_codec_the_input_was_read_with(db_url: str) -> None:
    """An integrator finds the quotes in the page again only in the text they were taken from."""
    import http.server
    import threading

    class Gbk(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = CLAIM.encode("gb18030")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=gbk")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gbk)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    import_example_registry(db_url)
    keys = make_keys(db_url)
    app = create_app(make_settings(db_url, fetch_allow_networks=("127.0.0.1/32",)))
    try:
        with TestClient(app) as test_client:
            key = {"X-API-Key": keys["enterprise"]}
            by_url = test_client.post(
                "/v1/selfcheck",
                json={"url": f"http://127.0.0.1:{server.server_address[1]}/item"},
                headers=key,
            ).json()
            assert by_url["decoded_as"] == "gb18030" and by_url["findings_total"] >= 1
            assert (
                test_client.get(f"/v1/selfcheck/{by_url['id']}", headers=key).json()["decoded_as"]
                == "gb18030"
            )
            assert (
                test_client.post("/v1/selfcheck", json={"html": CLAIM}, headers=key).json()["decoded_as"]
                == "utf-8"
            )
            # Nothing could spell the words: the input was never decoded, and the answer does not pretend.
            skipped = test_client.post(
                "/v1/selfcheck", json={"text": "执行标准：GB/T 1-2020"}, headers=key
            ).json()
            assert skipped["decoded_as"] is None and skipped["verdict"] == "ok"
    finally:
        server.shutdown()
        server.server_close()
