"""Hostile pages (issue 14): each defect's minimal input, and the warning a page gets when it is not read whole."""

from __future__ import annotations

import dataclasses
import gc
import sys
import time
import unicodedata
from html import escape as html_escape

import pytest

from checker.extract import extract_page
from checker.extract.gate import FindSearcher, HyperscanSearcher, Searcher, families, may_mention
from checker.extract.limits import ExtractLimits, Guard, default_limits, limits_from_env
from checker.extract.patterns import SPLIT_RULES, WORD_SPELLINGS
from markwatch.errors import InputError
from pagetext.charsets import CODECS, LABELS, resolve
from pagetext.decode import decode_page
from pagetext.ignorables import RANGES, UNICODE_VERSION, code_points, is_default_ignorable
from pagetext.normalize import normalize_text

CLAIM = "<p>执行标准：T/A 1-2020（上海标准）</p>"
SEARCHERS = [FindSearcher(), HyperscanSearcher()]


def page(body: str) -> str:
    return f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>"


def codes(raw: bytes, **kwargs: object) -> list[str | None]:
    return [c.standard_code for c in extract_page(raw, **kwargs).claims]  # type: ignore[arg-type]


def warning_codes(raw: bytes, **kwargs: object) -> list[str]:
    return [w.code for w in extract_page(raw, **kwargs).warnings]  # type: ignore[arg-type]


# --- Crashes: charset labels that are no text encodings ---

NOT_ENCODINGS = ["undefined", "base64", "uu", "rot13", "zlib", "hex", "bz2", "quopri", "idna", "punycode"]
NOT_ENCODINGS += [
    "utf-8\x00",
    "gbk\x00x",
    "x" * 300,
    "",
    "  ",
    "utf-7",
    "mbcs",
    "unicode_escape",
    "raw_unicode_escape",
]


@pytest.mark.parametrize("label", NOT_ENCODINGS)
def test_a_label_that_is_no_encoding_is_no_label(label: str) -> None:
    assert resolve(label) is None
    raw = page(CLAIM).encode()
    assert codes(raw, declared_charset=label) == ["T/A 1-2020"]
    meta = raw.replace(b"charset='utf-8'", b"charset='" + label.encode("utf-8", "replace")[:40] + b"'")
    assert codes(meta) == ["T/A 1-2020"]
    # The same label over bytes that are not UTF-8 must not reach a codec either.
    gbk = page(CLAIM).replace("utf-8", "gbk").encode("gb18030")
    assert codes(gbk, declared_charset=label) == ["T/A 1-2020"]


def test_every_whatwg_label_resolves_to_a_text_codec() -> None:
    import codecs

    assert len(LABELS) >= 220
    for label, name in LABELS.items():
        assert resolve(label.upper()) == resolve(f"\t{label} "), label
        if CODECS[name]:
            assert codecs.lookup(CODECS[name])._is_text_encoding, name
    assert resolve("gb2312").codec == resolve("GBK").codec == "gb18030"  # type: ignore[union-attr]


def test_replacement_encoding_is_not_read_and_says_so() -> None:
    raw = page(CLAIM).encode("gb18030")
    result = extract_page(raw, declared_charset="hz-gb-2312")
    assert result.claims == []
    assert [w.code for w in result.warnings] == ["undecodable-bytes"]
    assert "refuse" in result.warnings[0].message


# ISO-2022-JP, HZ-GB-2312 and ISO-2022-KR/CN are 7-bit: every byte is ASCII, so the bytes are "valid UTF-8"
# too. Read as UTF-8 an ISO-2022-JP page lost its claim, and a replacement-encoding page was read as ASCII
# debris, both without a word.
JIS_CLAIM = "<p>適用規格：T/A 1-2020（上海標準）</p>"


@pytest.mark.parametrize("where", ["header", "meta"])
def test_an_iso_2022_jp_page_is_read_in_its_encoding(where: str) -> None:
    raw = page(JIS_CLAIM).replace("utf-8", "iso-2022-jp" if where == "meta" else "x").encode("iso2022_jp")
    assert raw.isascii()
    result = extract_page(raw, declared_charset="iso-2022-jp" if where == "header" else None)
    assert result.encoding == "iso2022_jp"
    assert [(c.standard_code, c.verbatim) for c in result.claims] == [("T/A 1-2020", "上海標準")]
    assert result.warnings == []


def test_a_header_charset_still_wins_over_a_7_bit_meta() -> None:
    raw = page("<p>T/A 1-2020 ~{IO:#1jW<~}</p>").replace("utf-8", "hz-gb-2312").encode("ascii")
    assert decode_page(raw, "utf-8").encoding == "utf-8"


