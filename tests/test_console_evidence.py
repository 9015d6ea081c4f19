"""Archived evidence is readable and verbatim: decoded as the checker decoded it, the claim marked in place."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from html import escape as html_escape

import pytest
from console_support import (
    NOW,
    REALPAGES,
    ConsoleData,
    _finding,
    console_app,
    make_keys,
    seed,
    seed_image_case,
    seed_real_pages,
    sign_in,
    tiny_png,
)
from fastapi.testclient import TestClient

from api.console.archive import Location, decode_snapshot, mark_page, read_otherwise, resolve
from checker.extract import extract_page
from crawler.store.models import Sweep
from markwatch import db
from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.models import Case
from sweeps.models import Finding


@pytest.fixture
def console(db_url: str) -> Iterator[tuple[TestClient, ConsoleData, dict[str, int]]]:
    data = seed(db_url)
    real = seed_real_pages(db_url)
    with TestClient(console_app(db_url)) as client:
        sign_in(client, data.keys["inspector"])
        yield client, data, real


def _frame_src(html: str) -> str:
    return re.search(r'<iframe sandbox src="([^"]+)"', html).group(1).replace("&amp;", "&")  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["gbk", "lying"])
def test_archived_real_pages_read_as_the_checker_read_them(
    console: tuple[TestClient, ConsoleData, dict[str, int]], name: str
) -> None:
    client, _, real = console
    case_page = client.get(f"/console/cases/{real[name]}").text
    body = client.get(_frame_src(case_page))
    assert body.headers["content-type"] == "text/html; charset=utf-8"
    text = body.content.decode("utf-8")
    # No mojibake of ours: only the U+FFFD the page itself carries (the Taobao copy has two in a CSS comment).
    encoding, expected = ("gb18030", "华为P6") if name == "gbk" else ("utf-8", "乳白亚克力外壳")
    page_own = (REALPAGES / ("jd_item_01_gbk.html" if name == "gbk" else "taobao_item_01.html")).read_bytes()
    assert text.count("\ufffd") == page_own.decode(encoding).count("\ufffd")
    assert expected in text
    assert "charset=gb" not in text.lower()  # its own <meta> now says what it is served as
    # The claim is marked where the extractor located it, and only there.
    marks = re.findall(r'<mark class="mw-hit" data-mw-hit="1" id="mw-hit-1">([^<]*)</mark>', text)
    assert marks and "上海标准" in "".join(re.findall(r'data-mw-hit="1"[^>]*>([^<]*)<', text))
    # The case page offers a jump to it, into the named sandboxed frame.
    assert re.search(r'href="[^"]+#mw-hit-1" target="archive-frame" id="jump-1"', case_page)
    # The Taobao copy's UTF-8 bytes served as gbk: a browser showed its quote as mojibake, and the page says so.
    assert ('id="shown-otherwise"' in case_page) == (name == "lying")
    if name == "lying":
        assert "页面声明的字符集是 gbk，但其字节不是 gbk：本引文按 utf-8 解码" in case_page
    # The as-text view decodes the same way and says how.
    snapshot_id = re.search(r"/console/snapshots/(\d+)/source", case_page).group(1)  # type: ignore[union-attr]
    source = client.get(f"/console/snapshots/{snapshot_id}/source").text
    assert source.count("\ufffd") == page_own.decode(encoding).count("\ufffd") and expected in source
    assert ('id="source-encoding">gb18030' if name == "gbk" else 'id="source-encoding">utf-8') in source
    # The stored bytes are untouched and still match the evidence hash.
    sha = re.search(r'id="snapshot-sha">([0-9a-f]{64})<', case_page).group(1)  # type: ignore[union-attr]
    raw = client.get(f"/console/snapshots/{snapshot_id}/raw").content
    assert hashlib.sha256(raw).hexdigest() == sha
    assert (raw.decode("gb18030") if name == "gbk" else raw.decode("utf-8")).count("上海标准") == 1


def test_the_archive_is_shown_in_the_codec_the_finding_was_read_with(
    console: tuple[TestClient, ConsoleData, dict[str, int]], db_url: str
) -> None:
    """A later extractor may decode the same bytes otherwise (1.9.1 reads ISO-2022-JP pages 1.9.0 read as
    ASCII): the finding's quotes are in the text it was made from, so that is the text shown."""
    client, _, real = console
    case_page = client.get(f"/console/cases/{real['gbk']}").text
    finding_id = int(re.search(r"/body\?finding=(\d+)", case_page).group(1))  # type: ignore[union-attr]
    source_url = re.search(r'href="(/console/snapshots/\d+/source\?finding=\d+)"', case_page).group(1)  # type: ignore[union-attr]
    assert 'id="source-encoding">gb18030' in client.get(source_url).text
    with db.session_scope(db_url) as session:
        finding = session.get(Finding, finding_id)
        assert finding is not None and finding.evidence.get("decoded_as") is None  # seeded as before 1.9.1
        finding.evidence = {**finding.evidence, "decoded_as": "big5"}
    source = client.get(source_url).text
    assert 'id="source-encoding">big5' in source
    assert "按发现生成时的 big5 解码（现按 gb18030 解码）" in source
    body = client.get(_frame_src(client.get(f"/console/cases/{real['gbk']}").text)).content.decode("utf-8")
    raw = (REALPAGES / "jd_item_01_gbk.html").read_bytes()
    assert "华为P6" not in body and raw[:2000].decode("big5", errors="replace")[-40:-20] in body
    # Without a finding the source view decodes as the checker does now.
    assert 'id="source-encoding">gb18030' in client.get(source_url.split("?")[0]).text


