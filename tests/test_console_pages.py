"""Each console page renders real data from a real database (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from console_support import NOW, ConsoleData, console_app, seed, sign_in
from fastapi.testclient import TestClient

from api.console.i18n import LANG_COOKIE


@pytest.fixture
def console(db_url: str) -> Iterator[tuple[TestClient, ConsoleData]]:
    data = seed(db_url)
    with TestClient(console_app(db_url)) as client:
        sign_in(client, data.keys["inspector"])
        yield client, data


def _days_ago(days: int) -> str:
    return (NOW - dt.timedelta(days=days)).date().isoformat()


def _case_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-case-id="(\d+)"', html)]


def test_queue_lists_filters_sorts_and_pages(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    c = data.cases
    page = client.get("/console/cases")
    assert page.status_code == 200
    assert _case_ids(page.text) == [c["hostile"], c["wording"], c["expired"]]
    assert re.search(r'data-status="open">[^<]*: <strong>3</strong>', page.text)
    assert _case_ids(client.get("/console/cases?rule=SHS003").text) == [c["expired"]]
    assert _case_ids(client.get("/console/cases?severity=medium").text) == [c["hostile"], c["wording"]]
    assert _case_ids(client.get("/console/cases?site=mall.example.net").text) == [c["wording"]]
    assert _case_ids(client.get("/console/cases?claimant=乙贸易").text) == [c["wording"]]
    assert _case_ids(client.get("/console/cases?status=confirmed").text) == []
    assert _case_ids(client.get("/console/cases?status=open&rule=SHS009&sort=last_seen_asc").text) == [
        c["wording"],
        c["hostile"],
    ]
    assert _case_ids(client.get("/console/cases?sort=severity").text)[0] == c["expired"]
    # Empty fields, as a browser sends them, are no filter; invalid ones are named and ignored.
    empty = client.get("/console/cases?status=&rule=&severity=&site=&claimant=&seen_from=&seen_to=&sort=")
    assert empty.status_code == 200 and len(_case_ids(empty.text)) == 3
    bad = client.get("/console/cases?seen_from=yesterday&sort=nonsense")
    assert bad.status_code == 200 and 'id="invalid-filters"' in bad.text and "seen_from" in bad.text
    recent = client.get(f"/console/cases?seen_from={_days_ago(10)}")
    assert _case_ids(recent.text) == [c["hostile"], c["wording"]]


def test_queue_paging(console: tuple[TestClient, ConsoleData], monkeypatch: pytest.MonkeyPatch) -> None:
    client, data = console
    monkeypatch.setattr("api.console.routes_cases.PAGE_SIZE", 2)
    first = client.get("/console/cases?sort=first_seen_asc")
    assert _case_ids(first.text) == [data.cases["expired"], data.cases["wording"]]
    assert 'id="next-page"' in first.text and 'id="prev-page"' not in first.text
    second = client.get("/console/cases?sort=first_seen_asc&offset=2")
    assert _case_ids(second.text) == [data.cases["hostile"]]
    assert 'id="prev-page"' in second.text and 'id="next-page"' not in second.text


def test_queue_shows_cases_by_age(console: tuple[TestClient, ConsoleData]) -> None:
    client, _ = console
    html = client.get("/console/cases").text
    ages = dict(re.findall(r"<li>([\d+-]+) 天: <strong>(\d+)</strong></li>", html))
    assert ages == {"0-7": "2", "8-30": "0", "31-90": "1", "90+": "0"}


def test_case_page_shows_evidence_rule_registry_and_history(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    html = client.get(f"/console/cases/{data.cases['expired']}").text
    assert "<mark>T/DEMO 001-2022</mark>（<mark>上海标准</mark>）" in html
    assert "上海甲科技有限公司" in html
    assert "designation expired" in html.lower() or "评价已于" in html
    assert "关于深化推进“上海标准”标识制度实施的意见" in html  # SHS003's basis, from the rule file
    # The registry record as of the observation date, from examples/registry.yaml.
    assert "演示用智能水杯" in html and "2030-05-31" in html
    assert re.search(r'id="registry-status"><strong>有效（已获评价）', html)
    # The snapshot: URL as a link, time, sha256, and the archived page in a sandboxed frame.
    assert '<a href="https://shop.example.com/item/1" rel="noopener noreferrer nofollow"' in html
    sha = re.search(r'id="snapshot-sha">([0-9a-f]{64})<', html)
    assert sha is not None
    assert re.search(r'<iframe sandbox src="/console/snapshots/\d+/body"', html)
    assert 'data-kind="opened"' in html
    assert "system:sweep#" in html


def test_dashboard_draws_charts_from_findings(console: tuple[TestClient, ConsoleData]) -> None:
    client, _ = console
    html = client.get("/console/dashboard").text
    assert html.count("<svg") == 3
    assert "<script" not in html
    # One finding per rule in the legend, one bar per non-empty week and series.
    by_rule = html.split('id="chart-by-rule"')[1].split("</section>")[0]
    assert ">SHS003</text>" in by_rule and ">SHS009</text>" in by_rule
    assert len(re.findall(r"<rect [^>]*><title>", by_rule)) == 2
    by_site = html.split('id="chart-by-site"')[1].split("</section>")[0]
    assert ">mall.example.net</text>" in by_site and ">evil.example</text>" in by_site
    ages = html.split('id="chart-ages"')[1].split("</section>")[0]
    assert "<title>0-7: 2</title>" in ages and "<title>31-90: 1</title>" in ages


def test_sweep_history_lists_counts_and_errors(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    html = client.get("/console/sweeps").text
    rows = re.findall(r'<tr data-sweep-id="(\d+)">(.*?)</tr>', html, flags=re.S)
    assert [int(i) for i, _ in rows] == sorted(data.sweeps, reverse=True)
    newest = rows[0][1]
    assert "dns_error: 1" in newest and "http_503: 2" in newest and "失败" in newest
    oldest = rows[1][1]
    assert "timeout: 3" in oldest and "<td>12</td>" in oldest


def test_english_is_available_and_remembered(console: tuple[TestClient, ConsoleData]) -> None:
    client, _ = console
    assert "案件队列" in client.get("/console/cases").text
    english = client.get("/console/cases?lang=en")
    assert "Case queue" in english.text and "案件队列</h1>" not in english.text
    assert client.cookies.get(LANG_COOKIE) == "en"
    assert "Dashboard</h1>" in client.get("/console/dashboard").text
    assert "统计看板</h1>" in client.get("/console/dashboard?lang=zh").text


def test_unknown_case_and_snapshot_are_404_pages(console: tuple[TestClient, ConsoleData]) -> None:
    client, _ = console
    for path in ("/console/cases/999999", "/console/snapshots/999999/body", "/console/static/../app.py"):
        response = client.get(path)
        assert response.status_code == 404, path
    page = client.get("/console/cases/999999")
    assert page.headers["content-type"].startswith("text/html") and 'id="error-message"' in page.text


def test_malformed_ids_and_fields_are_html_pages(console: tuple[TestClient, ConsoleData]) -> None:
    client, _ = console
    for path in ("/console/cases/abc", "/console/cases/-1", "/console/snapshots/x/body"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert 'id="error-message"' in response.text and "malformed id" in response.text
