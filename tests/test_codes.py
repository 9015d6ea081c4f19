"""The standard-code parser: known spellings, traps, and properties over generated variants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.codes import CodeKind, code_key, find_codes, parse_code
from checker.normalize import normalize_text
from markwatch.errors import CodeParseError

KNOWN = [
    # (as written, kind, display, key)
    ("T/SHHJ 000003-2018", CodeKind.GROUP, "T/SHHJ 000003-2018", "T/SHHJ 3-2018"),
    ("TSHHJ 003-2016", CodeKind.GROUP, "T/SHHJ 003-2016", "T/SHHJ 3-2016"),
    ("T/SHHJ000003-2018", CodeKind.GROUP, "T/SHHJ 000003-2018", "T/SHHJ 3-2018"),
    ("DB31/T 1108-2018", CodeKind.LOCAL, "DB31/T 1108-2018", "DB31 1108-2018"),
    ("DB31/T1108—2018", CodeKind.LOCAL, "DB31/T 1108-2018", "DB31 1108-2018"),
    ("ＤＢ３１／Ｔ\u3000１１０８－２０１８", CodeKind.LOCAL, "DB31/T 1108-2018", "DB31 1108-2018"),
    ("db31/t 1108——2018", CodeKind.LOCAL, "DB31/T 1108-2018", "DB31 1108-2018"),
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

DASH_VARIANTS = ["-", "‐", "‑", "‒", "–", "—", "―", "−", "－", "——", " - "]
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})

orgs = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=2, max_size=6).filter(
    lambda s: not s.startswith(("T", "Q"))
)
numbers = st.integers(min_value=1, max_value=99999)
years = st.integers(min_value=1995, max_value=2030)


@st.composite
def coded(draw: st.DrawFn) -> tuple[str, str, int, int]:
    """(kind, issuer or org, number, year) of a code that can be designated or not."""
    kind = draw(st.sampled_from(["group", "enterprise", "local", "national", "industry"]))
    if kind == "local":
        issuer = draw(st.sampled_from(["31", "44", "11", "32"]))
    elif kind == "industry":
        issuer = draw(st.sampled_from(["JR", "YY", "QB", "FZ", "SJ", "HG"]))
    elif kind == "national":
        issuer = "GB"
    else:
        issuer = draw(orgs)
    return kind, issuer, draw(numbers), draw(years)


def spell(parts: tuple[str, str, int, int], draw: st.DrawFn) -> str:
    """One of the spellings seen in the wild for these parts."""
    kind, issuer, number, year = parts
    dash = draw(st.sampled_from(DASH_VARIANTS))
    space = draw(st.sampled_from(["", " ", "\u3000", "  "]))
    zeros = "0" * draw(st.integers(min_value=0, max_value=3))
    marker = (
        draw(st.sampled_from(["/T", "-T", "T", " /T"])) if kind in ("national", "industry", "local") else ""
    )
    if kind == "group":
        slash = draw(st.sampled_from(["/", " / "]))
        text = f"T{slash}{issuer}{space or ' '}{zeros}{number}{dash}{year}"
    elif kind == "enterprise":
        text = f"Q/{issuer}{space or ' '}{zeros}{number}{dash}{year}"
    elif kind == "local":
        marker = draw(st.sampled_from(["/T", "/T ", " /T"]))
        text = f"DB{issuer}{marker}{space}{zeros}{number}{dash}{year}"
    else:
        text = f"{issuer}{marker}{space or (' ' if marker.endswith('T') else '')}{zeros}{number}{dash}{year}"
    if draw(st.booleans()):
        text = text.lower()
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return text


@st.composite
def two_spellings(draw: st.DrawFn) -> tuple[tuple[str, str, int, int], str, str]:
    parts = draw(coded())
    return parts, spell(parts, draw), spell(parts, draw)


@settings(max_examples=400, deadline=None)
@given(two_spellings())
def test_spelling_variants_share_one_key(sample: tuple[tuple[str, str, int, int], str, str]) -> None:
    _parts, first, second = sample
    assert parse_code(first).key == parse_code(second).key


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


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
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
