"""Words only in a page's head (title, meta, JSON-LD) are said with a warning, never a silent "no claim"."""

from __future__ import annotations

import json

import pytest

from checker.extract import extract_page
from checker.extract.head import HEAD_ONLY

BODY = "<body><div id='app'></div><script src='/app.js'></script></body>"


def _page(head: str, body: str = BODY) -> bytes:
    return f"<!doctype html><html><head><meta charset='utf-8'>{head}</head>{body}</html>".encode()


def _head_only(raw: bytes) -> list[str]:
    return [w.message for w in extract_page(raw).warnings if w.code == HEAD_ONLY]


JSON_LD = json.dumps(
    {
        "@context": "https://schema.org",
        "@type": "Product",
        "description": "上海标准认证产品，执行T/ZZZ 001-2020",
    },
    ensure_ascii=False,
)


@pytest.mark.parametrize(
    ("head", "where"),
    [
        ("<title>上海标准认证 塑胶跑道面层 - 演示旗舰店</title>", "<title>"),
        ("<title>上海&#26631;&#20934; 面层</title>", "<title>"),
        ('<meta name="description" content="上海標準產品，執行T/ZZZ 001-2020">', "<meta>"),
        (f'<script type="application/ld+json">{JSON_LD}</script>', "JSON-LD"),
        # JSON's own escapes are read as JSON reads them (here beside a title the raw-bytes gate lets through).
        (
            f'<title>上海标准</title><script type="application/ld+json">{json.dumps({"name": "上海标准 面层"})}</script>',
            "JSON-LD",
        ),
    ],
)
def test_a_script_drawn_page_with_the_words_in_its_head_is_not_no_claim(head: str, where: str) -> None:
    raw = _page(head)
    page = extract_page(raw)
    assert page.claims == []
    [message] = _head_only(raw)
    assert where in message and "no claim was read" in message


ESCAPED_JSON_LD = json.dumps({"@type": "Product", "name": "塑胶跑道面层", "description": "上海标准产品"})


@pytest.mark.parametrize(
    ("head", "body"),
    [
        # JSON written with ASCII escapes only (json.dumps' default): no other spelling of the words on the page.
        (f'<script type="application/ld+json">{ESCAPED_JSON_LD}</script>', BODY),
        # JSON-LD in the body of a page drawn by script: as unseen as in the head.
        (
            "",
            f'<body><div id="app"></div><script type="application/ld+json">{ESCAPED_JSON_LD}</script></body>',
        ),
        ("", f'<body><div id="app"></div><script type="application/ld+json">{JSON_LD}</script></body>'),
    ],
)
def test_words_only_in_json_ld_escaped_or_in_the_body_are_said(head: str, body: str) -> None:
    assert "上海" not in ESCAPED_JSON_LD
    raw = _page(head, body)
    assert extract_page(raw).claims == []
    [message] = _head_only(raw)
    assert "JSON-LD" in message


def test_words_in_the_body_need_no_head_warning() -> None:
    raw = _page("<title>上海标准 面层</title>", "<body><p>执行标准：T/ZZZ 001-2020（上海标准）</p></body>")
    assert _head_only(raw) == [] and len(extract_page(raw).claims) == 1
    # Discussion in the body is read: the head adds nothing to say.
    raw = _page("<title>上海标准 面层</title>", "<body><p>什么是上海标准？</p></body>")
    assert _head_only(raw) == []


@pytest.mark.parametrize(
    "head",
    [
        "<title>上海标准件厂 - 螺栓</title>",  # a trap, not the words
        "<title>塑胶跑道面层</title>",
        '<script type="application/ld+json">{not json 上海标准</script>',
    ],
)
def test_traps_and_broken_json_in_the_head_are_no_warning(head: str) -> None:
    assert _head_only(_page(head)) == []


def test_only_the_head_is_read_for_the_warning() -> None:
    # A <title> after <body> (an SVG's, dropped with the SVG) is not the page's title.
    raw = _page("<title>面层</title>", "<body><svg><title>上海标准</title></svg></body>")
    assert _head_only(raw) == []
