"""Evidence end to end for pages the team had not tried (probe s32): a real sweep of a server on 127.0.0.1, the
cases it opens, and the console in Debian's headless Chromium.

For each page: the finding quotes the page's text as a visitor's browser shows it (Chromium's innerText of the
live page, never the normalised form), the archived bytes come back identical and are read with the charset the
finding records, and the console shows the quote whole, marked and escaped (no element of the page's, no script
run). Pages split the words with <br>, <wbr>, soft hyphens, zero-width characters or inline tags; write them with
entities, entity debris, CRLF and tabs, full-width forms, traditional characters and bidi controls; declare a
charset their bytes or their header contradict; hold a 4-byte GB18030 character, a control character, a quote
wider than the snippet, or an HTML payload as text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from evidence_probe_support import UTF8, Probe, page_markup, run_probes

pytestmark = pytest.mark.browser

ZWSP = "\u200b"
GBK_META = "<meta charset='gbk'>"
PROBES = (
    Probe("br", page_markup("上海<br>标准"), "上海 标准"),
    Probe("wbr", page_markup("上海<wbr>标准"), "上海标准"),
    Probe("soft-hyphen", page_markup("上海&shy;标准"), "上海\u00ad标准"),
    Probe("zero-width-space", page_markup(f"上海{ZWSP}标准"), f"上海{ZWSP}标准"),
    Probe("zero-width-joiner", page_markup("上海&zwj;标准"), "上海\u200d标准"),
    Probe("inline-tag-in-words", page_markup("上海<b>标</b>准"), "上海标准"),
    Probe(
        "inline-tag-in-code", page_markup("上海标准", code="T/PRO<span>BE</span> {n:03d}-2022"), "上海标准"
    ),
    Probe("numeric-entities", page_markup("&#x4e0a;&#28023;标准"), "上海标准"),
    Probe("nbsp-ensp", page_markup("上海标准", code="T/PROBE&nbsp;{n:03d}-2022&ensp;"), "上海标准"),
    Probe("entity-debris", page_markup("上海标准", after="&ideographicspace;型号&amp;nbsp;A1"), "上海标准"),
    Probe("crlf-and-tabs", page_markup("上海\r\n\t标准", before="\r\n\t"), "上海 标准"),
    Probe("full-width-code", page_markup("上海标准", code="Ｔ／ＰＲＯＢＥ　０{n:02d}－２０２２"), "上海标准"),
    Probe("traditional", page_markup("上海標準"), "上海標準"),
    Probe("bidi-controls", page_markup("上海标准", after="\u202e号型\u202c\u2067型号\u2069"), "上海标准"),
    Probe("vertical-tab-in-words", page_markup("上海\x0b标准"), "上海\x0b标准"),
    Probe(
        "gb18030-4-byte-gbk-header",
        page_markup("上海标准", after="𠮷字型号", meta=GBK_META),
        "上海标准",
        "gb18030",
        "text/html; charset=gbk",
        "gb18030",
    ),
    Probe(
        "gb18030-4-byte-gbk-meta-only",
        page_markup("上海标准", after="𠮷字型号", meta=GBK_META),
        "上海标准",
        "gb18030",
        "text/html",
        "gb18030",
    ),
    Probe(
        "gbk-bytes-utf8-header",
        page_markup("上海标准", after="𠮷字", meta=""),
        "上海标准",
        "gb18030",
        UTF8,
        "gb18030",
        visitor_reads_it=False,
    ),
    Probe(
        "utf8-bytes-gbk-header",
        page_markup("上海标准", after="𠮷字", meta=GBK_META),
        "上海标准",
        "utf-8",
        "text/html; charset=gbk",
        "utf-8",
        visitor_reads_it=False,
    ),
    Probe(
        "gbk-header-utf8-meta",
        page_markup("上海标准", after="型号", meta="<meta charset='utf-8'>"),
        "上海标准",
        "gb18030",
        "text/html; charset=gbk",
        "gb18030",
    ),
    Probe("utf8-header-gbk-meta", page_markup("上海标准", after="型号", meta=GBK_META), "上海标准"),
    Probe(
        "long-context",
        page_markup("上海标准", before="说明文字，" * 150, after="更多说明。" * 150),
        "上海标准",
    ),
    # A run of more than 32 invisible characters is stored as its marker (pagetext.invisible).
    Probe("wide-invisible-quote", page_markup(f"上海{ZWSP * 400}标准"), "上海⟦U+200B×400⟧标准"),
    Probe(
        "wide-shown-quote", page_markup("上海" + "&nbsp;" * 400 + "标准"), "上海" + "\u00a0" * 400 + "标准"
    ),
    Probe(
        "img-onerror-as-text",
        page_markup("上海标准", after='&lt;img src=x onerror="window.__pwned=1;alert(1)"&gt;'),
        "上海标准",
    ),
    Probe(
        "textarea-script-as-text",
        page_markup(
            "上海标准", after="&lt;/textarea&gt;&lt;script&gt;window.__pwned=2&lt;/script&gt;&lt;/title&gt;"
        ),
        "上海标准",
    ),
    Probe(
        "javascript-links",
        page_markup(
            '<a href="javascript:window.__pwned=3">上海标准</a>',
            after="<a href='javascript:alert(3)'>链接</a>",
        ),
        "上海标准",
    ),
)


def test_every_probe_page_is_quoted_as_shown_archived_as_fetched_and_shown_escaped(
    db_url: str, tmp_path: Path
) -> None:
    problems, _ = run_probes(PROBES, db_url, tmp_path)
    assert problems == [], "\n".join(problems)
