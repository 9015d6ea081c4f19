"""Which fetched bodies are pages: 7-bit and UTF-16 pages are text, random bytes are not (pagetext/bodies.py)."""

from __future__ import annotations

import random

import pytest

from pagetext.bodies import unreadable_reason

PAGE = "<html><head><meta charset='{label}'></head><body><p>{words}执行标准：T/A 1-2020（上海标准）</p></body></html>"
JIS = PAGE.replace("执行标准", "適用規格").replace("上海标准", "上海標準")


@pytest.mark.parametrize("content_type", ["text/html; charset=iso-2022-jp", "text/html", None])
def test_an_iso_2022_jp_page_is_a_page(content_type: str | None) -> None:
    # Every run of kanji sits between ESC $ B and ESC ( B: WHATWG's sniffing never counts ESC as binary.
    body = JIS.format(label="iso-2022-jp", words="保温ボトル 500 ml、ステンレス製 A 級。" * 8).encode(
        "iso2022_jp"
    )
    assert body.count(b"\x1b") * 50 > len(body)
    assert unreadable_reason(body, content_type) is None


@pytest.mark.parametrize(
    ("label", "codec"), [("utf-16be", "utf-16-be"), ("utf-16le", "utf-16-le"), ("utf-16", "utf-16-le")]
)
def test_a_utf16_page_without_a_byte_order_mark_is_a_page_when_its_header_says_so(
    label: str, codec: str
) -> None:
    body = PAGE.format(label="utf-8", words="保温杯 Stainless steel flask ").encode(codec)
    assert unreadable_reason(body, f"text/html; charset={label}") is None


@pytest.mark.parametrize(
    "content_type", ["text/html", "text/html; charset=utf-16be", "text/html; charset=iso-2022-jp"]
)
def test_random_bytes_are_still_undecodable(content_type: str) -> None:
    body = random.Random(7).randbytes(20_000)
    assert unreadable_reason(body, content_type) == "undecodable"


def test_ascii_text_in_utf16_code_units_without_a_label_is_still_undecodable() -> None:
    # Without a byte-order mark or a header naming UTF-16, NULs between letters are not a page's text.
    body = "<html><body><p>T/A 1-2020 flask</p></body></html>".encode("utf-16-le")
    assert unreadable_reason(body, "text/html") == "undecodable"
