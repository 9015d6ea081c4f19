"""Two notices issued on one case at the same moment: one is issued, the other is refused on the case page,
which names the notice that was issued (its number, who, when) and keeps what the inspector typed.

Both requests are sent while another writer holds the database (SQLite's write lock, PostgreSQL's case-writes
lock), so both have read the case as confirmed before either notice is issued: the loser was answered with a
bare 409 page and its deadline, enterprise name and credit code were gone.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
import time

import httpx
from cases_support import LiveServer
from console_support import DEADLINE, confirm_case, console_app, seed, sign_in
from test_console_notice_numbers import writer_holding

from markwatch import db
from markwatch.cases.checkpoints import verify_audit
from markwatch.cases.models import CaseEvent, NoticeNumber

USCC = "91350100M000100Y43"


def _issue_form(client: httpx.Client, case_id: int, typed: dict[str, str]) -> dict[str, str]:
    """The hidden fields of the preview page's issue form, as the browser would send them."""
    preview = client.get(f"/console/cases/{case_id}/notice", params=typed)
    assert preview.status_code == 200, preview.text[:300]
    form = preview.text.split('id="issue-form"', 1)[1].split("</form>", 1)[0]
    fields = re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', form)
    return {name: html.unescape(value) for name, value in fields}


def _notices(url: str, case_id: int) -> list[CaseEvent]:
    with db.session_scope(url) as session:
        events = session.query(CaseEvent).filter_by(case_id=case_id, kind="notice_issued").all()
        session.expunge_all()
        return events


def _comment_box(page: str) -> str:
    match = re.search(r'<textarea id="comment-body"[^>]*>(.*?)</textarea>', page, flags=re.S)
    assert match, "no comment box on the page"
    return html.unescape(match.group(1))


def test_two_notices_at_the_same_moment_one_issued_the_other_told_which_with_its_fields_kept(
    db_url: str,
) -> None:
    data = seed(db_url)
    case_id = data.cases["wording"]
    typed = [
        {"deadline": DEADLINE.isoformat(), "enterprise": "上海乙贸易有限公司", "uscc": USCC},
        {
            "deadline": (DEADLINE + dt.timedelta(days=7)).isoformat(),
            "enterprise": "上海乙贸易有限公司第一分公司",
            "uscc": "",
        },
    ]
    with LiveServer(console_app(db_url)) as base:
        clients = [httpx.Client(base_url=base, timeout=60) for _ in typed]
        try:
            tokens = [sign_in(clients[0], data.keys["inspector"]), sign_in(clients[1], data.keys["admin"])]
            confirm_case(clients[0], case_id, tokens[0])
            forms = [_issue_form(c, case_id, t) for c, t in zip(clients, typed, strict=True)]
            answers: dict[int, httpx.Response] = {}

            def issue(n: int) -> None:
                answers[n] = clients[n].post(f"/console/cases/{case_id}/notices", data=forms[n])

            threads = [threading.Thread(target=issue, args=(n,)) for n in range(2)]
            with writer_holding(db_url):
                for thread in threads:
                    thread.start()
                time.sleep(1.5)  # both requests have read the case as confirmed and wait for the lock
            for thread in threads:
                thread.join(timeout=60)
        finally:
            for client in clients:
                client.close()
    codes = sorted(r.status_code for r in answers.values())
    assert codes == [303, 409], [r.text[:400] for r in answers.values()]
    [issued] = _notices(db_url, case_id)
    loser = next(n for n, r in answers.items() if r.status_code == 409)
    winner_name = "test-admin" if loser == 0 else "test-inspector"
    page = answers[loser].text
    conflict = re.search(r'<p class="error" id="conflict"[^>]*data-what="notice"[^>]*>(.*?)</p>', page, re.S)
    assert conflict, page[:2000]
    said = html.unescape(conflict.group(1))
    # What happened: which notice was issued, by whom; and that this one was not.
    assert issued.payload["number"] in said and winner_name in said and "未签发" in said, said
    # Everything typed is kept, to copy or add as a note: nothing is typed twice.
    kept = _comment_box(page)
    for value in typed[loser].values():
        assert value in kept, (value, kept)
    assert issued.payload["deadline"] == typed[1 - loser]["deadline"]
    with db.session_scope(db_url) as session:
        assert [r.number for r in session.query(NoticeNumber)] == [issued.payload["number"]]
        report = verify_audit(session, None)
        assert report.broken is None and report.problems == []


def test_an_issue_form_sent_twice_lands_on_the_notice_it_issued(db_url: str) -> None:
    """A double click (or a resent form) on the same notice is not a conflict: the second lands on the case
    page of the notice the first issued, and no second notice is numbered."""
    data = seed(db_url)
    case_id = data.cases["expired"]
    typed = {"deadline": DEADLINE.isoformat(), "enterprise": "上海甲科技有限公司", "uscc": ""}
    with LiveServer(console_app(db_url)) as base, httpx.Client(base_url=base, timeout=60) as client:
        token = sign_in(client, data.keys["inspector"])
        confirm_case(client, case_id, token)
        form = _issue_form(client, case_id, typed)
        first = client.post(f"/console/cases/{case_id}/notices", data=form, follow_redirects=False)
        again = client.post(f"/console/cases/{case_id}/notices", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303, again.text[:400]
    assert again.headers["location"] == first.headers["location"]
    assert len(_notices(db_url, case_id)) == 1
