"""Builders for console tests: a database with real sweeps, snapshots and cases, an app, signed-in clients."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from cases_support import REGISTRY, make_keys, make_settings

from crawler.snapshots import store_snapshot
from crawler.store.models import Finding, Sweep, SweepPage
from markwatch import db

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
# Attacker-controlled text: each payload announces itself through window.__pwned or a dialog.
SCRIPT_PAYLOAD = "<script>window.__pwned='script';alert('script')</script>"
IMG_PAYLOAD = "<img src=x onerror=\"window.__pwned='img';alert('img')\">"
JS_URL = "javascript:window.__pwned='href';alert('href')//https://evil.example/"
HOSTILE_CLAIMANT = f"上海恶意公司{SCRIPT_PAYLOAD}"
HOSTILE_SNIPPET = f"执行标准：T/DEMO 001-2022（上海标准）{SCRIPT_PAYLOAD}{IMG_PAYLOAD}上海标准认证"
HOSTILE_TITLE = f"产品{IMG_PAYLOAD}"
HOSTILE_BODY = (
    "<!doctype html><html><head><meta charset='utf-8'>"
    f"<title>{SCRIPT_PAYLOAD}</title><script>window.parent.__pwned='frame';alert('frame')</script></head>"
    f"<body><h1>{HOSTILE_TITLE}</h1><p>{HOSTILE_SNIPPET}</p>"
    f"<a id='jslink' href=\"{JS_URL}\">link</a>"
    "<svg onload=\"window.__pwned='svg';alert('svg')\"></svg>"
    "<iframe srcdoc=\"<script>parent.parent.__pwned='srcdoc'</script>\"></iframe>"
    "</body></html>"
)


@dataclass(frozen=True)
class ConsoleData:
    """Ids of what `seed` wrote, by name."""

    cases: dict[str, int]
    sweeps: list[int]
    keys: dict[str, str]


def _finding(
    session: Any,
    sweep: Sweep,
    *,
    key: str,
    rule_id: str,
    severity: str,
    url: str,
    site: str,
    claimant: str,
    snippet: str,
    code: str | None,
    observed_at: dt.datetime,
    body: str,
    message: str,
    product: str = "智能水杯",
    certification_words: tuple[str, ...] = (),
) -> Finding:
    snapshot = store_snapshot(
        session,
        body=body.encode("utf-8"),
        requested_url=url,
        final_url=url,
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
        fetched_at=observed_at,
        sweep_id=sweep.id,
    )
    claim = {
        "text": snippet,
        "snippet": snippet,
        "standard_code": code,
        "claimant": claimant,
        "product_name": product,
        "certification_words": list(certification_words),
    }
    finding = Finding(
        sweep_id=sweep.id,
        snapshot_id=snapshot.id,
        finding_key=key,
        rule_id=rule_id,
        severity=severity,
        standard_code=code,
        claim=claim,
        message=message,
        evidence={"snippet": snippet, "location": "body > p"},
        page_url=url,
        site=site,
        claimant=claimant,
        observed_at=observed_at,
    )
    session.add(finding)
    session.add(
        SweepPage(sweep_id=sweep.id, url=url, snapshot_id=snapshot.id, status="ok", checked_at=observed_at)
    )
    session.flush()
    return finding


def seed(database_url: str) -> ConsoleData:
    """Registry, two sweeps and three cases: an expired designation, certification wording, a hostile page."""
    from checker.registry import import_registry_file
    from markwatch.cases.ingest import ingest_sweep
    from markwatch.cases.models import Case

    cases: dict[str, int] = {}
    sweeps: list[int] = []
    with db.session_scope(database_url) as session:
        import_registry_file(session, REGISTRY)
        old = Sweep(
            target="demo",
            state="finished",
            started_at=NOW - dt.timedelta(days=40),
            finished_at=NOW - dt.timedelta(days=40) + dt.timedelta(minutes=3),
            pages_fetched=12,
            robots_skipped=2,
            claims=5,
            findings_new=1,
            errors={"timeout": 3},
        )
        new = Sweep(
            target="demo",
            state="failed",
            started_at=NOW - dt.timedelta(days=2),
            finished_at=NOW - dt.timedelta(days=2) + dt.timedelta(minutes=1),
            pages_fetched=7,
            claims=4,
            findings_new=2,
            findings_recurring=1,
            errors={"dns_error": 1, "http_503": 2},
        )
        session.add_all([old, new])
        session.flush()
        sweeps = [old.id, new.id]
        _finding(
            session,
            old,
            key="expired",
            rule_id="SHS003",
            severity="high",
            url="https://shop.example.com/item/1",
            site="shop.example.com",
            claimant="上海甲科技有限公司",
            snippet="执行标准：T/DEMO 001-2022（上海标准）",
            code="T/DEMO 001-2022",
            observed_at=NOW - dt.timedelta(days=40),
            body="<html><body><p>执行标准：T/DEMO 001-2022（上海标准）</p></body></html>",
            message="“上海标准”评价已于 2030-05-31 到期。 / The designation expired.",
        )
        _finding(
            session,
            new,
            key="wording",
            rule_id="SHS009",
            severity="medium",
            url="https://mall.example.net/p/9",
            site="mall.example.net",
            claimant="上海乙贸易有限公司",
            snippet="本产品通过上海标准认证",
            code=None,
            observed_at=NOW - dt.timedelta(days=2),
            body="<html><body><p>本产品通过上海标准认证</p></body></html>",
            message="“上海标准”被表述为产品认证 / presented as a certification",
            certification_words=("上海标准认证",),
        )
        _finding(
            session,
            new,
            key="hostile",
            rule_id="SHS009",
            severity="medium",
            url=JS_URL,
            site="evil.example",
            claimant=HOSTILE_CLAIMANT,
            snippet=HOSTILE_SNIPPET,
            code="T/DEMO 001-2022",
            observed_at=NOW - dt.timedelta(days=1),
            body=HOSTILE_BODY,
            message=f"certification wording {SCRIPT_PAYLOAD}",
            product=HOSTILE_TITLE,
            certification_words=("上海标准认证",),
        )
        for sweep_id in sweeps:
            ingest_sweep(session, sweep_id, allow_incomplete=True)  # the newer sweep failed
        for case in session.query(Case):
            cases[case.case_key] = case.id
    return ConsoleData(cases=cases, sweeps=sweeps, keys=make_keys(database_url))


def console_app(database_url: str, **overrides: Any) -> Any:
    """The API app with the console mounted, as `markwatch serve` builds it."""
    from api.app import create_app
    from api.console import console_router

    return create_app(make_settings(database_url, **overrides), extra_routers=(console_router,))


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token in a page's hidden field."""
    match = _CSRF.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


def sign_in(client: Any, api_key: str) -> str:
    """Sign a TestClient in; returns the session's CSRF token."""
    form = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"api_key": api_key, "csrf_token": csrf_from(form.text), "next": "/console/cases"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/console/cases").text)


CHROMIUM = "/usr/bin/chromium"


def require_chromium() -> str:
    """Debian's Chromium; a missing one skips the test, except in CI (MARKWATCH_REQUIRE_SERVICES=1) where it fails."""
    import os
    from pathlib import Path

    import pytest

    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("MARKWATCH_REQUIRE_SERVICES") == "1":
        pytest.fail(f"MARKWATCH_REQUIRE_SERVICES=1 but {CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI requires it")


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF, NFKC-normalised and without whitespace.

    Noto CJK shares glyphs between ideographs and Kangxi radicals, so a PDF's text map may give
    U+2F04 ⼄ for 乙; NFKC folds them back.
    """
    import io
    import re
    import unicodedata

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
