"""One organisation's claim seen on many pages is one case, with every page as an occurrence.

An employer's company box (its products executed to a standard it calls 上海标准) is repeated on every vacancy of
a job board: the inspector acts once against the employer, so the N vacancies are one case listing the N pages,
each with its own quote and archived snapshot. Products on different pages stay separate cases (each is its own
thing to act on), and the same words by another claimant or on another site are another case.

Real sweeps in a subprocess against a job board served on 127.0.0.1 (and as `localhost`, another site), on
SQLite and PostgreSQL; re-check and upgrade cases on stored sweeps (tests/cases_support.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from cases_support import (
    T0,
    add_finding,
    add_page,
    import_example_registry,
    make_case,
    make_keys,
    make_settings,
    make_sweep,
)
from claims_probe_s32_pages import job_advert
from claims_probe_support import listing, page, spec_row
from console_support import DEADLINE_ISO, console_app, sign_in
from fastapi.testclient import TestClient
from localsite import run_markwatch, running, send, sweep_command
from sqlalchemy import func, select

from api.app import create_app
from checker.findings import organisation_key
from markwatch import db
from markwatch.cases.audit import verify_chain
from markwatch.cases.derive import case_problems
from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.lifecycle import transition
from markwatch.cases.models import Case, CaseStatus
from sweeps.models import Finding

EMPLOYER = "杭州某某儿童用品有限公司"
PARTNER = "宁波某某婴童用品有限公司"
VACANCIES = ("质量工程师", "销售经理", "仓库主管", "机修工", "会计")
PRODUCTS = {"classic": "儿童安全座椅（经典款）", "travel": "儿童安全座椅（旅行款）"}


def _box(company: str) -> str:
    # domain.md §5 SHS010: Q/DEMO 0002-2023's holder is 演示科技有限公司（虚构）, the employer is not.
    return f"{company}生产儿童安全座椅，产品执行Q/DEMO 0002-2023（上海标准）。"


def _vacancy(number: int, title: str, company: str) -> str:
    return job_advert(
        title, company, "公司简介", _box(company), duties=f"负责{title}相关工作（岗位编号 {number}）。"
    )


def _product(name: str) -> str:
    rows = (
        spec_row("产品名称", name)
        + spec_row("生产企业", EMPLOYER)
        + spec_row("执行标准", "Q/DEMO 0002-2023（上海标准）")
    )
    return listing(name, rows, price="¥599")


class Board:
    """What the job board serves."""

    def body(self, path: str) -> str | None:
        links = "".join(f"<a href='/job/{n}.html'>{t}</a> " for n, t in enumerate(VACANCIES, start=1))
        links += "".join(f"<a href='/item/{key}.html'>{name}</a> " for key, name in PRODUCTS.items())
        pages: dict[str, str] = {
            "/": page("招聘首页", links + "<a href='/partner/job/1.html'>合作企业招聘</a>"),
            "/partner/job/1.html": _vacancy(1, "质量工程师", PARTNER),
            "/mirror/": page("转载招聘", "<a href='/mirror/job/1.html'>质量工程师</a>"),
            "/mirror/job/1.html": _vacancy(1, "质量工程师", EMPLOYER),
        }
        for number, title in enumerate(VACANCIES, start=1):
            pages[f"/job/{number}.html"] = _vacancy(number, title, EMPLOYER)
        for key, name in PRODUCTS.items():
            pages[f"/item/{key}.html"] = _product(name)
        return pages.get(path)


def _handler(board: Board) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                send(self, 200, b"User-agent: *\nAllow: /\n", "text/plain")
                return
            html = board.body(self.path)
            send(
                self,
                200 if html is not None else 404,
                (html or "not found").encode(),
                "text/html; charset=utf-8",
            )

    return Handler


def _targets(path: Path, port: int) -> Path:
    common = "adapter: generic\n    max_depth: 3\n    max_pages: 50\n    delay: 0\n    concurrency: 4\n    timeout: 5\n    retries: 1"
    path.write_text(
        f"""targets:
  - name: board
    seeds: [{{url: "http://127.0.0.1:{port}/", kind: listing}}]
    allowed_domains: [127.0.0.1]
    {common}
  - name: mirror
    seeds: [{{url: "http://localhost:{port}/mirror/", kind: listing}}]
    allowed_domains: [localhost]
    {common}
