"""The console's small parts on their own: highlighting, links, cookies, catalogue, charts, filters, ages."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from markupsafe import Markup
from starlette.datastructures import QueryParams

from api.console import wording
from api.console.charts import bars, stacked_bars
from api.console.filters import parse_queue_query
from api.console.highlight import as_written, highlight
from api.console.i18n import LANGUAGES, CatalogueError, Translator, catalogue, pick_language
from api.console.links import safe_href, url_link
from api.console.session import (
    decode_presession,
    decode_session,
    encode_presession,
    encode_session,
    tokens_match,
)
from api.console.stats import AGE_BUCKETS, age_bucket
from markwatch.cases.models import CaseStatus
from markwatch.cases.queries import SORTS

SECRET = "unit-test-secret-0123456789abcdefghijkl"


def test_highlight_escapes_then_marks() -> None:
    out = highlight("<b>执行标准</b>：上海标准 &amp; 上海標準认证", ["上海標準认证"])
    assert isinstance(out, Markup)
    assert out == "&lt;b&gt;执行标准&lt;/b&gt;：<mark>上海标准</mark> &amp;amp; <mark>上海標準认证</mark>"
    # A phrase that only exists once escaped (e.g. "lt;") is never matched inside an entity.
    assert highlight("a<b", ["lt;"]) == "a&lt;b"
    assert highlight(None) == "" and highlight("") == ""
    # Overlapping phrases merge into one mark.
    assert highlight("通过上海标准认证", ["标准认证"]) == "通过<mark>上海标准认证</mark>"


@pytest.mark.parametrize(
    ("snippet", "shown"),
    [
        ("执行标准：Ｔ／ＤＥＭＯ\u3000００１－２０１９（上海标准）", "Ｔ／ＤＥＭＯ\u3000００１－２０１９"),
        ("本品通过上海标准认证\xa0 Ｔ/DEMO 001—2019", "Ｔ/DEMO 001—2019"),
        ("执行标准：T/DEMO 001-2019（上海标准）", "T/DEMO 001-2019"),
    ],
)
def test_the_code_is_marked_as_the_page_wrote_it(snippet: str, shown: str) -> None:
    # The case keeps the code normalised; the quote is the page's text, full-width forms and all.
    out = highlight(snippet, as_written(snippet, ["T/DEMO 001-2019"]))
    assert f"<mark>{shown}</mark>" in out


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "//evil.example/x",
        "https:evil",
        "",
        None,
    ],
)
def test_only_http_and_https_become_links(url: str | None) -> None:
    assert safe_href(url) is None
    if url:
        assert "<a " not in url_link(url)


def test_safe_urls_are_linked_escaped_and_without_referrer() -> None:
    link = url_link('https://shop.example.com/a?x=1&y="2"')
    assert link == (
        '<a href="https://shop.example.com/a?x=1&amp;y=&#34;2&#34;" rel="noopener noreferrer nofollow"'
        ' target="_blank">https://shop.example.com/a?x=1&amp;y=&#34;2&#34;</a>'
    )
    assert safe_href("HTTP://Example.com/") == "HTTP://Example.com/"


def test_session_cookie_round_trip_and_tampering() -> None:
    value, session = encode_session(SECRET, 7, now=1_000_000)
    assert decode_session(SECRET, value, now=1_000_001) == session
    assert decode_session(SECRET, value, now=session.expires_at) is None  # expired
    assert decode_session("x" * 40, value, now=1_000_001) is None  # other secret
    body, signature = value.split(".")
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
    assert decode_session(SECRET, f"{flipped}.{signature}", now=1_000_001) is None
    # A pre-session cookie is signed for another purpose and never passes as a session.
    pre, token = encode_presession(SECRET, now=1_000_000)
    assert decode_presession(SECRET, pre, now=1_000_001) == token
    assert decode_session(SECRET, pre, now=1_000_001) is None
    assert decode_presession(SECRET, value, now=1_000_001) is None


def test_tokens_match_refuses_empty_tokens() -> None:
    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "abd")
    assert not tokens_match("", "")
    assert not tokens_match(None, None)


def test_catalogue_covers_every_key_the_templates_use() -> None:
    messages = catalogue()
    templates = resources.files("api.console").joinpath("templates")
    used: set[str] = set()
    for item in templates.iterdir():
        used |= set(
            re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.\-]+)["']""", item.read_text(encoding="utf-8"))
        )
    assert len(used) > 80
    # A key ending in "_" or "." is a prefix completed in the template (registry.conflict_ ~ kind): each
    # completion must exist.
    prefixes = {key for key in used if key.endswith(("_", "."))}
    assert sorted(used - prefixes - set(messages)) == []
    assert all(any(m.startswith(p) for m in messages) for p in prefixes)
    dynamic = {f"status.{s.value}" for s in CaseStatus} | {f"move.{s.value}" for s in CaseStatus}
    dynamic |= {f"sort.{name}" for name in SORTS} | {f"severity.{s}" for s in ("high", "medium", "low")}
    assert sorted(dynamic - set(messages)) == []
    assert all(texts[lang].strip() for texts in messages.values() for lang in LANGUAGES)