def test_every_location_of_a_finding_is_marked_with_a_jump(
    console: tuple[TestClient, ConsoleData, dict[str, int]],
) -> None:
    client, data, _ = console
    case_page = client.get(f"/console/cases/{data.cases['wording']}").text
    assert len(re.findall(r'id="jump-\d"', case_page)) == 2
    text = client.get(_frame_src(case_page)).text
    assert re.search(
        r'<p>本产品通过<mark class="mw-hit" data-mw-hit="1" id="mw-hit-1">上海标准认证</mark></p>', text
    )
    assert re.search(
        r'<td>通过<mark class="mw-hit" data-mw-hit="2" id="mw-hit-2">上海标准认证</mark></td>', text
    )


def test_marking_is_html_safe_and_spans_inline_tags() -> None:
    page = (
        "<html><head><title>上海标准</title></head><body><div id='a'><p>执行标准：T/X 1-2020（上海<b>标准</b>）&lt;script&gt;</p>"
        "<p title='\"><script>alert(1)</script>'>上海标准</p></div><!-- c --> 上海标准</body></html>"
    )
    decoded = decode_snapshot(page.encode("utf-8"), {"Content-Type": "text/html"})
    marked = mark_page(
        decoded,
        [
            Location("", "div#a > p:nth-of-type(1)", "上海标准", "text", None),
            Location("", "div#a > p:nth-of-type(2)", "上海标准", "text", None),
            Location("", "div#gone > p:nth-of-type(9)", "上海标准", "text", None),
            Location("", "html > head > title", "", "text", None),
        ],
    )
    assert [hit.how for hit in marked.hits] == ["text", "text", "page", "head"]
    html = marked.html
    # One location across <b>: two marks, the first one carries the anchor.
    assert (
        '<mark class="mw-hit" data-mw-hit="1" id="mw-hit-1">上海</mark><b><mark class="mw-hit" data-mw-hit="1">标准</mark></b>'
        in html
    )
    # The page's escaped text and attribute stay escaped.
    assert "&lt;script&gt;" in html and "<script>alert(1)</script>'" not in html
    assert 'title="&quot;&gt;&lt;script&gt;' in html or "title='\"&gt;&lt;script&gt;" in html
    # A path the page no longer holds falls back to the first unmarked occurrence on the page.
    assert '<!-- c --> <mark class="mw-hit" data-mw-hit="3" id="mw-hit-3">上海标准</mark>' in html


def test_resolver_follows_the_extractors_css_paths_on_real_pages() -> None:
    raw = (REALPAGES / "tmall_item_01_gbk.html").read_bytes()
    claim = "<li>执行标准：T/DEMO 001-2019（上海标准）</li>".encode("gb18030")
    at = raw.index(b'<ul id="J_AttrUL">') + len(b'<ul id="J_AttrUL">')
    page = raw[:at] + claim + raw[at:]
    located = extract_page(page, url="https://detail.tmall.com/item.htm", declared_charset=None).claims[0]
    decoded = decode_snapshot(page, {})
    from lxml import etree

    root = etree.fromstring(decoded.text, etree.HTMLParser(huge_tree=True))
    element = resolve(root, located.location)
    assert element is not None and "上海标准" in "".join(element.itertext())
    marked = mark_page(decoded, [Location(located.snippet, located.location, located.verbatim, "text", None)])
    assert marked.hits[0].how == "text" and "\ufffd" not in marked.html