""",
        encoding="utf-8",
    )
    return path


def _sweep(db_url: str, tmp_path: Path, port: int, *names: str) -> None:
    targets = _targets(tmp_path / "targets.yaml", port)
    for name in names:
        command = sweep_command(targets, db_url, tmp_path / "jobs", "--target", name)
        done = run_markwatch([*command, "--set", "AUTOTHROTTLE_ENABLED=false"])
        assert done.returncode == 0, done.stdout + done.stderr


def _cases(db_url: str) -> list[dict[str, Any]]:
    with db.session_scope(db_url) as session:
        return [
            {
                "id": case.id,
                "rule": case.rule_id,
                "site": case.site,
                "claimant": case.claimant,
                "scope": case.scope,
                "pages": sorted({f.page_url for f in _findings(session, case)}),
                "findings": len(case.findings),
            }
            for case in session.scalars(select(Case).order_by(Case.id))
        ]


def _findings(session: Any, case: Case) -> list[Finding]:
    return [session.get(Finding, link.finding_id) for link in case.findings]


def _audit_clean(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        assert verify_chain(session) is None
        assert list(case_problems(session)) == []


def test_an_employers_box_on_five_vacancies_is_one_case_with_five_occurrences(
    db_url: str, tmp_path: Path
) -> None:
    import_example_registry(db_url)
    with running(_handler(Board())) as server:
        port = server.server_address[1]
        _sweep(db_url, tmp_path, port, "board", "mirror")
        # Once more, the same pages: the same cases, a second finding for each page.
        first = _cases(db_url)
        _sweep(db_url, tmp_path, port, "board")
    cases = first
    org = [
        c
        for c in cases
        if c["claimant"] == EMPLOYER and c["site"] == "127.0.0.1" and c["scope"] == "organisation"
    ]
    assert len(org) == 1, cases
    (employer,) = org
    assert employer["rule"] == "SHS010"
    assert [url.rsplit(":", 1)[-1].split("/", 1)[-1] for url in employer["pages"]] == [
        f"job/{n}.html" for n in range(1, 6)
    ]
    # Each product is its own thing to act on, whatever the shared wording: one case per page.
    products = [c for c in cases if any("/item/" in url for url in c["pages"])]
    assert sorted(len(c["pages"]) for c in products) == [1, 1] and all(c["scope"] == "page" for c in products)
    # The same box by another employer on the board, and the employer's box on another site: other cases.
    partner = [c for c in cases if c["claimant"] == PARTNER]
    mirror = [c for c in cases if c["site"] == "localhost"]
    assert len(partner) == 1 and partner[0]["id"] != employer["id"]
    assert len(mirror) == 1 and mirror[0]["claimant"] == EMPLOYER and mirror[0]["id"] != employer["id"]
    assert len(cases) == 5
    _audit_clean(db_url)

    again = {c["id"]: c for c in _cases(db_url)}
    assert len(again) == 5 and again[employer["id"]]["findings"] == 10
    assert again[employer["id"]]["pages"] == employer["pages"]
    others = [c for c in cases if c["site"] == "127.0.0.1" and c["id"] != employer["id"]]
    assert [again[c["id"]]["findings"] for c in others] == [2, 2, 2]
    _audit_clean(db_url)

    # The API answer, the CSV export and the console page list every page with its own snapshot.
    keys = make_keys(db_url)
    with TestClient(create_app(make_settings(db_url))) as client:
        headers = {"X-API-Key": keys["inspector"]}
        detail = client.get(f"/v1/cases/{employer['id']}", headers=headers).json()
        exported = client.get("/v1/cases/export.csv", headers=headers).text
    occurrences = detail["occurrences"]
    assert detail["scope"] == "organisation" and len(occurrences) == 5
    assert sorted(o["page_url"] for o in occurrences) == employer["pages"]
    assert all(
        o["findings"] == 2 and o["snapshot"]["sha256"] and _box(EMPLOYER) in o["snippet"] for o in occurrences
    )
    assert len({o["snapshot"]["id"] for o in occurrences}) == 5
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))}
    row = rows[str(employer["id"])]
    assert row["scope"] == "organisation" and row["occurrences"] == "5"
    assert sorted(line.split(" ")[0] for line in row["occurrence_pages"].splitlines()) == employer["pages"]
    with TestClient(create_app(make_settings(db_url))) as client:
        for target in ("in_review", "confirmed"):
            moved = client.post(
                f"/v1/cases/{employer['id']}/transitions", json={"to": target}, headers=headers
            )
            assert moved.status_code == 200, moved.text
    with TestClient(console_app(db_url)) as browser:
        sign_in(browser, keys["inspector"])
        html = browser.get(f"/console/cases/{employer['id']}").text
        notice = browser.get(f"/console/cases/{employer['id']}/notice?deadline={DEADLINE_ISO}").text
    # The notice quotes the newest page and names the other four, each with its archived copy's hash.
    quoted = detail["findings"][0]["page_url"]
    assert notice.count(quoted) >= 1 and all(
        o["page_url"] in notice and o["snapshot"]["sha256"] in notice
        for o in occurrences
        if o["page_url"] != quoted
    )
    for occurrence in occurrences:
        assert (
            f"/console/snapshots/{occurrence['snapshot']['id']}/source?finding={occurrence['finding_id']}"
            in html
        )
        assert occurrence["page_url"] in html


def test_an_organisation_case_closes_only_when_no_occurrence_shows_the_claim(db_url: str) -> None:
    pages = [f"https://jobs.example.com/job/{n}.html" for n in range(1, 4)]
    with db.session_scope(db_url) as session:
        first = make_sweep(session)
        for n, url in enumerate(pages):
            _org_finding(session, first, url, key=f"page-{n}")
        assert ingest_sweep(session, first.id).created == 1
        (case,) = session.scalars(select(Case)).all()
        _to_rectification(session, case)
        case_id = case.id
    later = T0 + dt.timedelta(days=30)
    with db.session_scope(db_url) as session:
        # Two pages no longer show the box; the third still does: not rectified (and past the deadline: escalated).
        partly = make_sweep(session)
        for url in pages:
            add_page(session, partly, url, fetched_at=later)
        _org_finding(session, partly, pages[2], key="page-2", observed_at=later)
        report = ingest_sweep(session, partly.id)
        assert (report.closed, report.escalated) == (0, 1)
        assert session.get(Case, case_id).status == CaseStatus.ESCALATED.value
    with db.session_scope(db_url) as session:
        # Only two of the three pages read again, neither showing it: the third may still show it.
        unread = make_sweep(session)
        for url in pages[:2]:
            add_page(session, unread, url, fetched_at=later + dt.timedelta(days=1))
        assert ingest_sweep(session, unread.id).closed == 0
    with db.session_scope(db_url) as session:
        clean = make_sweep(session)
        for url in pages:
            add_page(session, clean, url, fetched_at=later + dt.timedelta(days=2))
        assert ingest_sweep(session, clean.id).closed == 1
        assert session.get(Case, case_id).status == CaseStatus.CLOSED.value
    _audit_clean(db_url)


def test_a_page_case_from_before_the_upgrade_keeps_its_pages_findings(db_url: str) -> None:
    # A database upgraded from page-keyed cases: the page's own case (maybe already decided) keeps collecting
    # its page's findings; only pages without a case of their own join the organisation's case.
    with db.session_scope(db_url) as session:
        old = make_sweep(session)
        add_finding(session, old, key="page-1", page_url="https://jobs.example.com/job/1.html", rule_id="SHS010",
                    claimant=EMPLOYER)  # fmt: skip
        ingest_sweep(session, old.id)
        (page_case,) = session.scalars(select(Case)).all()
        assert page_case.case_key == "page-1" and page_case.scope == "page"
        page_case_id = page_case.id
    with db.session_scope(db_url) as session:
        new = make_sweep(session)
        _org_finding(session, new, "https://jobs.example.com/job/1.html", key="page-1")
        _org_finding(session, new, "https://jobs.example.com/job/2.html", key="page-2")
        _org_finding(session, new, "https://jobs.example.com/job/3.html", key="page-3")
        report = ingest_sweep(session, new.id)
        assert (report.created, report.updated) == (1, 1)
        linked = session.scalar(
            select(func.count()).select_from(Finding).where(Finding.finding_key == "page-1")
        )
        assert linked == 2 and len(session.get(Case, page_case_id).findings) == 2
        (org,) = session.scalars(select(Case).where(Case.scope == "organisation")).all()
        assert len(org.findings) == 2
    _audit_clean(db_url)


def test_the_same_organisation_claim_on_two_sites_is_two_cases(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        sweep = make_sweep(session)
        _org_finding(session, sweep, "https://jobs.example.com/job/1.html", key="a")
        _org_finding(session, sweep, "https://jobs.example.com/job/2.html", key="b")
        _org_finding(session, sweep, "https://hire.example.net/job/1.html", key="c", site="hire.example.net")
        _org_finding(session, sweep, "https://jobs.example.com/job/3.html", key="d", claimant=PARTNER)
        assert ingest_sweep(session, sweep.id).created == 3
    _audit_clean(db_url)


@pytest.mark.parametrize(
    "claim",
    [
        {"use": "organisation", "use_confidence": "review"},  # a close call between product and organisation
        {"use": "product", "use_confidence": "high"},
        {"use": "organisation", "use_confidence": "high", "product_name": "儿童安全座椅"},
    ],
)
def test_a_claim_not_surely_the_organisations_keeps_its_page_key(db_url: str, claim: dict[str, Any]) -> None:
    with db.session_scope(db_url) as session:
        sweep = make_sweep(session)
        for n in range(1, 3):
            finding = _org_finding(session, sweep, f"https://jobs.example.com/job/{n}.html", key=f"p{n}")
            finding.evidence = {**finding.evidence, "subject": _subject(claim)}
        assert ingest_sweep(session, sweep.id).created == 2


def _subject(claim: dict[str, Any]) -> str:
    from checker.findings import finding_subject

    return finding_subject([{"claimant": EMPLOYER, **claim}])


def _org_finding(
    session: Any,
    sweep: Any,
    page_url: str,
    *,
    key: str,
    observed_at: dt.datetime = T0,
    site: str = "jobs.example.com",
    claimant: str = EMPLOYER,
) -> Finding:
    finding = add_finding(
        session, sweep, key=key, page_url=page_url, rule_id="SHS010", claimant=claimant,
        observed_at=observed_at, snippet=_box(claimant),
    )  # fmt: skip
    finding.site = site
    finding.claim = {"use": "organisation", "use_confidence": "high", "claimant": claimant,
                     "standard_key": "Q/DEMO 2-2023", "snippet_normalized": _box(claimant)}  # fmt: skip
    finding.evidence = {**finding.evidence, "subject": "organisation", "subject_text": _box(claimant),
                        "standard_key": "Q/DEMO 2-2023"}  # fmt: skip
    session.flush()
    assert organisation_key(site, claimant, "SHS010", "Q/DEMO 2-2023", _box(claimant)).startswith("org-")
    return finding


def _to_rectification(session: Any, case: Case) -> None:
    from markwatch.cases.sent import SendMethod, SentNotice

    for target in (CaseStatus.IN_REVIEW, CaseStatus.CONFIRMED):
        transition(session, case, target, actor="inspector:a")
    sent = SentNotice(number="沪市监告〔2026〕1号", sent_on=T0.date(), method=SendMethod.POST)
    transition(session, case, CaseStatus.NOTICE_SENT, actor="inspector:a", sent=sent)
    due = T0 + dt.timedelta(days=10)
    transition(session, case, CaseStatus.RECTIFICATION_DUE, actor="inspector:a", due_at=due,
               now=due - dt.timedelta(days=14))  # fmt: skip


def test_cases_from_before_scope_verify_after_the_upgrade_and_a_scope_edit_is_named(db_url: str) -> None:
    """0016 on a database with cases: they are page cases, their entries (opened without a scope) and the new
    ones verify, and a scope changed behind the audit trail is reported like any identity field."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from markwatch.cases.audit import append_event
    from markwatch.cases.checkpoints import verify_audit
    from markwatch.cases.derive import IDENTITY

    with db.session_scope(db_url) as session:
        old = make_case(session, key="before-0016")
        opened = {name: getattr(old, name) for name in IDENTITY if name != "scope"}
        append_event(session, case_id=old.id, kind="opened", actor="system:sweep#0", to_status="open",
                     payload={"finding_ids": [], "confidence": "high", "confidence_reasons": [], "case": opened})  # fmt: skip
        old_id = old.id
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    config.attributes["connection_engine"] = db.get_engine(db_url)
    command.downgrade(config, "0015_retries")
    command.upgrade(config, "head")
    with db.session_scope(db_url) as session:
        assert session.get(Case, old_id).scope == "page"
        sweep = make_sweep(session)
        _org_finding(session, sweep, "https://jobs.example.com/job/1.html", key="n1")
        _org_finding(session, sweep, "https://jobs.example.com/job/2.html", key="n2")
        assert ingest_sweep(session, sweep.id).created == 1
    with db.session_scope(db_url) as session:
        assert verify_audit(session, None).problems == []
    with db.get_engine(db_url).begin() as connection:
        connection.execute(text("UPDATE cases SET scope = 'organisation' WHERE id = :id"), {"id": old_id})
    with db.session_scope(db_url) as session:
        assert verify_audit(session, None).problems == [
            f"case {old_id}: scope is 'organisation' but it was opened with 'page' (changed without a recorded entry)"
        ]
