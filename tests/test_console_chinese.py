"""QA #14: nothing English in the Chinese console (signals, ties, audit details, actors, 404 pages), while the
English UI keeps its English and the /v1 API keeps its JSON."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from console_support import ConsoleData, console_app, csrf_from, seed, sign_in
from fastapi.testclient import TestClient

from api.console import wording
from api.console.i18n import Translator
from markwatch import db
from markwatch.cases.models import Case

USE_REASON = "use: product (page:price, near:standard-label, against page:byline)"
# What the raw codes looked like on the page before: none may be visible in Chinese.
RAW_CODES = (
    "near:",
    "page:",
    "inspector:",
    "system:sweep",
    "annotation",
    "title-only",
    "confidence:",
    "high",
)


@pytest.fixture
def console(db_url: str) -> Iterator[tuple[TestClient, ConsoleData, str]]:
    data = seed(db_url)
    with db.session_scope(db_url) as session:
        case = session.get(Case, data.cases["wording"])
        assert case is not None
        case.confidence_reasons = [USE_REASON, "tie: annotation", "other-locations: 1 of 2"]
    with TestClient(console_app(db_url)) as client:
        sign_in(client, data.keys["inspector"])
        yield client, data, db_url


def visible_text(page: str) -> str:
    """The text a reader sees (no tags, no attributes such as data-raw that keep the stored code)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def _section(page: str, ident: str, end: str) -> str:
    found = re.search(rf'id="{ident}"[^>]*>(.*?){end}', page, flags=re.S)
    assert found is not None, ident
    return found.group(1)


def test_case_page_explains_confidence_history_and_actors_in_chinese(
    console: tuple[TestClient, ConsoleData, str],
) -> None:
    client, data, _ = console
    url = f"/console/cases/{data.cases['wording']}"
    client.post(f"{url}/comment", data={"body": "已核对存档", "csrf_token": csrf_from(client.get(url).text)})
    page = client.get(url).text
    reasons = visible_text(_section(page, "confidence-reasons", "</dd>"))
    assert "用途判定：产品声称（依据：页面·标有价格、字样附近·紧接“执行标准：…”栏目" in reasons
    assert "关联方式：括注（编号紧接字样）" in reasons and "其他位置单独看需复核：2 处中有 1 处" in reasons
    # The stored reason stays in the page for whoever reports it, out of sight.
    assert f'data-raw="{html_lib.escape(USE_REASON)}"' in page
    history = visible_text(_section(page, "audit-table", "</table>"))
    assert "置信度：" in history and "置信依据：" in history
    assert re.search(r"系统（第 \d+ 次巡查(，未完成)?）", history)
    comments = visible_text(_section(page, "comments", "</ul>"))
    assert "检查员 " in comments
    for code in RAW_CODES:
        assert code not in reasons + history + comments, code
    # The sweep actor links to its sweep.
    assert re.search(r'<a href="/console/sweeps/\d+">系统（第 \d+ 次巡查', page)


def test_english_case_page_keeps_english_labels(console: tuple[TestClient, ConsoleData, str]) -> None:
    client, data, _ = console
    page = client.get(f"/console/cases/{data.cases['wording']}?lang=en").text
    reasons = visible_text(_section(page, "confidence-reasons", "</dd>"))
    assert "classified as: product claim (by page:price" in reasons and "tied by: annotation" in reasons
    history = visible_text(_section(page, "audit-table", "</table>"))
    assert "confidence: " in history and re.search(r"system \(sweep \d+", history)
    assert "用途判定" not in page


def test_an_audit_detail_the_catalogue_cannot_label_is_kept_as_a_raw_record() -> None:
    # A payload key written by newer code: not shown as if it were a label, kept (escaped) as stored.
    details = wording.event_details(
        Translator("zh"),
        {"confidence": "high", "brand_new_key": "<b>x</b>"},
        ZoneInfo("Asia/Shanghai"),
        "opened",
    )
    assert details.items == [("置信度", "高")]
    assert details.raw == {"brand_new_key": "<b>x</b>"}


@pytest.mark.parametrize("path", ["/console/nope", "/console/cases/1/nope", "/console/cases/1/notices/x/y"])
def test_unknown_console_address_is_the_chinese_404_page(
    console: tuple[TestClient, ConsoleData, str], path: str
) -> None:
    client, _, _ = console
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "找不到该页面或记录。" in visible_text(response.text)
    assert '"detail"' not in response.text
    # A POST to nowhere is the same page (it changes nothing, so it needs no CSRF token).
    assert client.post(path).status_code == 404


def test_a_trailing_slash_still_leads_to_the_page(console: tuple[TestClient, ConsoleData, str]) -> None:
    client, _, _ = console
    response = client.get("/console/cases/?status=open", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/console/cases?status=open"


def test_wrong_method_on_a_console_page_is_an_html_405(console: tuple[TestClient, ConsoleData, str]) -> None:
    client, data, _ = console
    response = client.delete(f"/console/cases/{data.cases['wording']}")
    assert response.status_code == 405 and response.headers["content-type"].startswith("text/html")
    assert "GET" in response.headers["allow"]
    assert "该页面不支持这种访问方式。" in response.text


def test_unknown_console_address_in_english_and_api_404_stays_json(
    console: tuple[TestClient, ConsoleData, str],
) -> None:
    client, _, _ = console
    english = client.get("/console/nope?lang=en")
    assert english.status_code == 404 and "No such page or record." in english.text
    api = client.get("/v1/nope")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")
    assert api.json()["detail"] == "Not Found"
