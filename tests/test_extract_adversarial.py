"""Hostile but realistic pages aimed at last round's heuristics: label-less Big5 against GBK, <br> joining,
<iframe srcdoc>, script state beside an image, the tab-panel exemption, right-to-left text near the words.

Each page says what a buyer sees and what an inspector would expect read from it."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from hostile_support import extracted_in_linear_time

from checker.extract.extractor import extract_page

C = "T/SHHJ 000003-2018"


class Case(NamedTuple):
    html: str
    claims: int
    encoding: str = "utf-8"  # how the page's bytes are written (no label: the decoder must find it)
    read_as: str | None = None  # the codec the decoder must choose
    hidden: str | None = None  # the first claim's Claim.hidden
    warnings: frozenset[str] = frozenset()


def _page(body: str) -> str:
    return f"<html><head></head><body>{body}</body></html>"


_MANY = "<p>本公司產品品質優良，歡迎選購。</p>" * 20
CASES: dict[str, Case] = {
    # Big5 or GBK, without a label. Short Big5 pages were GB18030 nonsense, their claims lost unsaid.
    "gbk-short": Case(_page(f"<p>执行标准：{C}（上海标准）</p>"), 1, "gb18030", "gb18030"),
    "gbk-traditional": Case(
        _page(f"<h1>塑膠跑道</h1><p>執行標準：{C}（上海標準）</p><p>價格：99元</p>"), 1, "gb18030", "gb18030"
    ),
    "gbk-words-only": Case(_page("<p>上海标准</p>"), 1, "gb18030", "gb18030"),
    "gbk-mixed-scripts": Case(
        _page(f"<h1>运动场地面层</h1><p>產品執行標準：{C}（上海标准），品質保證</p>"), 1, "gb18030", "gb18030"
    ),
    "gbk-trap": Case(_page("<p>上海标准件厂</p>"), 0, "gb18030", "gb18030"),
    "gbk-traditional-article": Case(
        _page("<h1>臺灣產品介紹</h1>" + _MANY + f"<p>執行標準：{C}（上海標準）</p>"), 1, "gb18030", "gb18030"
    ),
    "big5-short": Case(_page(f"<p>執行標準：{C}（上海標準）</p>"), 1, "big5", "big5hkscs"),
    "big5-words-only": Case(_page("<p>上海標準</p>"), 1, "big5", "big5hkscs"),
    "big5-trap": Case(_page("<p>上海標準件廠 專業生產螺絲</p>"), 0, "big5"),
    "big5-long": Case(
        _page("<h1>產品介紹</h1>" + _MANY + f"<p>執行標準：{C}（上海標準）</p>"), 1, "big5", "big5hkscs"
    ),
    # A line break inside the words, or between two rows, cells or items.
    "br-origin-then-fastener-row": Case(_page("<p>产地：上海<br>标准件：M8螺栓</p>"), 0),
    "br-list-items": Case(_page("<ul><li>产地：上海</li><li>标准：GB/T 5783-2016</li></ul>"), 0),
    "br-table-cells": Case(_page("<table><tr><td>上海</td><td>标准</td></tr></table>"), 0),
    "br-table-rows": Case(
        _page("<table><tr><td>产地</td><td>上海</td></tr><tr><td>标准</td><td>GB/T 1-2000</td></tr></table>"),
        0,
    ),
    "br-institute": Case(_page("<p>监制：上海<br>标准化研究院</p>"), 0),
    "br-packing-row": Case(_page("<p>发货地：上海<br>标准包装：10只/盒</p>"), 0),
    "br-model-row": Case(_page("<p>品牌：上海<br>标准型号：XJ-200</p>"), 0),
    "br-standard-row": Case(_page(f"<p>产地：上海<br>标准：{C}</p>"), 0),
    "br-after-closed-inline-row": Case(_page("<p><span>产地：上海</span><br>标准：GB/T 1-2000</p>"), 0),
    "br-express": Case(_page("<p>仓库：上海<br>标准快递48小时发货</p>"), 0),
    "br-blank-line": Case(_page("<p>质量过硬 品牌上海<br><br>标准配置 送货上门</p>"), 0),
    "br-no-colon-fastener": Case(_page("<p>发货 上海<br>标准件 M6</p>"), 0),
    "br-real-join": Case(_page(f"<h1>跑道</h1><p>本品执行上海<br>标准（{C}）</p>"), 1),
    "br-join-after-inline": Case(_page(f"<h1>跑道</h1><p><b>本品执行上海</b><br>标准（{C}）</p>"), 1),
    # <iframe srcdoc>
    "srcdoc-entities": Case(
        _page(f'<iframe srcdoc="&lt;p&gt;执行标准：{C}（上海标准）&lt;/p&gt;"></iframe>'), 1
    ),
    "srcdoc-script-only": Case(
        _page("<iframe srcdoc=\"&lt;script&gt;document.write('上海标准')&lt;/script&gt;\"></iframe>"), 0
    ),
    "srcdoc-nested": Case(
        _page(
            '<iframe srcdoc="&lt;iframe srcdoc=&quot;&amp;lt;p&amp;gt;执行标准：'
            f'{C}（上海标准）&amp;lt;/p&amp;gt;&quot;&gt;&lt;/iframe&gt;"></iframe>'
        ),
        1,
    ),
    "srcdoc-hidden-inside": Case(
        _page(
            f'<iframe srcdoc="&lt;p&gt;执行标准：{C}（上海&lt;span hidden&gt;x&lt;/span&gt;标准）&lt;/p&gt;"></iframe>'
        ),
        1,
    ),
    "srcdoc-trap": Case(_page('<iframe srcdoc="&lt;p&gt;上海标准件厂&lt;/p&gt;"></iframe>'), 0),
    "srcdoc-hidden-frame": Case(
        _page(
            f'<iframe style="display:none" srcdoc="&lt;p&gt;执行标准：{C}（上海标准）&lt;/p&gt;"></iframe>'
        ),
        1,
        hidden="display:none",
    ),
    # Script state beside the mark in an image: the image's claim alone would be SHS008 (nothing disclosed)
    # while the script draws the 执行标准 row with its code.
    "state-beside-alt": Case(
        _page(
            '<h1>跑道</h1><img src="/m.png" alt="上海标准标志"><script>window.__INITIAL_STATE__='
            f'{{"std":"执行标准：{C}（上海标准）"}}</script>'
        ),
        1,
        warnings=frozenset({"script-state"}),
    ),
    "state-escaped-beside-logo-file": Case(
        _page(
            '<img src="/img/shanghai-standard-logo.png"><script>var d={"t":"\\u4e0a\\u6d77\\u6807\\u51c6"}</script>'
        ),
        1,
        warnings=frozenset({"script-state"}),
    ),
    "state-and-noscript": Case(
        _page(
            f"<noscript><p>执行标准：{C}（上海标准）</p></noscript>"
            '<script>window.__INITIAL_STATE__={"s":"上海标准"}</script>'
        ),
        1,
        hidden="noscript",  # read, as text a buyer's browser (scripts on) never shows
    ),
    # The tab-panel exemption: only a container a buyer can open with a click.
    "tab-table-class": Case(
        _page(f'<div class="table-wrap" style="display:none"><p>执行标准：{C}（上海标准）</p></div>'),
        1,
        hidden="display:none",
    ),
    "tab-stable-class": Case(
        _page(f'<div class="stable" hidden><p>执行标准：{C}（上海标准）</p></div>'), 1, hidden="[hidden]"
    ),
    "tab-inline-span-inside-words": Case(
        _page(f'<p>执行标准：{C}（上海<span class="tab" style="display:none">xx</span>标准）</p>'), 1
    ),
    "tab-genuine": Case(
        _page(
            '<ul role="tablist"><li role="tab">详情</li><li role="tab">规格参数</li></ul>'
            f'<div role="tabpanel">详情</div><div role="tabpanel" style="display:none"><p>执行标准：{C}（上海标准）</p></div>'
        ),
        1,
    ),
    # A panel's name alone is no tab: the rest of a tab set must be on the page (tabs.py).
    "tab-lone-panel": Case(
        _page(f'<div class="tab-content" style="display:none"><p>执行标准：{C}（上海标准）</p></div>'),
        1,
        hidden="display:none",
    ),
    "tab-lone-role": Case(
        _page(f'<div role="tabpanel" hidden><p>执行标准：{C}（上海标准）</p></div>'), 1, hidden="[hidden]"
    ),
    "tab-hidden-siblings-only": Case(
        _page(
            '<div><div class="tab-pane" style="display:none">a</div>'
            f'<div class="tab-pane" style="display:none"><p>执行标准：{C}（上海标准）</p></div></div>'
        ),
        1,
        hidden="display:none",
    ),
    "tab-bootstrap-panels": Case(
        _page(
            '<div><div class="panel panel-default">说明</div>'
            f'<div class="panel panel-default" style="display:none"><p>执行标准：{C}（上海标准）</p></div></div>'
        ),
        1,
        hidden="display:none",
    ),
    "tab-bootstrap-panel-in-tabs": Case(
        _page(
            '<ul class="nav nav-tabs"><li><a data-toggle="tab" href="#a">详情</a></li>'
            '<li><a data-toggle="tab" href="#b">参数</a></li></ul><div class="tab-content">'
            f'<div class="panel" id="b" style="display:none"><p>执行标准：{C}（上海标准）</p></div></div>'
        ),
        1,
    ),
    "tab-shown-sibling": Case(
        _page(
            '<div><div data-tab="item">商品介绍</div>'
            f'<div data-tab="item" style="display:none"><p>执行标准：{C}（上海标准）</p></div></div>'
        ),
        1,
    ),
    # Tab controls count only when shown and pointing at the panel (or named by it): a list named a tab bar
    # beside a hidden panel, or tabs pointing elsewhere, open nothing.
    "tab-fake-tablist": Case(
        _page(
            '<ul role="tablist"><li>a</li><li>b</li></ul>'
            f'<div class="tab-content" style="display:none"><p>执行标准：{C}（上海标准）</p></div>'
        ),
        1,
        hidden="display:none",
    ),
    "tab-controls-pointing-elsewhere": Case(
        _page(
            '<ul class="nav nav-tabs"><li><a data-toggle="tab" href="#x">详情</a></li>'
            '<li><a data-toggle="tab" href="#y">参数</a></li></ul>'
            f'<div class="tab-pane" id="z" style="display:none"><p>执行标准：{C}（上海标准）</p></div>'
        ),
        1,
        hidden="display:none",
    ),
    "tab-hidden-control": Case(
        _page(
            '<div style="display:none"><a role="tab" aria-controls="p">参数</a></div>'
            f'<div role="tabpanel" id="p" hidden><p>执行标准：{C}（上海标准）</p></div>'
        ),
        1,
        hidden="[hidden]",
    ),
    "tab-aria-controls": Case(
        _page(
            '<ul><li role="tab" aria-controls="p">参数</li></ul>'
            f'<div class="tab-pane" id="p" style="display:none"><p>执行标准：{C}（上海标准）</p></div>'
        ),
        1,
    ),
    "tab-labelled-by-a-shown-tab": Case(
        _page(
            '<span role="tab" id="t">参数</span>'
            f'<div role="tabpanel" aria-labelledby="t" hidden><p>执行标准：{C}（上海标准）</p></div>'
        ),
        1,
    ),
    "tab-zero-font": Case(
        _page(f'<div class="tab-content" style="font-size:0"><p>执行标准：{C}（上海标准）</p></div>'),
        1,
        hidden="font-size:0",
    ),
    # Right-to-left text near the words.
    "rtl-arabic-mark": Case(_page(f'<p dir="rtl">عسل السدر\u200f 执行标准：{C}（上海标准）</p>'), 1),
    "rtl-closed-override": Case(_page(f"<p>\u202eعسل\u202c 执行标准：{C}（上海标准）</p>"), 1),
    "rtl-bdi": Case(_page(f"<p><bdi>عسل السدر</bdi> 执行标准：{C}（上海标准）</p>"), 1),
    "rtl-override-in-another-block": Case(_page(f"<p>\u202eعسل</p><p>执行标准：{C}（上海标准）</p>"), 1),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_page(name: str) -> None:
    case = CASES[name]
    page = extract_page(case.html.encode(case.encoding))
    assert len(page.claims) == case.claims, [c.text for c in page.claims]
    if case.read_as is not None:
        assert page.encoding == case.read_as
    if page.claims:
        assert page.claims[0].hidden == case.hidden
    assert case.warnings <= {w.code for w in page.warnings}


def test_a_tab_panel_beside_its_shown_sibling_in_a_tabs_box_is_exempt() -> None:
    # The box around the tab set is named like a tab bar (div.tabs): its panels are panels, not tabs.
    raw = _page(
        '<div class="tabs"><ul class="tab-nav"><li>详情</li><li>参数</li></ul>'
        '<div class="tab-panel">详情</div>'
        f'<div class="tab-panel" style="display:none"><p>执行标准：{C}（上海标准）</p></div></div>'
    ).encode()
    (claim,) = extract_page(raw).claims
    assert claim.hidden is None


def test_many_hidden_tabs_pointing_at_many_panels_sharing_an_id_are_read_in_linear_time() -> None:
    # Each panel looked through every pointer at its id: 1,000 panels x 40,000 hidden tabs ran 7 s of CPU.
    def tabs_and_panels(tabs: int) -> bytes:
        return _page(
            '<a role="tab" aria-controls="p" style="display:none">t</a>' * tabs
            + '<div id="p" class="tab-pane" hidden>' * (tabs // 40)
            + f"<p>执行标准：{C}（上海标准）</p>"
            + "</div>" * (tabs // 40)
        ).encode()

    result = extracted_in_linear_time(tabs_and_panels, 10_000)
    assert [w.code for w in result.warnings] == []
    assert [c.hidden for c in result.claims] == ["[hidden]"]
