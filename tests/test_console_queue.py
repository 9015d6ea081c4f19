"""The queue with 600 cases over every rule (the benchmark's own data): columns, filters and counts agree."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_support import console_app, make_keys, sign_in
from fastapi.testclient import TestClient

from markwatch import db
from markwatch.cases.models import Case

# The benchmark's builder is the fixture, so this test checks the very queue bench/console.py times.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.console import RULES, build_cases

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('queue')}/queue.db"
    build_cases(url, 600, now=NOW)
    keys = make_keys(url)
    with TestClient(console_app(url)) as client:
        sign_in(client, keys["inspector"])
        yield client, url


def _total(html: str) -> int:
    return int(re.search(r'id="result-count">共 (\d+) 件<', html).group(1))  # type: ignore[union-attr]


def _count(url: str, **where: object) -> int:
    with db.session_scope(url) as session:
        return int(session.query(Case).filter_by(**where).count())


def test_queue_rows_show_rule_title_product_site_confidence_and_waiver(big: tuple[TestClient, str]) -> None:
    client, _url = big
    html = client.get("/console/cases").text
    assert _total(html) == 600
    rows = re.findall(r"<tr data-case-id=.*?</tr>", html, flags=re.S)
    assert len(rows) == 25
    for row in rows:
        assert re.search(r'<td class="rule"><strong>SHS\d{3}</strong> \S', row)  # id and title
        assert re.search(r'<td class="product">商品 \d+</td>', row)
        assert re.search(r'class="confidence confidence-(high|review)">(高|需复核)<', row)
    assert 'class="badge waived"' in client.get("/console/cases?waived=yes").text
    # Every rule's title is offered by the rule filter.
    for rule in RULES:
        assert f'<option value="{rule}">{rule} ' in html


def test_confidence_and_deadline_filters_agree_with_the_database(big: tuple[TestClient, str]) -> None:
    client, url = big
    assert _total(client.get("/console/cases?confidence=review").text) == _count(url, confidence="review")
    due = client.get("/console/cases?due=due&sort=deadline").text
    assert _total(due) == _count(url, status="rectification_due")
    dates = re.findall(r'<td class="deadline">(\d{4}-\d\d-\d\d) <span class="due due-due">期限内</span>', due)
    assert len(dates) == 25 and dates == sorted(dates)
    assert _total(client.get("/console/cases?due=overdue").text) == 0
    assert _total(client.get("/console/cases?rule=SHS007&confidence=high").text) == _count(
        url, rule_id="SHS007", confidence="high"
    )
    bad = client.get("/console/cases?confidence=maybe&due=soon")
    assert 'id="invalid-filters"' in bad.text and _total(bad.text) == 600


def test_every_rule_has_cases_and_precision_on_the_dashboard(big: tuple[TestClient, str]) -> None:
    client, _url = big
    html = client.get("/console/dashboard").text
    for rule in RULES:
        assert f'<tr data-rule="{rule}">' in html
    # Dismissed as not-a-claim vs confirmed decide the precision; "other" dismissals do not count.
    row = re.search(r'<tr data-rule="SHS001">(.*?)</tr>', html, flags=re.S).group(1)  # type: ignore[union-attr]
    assert "%" in re.search(r'class="num precision-value">([^<]*)<', row).group(1)  # type: ignore[union-attr]


def _reasons_shown(html: str, opening: str, closing: str) -> str:
    # The text a reader sees: the stored reason stays only in each span's data-raw attribute.
    found = re.search(
        rf'id="confidence-reasons">{re.escape(opening)}(.*?){re.escape(closing)}</span>', html, re.S
    )
    assert found is not None
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_confidence_reasons_read_in_the_pages_language(big: tuple[TestClient, str]) -> None:
    client, url = big
    with db.session_scope(url) as session:
        case = session.query(Case).filter_by(confidence="review").first()
        assert case is not None
        case.confidence_reasons = ["title-similar: 《产品质量检测规范》 ~ 92/100"]
        case_id = case.id
    zh = client.get(f"/console/cases/{case_id}").text
    reasons = _reasons_shown(zh, "（", "）")
    assert "title-similar" not in reasons and "名录近似" in reasons and "92/100" in reasons
    en = _reasons_shown(client.get(f"/console/cases/{case_id}?lang=en").text, "(", ")")
    assert "title-similar" not in en and "92/100" in en
    client.get("/console/cases?lang=zh")  # leave the module's client in Chinese for the other tests


def test_a_page_past_the_end_shows_the_last_page_and_says_so(big: tuple[TestClient, str]) -> None:
    # A bookmarked or shared page 3, after cases were worked off it, or a filter narrowed under an offset:
    # never "第 576–550 件" over an empty table.
    client, url = big
    total = _count(url, status="open")
    html = client.get("/console/cases?status=open&offset=99975").text
    last_first = (total - 1) // 25 * 25 + 1
    assert f"第 {last_first}–{total} 件，共 {total} 件" in html
    assert len(re.findall(r"<tr data-case-id=", html)) == total - last_first + 1
    assert 'id="past-end"' in html and 'id="next-page"' not in html
