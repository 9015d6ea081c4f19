"""The standard-code parser: known spellings, traps, and properties over generated variants."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from checker.code_prefixes import parse_prefixes, prefixes
from checker.codes import CodeKind, code_key, find_codes, parse_code, unread_codes
from markwatch.errors import CodeParseError, MarkwatchError
from pagetext.normalize import normalize_text

KNOWN = [
    # (as written, kind, display, key)
    ("T/SHHJ 000003-2018", CodeKind.GROUP, "T/SHHJ 000003-2018", "T/SHHJ 3-2018"),
    ("TSHHJ 003-2016", CodeKind.GROUP, "T/SHHJ 003-2016", "T/SHHJ 3-2016"),
    ("T/SHHJ000003-2018", CodeKind.GROUP, "T/SHHJ 000003-2018", "T/SHHJ 3-2018"),
    ("DB31/T 1108-2018", CodeKind.LOCAL, "DB31/T 1108-2018", "DB31 1108-2018"),
    ("DB31/T1108—2018", CodeKind.LOCAL, "DB31/T 1108-2018", "DB31 1108-2018"),
    ("ＤＢ３１／Ｔ\u3000１１０８－２０１８", CodeKind.LOCAL, "DB31/T 1108-2018", "DB31 1108-2018"),
    ("db31/t 1108——2018", CodeKind.LOCAL, "DB31/T 1108-2018", "DB31 1108-2018"),
    # 〇, the ideographic zero, typed for 0 with an input method (a code left untied was "not disclosed").
    ("T/DEMO 〇〇1-2〇22", CodeKind.GROUP, "T/DEMO 001-2022", "T/DEMO 1-2022"),
    ("DB44/T 123-2019", CodeKind.LOCAL, "DB44/T 123-2019", "DB44 123-2019"),
    ("GB-T 701-2008", CodeKind.NATIONAL, "GB/T 701-2008", "GB 701-2008"),
    ("GB/T701-2008", CodeKind.NATIONAL, "GB/T 701-2008", "GB 701-2008"),
    ("GB1499.2-2007", CodeKind.NATIONAL, "GB 1499.2-2007", "GB 1499.2-2007"),
    ("GB/T 15224.2-2010", CodeKind.NATIONAL, "GB/T 15224.2-2010", "GB 15224.2-2010"),
    ("GB/Z 1234-2020", CodeKind.NATIONAL, "GB/Z 1234-2020", "GB 1234-2020"),
    ("GB/T 22165", CodeKind.NATIONAL, "GB/T 22165", "GB 22165"),
    ("GB 2760-86", CodeKind.NATIONAL, "GB 2760-1986", "GB 2760-1986"),
    ("JR/T 0197-2020", CodeKind.INDUSTRY, "JR/T 0197-2020", "JR 197-2020"),
    ("YY/T 0287-2017", CodeKind.INDUSTRY, "YY/T 0287-2017", "YY 287-2017"),
    ("QB/T 1333-2018", CodeKind.INDUSTRY, "QB/T 1333-2018", "QB 1333-2018"),
    ("Q/320581ASD 0001S-2019", CodeKind.ENTERPRISE, "Q/320581ASD 0001S-2019", "Q/320581ASD 1S-2019"),
    ("Q/DEMO 0002-2023", CodeKind.ENTERPRISE, "Q/DEMO 0002-2023", "Q/DEMO 2-2023"),
    ("PDLH/DEMO 001-2023", CodeKind.UNKNOWN, "PDLH/DEMO 001-2023", "PDLH/DEMO 1-2023"),
    # issue 13 §5: prefixes from the published list, Shanghai construction codes, years and parts as written
    ("NB/SH/T 0306-2013", CodeKind.INDUSTRY, "NB/SH/T 0306-2013", "NB/SH 306-2013"),
    ("JGJ/T 67-2019", CodeKind.INDUSTRY, "JGJ/T 67-2019", "JGJ 67-2019"),
    ("CJJ 1-2008", CodeKind.INDUSTRY, "CJJ 1-2008", "CJJ 1-2008"),
    ("JTG/T F50-2011", CodeKind.INDUSTRY, "JTG/T F50-2011", "JTG F50-2011"),
    ("GBZ 2.1-2019", CodeKind.NATIONAL, "GBZ 2.1-2019", "GBZ 2.1-2019"),
    ("DG/TJ 08-2012-2019", CodeKind.LOCAL, "DG/TJ 08-2012-2019", "DGJ08 2012-2019"),
    ("DGJ08-9-2013", CodeKind.LOCAL, "DGJ 08-9-2013", "DGJ08 9-2013"),
    ("DBJ/T 15-101-2014", CodeKind.LOCAL, "DBJ/T 15-101-2014", "DBJ15 101-2014"),
    ("CECS 102:2002", CodeKind.GROUP, "CECS 102-2002", "CECS 102-2002"),
    ("gb t 1234_2020", CodeKind.NATIONAL, "GB/T 1234-2020", "GB 1234-2020"),
    ("GB 9684 1988", CodeKind.NATIONAL, "GB 9684-1988", "GB 9684-1988"),
    ("GB12404一90", CodeKind.NATIONAL, "GB 12404-1990", "GB 12404-1990"),
    ("GB/T 16886-1", CodeKind.NATIONAL, "GB/T 16886.1", "GB 16886.1"),
    ("DB3301/T 0100-2016", CodeKind.LOCAL, "DB3301/T 0100-2016", "DB3301 100-2016"),
]


@pytest.mark.parametrize(("written", "kind", "display", "key"), KNOWN)
def test_known_spellings_parse(written: str, kind: CodeKind, display: str, key: str) -> None:
    code = parse_code(written)
    assert (code.kind, code.display, code.key) == (kind, display, key)


def test_eligibility_follows_domain_section_2() -> None:
    assert parse_code("DB31/T 1108-2018").shanghai_eligible
    assert parse_code("T/SHHJ 000003-2018").shanghai_eligible
    assert parse_code("Q/DEMO 0002-2023").shanghai_eligible
    assert not parse_code("DB44/T 123-2019").shanghai_eligible
    assert not parse_code("GB/T 701-2008").shanghai_eligible
    assert not parse_code("JR/T 0197-2020").shanghai_eligible


@pytest.mark.parametrize(
    "text",
    [
        "内存 8 GB 2020款",
        "PC 2020",
        "型号 AB 12",
        "上海标准件厂",
        "iPhone 11 128GB",
        "GB",
        "T/",
        "2018-12-24",
    ],
)
def test_non_codes_are_not_found(text: str) -> None:
    assert find_codes(text) == []


@pytest.mark.parametrize("text", ["", "   ", "上海标准", "GB/T 1234-2020 and T/ABC 001-2022", "hello"])
def test_parse_code_refuses_anything_but_one_code(text: str) -> None:
    with pytest.raises(CodeParseError):
        parse_code(text)


def test_display_parses_back_to_the_same_code() -> None:
    # Claims carry `display`; the rules parse it again (checker/rules/facts.py).
    for written, *_ in KNOWN:
        code = parse_code(written)
        assert parse_code(code.display).key == code.key
        assert parse_code(code.full_display).key == code.key


def test_yearless_codes_are_read_only_where_a_standard_is_meant() -> None:
    assert find_codes("GB 5296") == []
    assert find_codes("JGJ 46 型") == []
    assert [m.code.key for m in find_codes("GB 5296", standard_context=True)] == ["GB 5296"]
    # A label or verb in the text itself is a standard context, and so is a list of codes it starts.
    assert [m.code.key for m in find_codes("执行标准：GB 5296、JGJ 46 和 GB4806.7")] == [
        "GB 5296",
        "JGJ 46",
        "GB 4806.7",
    ]
    assert [m.code.key for m in find_codes("产品符合GB 31621的规定")] == ["GB 31621"]
    # Slash forms of national, industry, group and enterprise codes read anywhere; a yearless DB31/… does not.
    assert [m.code.key for m in find_codes("GB/T 22165 适用")] == ["GB 22165"]
    assert find_codes("文件 DB31/T 1108 归档") == []
    assert [m.code.key for m in find_codes("DB31/T 1108", standard_context=True)] == ["DB31 1108"]
    # Even in a standard row, a yearless code that runs on into numbers or sizes is not read.
    assert find_codes("GB／T3 32 GB", standard_context=True) == []
    assert find_codes("8 GB 2020", standard_context=True) == []


def test_amendments_and_editions_stay_beside_the_key() -> None:
    amended = parse_code("GB 2762-2017/XG1-2021")
    assert (amended.key, amended.amendment, amended.edition_note) == ("GB 2762-2017", "XG1-2021", None)
    edition = parse_code("GB 50016-2014（2018年版）")
    assert (edition.key, edition.edition_note, edition.display) == (
        "GB 50016-2014",
        "2018年版",
        "GB 50016-2014",
    )
    assert edition.full_display == "GB 50016-2014 (2018年版)"
    plain = parse_code("GB 50016-2014")
    assert (plain.amendment, plain.edition_note) == (None, None)
    # An adoption note is not part of the code and does not stop it being read.
    [adopted] = find_codes("GB/T 19001-2016/ISO 9001:2015")
    assert (adopted.code.key, adopted.code.raw) == ("GB 19001-2016", "GB/T 19001-2016")


def test_shanghai_construction_codes_are_shanghai_local_standards() -> None:
    recommended, mandatory = parse_code("DG/TJ 08-9-2023"), parse_code("DGJ08-9-2013")
    assert recommended.kind is mandatory.kind is CodeKind.LOCAL
    assert recommended.province == mandatory.province == "31"
    assert recommended.shanghai_eligible and mandatory.shanghai_eligible
    assert recommended.number_key == mandatory.number_key == "DGJ08 9"
    # Other provinces' engineering-construction codes are local standards, but not Shanghai's.
    assert not parse_code("DGJ32/TJ 103-2010").shanghai_eligible
    assert not parse_code("DBJ/T 15-101-2014").shanghai_eligible


def test_industry_prefixes_are_the_published_list() -> None:
    industry = {code for code, prefix in prefixes().items() if prefix.kind == "industry"}
    assert len(industry) >= 70
    assert {"JGJ", "CJJ", "JTG", "NB/SH", "SH", "YY", "XF", "YJ", "KA"} <= industry
    assert parse_code("XF 124-2013").kind is CodeKind.INDUSTRY  # added to the list after 2018


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("- 1", "mapping"),
        ("sources: {a: x}\nprefixes: [{code: gb, kind: national, seen_in: [a]}]", "bad code"),
        ("sources: {a: x}\nprefixes: [{code: GB, kind: federal, seen_in: [a]}]", "bad code"),
        ("sources: {a: x}\nprefixes: [{code: GB, kind: national, seen_in: [b]}]", "unknown: ['b']"),
        ("sources: {a: x}\nprefixes: [{code: GB, kind: national}]", "expected code, kind and seen_in"),
        ("sources: {a: x}\nprefixes: [{code: GB, kind: national, seen_in: [a], typo: 1}]", "expected"),
        (
            "sources: {a: x}\nprefixes: [{code: GB, kind: national, seen_in: [a]},"
            " {code: GB, kind: national, seen_in: [a]}]",
            "listed twice",
        ),
    ],
)
def test_prefix_table_is_checked_entry_by_entry(text: str, complaint: str) -> None:
    with pytest.raises(MarkwatchError, match=re.escape(complaint)):
        parse_prefixes(text)


def test_find_codes_reports_spans_in_the_original_text() -> None:
    text = "执行标准：GB/T 1234-2020、Ｔ／ＡＢＣ　００１—２０２２（上海标准）"
    matches = find_codes(text)
    assert [m.code.display for m in matches] == ["GB/T 1234-2020", "T/ABC 001-2022"]
    assert text[matches[1].start : matches[1].end] == "Ｔ／ＡＢＣ　００１—２０２２"


def test_edition_keys_differ_and_number_keys_agree() -> None:
    old, new = parse_code("T/DEMO 001-2019"), parse_code("T/DEMO 001-2022")
    assert old.key != new.key
    assert old.number_key == new.number_key == "T/DEMO 1"


def test_code_key_falls_back_for_unreadable_codes() -> None:
    assert code_key("企标 甲-1") == code_key("企标 甲－1")


# --- properties -----------------------------------------------------------------------------------

DASH_VARIANTS = ["-", "‐", "‑", "‒", "–", "—", "―", "−", "－", "——", " - ", "一"]
# What pages put between a number and its year besides a dash (CECS 102:2002, file names, GB 9684 1988).
YEAR_SEPARATORS = [*DASH_VARIANTS, ":", "：", "_", " "]
# Kept with the code, never part of its identity.
SUFFIXES = ["", "/XG1-2020", "（2018年版）", "(2019年版)", " /XG2-2021"]
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})

orgs = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=2, max_size=6).filter(
    lambda s: not s.startswith(("T", "Q"))
)
numbers = st.integers(min_value=1, max_value=99999)
years = st.integers(min_value=1995, max_value=2030)


@st.composite
def coded(draw: st.DrawFn) -> tuple[str, str, int, int]:
    """(kind, issuer or org, number, year) of a code that can be designated or not."""
    kind = draw(st.sampled_from(["group", "enterprise", "local", "national", "industry", "construction"]))
    if kind == "local":
        issuer = draw(st.sampled_from(["31", "44", "11", "32"]))
    elif kind == "industry":
        issuer = draw(st.sampled_from(["JR", "YY", "QB", "FZ", "SJ", "HG", "JGJ", "CJJ", "NB/SH", "JTS"]))
    elif kind == "national":
        issuer = "GB"
    elif kind == "construction":
        issuer = "08"
    else:
        issuer = draw(orgs)
    number = draw(st.integers(min_value=1, max_value=2999)) if kind == "construction" else draw(numbers)
    return kind, issuer, number, draw(years)


def spell(parts: tuple[str, str, int, int], draw: st.DrawFn, with_year: bool = True) -> str:
    """One of the spellings seen in the wild for these parts."""
    kind, issuer, number, year = parts
    separator = draw(st.sampled_from(YEAR_SEPARATORS))
    space = draw(st.sampled_from(["", " ", "\u3000", "  "]))
    zeros = "0" * draw(st.integers(min_value=0, max_value=1 if kind == "construction" else 3))
    marker = (
        draw(st.sampled_from(["/T", "-T", "T", " /T", " T "]))
        if kind in ("national", "industry", "local")
        else ""
    )
    if kind == "group":
        slash = draw(st.sampled_from(["/", " / "]))
        text = f"T{slash}{issuer}{space or ' '}{zeros}{number}"
    elif kind == "enterprise":
        text = f"Q/{issuer}{space or ' '}{zeros}{number}"
    elif kind == "local":
        marker = draw(st.sampled_from(["/T", "/T ", " /T", "/", "/ "]))
        text = f"DB{issuer}{marker}{space}{zeros}{number}"
    elif kind == "construction":
        head = draw(st.sampled_from(["DG/TJ", "DGTJ", "DG/TJ ", "DGJ", "DGJ ", "DG\\TJ", "DG/J"]))
        text = f"{head}08{draw(st.sampled_from(['-', '', ' ', '—']))}{zeros}{number}"
    else:
        text = f"{issuer}{marker}{space or (' ' if marker.endswith('T') else '')}{zeros}{number}"
    if with_year:
        text += f"{separator}{year}{draw(st.sampled_from(SUFFIXES))}"
    if draw(st.booleans()):
        text = text.lower()
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return text


@st.composite
def two_spellings(draw: st.DrawFn) -> tuple[tuple[str, str, int, int], str, str]:
    parts = draw(coded())
    return parts, spell(parts, draw), spell(parts, draw)


@settings(max_examples=600, deadline=None)
@given(two_spellings())
def test_spelling_variants_share_one_key(sample: tuple[tuple[str, str, int, int], str, str]) -> None:
    _parts, first, second = sample
    assert parse_code(first).key == parse_code(second).key


@st.composite
def spelled_with_and_without_year(draw: st.DrawFn) -> tuple[str, str]:
    parts = draw(coded())
    return spell(parts, draw), spell(parts, draw, with_year=False)


@settings(max_examples=400, deadline=None)
@given(spelled_with_and_without_year())
def test_a_yearless_spelling_in_a_standard_context_is_the_same_standard(sample: tuple[str, str]) -> None:
    dated, yearless = sample
    code = parse_code(yearless, standard_context=True)
    assert code.year is None
    assert code.number_key == parse_code(dated).number_key


@settings(max_examples=300, deadline=None)
@given(spelled_with_and_without_year())
def test_a_dated_spelling_is_found_in_running_text_whatever_the_context(sample: tuple[str, str]) -> None:
    dated, _ = sample
    key = parse_code(dated).key
    for text in (f"本产品执行{dated}。", f"材质：钢 {dated} 上海标准", dated):
        assert [m.code.key for m in find_codes(text)] == [key]


@st.composite
def two_codes(draw: st.DrawFn) -> tuple[str, str, bool]:
    a, b = draw(coded()), draw(coded())
    same_identity = _identity(a) == _identity(b)
    return spell(a, draw), spell(b, draw), same_identity


def _identity(parts: tuple[str, str, int, int]) -> tuple[str, str, int, int]:
    kind, issuer, number, year = parts
    return kind, issuer, number, year


@settings(max_examples=400, deadline=None)
@given(two_codes())
def test_different_codes_never_collide(sample: tuple[str, str, bool]) -> None:
    first, second, same_identity = sample
    assert (parse_code(first).key == parse_code(second).key) == same_identity


# Look-alikes in the formats they are issued in: none of them is ever read as a code, in any context.
digits = st.integers(min_value=0, max_value=9).map(str)
look_alikes = st.one_of(
    st.builds(lambda d: "SC" + "".join(d), st.lists(digits, min_size=14, max_size=14)),  # food licence
    st.builds(lambda d: "QS" + "".join(d), st.lists(digits, min_size=12, max_size=12)),  # old QS licence
    st.builds(  # batch numbers such as LH221-85-1130, with any two-letter prefix
        lambda p, a, b, c: f"{p}{a}-{b:02d}-{c}",
        st.sampled_from(["LH", "LY", "QB", "GB", "JR", "SC"]),
        st.integers(100, 999),
        st.integers(0, 99),
        st.integers(1000, 9999),
    ),
    st.builds(lambda n, g: f"{n}{g}GB", st.integers(1, 1024), st.sampled_from(["", " "])),  # sizes
    st.builds(lambda n, m: f"{n}GB+{m}GB", st.integers(1, 16), st.integers(16, 512)),
    st.builds(lambda d, m, y: f"{d}/{m}/{y}", st.integers(1, 31), st.integers(1, 12), years),  # dates
    st.builds(lambda d, m, y: f"DB31/{d}/{y}", st.integers(1, 31), st.integers(1, 12), years),
    st.builds(lambda y, m, d: f"{y}-{m}-{d}", years, st.integers(1, 12), st.integers(1, 31)),
)


@settings(max_examples=400, deadline=None)
@given(look_alikes, st.booleans())
def test_look_alikes_are_never_codes(text: str, in_context: bool) -> None:
    assert find_codes(text, standard_context=in_context) == []
    assert find_codes(f"执行标准：{text}") == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
# Entity debris that only touches its quote once something invisible between them is dropped, or once NFKC
# folds a full-width ampersand or quote (drawn by hypothesis in a session 33 test run).
@example("'\x1f&")
@example("\uff02\uff06x")
@example("&\u200b\u201c")
@example("&&\uff02")
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_find_codes_never_crashes_and_spans_are_inside(text: str) -> None:
    for match in find_codes(text):
        assert 0 <= match.start < match.end <= len(text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("&“上海标准&”", "“上海标准”"),
        ("上海標準", "上海标准"),
        ("ＧＢ／Ｔ　１２３４—２０２０", "GB/T 1234-2020"),
        ("T/ABC 001——2022", "T/ABC 001-2022"),
        ("&amp;ldquo;上海标准&amp;rdquo;", "“上海标准”"),
        ("上海\u00a0 标准", "上海 标准"),
    ],
)
def test_normalize_text_examples(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        ("执行标准: Q/31 0001-2020 上海标准", ["Q/31 0001-2020"]),
        ("执行标准：Ｑ／３１ ０００１—２０２０", ["Ｑ／３１ ０００１—２０２０"]),  # as written, not folded
        ("执行标准：T/31 0001-2020", ["T/31 0001-2020"]),
        ("执行标准：Q/YYKJ 001-2021（上海标准）", []),  # read by find_codes
        ("GB/T 19001-2016 与 DB31/T 1108-2018", []),
        ("发布于 2020/11/30", []),  # a date is no number
        ("详见 https://shop.example.cn/x-2020", []),  # nor a URL's path
        ("上海标准", []),
    ],
)
def test_unread_codes_are_number_shaped_spans_find_codes_does_not_read(text: str, unread: list[str]) -> None:
    assert unread_codes(text) == unread