@pytest.mark.parametrize("label", ["hz-gb-2312", "iso-2022-kr", "iso-2022-cn"])
def test_a_7_bit_replacement_encoding_page_is_not_read_as_ascii(label: str) -> None:
    raw = page("<p>执行标准：T/A 1-2020（上海标准）</p>").encode("hz")  # 7-bit, as such pages are
    assert raw.isascii()
    result = extract_page(raw, declared_charset=label)
    assert result.claims == []
    assert [w.code for w in result.warnings] == ["undecodable-bytes"]
    assert "refuse" in result.warnings[0].message


def test_x_user_defined_maps_high_bytes_to_the_private_area() -> None:
    decoded = decode_page(b"a\x80\xff", "x-user-defined")
    assert decoded.text == "a\uf780\uf7ff"


@pytest.mark.parametrize("declared", [None, "utf-8", "gbk", "rot13"])
def test_decoding_errors_never_escape(declared: str | None) -> None:
    for raw in (b"\xff" * 50, b"\xe4\xb8" * 99, b"<meta charset=utf-16>\xff", bytes(range(256)) * 3):
        decoded = decode_page(raw, declared)
        assert isinstance(decoded.text, str)


# --- Claims lost: one stray byte ---


def test_one_stray_byte_in_a_utf8_page_keeps_utf8() -> None:
    text = page(CLAIM + "<p>这是一个产品介绍页面，说明产品的用途和质量。</p>" * 3)
    raw = text.encode()
    stray = raw[:200] + b"\xff" + raw[200:]
    result = extract_page(stray, declared_charset="utf-8")
    assert result.encoding == "utf-8"
    assert [c.standard_code for c in result.claims] == ["T/A 1-2020"]
    assert [w.code for w in result.warnings] == ["undecodable-bytes"]
    assert codes(stray) == ["T/A 1-2020"]  # no declaration at all: UTF-8 with a stray byte is still UTF-8


@pytest.mark.parametrize("searcher", SEARCHERS, ids=lambda s: s.name)
def test_a_stray_byte_early_does_not_make_the_gate_skip(searcher: Searcher) -> None:
    raw = b"\xff" + ("x" * 5000 + CLAIM).encode()
    assert families(raw) == ("utf-8", "gb18030", "big5", "ascii")
    assert may_mention(raw, using=searcher)
    gbk = b"\xe4\xb8\x8a" + ("x" * 5000 + CLAIM).encode("gb18030")  # a UTF-8 character before GB18030 text
    assert may_mention(gbk, using=searcher)
    assert codes(gbk) == ["T/A 1-2020"]


@pytest.mark.parametrize("label", ["big5", "shift_jis", "euc-kr", "utf-16le", "iso-2022-kr"])
def test_pages_in_encodings_the_gate_cannot_read_are_decoded(label: str) -> None:
    raw = page(CLAIM).replace("utf-8", label).encode(resolve(label).codec or "utf-8", "replace")  # type: ignore[union-attr]
    for searcher in SEARCHERS:
        assert may_mention(raw.replace("上海标准".encode(), b""), declared_charset=label, using=searcher)
        if not label.startswith("utf-16"):  # a UTF-16 meta is itself in UTF-16 (and means UTF-8 to HTML)
            assert may_mention(raw.replace("上海标准".encode(), b""), using=searcher)  # the meta says it


def test_a_big5_page_is_read() -> None:
    raw = page("<p>執行標準：T/A 1-2020（上海標準）</p>").replace("utf-8", "big5").encode("big5hkscs")
    assert codes(raw) == ["T/A 1-2020"]


# --- Claims lost: nesting deeper than the parser holds ---


@pytest.mark.parametrize("depth", [2049, 5000, 100_000])
def test_deep_nesting_before_the_claim_keeps_the_claim(depth: int) -> None:
    raw = page("<div>" * depth + "x" + "</div>" * depth + CLAIM).encode()
    result = extract_page(raw)
    assert [c.standard_code for c in result.claims] == ["T/A 1-2020"]
    assert [w.code for w in result.warnings] == ["depth-cut"]


def test_a_claim_inside_deep_nesting_is_read() -> None:
    raw = page("<div>" * 3000 + CLAIM + "</div>" * 3000).encode()
    assert codes(raw) == ["T/A 1-2020"]


# --- Claims lost: invisible characters, ruby, long markup ---

INVISIBLE = [
    "\u2060",
    "&NoBreak;",
    "\u200e",
    "\u200f",
    "&lrm;",
    "\u034f",
    "\u180e",
    "\u00ad",
    "&shy;",
    "&#173;",
]
INVISIBLE += [
    "\ufe0f",
    "\U000e0041",
    "\u200b\u200c\u200d",
    "\ufeff",
    "&ZeroWidthSpace;",
    "\u061c",
    "&#x2064;",
]