def test_translator_and_language_choice() -> None:
    assert Translator("en")("queue.total", total=3) == "3 cases"
    assert Translator("zh")("queue.total", total=3) == "共 3 件"
    with pytest.raises(CatalogueError):
        Translator("zh")("no.such.key")
    assert pick_language("en", "zh") == "en"
    assert pick_language(None, "en") == "en"
    assert pick_language("fr", "xx") == "zh"


def test_charts_escape_labels_and_scale_bars() -> None:
    svg = stacked_bars("<t>", ["01-05", "01-12"], {"<script>": [1, 0], "SHS003": [2, 3]})
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" fill="#[0-9A-F]{6}"><title>', svg)]
    # Axis top is 5 for a tallest bar of 3: bars of 1, 2 and 3 units stand in that ratio.
    assert heights == pytest.approx([heights[0], 2 * heights[0], 3 * heights[0]])
    simple = bars("ages", ["0-7", "90+"], [4, 0])
    assert "<title>0-7: 4</title>" in simple and "<title>90+: 0</title>" in simple


def test_queue_query_reads_browser_forms_leniently() -> None:
    query = parse_queue_query(
        QueryParams(
            "status=open&status=bogus&status=open&rule=SHS003&site=&seen_from=2026-01-05&seen_to=nope&sort=x&offset=-4"
        )
    )
    assert query.statuses == (CaseStatus.OPEN,)
    assert query.text == {"rule": "SHS003"}
    assert set(query.invalid) == {"status", "seen_to", "sort"}
    assert query.offset == 0 and query.sort == "last_seen_desc"
    f = query.case_filter(ZoneInfo("Asia/Shanghai"))
    assert f.rule_id == "SHS003" and f.seen_to is None
    # 5 January in Beijing starts at 16:00 UTC the day before.
    assert f.seen_from == dt.datetime(2026, 1, 4, 16, tzinfo=dt.UTC)
    assert "offset=25" in query.query_string(offset=25) and "rule=SHS003" in query.query_string()


@pytest.mark.parametrize(
    ("days", "bucket"), [(-1, "0-7"), (0, "0-7"), (7, "0-7"), (8, "8-30"), (90, "31-90"), (91, "90+")]
)
def test_age_buckets(days: int, bucket: str) -> None:
    assert age_bucket(days) == bucket
    assert bucket in [label for label, _, _ in AGE_BUCKETS]


