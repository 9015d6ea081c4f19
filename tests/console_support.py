"""Builders for console tests: a database with real sweeps, snapshots and cases, an app, signed-in clients."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cases_support import REGISTRY, LiveServer, make_keys, make_settings

from crawler.snapshots import store_snapshot
from crawler.store.models import Sweep, SweepPage
from markwatch import db
from sweeps.models import Finding

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
# A notice deadline inside the console's allowed range (after today, within MARKWATCH_CONSOLE_MAX_DEADLINE_DAYS).
DEADLINE = (NOW + dt.timedelta(days=60)).date()
DEADLINE_ISO = DEADLINE.isoformat()
DEADLINE_ZH = f"{DEADLINE.year}年{DEADLINE.month}月{DEADLINE.day}日"
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


EXPIRED_MESSAGE = (
    "T/DEMO 001-2019 的“上海标准”评价有效期至 2022-01-14，已过期。 / "
    "The 上海标准 designation of T/DEMO 001-2019 was valid until 2022-01-14 and has expired."
)
# The claim twice on one page (description and parameter table): one finding, two locations to highlight.
WORDING_BODY = (
    "<html><body><p>本产品通过上海标准认证</p>" + "<p>填充段落</p>" * 60 + "<div id='spec'><table>"
    "<tr><td>品名</td><td>智能水杯</td></tr><tr><td>认证</td><td>通过上海标准认证</td></tr></table></div></body></html>"
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
    locations: tuple[tuple[str, str], ...] = (("body > p", ""),),
    raw: bytes | None = None,
    content_type: str = "text/html; charset=utf-8",
    standard_title: str | None = None,
) -> Finding:
    snapshot = store_snapshot(
        session,
        body=raw if raw is not None else body.encode("utf-8"),
        requested_url=url,
        final_url=url,
        status=200,
        headers={"Content-Type": content_type},
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
        "standard_title": standard_title,
    }
    places = [
        {"snippet": snippet, "location": location, "verbatim": verbatim, "kind": "text", "claim_id": "c1"}
        for location, verbatim in locations
    ]
    finding = Finding(
        sweep_id=sweep.id,
        snapshot_id=snapshot.id,
        finding_key=key,
        rule_id=rule_id,
        severity=severity,
        standard_code=code,
        claim=claim,
        message=message,
        evidence={**places[0], "locations": places},
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
            snippet="执行标准：T/DEMO 001-2019（上海标准）",
            code="T/DEMO 001-2019",
            observed_at=NOW - dt.timedelta(days=40),
            body="<html><body><p>执行标准：T/DEMO 001-2019（上海标准）</p></body></html>",
            message=EXPIRED_MESSAGE,
            locations=(("html > body > p:nth-of-type(1)", "上海标准"),),
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
            body=WORDING_BODY,
            message="“上海标准”被表述为产品认证 / presented as a certification",
            certification_words=("上海标准认证",),
            locations=(
                ("html > body > p:nth-of-type(1)", "上海标准认证"),
                ("div#spec > table > tr:nth-of-type(2) > td:nth-of-type(2)", "上海标准认证"),
            ),
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


AUTHORITY = {
    "authority_name": "演示市场监督管理局（虚构）",
    "authority_address": "演示市演示路 1 号（虚构）",
    "authority_contact": "021-00000000",
    "notice_number_pattern": "演示标识整改〔{year}〕{seq:04d}号",
}


def console_app(database_url: str, *, console: dict[str, Any] | None = None, **overrides: Any) -> Any:
    """The API app with the console mounted, as `markwatch serve` builds it, with a (fictitious) authority."""
    from api.app import create_app
    from api.console import console_router
    from api.console.settings import ConsoleSettings

    app = create_app(make_settings(database_url, **overrides), extra_routers=(console_router,))
    app.state.console_settings = ConsoleSettings(**{**AUTHORITY, **(console or {})})
    return app


REALPAGES = Path(__file__).resolve().parent / "data" / "realpages"
GBK_CLAIM = "<li>执行标准：T/DEMO 001-2019（上海标准）</li>"
LYING_CLAIM = '<li title="T/DEMO 001-2019">执行标准:&nbsp;T/DEMO 001-2019（上海标准）</li>'


def _inject(raw: bytes, after: bytes, html: str, encoding: str) -> bytes:
    at = raw.index(after) + len(after)
    return raw[:at] + html.encode(encoding) + raw[at:]


def seed_real_pages(database_url: str) -> dict[str, int]:
    """Cases on real archived pages, located by the real extractor: a GBK page served without a charset,
    a UTF-8 page whose header and <meta> say GBK, and a title-only claim. Returns case ids by name."""
    from checker.extract import extract_page
    from markwatch.cases.ingest import ingest_sweep
    from markwatch.cases.models import Case

    pages = {
        "gbk": (
            _inject(
                (REALPAGES / "jd_item_01_gbk.html").read_bytes(),
                b'class="detail-list">',
                GBK_CLAIM,
                "gb18030",
            ),
            "text/html",
            "https://item.jd.com/917461.html",
        ),
        "lying": (
            _inject(
                (REALPAGES / "taobao_item_01.html").read_bytes(),
                b'<ul class="attributes-list">',
                LYING_CLAIM,
                "utf-8",
            ),
            "text/html; charset=gbk",
            "https://item.taobao.com/item.htm?id=562283240178",
        ),
    }
    with db.session_scope(database_url) as session:
        sweep = Sweep(target="realpages", state="finished", started_at=NOW - dt.timedelta(days=3))
        session.add(sweep)
        session.flush()
        for key, (raw, content_type, url) in pages.items():
            claim = extract_page(raw, url=url, declared_charset=declared(content_type)).claims[0]
            _finding(
                session,
                sweep,
                key=key,
                rule_id="SHS003",
                severity="high",
                url=url,
                site=url.split("/")[2],
                claimant=claim.claimant or "上海丙电子有限公司",
                snippet=claim.snippet,
                code=claim.standard_code,
                observed_at=NOW - dt.timedelta(days=3),
                body="",
                raw=raw,
                content_type=content_type,
                message=EXPIRED_MESSAGE,
                product=claim.product_name or "",
                locations=((claim.location, claim.verbatim),),
            )
        _finding(
            session,
            sweep,
            key="title-only",
            rule_id="SHS003",
            severity="high",
            url="https://shop.example.com/item/7",
            site="shop.example.com",
            claimant="上海丁科技有限公司",
            snippet="本品依据《演示用智能水杯（旧版）》生产（上海标准）",
            code=None,
            standard_title="演示用智能水杯（旧版）",
            observed_at=NOW - dt.timedelta(days=3),
            body="<html><body><p>本品依据《演示用智能水杯（旧版）》生产（上海标准）</p></body></html>",
            message="? 的“上海标准”评价有效期至 2022-01-14，已过期。 / The 上海标准 designation of ? was valid until "
            "2022-01-14 and has expired.",
            locations=(("html > body > p:nth-of-type(1)", "上海标准"),),
        )
        ingest_sweep(session, sweep.id)
        return {
            case.case_key: case.id
            for case in session.query(Case).filter(Case.case_key.in_(["gbk", "lying", "title-only"]))
        }


def declared(content_type: str) -> str | None:
    """The charset a Content-Type header names, as the crawler reads it."""
    match = re.search(r"charset=([A-Za-z0-9_.:-]+)", content_type)
    return match.group(1).lower() if match else None


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def confirm_case(client: Any, case_id: int, token: str) -> None:
    """Move a case to confirmed (through in_review) on the console, as an inspector does."""
    for target in ("in_review", "confirmed"):
        response = client.post(
            f"/console/cases/{case_id}/transition",
            data={"to": target, "reason": "checked the archive", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text


def signed_in(chromium: Any, base: str, key: str) -> Any:
    """A new Chromium page (zh-CN) signed in to the console at `base` with an API key."""
    page = chromium.new_page(locale="zh-CN")
    page.set_default_timeout(10_000)
    page.goto(base + "/console/cases")
    page.fill("#api_key", key)
    page.click("#sign-in")
    page.wait_for_url("**/console/cases")
    return page


@contextmanager
def case_in_chromium(database_url: str, case_id: int) -> Iterator[Any]:
    """A Chromium page signed in as an inspector on the console's page of a case."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    key = make_keys(database_url)["inspector"]
    with LiveServer(console_app(database_url)) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            page = signed_in(chromium, base, key)
            page.goto(f"{base}/console/cases/{case_id}")
            yield page
        finally:
            chromium.close()


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