@pytest.mark.parametrize("mark", INVISIBLE, ids=repr)
@pytest.mark.parametrize("searcher", SEARCHERS, ids=lambda s: s.name)
def test_invisible_characters_inside_the_words(mark: str, searcher: Searcher) -> None:
    for words in (f"上{mark}海{mark}标{mark}准", f"Shang{mark}hai Stan{mark}dard"):
        raw = page(f"<p>执行标准：T/A 1-2020（{words}）</p>").encode()
        assert may_mention(raw, using=searcher), words
        assert codes(raw) == ["T/A 1-2020"], words


@pytest.mark.parametrize(
    "control", ["\x00", "\x01", "\x08", "\x1b", "\x1f", "\x7f", "\x85", "\x9f"], ids=repr
)
@pytest.mark.parametrize("searcher", SEARCHERS, ids=lambda s: s.name)
def test_control_characters_inside_the_words(control: str, searcher: Searcher) -> None:
    # A browser shows 上海标准 (NUL is dropped, the others draw nothing); the quote keeps what the page held.
    raw = page(f"<p>执行标准：T/A 1-2020（上{control}海{control}标{control}准）</p>").encode()
    assert may_mention(raw, using=searcher)
    (claim,) = extract_page(raw).claims
    assert claim.standard_code == "T/A 1-2020"
    assert claim.verbatim == ("上海标准" if control == "\x00" else f"上{control}海{control}标{control}准")
    assert "\ufffd" not in claim.snippet


def test_every_default_ignorable_is_stripped() -> None:
    for cp in code_points():
        assert normalize_text(f"上海{chr(cp)}标准") == "上海标准", hex(cp)


