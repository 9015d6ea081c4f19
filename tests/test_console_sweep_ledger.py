"""QA #15: a sweep's page lists the URLs that failed or were skipped, from its ledger (`sweep_urls`), with
reasons in Chinese, addresses escaped, paged; and its counts agree with each other and with the list."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from console_support import JS_URL, NOW, SCRIPT_PAYLOAD, ConsoleData, console_app, seed, sign_in
from fastapi.testclient import TestClient

from api.console import wording
from api.console.i18n import Translator
from api.console.sweep_ledger import URLS_PER_PAGE
from crawler.ledger import Discovery, Outcome, account, record_discoveries, record_outcomes
from crawler.store.models import PARTIAL, SWEEP_STATES, Sweep, SweepPage
from markwatch import db

NOT_FOUND = 7
# More than a page of them, so the list pages.
TIMEOUTS = URLS_PER_PAGE + 5
HOSTILE_URL = f"https://evil.example/{SCRIPT_PAYLOAD}"


def _ledger_sweep(db_url: str) -> int:
    """A sweep the way the crawler leaves it: ledger rows, and its errors summed from them on finishing."""
    with db.session_scope(db_url) as session:
        sweep = Sweep(target="ledger", state="incomplete", started_at=NOW, pages_fetched=3)
        session.add(sweep)
        session.flush()
        record_discoveries(
            session,
            sweep.id,
            [
                Discovery("https://shop.example.com/off", "skipped", "offsite"),
                Discovery(JS_URL, "skipped", "non_http"),
                Discovery("https://shop.example.com/queued", "queued"),
            ],
            NOW,
        )
        outcomes = [
            Outcome(f"https://shop.example.com/gone/{n}", "failed", "http_404") for n in range(NOT_FOUND)
        ]
        outcomes += [
            Outcome(f"https://shop.example.com/slow/{n:03d}", "failed", "timeout") for n in range(TIMEOUTS)
        ]
        outcomes += [
            Outcome(HOSTILE_URL, "failed", "http_404"),
            Outcome("https://shop.example.com/private", "skipped", "robots"),
            Outcome("https://shop.example.com/ok", "stored", notes=("page-warning:too-complex",)),
        ]
        record_outcomes(session, sweep.id, outcomes, NOW)
        acc = account(session, sweep.id)
        sweep.errors = {**acc.failed, **acc.notes}  # as sweeps/bookkeeping.py writes them
        return sweep.id


@pytest.fixture
def console(db_url: str) -> Iterator[tuple[TestClient, ConsoleData, int]]:
    data = seed(db_url)
    sweep_id = _ledger_sweep(db_url)
    with TestClient(console_app(db_url)) as client:
        sign_in(client, data.keys["inspector"])
        yield client, data, sweep_id


def _cell(page: str, ident: str) -> str:
    found = re.search(rf'id="{ident}"[^>]*>([^<]*)<', page)
    assert found is not None, ident
    return found.group(1)


def test_sweep_page_lists_failed_and_skipped_urls_and_its_counts_agree(
    console: tuple[TestClient, ConsoleData, int],
) -> None:
    client, _, sweep_id = console
    page = client.get(f"/console/sweeps/{sweep_id}").text
    failed_total = NOT_FOUND + 1 + TIMEOUTS
    assert _cell(page, "sweep-failed-count") == str(failed_total)
    assert _cell(page, "sweep-errors-total") == str(failed_total)
    assert f"失败的网址（{failed_total} 个）" in page
    # HTTP 404 errors N <=> N failed URLs with that reason (the list is by reason: all of them on page one).
    row = re.search(r'<tr data-reason="http_404"><td>HTTP 404 错误</td><td class="num">(\d+)<', page)
    assert row is not None and int(row.group(1)) == NOT_FOUND + 1
    assert page.count('class="failed-url" data-reason="http_404"') == NOT_FOUND + 1
    assert page.count('class="failed-url"') == URLS_PER_PAGE
    # Skipped URLs with their reasons in Chinese; a page note is not a failure.
    assert _cell(page, "sweep-skipped-count") == "3"
    for label in (
        "robots.txt 禁止",
        "站外链接",
        "非 HTTP 链接",
        "页面未能完整读取：页面过于复杂，只读取了一部分",
    ):
        assert label in page, label
    assert _cell(page, "sweep-missing-count") == "1"
    assert 'data-state="incomplete">未完成（可续跑）<' in page
    # Crawled addresses are hostile: escaped, and only http(s) become links.
    assert SCRIPT_PAYLOAD not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page and '<span class="unsafe-url">javascript:' in page


def test_sweep_page_says_what_markwatch_failed_itself_by_reason_in_chinese(
    console: tuple[TestClient, ConsoleData, int], db_url: str
) -> None:
    client, _, sweep_id = console
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None
        # As sweeps/bookkeeping.py record_end leaves a sweep whose OCR failed on two pages' images.
        sweep.summary = {"unhandled": {"images_not_read": 2, "check_failed": 1}}
        session.add(
            SweepPage(sweep_id=sweep_id, url="https://shop.example.com/item/1.html", status=PARTIAL,
                      checked_at=NOW, warnings=[{"code": "image-timeout", "message": "image x not read"}])
        )  # fmt: skip
    page = client.get(f"/console/sweeps/{sweep_id}").text
    row = re.search(r'id="sweep-unhandled">(.*?)</dd>', page, flags=re.S)
    assert row is not None
    assert '<span class="kv" data-reason="images_not_read">页面上有图片本系统未能识别' in row.group(1)
    assert "（识别超时或识别进程故障，并非图片本身的问题）：2<" in row.group(1)
    assert '<span class="kv" data-reason="check_failed">检查出错：1<' in row.group(1)
    assert "页面未能完整读取：有图片识别超时（本系统的原因，续跑时重新识别）" in page
    english = client.get(f"/console/sweeps/{sweep_id}?lang=en").text
    assert "pages with an image markwatch failed to read" in english
    # A sweep with nothing of the kind shows no such row.
    with db.session_scope(db_url) as session:
        session.get(Sweep, sweep_id).summary = {}  # type: ignore[union-attr]
    assert 'id="sweep-unhandled"' not in client.get(f"/console/sweeps/{sweep_id}").text


def test_failed_urls_are_paged(console: tuple[TestClient, ConsoleData, int]) -> None:
    client, _, sweep_id = console
    first = client.get(f"/console/sweeps/{sweep_id}").text
    assert f'href="?failed_offset={URLS_PER_PAGE}#failed"' in first
    rest = client.get(f"/console/sweeps/{sweep_id}?failed_offset={URLS_PER_PAGE}").text
    assert rest.count('class="failed-url"') == NOT_FOUND + 1 + TIMEOUTS - URLS_PER_PAGE
    assert 'href="?failed_offset=0#failed"' in rest
    assert client.get(f"/console/sweeps/{sweep_id}?failed_offset=-1").status_code == 422


def test_sweep_history_counts_failed_urls_as_the_sweep_page_does(
    console: tuple[TestClient, ConsoleData, int],
) -> None:
    client, data, sweep_id = console
    history = client.get("/console/sweeps").text
    row = re.search(rf'<tr data-sweep-id="{sweep_id}">(.*?)</tr>', history, flags=re.S)
    assert row is not None
    assert f'#failed" class="failed-link">{NOT_FOUND + 1 + TIMEOUTS}<' in row.group(1)
    assert "未完成（可续跑）" in row.group(1)
    # A sweep from before the ledger: its errors as the crawler summed them, and the page says why no list.
    old = client.get(f"/console/sweeps/{data.sweeps[1]}").text
    assert _cell(old, "sweep-errors-total") == "3" and _cell(old, "sweep-failed-count") == "3"
    assert "本次巡查早于网址台账" in old


def test_english_sweep_page(console: tuple[TestClient, ConsoleData, int]) -> None:
    client, _, sweep_id = console
    page = client.get(f"/console/sweeps/{sweep_id}?lang=en").text
    assert "URLs that failed (" in page and "HTTP 404" in page and "incomplete (can be resumed)" in page


def test_every_sweep_state_and_page_status_reads_in_chinese() -> None:
    t = Translator("zh")
    for state in SWEEP_STATES:
        assert wording.sweep_state(t, state) != t("sweep_state.unknown"), state
    assert wording.sweep_state(t, "brand-new") == "其他状态"
    assert wording.sweep_error(t, PARTIAL) == "页面未能完整读取"


def test_sweep_page_says_what_was_given_up_and_that_nothing_is_left_to_retry(
    console: tuple[TestClient, ConsoleData, int], db_url: str
) -> None:
    """As record_end leaves a sweep whose every not-handled item used its MARKWATCH_MAX_ATTEMPTS attempts."""
    client, _, sweep_id = console
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None
        sweep.summary = {
            "unhandled": {"images_not_read": 1, "check_failed": 1},
            "given_up": {"images_not_read": 1, "check_failed": 1},
            "given_up_items": [
                {"reason": "check_failed", "url": HOSTILE_URL, "attempts": 3},
                {
                    "reason": "images_not_read",
                    "url": "https://shop.example.com/item/1.html",
                    "image": f"https://shop.example.com/{SCRIPT_PAYLOAD}.jpg",
                    "attempts": 3,
                },
            ],
            "nothing_to_retry": True,
            "max_attempts": 3,
        }
    page = client.get(f"/console/sweeps/{sweep_id}").text
    assert 'data-state="incomplete">未完成（已无可重试项）<' in page
    row = re.search(r'id="sweep-given-up">(.*?)</dd>', page, flags=re.S)
    assert row is not None
    assert '<span class="kv" data-reason="check_failed">检查出错：1<' in row.group(1)
    assert "已尝试 3 次仍失败，续跑时不再重试" in page
    assert 'id="sweep-nothing-to-retry"' in page and "--retry-given-up" in page
    items = re.search(r'<ul id="sweep-given-up-items">(.*?)</ul>', page, flags=re.S)
    assert items is not None and items.group(1).count("<li") == 2
    # Crawled addresses are hostile: escaped, never markup.
    assert SCRIPT_PAYLOAD not in page and "&lt;script&gt;" in page
    history = client.get("/console/sweeps").text
    listed = re.search(rf'<tr data-sweep-id="{sweep_id}">(.*?)</tr>', history, flags=re.S)
    assert listed is not None and "未完成（已无可重试项）" in listed.group(1)
    english = client.get(f"/console/sweeps/{sweep_id}?lang=en").text
    assert "incomplete (nothing left to retry)" in english
    assert "Given up after 3 attempts (not retried on resume)" in english
    # A sweep that gave nothing up shows none of it, and can be resumed.
    with db.session_scope(db_url) as session:
        session.get(Sweep, sweep_id).summary = {"unhandled": {"check_failed": 1}}  # type: ignore[union-attr]
    plain = client.get(f"/console/sweeps/{sweep_id}?lang=zh").text
    assert 'id="sweep-given-up"' not in plain and 'id="sweep-nothing-to-retry"' not in plain
    assert 'data-state="incomplete">未完成（可续跑）<' in plain