def test_image_claim_shows_the_image_with_its_box_and_the_text_read(db_url: str) -> None:
    data = seed(db_url)
    case_id, digest = seed_image_case(db_url)
    with TestClient(console_app(db_url)) as client:
        sign_in(client, data.keys["inspector"])
        html = client.get(f"/console/cases/{case_id}").text
        figure = re.search(r'<figure class="image-evidence" id="image-1">.*?</figure>', html, flags=re.S)
        assert figure is not None
        svg = figure.group(0)
        assert 'viewBox="0 0 160 60"' in svg and f'<image href="/console/images/{digest}"' in svg
        assert '<rect class="ocr-box" x="10" y="20" width="140" height="20"' in svg
        assert "<mark>上海标准</mark> 优质食品" in svg and "93%" in svg and "rapidocr 1.3" in svg
        # The location is a path plus which image of the element, said in the reader's language.
        assert '<code class="css-path">div#desc &gt; img:nth-of-type(1)</code>' in html
        assert '<span class="image-n">（该元素中的第 1 张图片）</span>' in html and "(image 1)" not in html
        image = client.get(f"/console/images/{digest}")
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content == tiny_png() and image.headers["content-security-policy"].startswith("sandbox")
        # The <img> itself is marked in the archived page, and nothing but a raster image is ever served.
        frame = client.get(_frame_src(html)).text
        assert (
            '<mark class="mw-hit" data-mw-hit="1" id="mw-hit-1"><img src="https://img.example.com/label.png"'
            in frame
        )
        assert client.get("/console/images/" + "0" * 64).status_code == 404
        assert client.get("/console/images/not-a-hash").status_code == 404


def test_a_claim_after_the_end_of_the_document_is_read_and_marked_where_it_is() -> None:
    # Browsers show what follows </html> in the body; libxml2 dropped it, so it was neither read nor marked.
    page = (
        "<html><body><h1>电热水壶</h1><p>价格：￥199</p></body></html>"
        "<p>执行标准：T/DEMO 001-2022（上海标准）</p>"
    ).encode()
    (claim,) = extract_page(page).claims
    marked = mark_page(
        decode_snapshot(page, {}), [Location(claim.snippet, claim.location, claim.verbatim, "text", None)]
    )
    assert marked.hits[0].how == "text"
    assert '<mark class="mw-hit" data-mw-hit="1" id="mw-hit-1">上海标准</mark>' in marked.html


def test_an_image_claim_is_marked_on_its_image_never_on_other_text() -> None:
    # Sweeps locate image claims as "… > img:nth-of-type(1) (image 1)": the console could not resolve that,
    # and its text fallback marked 上海标准 inside a shop name the checker had ruled out.
    page = (
        "<html><body><p>店铺：上海标准件厂旗舰店</p><div class='desc'><img src='/s.gif' "
        "data-ks-lazyload='/cdn/label.jpg'></div></body></html>"
    ).encode()
    image = {"sha256": "0" * 64, "url": "http://shop.example/cdn/label.jpg"}
    located = Location(
        "", "html > body > div.desc:nth-of-type(1) > img:nth-of-type(1) (image 1)", "", "image-text", image
    )
    moved = Location(
        "", "html > body > div:nth-of-type(9) > img:nth-of-type(1) (image 1)", "上海标准", "image-text", image
    )
    gone = Location(
        "",
        "html > body > div:nth-of-type(9) (image 1)",
        "上海标准",
        "image-text",
        {"url": "http://x/other.png"},
    )
    marked = mark_page(decode_snapshot(page, {}), [located, moved, gone])
    assert [hit.how for hit in marked.hits] == ["element", "element", "missing"]
    assert 'id="mw-hit-1">' in marked.html and 'id="mw-hit-2"><img src="/s.gif"' in marked.html
    assert "上海标准件厂旗舰店</p>" in marked.html  # the shop name is left alone


def _encoded(fmt: str, size: tuple[int, int], **params: object) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, fmt, **params)
    return out.getvalue()