def test_the_ignorable_table_is_the_unicode_property() -> None:
    assert UNICODE_VERSION.count(".") == 2
    assert sum(last - first + 1 for first, last in RANGES) >= 4000
    named = {0x00AD, 0x034F, 0x061C, 0x180E, 0x200B, 0x200E, 0x2060, 0x3164, 0xFE0F, 0xFEFF, 0xE0001}
    assert all(is_default_ignorable(cp) for cp in named)
    # Unicode never removes the property from a code point; Cf format characters the data knows must be in.
    cf = [cp for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Cf" and is_default_ignorable(cp)]
    assert len(cf) >= 130
    assert not any(is_default_ignorable(cp) for cp in (0x20, 0x41, 0x6D77, 0x3000, 0x00A0))


@pytest.mark.parametrize("searcher", SEARCHERS, ids=lambda s: s.name)
def test_ruby_markup(searcher: Searcher) -> None:
    ruby = "<ruby>上<rp>(</rp><rt>shàng</rt><rp>)</rp>海<rt>hǎi</rt>标<rt>biāo</rt>准<rt>zhǔn</rt></ruby>"
    raw = page(f"<p>执行标准：T/A 1-2020（{ruby}）</p>").encode()
    assert may_mention(raw, using=searcher)
    assert codes(raw) == ["T/A 1-2020"]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("searcher", SEARCHERS, ids=lambda s: s.name)
def test_long_markup_between_the_characters(encoding: str, searcher: Searcher) -> None:
    style = "color:red;" * 200  # 2,000 bytes of markup: far beyond the 400-byte window
    words = f"上海<span style='{style}'><!-- {'a>b ' * 100} --></span>标<b title=\"x>y\">准</b>"
    raw = f"<html><body><p>执行标准：T/A 1-2020（{words}）</p></body></html>".encode(encoding)
    assert raw.count("上海".encode(encoding)) == 1  # the page has no other mention
    assert may_mention(raw, using=searcher)
    assert codes(raw) == ["T/A 1-2020"]


def test_gate_spells_every_character_the_normaliser_folds_to_the_words() -> None:
    # Compatibility ideographs (U+FA45 海), traditional forms: a page written with them must open the gate.
    wanted = {char: {c for c in chars} for chars in WORD_SPELLINGS for char in chars[:1]}
    for cp in range(0x3000, 0x30000):
        folded = normalize_text(chr(cp))
        if folded in wanted:
            wanted[folded].discard(chr(cp))
            assert (
                chr(cp) in dict(zip([c[0] for c in WORD_SPELLINGS], WORD_SPELLINGS, strict=True))[folded]
            ), hex(cp)
    assert SPLIT_RULES


# --- Hangs: bounded work ---


def test_an_element_with_80000_attributes() -> None:
    huge = "<p " + " ".join(f'a{i}=">"' for i in range(80_000)) + ">x</p>"
    result = extract_page(page(huge + CLAIM).encode())
    assert [c.standard_code for c in result.claims] == ["T/A 1-2020"]
    assert [w.code for w in result.warnings] == ["too-complex"]
    assert "80,000 attributes" in result.warnings[0].message


def test_a_stray_quote_in_an_unquoted_value_is_not_an_attribute_flood() -> None:
    # A real JD page writes class=“x">: the quote is part of the value, not the start of a quoted one.
    raw = page('<img alt=“fans” class=“icon">' + "<p a='1'>filler</p>" * 400 + CLAIM).encode()
    result = extract_page(raw)
    assert result.warnings == []
    assert [c.standard_code for c in result.claims] == ["T/A 1-2020"]


def test_100000_sibling_mentions_are_capped() -> None:
    # The cap, not the clock: a generous budget so a loaded machine cannot turn this into a cpu-budget stop.
    limits = dataclasses.replace(default_limits(), max_kept_blocks=500, cpu_budget_seconds=60.0)
    result = extract_page(page("<p>上海标准</p>" * 100_000).encode(), limits=limits)
    assert len(result.claims) == 500
    assert [w.message for w in result.warnings] == [
        "100,000 blocks mention the words: only the first 500 were read"
    ]


def test_100000_siblings_before_a_claim() -> None:
    assert codes(page("<p>x</p>" * 100_000 + CLAIM).encode()) == ["T/A 1-2020"]


def test_too_many_tags_reads_the_first_part_and_says_so() -> None:
    limits = dataclasses.replace(default_limits(), max_elements=1_000)
    result = extract_page(page(CLAIM + "<i></i>" * 2_000).encode(), limits=limits)
    assert [c.standard_code for c in result.claims] == ["T/A 1-2020"]
    assert [w.code for w in result.warnings] == ["too-complex"]
    late = extract_page(page("<i></i>" * 2_000 + CLAIM).encode(), limits=limits)
    assert late.claims == [] and [w.code for w in late.warnings] == ["too-complex"]


def test_text_beyond_the_size_limit_is_not_read_and_says_so() -> None:
    limits = dataclasses.replace(default_limits(), max_text_chars=10_000)
    result = extract_page(page("<p>" + "x" * 20_000 + "</p>" + CLAIM).encode(), limits=limits)
    assert result.claims == []
    assert [w.code for w in result.warnings] == ["too-complex"]


def test_cpu_budget_stops_the_page_and_says_where() -> None:
    limits = dataclasses.replace(default_limits(), cpu_budget_seconds=1e-9)
    result = extract_page(page(CLAIM * 50).encode(), limits=limits)
    assert [w.code for w in result.warnings] == ["cpu-budget"]
    assert "stopped during" in result.warnings[0].message


def test_no_claim_and_unread_never_look_the_same() -> None:
    clean = extract_page(page("<p>上海品牌</p>").encode())
    assert clean.claims == [] and clean.warnings == []


def test_limits_are_settings_with_named_errors() -> None:
    limits = limits_from_env(
        {"MARKWATCH_EXTRACT_MAX_ATTRIBUTES": "64", "MARKWATCH_EXTRACT_CPU_BUDGET_SECONDS": "0.5"}
    )
    assert (limits.max_attributes, limits.cpu_budget_seconds) == (64, 0.5)
    assert limits_from_env({}) == ExtractLimits()
    with pytest.raises(InputError, match="MARKWATCH_EXTRACT_MAX_DEPTH: must be a whole number"):
        limits_from_env({"MARKWATCH_EXTRACT_MAX_DEPTH": "deep"})
    with pytest.raises(InputError, match="MARKWATCH_EXTRACT_MAX_DEPTH: must be below 2048"):
        limits_from_env({"MARKWATCH_EXTRACT_MAX_DEPTH": "5000"})
    with pytest.raises(InputError, match="MARKWATCH_EXTRACT_MAX_ELEMENTS: must be above zero"):
        limits_from_env({"MARKWATCH_EXTRACT_MAX_ELEMENTS": "0"})


def test_recursion_limit_is_untouched() -> None:
    assert sys.getrecursionlimit() <= 10_000  # deep pages are handled without raising it


# --- found by the fuzz benchmark (bench/fuzz.py) ---


def test_a_control_character_in_a_dropped_elements_tail() -> None:
    # libxml2 keeps \x0b in the tree; lxml refused it when the pre-pass moved the script's tail (a crash).
    raw = "<p>执行标准：T/A 1-2020（上海标准）<script>x</script>\x0b尾</p>".encode()
    assert codes(raw) == ["T/A 1-2020"]


def test_a_utf8_page_with_a_gbk_piece_pasted_in_reads_both() -> None:
    utf8 = page(CLAIM + "<p>这是一个产品介绍页面，说明产品的用途。</p>").encode()
    gbk = "<p>执行标准：T/B 2-2021（上海标准）</p>".encode("gb18030")
    result = extract_page(utf8.replace(b"</body>", gbk + b"</body>"), declared_charset="gbk")
    assert [c.standard_code for c in result.claims] == ["T/A 1-2020", "T/B 2-2021"]
    assert [w.code for w in result.warnings] == ["mixed-encoding"]


def test_a_latin1_header_over_damaged_gbk_is_still_gbk() -> None:
    raw = "<html><body><p>这是产品说明。执行标准：T/A 1-2020（上海标准）</p></body></html>".encode("gb18030")
    damaged = raw[:13] + b"\xff\xfe\x80" + raw[13:]
    result = extract_page(damaged, declared_charset="ISO-8859-1")
    assert result.encoding == "gb18030"
    assert [c.standard_code for c in result.claims] == ["T/A 1-2020"]
    assert [w.code for w in result.warnings] == ["undecodable-bytes"]


def test_a_mention_after_the_closing_body_tag() -> None:
    # Text after </body> belongs to <html> itself: the whole page is then the mention block (it was emptied).
    raw = (
        "<html><body><p>Complies with T/A 1-2020 (SHANGHAI STANDARD).</p></body>（上海標準）</html>".encode()
    )
    assert sorted(map(str, codes(raw))) == [
        "None",
        "T/A 1-2020",
    ]


def test_garbage_collection_is_not_charged_to_the_page() -> None:
    # A full collection scans the whole process (seconds late in a long run); it cut a 0.25 s page at its
    # 2 s budget in CI. The guard's clock leaves collections out, and keeps counting the page's own work.
    heap = [[n] for n in range(1_000_000)]
    guard = Guard.start()
    before = time.thread_time()
    gc.collect()
    collected = time.thread_time() - before
    assert collected > 0.02 and guard.used() < collected / 4
    spin = time.thread_time()
    while time.thread_time() - spin < 0.05:
        pass
    assert guard.used() >= 0.05
    del heap


def test_the_budget_check_reads_the_cpu_clock_only_once_the_wall_clock_passed_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # CPU time never runs ahead of wall time: within the budget by the wall clock, the page is within it by
    # the CPU clock, and the system call (a point where a loaded server thread is descheduled) is skipped.
    reads: list[float] = []

    def counted() -> float:
        reads.append(0.0)
        return 0.0

    guard = Guard.start(dataclasses.replace(default_limits(), cpu_budget_seconds=60.0))
    monkeypatch.setattr(time, "thread_time", counted)
    for _ in range(10):
        guard.check("a stage")
    assert reads == []
    guard.wall_started -= 61.0  # as if a minute of wall time had passed
    guard.check("a stage")  # the CPU clock (0 s used) decides: not over budget
    assert len(reads) == 1


@pytest.mark.parametrize(
    "body",
    [
        # Words split by inline tags with no paragraph, item or row around them: one text as the reader sees it.
        "<div>执行标准：T/DEMO 001-2022（<span>上海</span><span>标准</span>）</div>",
        "<section>执行标准：T/DEMO 001-2022（<font>上海</font><font>标准</font>）</section>",
        "执行标准：T/DEMO 001-2022（<b>上海</b><i>标准</i>）",
        "<div>Complies with T/DEMO 001-2022 (<span>Shanghai</span> <span>Standard</span>)</div>",
        # After the end of the document (browsers show it in the body), and a second document pasted after it.
        "</body></html><p>执行标准：T/DEMO 001-2022（上海标准）</p>",
        "</body></html><html><body><p>执行标准：T/DEMO 001-2022（上海标准）</p></body></html>",
    ],
)
def test_claims_the_reader_sees_are_read_wherever_the_markup_puts_them(body: str) -> None:
    page = f"<html><head><meta charset='utf-8'></head><body><h1>电热水壶</h1><p>价格：￥199</p>{body}</body></html>"
    (claim,) = extract_page(page.encode()).claims
    assert claim.standard_code == "T/DEMO 001-2022" and claim.use == "product"


def test_words_in_two_separate_blocks_are_not_joined() -> None:
    page = "<html><body><div><span>上海</span></div><div><span>标准</span></div></body></html>"
    assert extract_page(page.encode()).claims == []


@pytest.mark.parametrize(
    ("body", "claims"),
    [
        # <noscript> is read either way (as hidden text: a buyer's browser runs scripts and never shows it).
        ("<div><noscript>执行标准：T/DEMO 001-2022（上海标准）</noscript></div>", 1),
        ("<noscript><p>执行标准：T/DEMO 001-2022（上海标准）</p></noscript>", 1),
        # <template> is inert markup nobody sees: never a claim, wrapped or not.
        ("<template>执行标准：T/DEMO 001-2022（上海标准）</template>", 0),
        ("<template><p>执行标准：T/DEMO 001-2022（上海标准）</p></template>", 0),
    ],
)
def test_noscript_is_read_and_template_is_not_whatever_wraps_the_words(body: str, claims: int) -> None:
    page = f"<html><body><h1>电热水壶</h1>{body}</body></html>"
    assert len(extract_page(page.encode()).claims) == claims


@pytest.mark.parametrize("ident", ["a", "x > y", "1st", "a#b"])
def test_a_location_never_stops_at_an_id_that_does_not_name_one_element(ident: str) -> None:
    # Two elements with one id: "div#a > p" named the first one, and the console marked the wrong text.
    page = (
        f"<html><body><div id='{ident}'><p>别的内容</p></div>"
        f"<div id='{ident}'><p>执行标准：T/DEMO 001-2022（上海标准）</p></div></body></html>"
    )
    (claim,) = extract_page(page.encode()).claims
    assert claim.location == "html > body > div:nth-of-type(2) > p:nth-of-type(1)"
    unique = "<html><body><div id='params'><p>执行标准：T/DEMO 001-2022（上海标准）</p></div></body></html>"
    assert extract_page(unique.encode()).claims[0].location == "div#params > p:nth-of-type(1)"


@pytest.mark.parametrize(
    ("body", "snippet"),
    [
        # Raw-text elements show their markup and entities as written: the quote does too, escaped once only.
        (
            "<xmp><b>执行标准：T/DEMO 001-2022（上海标准）</b></xmp>",
            "<b>执行标准：T/DEMO 001-2022（上海标准）</b>",
        ),
        (
            "<xmp>a &amp; b 执行标准：T/DEMO 001-2022（上海标准）</xmp>",
            "a &amp; b 执行标准：T/DEMO 001-2022（上海标准）",
        ),
    ],
)
def test_legacy_raw_text_elements_are_quoted_as_shown(body: str, snippet: str) -> None:
    (claim,) = extract_page(f"<html><body>{body}</body></html>".encode()).claims
    assert claim.snippet == snippet and claim.location == "html > body > xmp:nth-of-type(1)"


# --- Charsets nobody declared: Big5, GB18030/GBK, UTF-16 with and without a byte-order mark ---

# No header, no meta: the page's bytes alone say what it is.
_BARE = "<html><head><title>商品</title></head><body><h1>{h1}</h1><p>{price}</p><p>{claim}</p></body></html>"
_BIG5_PAGE = _BARE.format(h1="電熱水壺", price="價格：NT$199", claim="執行標準：T/DEMO 001-2022（上海標準）")
_GB_PAGE = _BARE.format(h1="电热水壶", price="价格：￥199", claim="执行标准：T/DEMO 001-2022（上海标准）")


@pytest.mark.parametrize("codec", ["big5", "big5hkscs"])
@pytest.mark.parametrize("searcher", SEARCHERS, ids=lambda s: s.name)
def test_a_big5_page_without_any_charset_is_read(codec: str, searcher: Searcher) -> None:
    # 上海標準 in Big5 is A457 AEFC BCD0 B7C7: the gate skipped the page and its claim was lost unsaid.
    raw = _BIG5_PAGE.encode(codec)
    assert may_mention(raw, using=searcher)
    split = _BIG5_PAGE.replace("上海標準", "上海<b style='color:red'>標</b><!-- x -->準").encode(codec)
    assert may_mention(split, using=searcher)
    result = extract_page(raw)
    assert result.encoding == "big5hkscs" and [c.standard_code for c in result.claims] == ["T/DEMO 001-2022"]
    assert result.claims[0].verbatim == "上海標準"
    assert codes(split) == ["T/DEMO 001-2022"]
    # Rendered-DOM saves put 100 KB of script before the first Chinese character.
    script = "<script>var config = {a: 1};</script>" * 3000
    assert codes(_BIG5_PAGE.replace("<title>", script + "<title>").encode(codec)) == ["T/DEMO 001-2022"]


def test_gbk_pages_without_a_charset_stay_gb18030_also_in_traditional_characters() -> None:
    # Every Big5 pair is a GB18030 pair too: the choice must not turn GBK pages into Big5.
    for text in (_GB_PAGE, _GB_PAGE.replace("执行标准", "執行標準").replace("上海标准", "上海標準")):
        for codec in ("gbk", "gb18030"):
            result = extract_page(text.encode(codec))
            assert result.encoding == "gb18030", (codec, text)
            assert [c.standard_code for c in result.claims] == ["T/DEMO 001-2022"]
            assert result.warnings == []


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_pages_with_and_without_a_byte_order_mark(codec: str) -> None:
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    body = _GB_PAGE.encode(codec)
    with_bom = extract_page(bom + body)
    assert [c.standard_code for c in with_bom.claims] == ["T/DEMO 001-2022"] and with_bom.warnings == []
    # Without a mark or a label browsers do not take it for UTF-16: read, and said to be a guess.
    bare = extract_page(body)
    assert bare.encoding == codec and [c.standard_code for c in bare.claims] == ["T/DEMO 001-2022"]
    assert [w.code for w in bare.warnings] == ["charset-guessed"]
    # A header that names it is no guess.
    declared = extract_page(body, declared_charset=codec.replace("-16-", "-16"))
    assert [c.standard_code for c in declared.claims] == ["T/DEMO 001-2022"] and declared.warnings == []


# --- A line break inside the words ---


@pytest.mark.parametrize(
    "body",
    [
        "<p>执行标准：T/DEMO 001-2022（上海<br>标准）</p>",
        "<p>执行标准：T/DEMO 001-2022（上<br/>海标准）</p>",
        "<p>执行标准：T/DEMO 001-2022（上海 <br>\n 标准）</p>",
        "<p>Complies with T/DEMO 001-2022 (Shanghai<br>Standard)</p>",
    ],
)
def test_words_broken_over_two_lines_are_read_as_shown(body: str) -> None:
    # A title broken over two lines reads as one phrase: the claim was lost.
    (claim,) = extract_page(page(f"<h1>电热水壶</h1><p>价格：￥199</p>{body}").encode()).claims
    assert claim.standard_code == "T/DEMO 001-2022" and claim.use == "product"
    # The quote is the page's text as shown, the break as white space (as every quote shows a <br>).
    assert claim.verbatim.replace(" ", "") in ("上海标准", "ShanghaiStandard")


@pytest.mark.parametrize(
    "body",
    [
        # Precision traps stay traps across the break (§7).
        "<p>上海<br>标准件厂</p>",
        "<p>上海<br>标准化研究院</p>",
        # Two rows, one per line: a place, then a standard.
        "<p>产地：上海<br>标准：GB/T 1234-2020</p>",
        "<p>产地：上海<br>标准号：GB/T 1234-2020</p>",
        "<p>生产地址：浦东新区<br>产地：上海<br>标准代号：Q/XYZ 1-2020</p>",
        "<p>Origin: Shanghai<br>Standard: GB/T 1234-2020</p>",
    ],
)
def test_a_break_that_parts_two_rows_or_a_trap_is_no_claim(body: str) -> None:
    result = extract_page(page(f"<h1>电热水壶</h1><p>价格：￥199</p>{body}").encode())
    assert result.claims == [] and result.occurrences == []


# --- Words only in a client-rendered page's script state ---

_STATE = '<div id=\'app\'></div><script>window.__INITIAL_STATE__ = {{"item": {{"std": "{std}"}}}};</script>'


@pytest.mark.parametrize(
    "std",
    [
        "执行标准：T/DEMO 001-2022（上海标准）",
        "\\u6267\\u884c\\u6807\\u51c6\\uff1aT/DEMO 001-2022\\uff08\\u4e0a\\u6d77\\u6807\\u51c6\\uff09",
        "\\u4E0A\\u6D77\\u6807\\u51C6",
        "\\u{4e0a}\\u{6d77}\\u{6807}\\u{51c6}",
        "%E4%B8%8A%E6%B5%B7%E6%A0%87%E5%87%86",
        "&#19978;&#28023;&#26631;&#20934;",
    ],
)
@pytest.mark.parametrize("searcher", SEARCHERS, ids=lambda s: s.name)
def test_words_only_in_script_state_are_a_warning(std: str, searcher: Searcher) -> None:
    # The page a marketplace draws from its state showed nothing to the extractor: "no claim", silently.
    raw = page("<h1>商品</h1>" + _STATE.format(std=std)).encode()
    assert may_mention(raw, using=searcher)
    result = extract_page(raw)
    assert result.claims == [] and [w.code for w in result.warnings] == ["script-state"]


def test_script_state_warns_only_when_the_shown_text_has_no_mention() -> None:
    shown = page(
        "<h1>电热水壶</h1><p>执行标准：T/DEMO 001-2022（上海标准）</p>" + _STATE.format(std="上海标准")
    )
    result = extract_page(shown.encode())
    assert len(result.claims) == 1 and result.warnings == []
    trap = page("<h1>紧固件</h1>" + _STATE.format(std="上海标准件厂"))  # a trap is no mention there either
    assert extract_page(trap.encode()).warnings == []
    jsonld = page('<script type="application/ld+json">{"name": "上海标准"}</script><p>x</p>')
    assert [w.code for w in extract_page(jsonld.encode()).warnings] == [
        "head-only"
    ]  # JSON-LD stays head-only


# --- <iframe srcdoc>: a document in an attribute, shown as a frame ---


def _srcdoc(inner: str) -> str:
    return '<iframe srcdoc="' + html_escape(inner, quote=True) + '">fallback 上海标准</iframe>'


def test_a_claim_in_an_iframe_srcdoc_is_read_with_a_location_inside_the_frame() -> None:
    inner = "<html><body><h2>参数</h2><p>执行标准：T/DEMO 001-2022（上海标准）</p></body></html>"
    result = extract_page(page(f"<h1>电热水壶</h1><p>价格：￥199</p><div>{_srcdoc(inner)}</div>").encode())
    (claim,) = result.claims  # the fallback text between the tags is never shown: no second claim
    assert claim.standard_code == "T/DEMO 001-2022" and claim.verbatim == "上海标准"
    assert claim.location == "html > body > div:nth-of-type(1) > iframe:nth-of-type(1) > p:nth-of-type(1)"
    assert result.warnings == []


def test_nested_srcdoc_frames_are_read_to_a_bound_and_deeper_ones_said() -> None:
    claim = "<p>执行标准：T/DEMO 001-2022（上海标准）</p>"
    nested = claim
    for _ in range(3):
        nested = _srcdoc(nested)
    result = extract_page(page(f"<h1>电热水壶</h1><p>价格：￥199</p>{nested}").encode())
    assert [c.standard_code for c in result.claims] == ["T/DEMO 001-2022"] and result.warnings == []
    assert result.claims[0].location.count("iframe") == 3
    too_deep = extract_page(page(f"<h1>电热水壶</h1><p>价格：￥199</p>{_srcdoc(nested)}").encode())
    assert too_deep.claims == [] and [w.code for w in too_deep.warnings] == ["depth-cut"]


def test_an_iframe_without_srcdoc_and_a_trap_in_a_srcdoc_are_no_claims() -> None:
    assert extract_page(page("<h1>螺丝</h1><iframe src='/x'>上海标准</iframe>").encode()).claims == []
    assert extract_page(page("<h1>螺丝</h1>" + _srcdoc("<p>上海标准件厂</p>")).encode()).claims == []


# --- Right-to-left overrides: words shown from characters written backwards ---


@pytest.mark.parametrize(
    "words",
    [
        "\u202e准标海上\u202c",
        "上海\u202e准标\u202c",
        "&#x202E;准标海上&#x202C;",
        '<bdo dir="rtl">准标海上</bdo>',
        "<bdo dir=rtl><span>准标</span>海上</bdo>",
    ],
)
@pytest.mark.parametrize("searcher", SEARCHERS, ids=lambda s: s.name)
def test_words_shown_by_a_right_to_left_override_are_a_warning(words: str, searcher: Searcher) -> None:
    # \u202e准标海上\u202c shows 上海标准: the page's text holds it backwards, and it was read as nothing.
    raw = page(f"<h1>电热水壶</h1><p>执行标准：T/DEMO 001-2022（{words}）</p>").encode()
    assert may_mention(raw, using=searcher)
    result = extract_page(raw)
    assert result.claims == [] and [w.code for w in result.warnings] == ["bidi-override"]


def test_an_override_that_shows_no_words_is_no_warning() -> None:
    for body in (
        "<p>\u202eabc\u202c 上海市</p>",
        "<p>\u202e上海标准\u202c</p>",
        "<bdo dir='ltr'>准标海上</bdo>",
    ):
        assert "bidi-override" not in warning_codes(page(body).encode())


@pytest.mark.parametrize(
    "page",
    [
        # A section heading the pre-pass records on the claim's block (公司简介 on a job board).
        "<html><body><h2>公司\x01简介</h2><div><p>我司主导制定的T/DEMO 001-2022获评“上海标准”。</p></div></body></html>",
        # A stylesheet declaration the pre-pass carries on the element it hides.
        '<html><head><style>.k{display:none;font-family:"a\x01b"}</style></head><body>'
        "<div class=k>执行标准：T/DEMO 001-2022（上海标准）</div></body></html>",
    ],
)
def test_control_characters_the_pre_pass_copies_into_attributes_never_crash_the_page(page: str) -> None:
    """lxml refuses XML-incompatible characters in attribute values: a page holding \\x01 in a heading
    crashed the extraction (the fuzz bench's two crashes)."""
    claims = extract_page(page.encode(), url="https://x.example/p").claims
    assert [claim.standard_code for claim in claims] == ["T/DEMO 001-2022"]
