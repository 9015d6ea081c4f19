"""Each console page renders real data from a real database (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from console_support import NOW, ConsoleData, console_app, seed, seed_real_pages, sign_in
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.console.i18n import LANG_COOKIE
from markwatch import db
from sweeps.models import Finding


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
    assert "<mark>T/DEMO 001-2019</mark>（<mark>上海标准</mark>）" in html
    assert "上海甲科技有限公司" in html
    # The stored "zh / en" message is shown in the UI's language only.
    assert 'id="rule-message">T/DEMO 001-2019 的“上海标准”评价有效期至 2022-01-14，已过期。<' in html
    assert "《关于深化推进“上海标准”标识制度实施的意见》（沪市监规范〔2023〕12号）第四部分" in html
    english = client.get(f"/console/cases/{data.cases['expired']}?lang=en").text
    assert "was valid until 2022-01-14 and has expired.</p>" in english and "评价有效期至" not in english
    # The registry record as of the observation date agrees with the rule: expired, no "no record".
    assert "演示用智能水杯（旧版）" in html and "2022-01-14" in html
    assert re.search(r'id="registry-status" data-status="expired"><strong>已过期', html)
    assert 'id="registry-conflict"' not in html and 'id="registry-none"' not in html
    assert 'id="registry-type">团体标准<' in html
    # The holder with its registered English name (the one SHS010 compares English claimants with).
    assert (
        'id="registry-holders">演示标准化协会（虚构） <span lang="en">(Demo Standardization Association (fictional))'
        "</span></dd>" in html
    )
    # The snapshot: URL as a link, local time, sha256, and the archived page in a sandboxed frame.
    assert '<a href="https://shop.example.com/item/1" rel="noopener noreferrer nofollow"' in html
    assert re.search(r'id="snapshot-fetched">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 北京时间<', html)
    assert re.search(r'id="snapshot-sha">[0-9a-f]{64}<', html)
    assert re.search(
        r'<iframe sandbox src="/console/snapshots/\d+/body\?finding=\d+" name="archive-frame"', html
    )
    assert 'data-kind="opened"' in html and "system:sweep#" in html
    assert '<td class="event-kind">立案</td>' in html
    # A new case's primary action is to start review; dismissal comes last and asks why.
    forms = re.findall(
        r'<form method="post" action="/console/cases/\d+/transition" class="([^"]+)" id="move-([a-z_]+)"',
        html,
    )
    assert forms == [("action primary", "in_review"), ("action", "dismissed")]
    assert 'name="dismissal_kind" value="not-a-claim" required' in html


def test_title_only_claim_shows_its_title_and_the_record_it_matched(db_url: str) -> None:
    keys = seed(db_url).keys
    cases = seed_real_pages(db_url)
    with TestClient(console_app(db_url)) as client:
        sign_in(client, keys["inspector"])
        html = client.get(f"/console/cases/{cases['title-only']}").text
        assert 'id="case-standard">《演示用智能水杯（旧版）》<' in html
        assert 'id="registry-matched-by">标准名称<' in html
        assert re.search(r'id="registry-status" data-status="expired">', html)
        assert 'id="registry-none"' not in html and 'id="registry-conflict"' not in html
        queue = client.get("/console/cases?rule=SHS003").text
        assert "《演示用智能水杯（旧版）》" in queue
        assert ">?<" not in html and ">?<" not in queue


def test_dashboard_shows_every_rule_precision_and_deadlines(
    console: tuple[TestClient, ConsoleData], db_url: str
) -> None:
    client, _ = console
    html = client.get("/console/dashboard").text
    assert "每周从周一 0 点开始（北京时间）" in html  # the console's default zone, Asia/Shanghai
    assert html.count("<svg") == 4
    assert "<script" not in html
    by_rule = html.split('id="chart-by-rule"')[1].split("</section>")[0]
    # Every rule has its own legend entry (no "…" bucket), with one bar segment per non-empty week.
    for number in range(1, 12):
        assert f">SHS{number:03d}</text>" in by_rule
    assert ">…</text>" not in by_rule
    # One segment per rule and week with findings, the weeks being Shanghai's (which of the seeded days
    # share a week depends on today's weekday there).
    zone = ZoneInfo("Asia/Shanghai")

    def week(day: dt.date) -> dt.date:
        return day - dt.timedelta(days=day.weekday())

    first = week(NOW.astimezone(zone).date()) - dt.timedelta(weeks=11)
    with db.session_scope(db_url) as session:
        rows = session.execute(select(Finding.rule_id, Finding.observed_at)).all()
    segments = {(rule, week(at.astimezone(zone).date())) for rule, at in rows}
    assert (
        len(re.findall(r"<rect [^>]*><title>", by_rule)) == len({s for s in segments if s[1] >= first}) >= 2
    )
    by_site = html.split('id="chart-by-site"')[1].split("</section>")[0]
    assert ">mall.example.net</text>" in by_site and ">evil.example</text>" in by_site
    ages = html.split('id="chart-ages"')[1].split("</section>")[0]
    assert "<title>0-7: 2</title>" in ages and "<title>31-90: 1</title>" in ages
    assert len(re.findall(r'<tr data-rule="SHS\d{3}">', html)) == 11
    assert 'id="chart-deadlines"' in html


def test_sweep_history_lists_counts_errors_and_links(console: tuple[TestClient, ConsoleData]) -> None:
    client, data = console
    html = client.get("/console/sweeps").text
    rows = re.findall(r'<tr data-sweep-id="(\d+)">(.*?)</tr>', html, flags=re.S)
    assert [int(i) for i, _ in rows] == sorted(data.sweeps, reverse=True)
    newest = rows[0][1]
    assert "域名解析失败：1" in newest and "HTTP 503 错误：2" in newest and "失败" in newest
    oldest = rows[1][1]
    assert "超时：3" in oldest and '<td class="num">12</td>' in oldest
    # Each sweep links to the cases it opened; the counts agree with the queue they lead to.
    old_id, new_id = data.sweeps
    assert f'href="/console/cases?sweep={new_id}" class="opened-link">2<' in html
    assert f'href="/console/cases?sweep={old_id}" class="opened-link">1<' in html
    queue = client.get(f"/console/cases?sweep={new_id}").text
    assert sorted(_case_ids(queue)) == sorted([data.cases["wording"], data.cases["hostile"]])
    page = client.get(f"/console/sweeps/{new_id}").text
    assert 'id="sweep-errors-total">3<' in page
    assert len(re.findall(r'<li><a href="/console/cases/\d+">', page)) == 2


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


def test_error_pages_keep_the_navigation_and_sign_out(console: tuple[TestClient, ConsoleData]) -> None:
    """A 404 or 409 is a page inside the console: its navigation, who is signed in and sign-out stay."""
    client, data = console
    case_url = f"/console/cases/{data.cases['wording']}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(case_url).text).group(1)  # type: ignore[union-attr]
    conflict = client.post(f"{case_url}/transition", data={"to": "closed", "csrf_token": token})
    pages = {
        "unknown case": client.get("/console/cases/999999"),
        "malformed id": client.get("/console/cases/abc"),
        "no such page": client.get("/console/no-such-page"),
        "conflict": conflict,
    }
    for name, page in pages.items():
        assert page.status_code in (404, 409), name
        assert 'id="sign-out"' in page.text and 'href="/console/dashboard"' in page.text, name
        assert f'value="{token}"' in page.text, name  # the sign-out form works from the error page
    with TestClient(client.app) as stranger:
        anonymous = stranger.get("/console/no-such-page")
        assert anonymous.status_code == 404 and 'id="sign-out"' not in anonymous.text


def test_source_view_links_back_to_its_case_and_marks_the_claim(
    console: tuple[TestClient, ConsoleData],
) -> None:
    client, data = console
    case_id = data.cases["expired"]
    case_page = client.get(f"/console/cases/{case_id}").text
    source_url = re.search(r'href="(/console/snapshots/\d+/source\?finding=\d+)"', case_page).group(1)  # type: ignore[union-attr]
    source = client.get(source_url).text
    assert f'<a href="/console/cases/{case_id}" id="back-to-case">' in source
    assert '<mark id="src-hit-1">上海标准</mark>' in source
    assert 'href="#src-hit-1"' in source
    # Without a finding there is no case to go back to, and the words are still marked.
    plain = client.get(source_url.split("?")[0]).text
    assert 'id="back-to-case"' not in plain and "<mark" in plain
