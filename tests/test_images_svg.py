"""SVG images: parsed without expanding entities or fetching anything, text read from the markup, drawn safely."""

from __future__ import annotations

import time

import pytest

from checker.images.svg import (
    MAX_SVG_BYTES,
    SvgRefused,
    is_icon,
    parse_svg,
    rasterise,
    render_size,
)
from crawler.images.settings import ImageSettings

NS = "xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'"


def test_shown_text_is_read_line_by_line_and_hidden_text_is_not() -> None:
    document = parse_svg(
        f"<svg {NS} width='400' height='200'>"
        "<title>上海标准 tooltip</title><desc>上海标准</desc><defs><text id='t'>定义里的上海标准</text></defs>"
        "<text x='10' y='20'>生产企业：<tspan>演示公司</tspan></text>"
        "<text x='10' y='60'><tspan x='10'>执行标准：</tspan><tspan x='10' dy='20'>上海标准</tspan></text>"
        "<text display='none'>隐藏一</text><g style='visibility:hidden'><text>隐藏二</text></g>"
        "<text font-size='0'>隐藏三</text><text style='opacity:0'>隐藏四</text>"
        "</svg>".encode()
    )
    assert document.lines == ["生产企业：演示公司", "执行标准：", "上海标准"]
    assert not document.has_graphics and not is_icon(document)


def test_billion_laughs_and_outside_entities_are_never_expanded() -> None:
    laughs = "<!ENTITY a0 'lol'>" + "".join(f"<!ENTITY a{i} '{f'&a{i - 1};' * 10}'>" for i in range(1, 10))
    started = time.perf_counter()
    with pytest.raises(SvgRefused) as refused:
        parse_svg(f"<?xml version='1.0'?><!DOCTYPE svg [{laughs}]><svg {NS}><text>&a9;</text></svg>".encode())
    assert refused.value.reason == "svg-entities" and time.perf_counter() - started < 1
    outside = f"<!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><svg {NS}><text>&x;</text></svg>"
    with pytest.raises(SvgRefused) as refused:
        parse_svg(outside.encode())
    assert refused.value.reason == "svg-entities"


def test_scripts_handlers_and_outside_references_never_reach_the_rasteriser() -> None:
    document = parse_svg(
        f"<svg {NS} width='200' height='100' onload='alert(1)'><script>alert(2)</script>"
        "<foreignObject><p>x</p></foreignObject><image xlink:href='/etc/secret.png' width='9' height='9'/>"
        "<image href='http://127.0.0.1:9/x.png'/><use href='#r'/><rect id='r' width='5' height='5'/>"
        "<image href='data:image/png;base64,iVBORw0KGgo='/></svg>".encode()
    )
    drawing = document.drawing.decode()
    for gone in ("script", "alert", "foreignObject", "/etc/secret", "127.0.0.1", "onload"):
        assert gone not in drawing, gone
    assert 'href="#r"' in drawing and "data:image/png" in drawing


def test_multiplying_uses_too_many_elements_and_bytes_are_refused() -> None:
    chain = "<rect id='u0' width='1' height='1'/>" + "".join(
        f"<g id='u{i}'>" + f"<use href='#u{i - 1}'/>" * 10 + "</g>" for i in range(1, 9)
    )
    for raw, reason in (
        (f"<svg {NS}><defs>{chain}</defs><use href='#u8'/></svg>".encode(), "svg-too-large"),
        (f"<svg {NS}><g id='a'><use href='#a'/></g></svg>".encode(), "svg-too-large"),
        (f"<svg {NS}>{'<g/>' * 20_001}</svg>".encode(), "svg-too-large"),
        (b"<svg>" + b" " * MAX_SVG_BYTES + b"</svg>", "svg-too-large"),
        (b"<svg><text>unclosed</svg>", "svg-malformed"),
        (b"<?xml version='1.0'?><html><svg/></html>", "svg-malformed"),
    ):
        with pytest.raises(SvgRefused) as refused:
            parse_svg(raw)
        assert refused.value.reason == reason, raw[:80]


def test_icons_are_small_and_textless_and_drawings_are_sized_for_reading() -> None:
    icon = parse_svg(f"<svg {NS} viewBox='0 0 24 24'><path d='M0 0L24 24'/></svg>".encode())
    assert is_icon(icon) and (icon.width, icon.height) == (24, 24)
    labelled = parse_svg(f"<svg {NS} viewBox='0 0 24 24'><text>上海标准</text></svg>".encode())
    assert not is_icon(labelled)
    wide = parse_svg(f"<svg {NS} width='6in' height='2in'><rect width='9' height='9'/></svg>".encode())
    assert (wide.width, wide.height) == (576, 192) and not is_icon(wide)
    assert render_size(wide, ImageSettings()) == (1200, 400)
    image = rasterise(wide.drawing, render_size(wide, ImageSettings(max_pixels=10_000)))
    assert image.width * image.height <= 10_000 and image.mode == "RGB"


def test_an_svg_image_hides_text_as_an_inline_svg_does() -> None:
    # Before: the image reader had its own reading of SVG hiding, narrower than the page's: fill-opacity in a
    # style, opacity in percent and !important were read as shown, and a negative font-size (invalid, so
    # ignored: the text is drawn) dropped words a buyer sees. Both now read SVG through checker/svglines.py.
    document = parse_svg(
        f"<svg {NS} width='400' height='200'>"
        "<text style='fill-opacity:0'>隐藏一</text><text opacity='0%'>隐藏二</text>"
        "<text style='opacity:0 !important'>隐藏三</text><text opacity='-1'>隐藏四</text>"
        "<text x='10' y='20' font-size='-3'>上海标准</text>"
        "<text x='10' y='40'>上海<tspan display='none'>隐藏五</tspan>标准</text>"
        "</svg>".encode()
    )
    assert document.lines == ["上海标准", "上海标准"]


def test_a_gzipped_svg_is_read_and_its_inflating_is_bounded() -> None:
    # Before: .svgz (gzip) bytes were no SVG to sniff() and parse_svg refused them as malformed XML.
    import gzip

    from crawler.images.loading import sniff

    plain = f"<svg {NS} width='400' height='100'><text x='10' y='40'>上海标准</text></svg>".encode()
    assert sniff(gzip.compress(plain)) == "svg" and parse_svg(gzip.compress(plain)).lines == ["上海标准"]
    # A bomb stops at the byte bound; a cut stream is malformed; gzip of something else is no SVG.
    bomb = gzip.compress(plain[:-6] + b" " * (MAX_SVG_BYTES + 1) + b"</svg>")
    assert len(bomb) < 10_000 and sniff(bomb) == "svg"
    with pytest.raises(SvgRefused) as refused:
        parse_svg(bomb)
    assert refused.value.reason == "svg-too-large"
    with pytest.raises(SvgRefused) as refused:
        parse_svg(gzip.compress(plain)[:-12])
    assert refused.value.reason == "svg-malformed"
    assert sniff(gzip.compress(b"<html><body>not an image</body></html>")) is None