def test_stored_images_of_every_served_format_have_their_upright_size() -> None:
    # BMP and JPEGs with fill bytes were "not archived" (404), and an EXIF-rotated JPEG's box was drawn on
    # the stored size while the reader's boxes are in upright pixels.
    from PIL import Image

    from api.console.images import image_info

    jpeg = _encoded("JPEG", (300, 100))
    filled = jpeg[:2] + b"\xff\xff\xff" + jpeg[2:]  # fill bytes before a marker (valid JPEG)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to show upright
    rotated = _encoded("JPEG", (300, 100), exif=exif.tobytes())
    cases = {
        "bmp": (_encoded("BMP", (30, 20)), ("image/bmp", 30, 20)),
        "filled": (filled, ("image/jpeg", 300, 100)),
        "rotated": (rotated, ("image/jpeg", 100, 300)),
        "png": (_encoded("PNG", (7, 9)), ("image/png", 7, 9)),
    }
    for name, (data, expected) in cases.items():
        info = image_info(data)
        assert info is not None and (info.media_type, info.width, info.height) == expected, name
    assert image_info(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>") is None
    assert image_info(b"\x89PNG\r\n\x1a\n" + b"\0" * 40) is None


def test_a_claim_inside_an_iframe_srcdoc_marks_the_frame() -> None:
    # The path goes on inside the frame's document, which the archived page holds as an attribute.
    inner = html_escape("<p>执行标准：T/DEMO 001-2019（上海标准）</p>", quote=True)
    page = (
        f'<html><body><h1>电热水壶</h1><div><iframe srcdoc="{inner}"></iframe></div></body></html>'.encode()
    )
    located = extract_page(page).claims[0]
    assert "iframe:nth-of-type(1) > p" in located.location
    marked = mark_page(
        decode_snapshot(page, {}),
        [Location(located.snippet, located.location, located.verbatim, "text", None)],
    )
    assert marked.hits[0].how == "element" and 'data-mw-hit="1"' in marked.html


SVG_LABEL = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='240' height='60'><script>alert(1)</script>"
    "<rect width='240' height='60' fill='#c00' onclick='alert(2)'/>"
    "<text x='10' y='40' font-size='24'>上海标准 优质食品</text></svg>"
).encode()


def test_an_svg_image_claim_shows_markwatchs_rendering_and_offers_the_original_only_as_a_download(
    db_url: str,
) -> None:
    # Before: an SVG is never served (active content), so the case page said "not in the archive" and an
    # inspector saw only the quoted words and a hash, nothing to look at.
    data = seed(db_url)
    case_id, digest = seed_image_case(db_url, SVG_LABEL)
    with TestClient(console_app(db_url)) as client:
        sign_in(client, data.keys["inspector"])
        html = client.get(f"/console/cases/{case_id}").text
        figure = re.search(r'<figure class="image-evidence" id="image-1">.*?</figure>', html, flags=re.S)
        assert figure is not None and "image-missing" not in figure.group(0)
        # Drawn at the reader's size (1200 px on the longer side), so the OCR box lands where it was read.
        assert 'viewBox="0 0 1200 300"' in figure.group(0)
        assert f'<image href="/console/images/{digest}"' in figure.group(0)
        assert f"markwatch 对该 SVG 的渲染（原始文件的 sha256：{digest}" in figure.group(0)
        assert f'href="/console/images/{digest}/original"' in figure.group(0)
        english = client.get(f"/console/cases/{case_id}?lang=en").text
        assert f"markwatch&#39;s rendering of the SVG (sha256 of the original: {digest}" in english
        rendering = client.get(f"/console/images/{digest}")
        assert rendering.status_code == 200 and rendering.headers["content-type"] == "image/png"
        assert rendering.content.startswith(b"\x89PNG\r\n\x1a\n") and b"<svg" not in rendering.content
        assert rendering.headers["content-security-policy"].startswith("sandbox")
        assert rendering.headers["x-content-type-options"] == "nosniff"
        original = client.get(f"/console/images/{digest}/original")
        assert original.status_code == 200 and original.content == SVG_LABEL
        assert original.headers["content-type"] == "application/octet-stream"
        assert original.headers["content-disposition"].startswith("attachment;")
        assert "sandbox" in original.headers["content-security-policy"]
        assert original.headers["x-content-type-options"] == "nosniff"
        # Nothing but a stored SVG has an "original" download here.
        assert client.get("/console/images/" + "0" * 64 + "/original").status_code == 404


# Word writes a manual line break as U+000B; pages pasted from it carry one, and other C0/C1 controls turn up in
# copied text. The normaliser drops them, so 上海\x0b标准 is a claim; lxml refuses to hold such a character in a
# node, and marking the text node around it raised ValueError: the case page and the archived page were a 500.
CONTROLS_NEAR_THE_CLAIM = {
    "vertical-tab-inside-the-words": "执行标准：T/DEMO 009-2022（上海\x0b标准）",
    "vertical-tab-after-the-words": "执行标准：T/DEMO 009-2022（上海标准）型号\x0bA1",
    "c0-and-c1-around": "\x01执行标准：T/DEMO 009-2022（上海标准）\x7f\x85\x1f",
}