def test_missing_chromium_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import console_support

    monkeypatch.setattr(console_support, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("MARKWATCH_REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception):
        console_support.require_chromium()
    monkeypatch.setenv("MARKWATCH_REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="MARKWATCH_REQUIRE_SERVICES=1"):
        console_support.require_chromium()


def _crawler_reasons() -> set[str]:
    """Every failure or skip reason the crawler can record, read from its source (so a new one is noticed)."""
    repo = Path(__file__).resolve().parent.parent
    patterns = (
        r'SkipRequest\(\s*"([a-z_]+)"',
        r'"(?:failed|skipped)",\s*"([a-z_]+)"',
        r'reason = reason or "([a-z_]+)"',
        r'return "([a-z_]+)"',
        r'SitemapError\(\s*"([a-z_]+)"',
        r'^\s+"[a-z_]+": "([a-z_]+)",$',  # a decoding failure's kind as a ledger reason (its values)
    )
    reasons: set[str] = set()
    sources = (
        "crawler/middlewares.py",
        "pagetext/bodies.py",  # not_html, undecodable: shared with the API's URL self-checks
        "sweeps/scheduler.py",
        "crawler/spiders/base.py",
        "sweeps/storage.py",
        "crawler/sitemaps.py",
        "crawler/targets.py",  # link_refusal and origin_refusal
    )
    for name in sources:
        text = (repo / name).read_text(encoding="utf-8")
        for pattern in patterns:
            reasons.update(re.findall(pattern, text, flags=re.M))
    return reasons - {"ok"}


def test_every_sweep_failure_reason_reads_in_chinese() -> None:
    t = Translator("zh")
    reasons = _crawler_reasons()
    assert {"robots", "offsite", "not_html", "undecodable", "poison", "forbidden_address"} <= reasons
    assert {"sitemap_too_large", "sitemap_corrupt", "sitemap_encoding"} <= reasons
    assert {"truncated", "content_corrupt", "content_encoding", "connection_lost"} <= reasons
    # An unknown reason reads as the generic label: every reason the crawler records has its own.
    untranslated = {r for r in reasons if wording.sweep_error(t, r) == t("sweep_error.unknown")}
    assert untranslated == set()
    assert wording.sweep_error(t, "http_503") == "HTTP 503 错误"
    assert (
        wording.sweep_error(t, "page-warning:too-complex") == "页面未能完整读取：页面过于复杂，只读取了一部分"
    )


def test_every_sweep_warning_reads_in_both_languages() -> None:
    from crawler import politeness

    crawler = Path(__file__).resolve().parent.parent / "crawler"
    source = "".join(
        (crawler / name).read_text(encoding="utf-8") for name in ("politeness.py", "middlewares.py")
    )
    codes = {getattr(politeness, name) for name in re.findall(r"HostWarning\(([A-Z_]+),", source)}
    assert codes == {"crawl_delay_capped", "robots_truncated"}
    for code in codes:
        warning = {"code": code, "host": "shop.example", "asked": 600.0, "applied": 60.0}
        for lang in ("zh", "en"):
            t = Translator(lang)
            text = wording.sweep_warning(t, warning)
            assert "shop.example" in text and "600" in text and "60.0" not in text, text
            assert not text.startswith(t("sweep_error.unknown")), text
    assert wording.sweep_warning(Translator("zh"), {"code": "brand-new", "host": "h"}).startswith("其他")
    # Bytes read in full, and an infinite Crawl-delay as JSON keeps it ("inf").
    truncated = {"code": "robots_truncated", "host": "h", "asked": 5242900.0, "applied": 511990.0}
    assert "5242900" in wording.sweep_warning(Translator("zh"), truncated)
    unbounded = {"code": "crawl_delay_capped", "host": "h", "asked": "inf", "applied": 60.0}
    assert "inf" in wording.sweep_warning(Translator("en"), unbounded)


_ZH = "<p>执行标准：T/DEMO 001-2019（上海标准）生产企业：上海某某新材料有限公司，本产品通过检验合格。</p>"
_TW = "<p>執行標準：T/DEMO 001-2019（上海標準）生產企業：上海某某新材料有限公司，本產品通過檢驗合格。</p>"
_MARKUP = "<html><head><title>x</title></head><body><div class=item>" + _ZH + "</div></body></html>"
# One page per branch of pagetext.decode that writes a note, and the note's label.
_DECODED = [
    (b"\xef\xbb\xbf" + _ZH.encode(), None, "note.bom"),
    (_ZH.encode(), "x-foo", "note.unknown_charset"),
    (b'<meta charset="x-foo">' + _ZH.encode(), None, "note.unknown_charset"),
    (_ZH.encode(), "gbk", "note.valid_utf8"),
    (_ZH.encode() * 3 + "上海".encode("gbk") + _ZH.encode() * 3, "gbk", "note.mixed"),
    (_ZH.encode("gbk"), "iso-8859-1", "note.weak"),
    (_ZH.encode("gbk"), "gbk", "note.gb18030"),
    (_ZH.encode("gbk") + b"\x80\x80", "big5", "note.wrong"),
    (_TW.encode("big5") + b"\xff\xff" + _TW.encode("big5") * 3, "big5", "note.mostly"),
    (_TW.encode("big5"), None, "note.detected_big5"),
    (_ZH.encode("gbk"), None, "note.detected_gb18030"),
    (bytes(range(128, 256)) * 4, None, "note.fewest"),
    (_MARKUP.encode("utf-16-le"), None, "note.utf16_sniffed"),
]


@pytest.mark.parametrize(("raw", "declared", "label"), _DECODED)
def test_every_decoding_note_reads_as_a_sentence_not_other_note(
    raw: bytes, declared: str | None, label: str
) -> None:
    """The archive and source views show how a page was decoded: a note the catalogue cannot match reads as
    "其他解码说明", which tells an inspector nothing (eight of the decoder's notes did before)."""
    from pagetext.decode import decode_page

    t = Translator("zh")
    notes = decode_page(raw, declared).notes
    assert notes
    shown = [wording.decode_note(t, note) for note in notes]
    assert t("note.unknown") not in shown, (notes, shown)
    assert label in {_label_of(note) for note in notes}


def _label_of(note: str) -> str | None:
    return next((key for pattern, key in wording._NOTES if pattern.match(note)), None)


@pytest.mark.parametrize(
    "note",
    [
        "detected shift_jis by charset-normalizer",
        "utf-16-be without a byte-order mark (header says so)",
        "read as big5, as when the finding was made (read as gb18030 now)",
        "the finding was made reading the page as mixed-encoding; shown as read now",
    ],
)
def test_notes_of_rarer_branches_have_labels(note: str) -> None:
    t = Translator("en")
    assert wording.decode_note(t, note) != t("note.unknown") and "{" not in wording.decode_note(t, note)