def tiny_png(width: int = 160, height: int = 60) -> bytes:
    """A real PNG (grey, with a dark band where a label line would be), made without any imaging library."""
    import struct
    import zlib

    rows = b""
    for y in range(height):
        dark = 20 <= y < 40
        rows += b"\x00" + bytes([40 if dark and 10 <= x < 150 else 220 for x in range(width)])

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def seed_image_case(database_url: str, picture: bytes | None = None) -> tuple[int, str]:
    """A case whose claim was read by OCR inside an archived product image (`picture`, else a tiny PNG); returns
    (case id, image sha256)."""
    import hashlib
    import zlib

    from crawler.store.models import SnapshotBody
    from markwatch.cases.ingest import ingest_sweep
    from markwatch.cases.models import Case

    png = tiny_png() if picture is None else picture
    digest = hashlib.sha256(png).hexdigest()
    body = (
        "<html><body><div id='desc'><img src='https://img.example.com/label.png' alt=''></div></body></html>"
    )
    with db.session_scope(database_url) as session:
        session.add(SnapshotBody(sha256=digest, body=zlib.compress(png), size=len(png)))
        sweep = Sweep(target="images", state="finished", started_at=NOW - dt.timedelta(days=1))
        session.add(sweep)
        session.flush()
        finding = _finding(
            session,
            sweep,
            key="image",
            rule_id="SHS008",
            severity="medium",
            url="https://shop.example.com/item/9",
            site="shop.example.com",
            claimant="上海戊食品有限公司",
            snippet="上海标准 优质食品",
            code=None,
            observed_at=NOW - dt.timedelta(days=1),
            body=body,
            message="页面使用“上海标准”字样但未公开标准编号或名称。 / The words are used with no standard disclosed.",
            locations=(("div#desc > img:nth-of-type(1) (image 1)", "上海标准"),),
        )
        image = {
            "sha256": digest,
            "url": "https://img.example.com/label.png",
            "bbox": [10, 20, 150, 40],
            "ocr_text": "上海标准 优质食品",
            "ocr_confidence": 0.93,
            "engine": "rapidocr 1.3",
        }
        places = [{**place, "kind": "image-text", "image": image} for place in finding.evidence["locations"]]
        finding.evidence = {**places[0], "locations": places}
        session.flush()
        ingest_sweep(session, sweep.id)
        case = session.query(Case).filter_by(case_key="image").one()
        return case.id, digest