@pytest.mark.parametrize("text", CONTROLS_NEAR_THE_CLAIM.values(), ids=CONTROLS_NEAR_THE_CLAIM.keys())
def test_control_characters_beside_the_claim_are_marked_not_a_crash(text: str) -> None:
    page = f"<html><body><h1>电热水壶</h1><p>{text}</p></body></html>".encode()
    (claim,) = extract_page(page).claims
    assert claim.verbatim in claim.snippet and claim.standard_code == "T/DEMO 009-2022"
    marked = mark_page(
        decode_snapshot(page, {}), [Location(claim.snippet, claim.location, claim.verbatim, "text", None)]
    )
    assert marked.hits[0].how == "text"
    marks = re.findall(r'data-mw-hit="1"[^>]*>([^<]*)<', marked.html)
    # The control character is shown as lxml shows every other one on the page (U+FFFD), the words around it.
    assert "".join(marks).replace("\ufffd", "") == "上海标准"


def test_a_case_whose_page_holds_a_control_character_opens(db_url: str) -> None:
    snippet = CONTROLS_NEAR_THE_CLAIM["vertical-tab-inside-the-words"]
    with db.session_scope(db_url) as session:
        sweep = Sweep(target="controls", state="finished", started_at=NOW)
        session.add(sweep)
        session.flush()
        _finding(
            session, sweep, key="vt", rule_id="SHS001", severity="high",
            url="https://shop.example.com/item/vt", site="shop.example.com", claimant="上海某某公司",
            snippet=snippet, code="T/DEMO 009-2022", observed_at=NOW,
            body=f"<html><body><h1>电热水壶</h1><p>{snippet}</p></body></html>", message="unregistered",
            locations=(("html > body > p:nth-of-type(1)", "上海\x0b标准"),),
        )  # fmt: skip
        ingest_sweep(session, sweep.id)
        case_id = session.query(Case).filter_by(case_key="vt").one().id
    with TestClient(console_app(db_url)) as client:
        sign_in(client, make_keys(db_url)["inspector"])
        case_page = client.get(f"/console/cases/{case_id}")
        assert case_page.status_code == 200, case_page.text[:300]
        # The quote is the page's own text, control character and all, with the words marked around it.
        assert "（<mark>上海\x0b标准</mark>）" in case_page.text
        body = client.get(_frame_src(case_page.text))
        assert body.status_code == 200
        assert "".join(re.findall(r'data-mw-hit="1"[^>]*>([^<]*)<', body.text)) == "上海\ufffd标准"


_GBK_PAGE = "<html><head>{meta}</head><body><p>执行标准：T/DEMO 009-2022（上海标准）𠮷</p></body></html>"
_QUOTE = "执行标准：T/DEMO 009-2022（上海标准）𠮷"


@pytest.mark.parametrize(
    ("encoding", "meta", "content_type", "shown_as"),
    [
        ("gb18030", "", "text/html; charset=utf-8", "utf-8"),  # GBK bytes, the header says UTF-8
        ("utf-8", "<meta charset='gbk'>", "text/html; charset=gbk", "gbk"),  # and the reverse
        ("gb18030", "<meta charset='utf-8'>", "text/html", "utf-8"),  # no header charset, the <meta> lies
        ("gb18030", "<meta charset='gbk'>", "text/html; charset=iso-8859-1", "iso-8859-1"),  # Latin-1 header
        ("gb18030", "<meta charset='utf-8'>", "text/html; charset=gbk", None),  # the header is right: it wins
        (
            "gb18030",
            "<meta charset='gbk'>",
            "text/html",
            None,
        ),  # 𠮷 is 4 bytes of GB18030, as browsers read gbk
        ("utf-8", "<meta charset='gbk'>", "text/html; charset=utf-8", None),
        ("gb18030", "", "text/html", None),  # nothing declared: browsers guess, and so does markwatch
    ],
)
def test_a_quote_a_browser_showed_otherwise_is_said_to_be(
    encoding: str, meta: str, content_type: str, shown_as: str | None
) -> None:
    # The checker reads a page for what its bytes are; a buyer's browser obeys the label and shows mojibake.
    # The quote is then not what a visitor saw, and the inspector signing the case must know it.
    body = _GBK_PAGE.format(meta=meta).encode(encoding)
    read = decode_snapshot(body, {"Content-Type": content_type}).encoding
    assert read_otherwise(body, {"Content-Type": content_type}, read, [_QUOTE]) == shown_as
