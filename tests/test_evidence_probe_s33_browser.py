"""Evidence end to end for probe s33's pages (test_evidence_probe_browser has s32's): a real sweep of a server on
127.0.0.1, the cases it opens, and the console in Debian's headless Chromium (evidence_probe_support).

The pages write bidi overrides around the code, right-to-left marks and isolates inside the words, Hebrew around
them, combining marks on them, emoji (ZWJ sequences) and astral characters before them, CR-only line endings (in
a paragraph and in a <pre>), a GB18030 page with 4-byte sequences around the words, the claim in a <textarea>
and in <noscript>, a 200,000-character line, the code as entities of full-width letters and digits and in
mathematical bold, white space a <pre> keeps, and 200,000 invisible characters inside the words.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from evidence_probe_support import Probe, page_markup, run_probes

pytestmark = pytest.mark.browser

ZWSP, SHY = "\u200b", "\u00ad"
GB18030 = "text/html; charset=gb18030"


def _block(inner: str) -> Callable[[int], str]:
    def markup(n: int) -> str:
        return (
            f"<html><head><meta charset='utf-8'><title>探针 {n}</title></head><body><h1>运动场地面层 {n}</h1>"
            + inner.format(code=f"T/PROBE {n:03d}-2022")
            + "</body></html>"
        )

    return markup


PROBES = (
    Probe(
        "bidi-override-around-code",
        page_markup("上海标准", code="\u202eT/PROBE {n:03d}-2022\u202c"),
        "上海标准",
    ),
    Probe("rlm-inside-words", page_markup("上海\u200f标准"), "上海\u200f标准"),
    Probe("rli-inside-words", page_markup("上海\u2067标准\u2069"), "上海\u2067标准"),
    Probe("hebrew-around", page_markup("上海标准", before="שלום עולם ", after=" 123 עברית"), "上海标准"),
    Probe("combining-marks", page_markup("上海标\u0308准", before="e\u0301" * 10), "上海标\u0308准"),
    Probe("emoji-zwj-before-words", page_markup("👨\u200d👩\u200d👧上海标准", before="🔥👍🏽"), "上海标准"),
    Probe(
        "cr-only-lines",
        lambda n: page_markup("上海\r标准", before="\r\r")(n).replace("><", ">\r<"),
        "上海 标准",
    ),
    Probe("cr-only-in-pre", _block("<pre>执行标准：{code}\r（上海\r标准）\r型号：A1</pre>"), "上海\n标准"),
    Probe(
        "gb18030-4-byte-around-words",
        page_markup("😀上海标准😀", before="𠮷", meta="<meta charset='gb18030'>"),
        "上海标准",
        "gb18030",
        GB18030,
        "gb18030",
    ),
    Probe(
        "textarea",
        _block("<form><textarea readonly>执行标准：{code}（上海标准）</textarea></form>"),
        "上海标准",
        in_live_text=False,
        marked_in_text=False,
    ),
    Probe(
        "noscript",
        _block("<noscript><p>执行标准：{code}（上海标准）</p></noscript>"),
        "上海标准",
        in_live_text=False,
        marked_in_text=False,
    ),
    Probe("very-long-line", page_markup("上海标准", before="说明" * 100_000), "上海标准"),
    Probe(
        "full-width-entities-code",
        page_markup(
            "上海标准",
            code="&#65332;&#65295;&#65328;&#65330;&#65327;&#65314;&#65317;&#12288;&#65296;{n:02d}&#65293;&#65298;&#65296;&#65298;&#65298;",
        ),
        "上海标准",
    ),
    Probe("math-bold-code", page_markup("上海标准", code="𝐓/𝐏𝐑𝐎𝐁𝐄 {n:03d}-𝟐𝟎𝟐𝟐"), "上海标准"),
    Probe(
        "pre-white-space",
        _block("<pre>执行标准：{code}\n    （上海\n  标准）\t型号：A1</pre>"),
        "上海\n  标准",
    ),
    Probe(
        "invisible-200k-inside-words",
        page_markup(f"上{ZWSP * 100_000}海{SHY * 100_000}标准"),
        "上⟦U+200B×100000⟧海⟦U+00AD×100000⟧标准",
    ),
)


def test_every_s33_probe_page_is_quoted_as_shown_archived_as_fetched_and_shown_escaped(
    db_url: str, tmp_path: Path
) -> None:
    problems, findings = run_probes(PROBES, db_url, tmp_path)
    assert problems == [], "\n".join(problems)
    # What is stored for the 200,000 invisible characters: the finding's evidence, bounded.
    (finding,) = findings["/p/invisible-200k-inside-words.html"]
    stored = len(json.dumps(finding["evidence"], ensure_ascii=False).encode())
    print(f"stored evidence for 200,000 invisible characters: {stored} bytes")
    assert stored < 4_000
