"""Evidence quotes the page as it was (issue 18): offsets from normalised text back to the page's characters."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from checker.extract import extract_page
from checker.extract.document import load_page
from checker.extract.verbatim import OffsetMap, Quoter, centred, display_text
from pagetext.decode import decode_page
from pagetext.invisible import condense
from pagetext.normalize import compact, normalize_text

CLAIMS = Path(__file__).parent / "data" / "claims"
EXTRACT = Path(__file__).parent / "data" / "extract"
REALPAGES = (
    "tmall_item_01.html",
    "tmall_item_01_gbk.html",
    "taobao_item_01.html",
    "jd_item_01_gbk.html",
    "jd_item_02_derived_jsp.html",
    "mfr_product_01_kingtec_steel.php",
)
# Pages in traditional script or full-width forms, where quote and match differ most.
TRADITIONAL_OR_WIDE = (
    CLAIMS / "d03_notice_traditional_repost_long.html",
    CLAIMS / "d11_news_traditional_article.html",
    CLAIMS / "d21_forum_traditional.html",
    CLAIMS / "o07_company_news_traditional.html",
    CLAIMS / "p08_traditional_store.html",
    EXTRACT / "fullwidth_traditional.html",
)
_TOKEN = re.compile(r"\S+")


def _assert_tokens_map_back(raw: str, normalized: str) -> int:
    """Every white-space-delimited token of the normalised text maps to page text that normalises to it."""
    display = display_text(raw)
    offsets = OffsetMap(display, normalized)
    checked = 0
    for token in _TOKEN.finditer(normalized):
        first, last = offsets.span(token.start(), token.end())
        assert 0 <= first <= last <= len(display)
        assert compact(normalize_text(display[first:last])) == compact(token.group()), (
            token.group(),
            display,
        )
        checked += 1
    return checked


@pytest.mark.parametrize("name", REALPAGES)
def test_every_run_of_a_real_page_maps_back(realpages_dir: Path, name: str) -> None:
    # The whole page, not a pruned one: thousands of runs of real marketplace text, entities and all.
    page = load_page(decode_page((realpages_dir / name).read_bytes()).text)
    checked = sum(_assert_tokens_map_back(run.raw, run.text) for run in page.runs)
    assert checked > 20


@pytest.mark.parametrize("path", TRADITIONAL_OR_WIDE, ids=lambda p: p.stem)
def test_traditional_and_full_width_pages_map_back(path: Path) -> None:
    page = load_page(path.read_text(encoding="utf-8"))
    assert sum(_assert_tokens_map_back(run.raw, run.text) for run in page.runs) >= 3


@pytest.mark.parametrize("path", TRADITIONAL_OR_WIDE, ids=lambda p: p.stem)
def test_occurrences_quote_the_page_own_characters(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    result = extract_page(html.encode("utf-8"))
    assert result.occurrences
    shown = display_text(html)
    for occurrence in result.occurrences:
        assert occurrence.verbatim in occurrence.snippet
        # Traditional pages keep 上海標準, full-width pages keep their forms: the quote is never normalised.
        assert normalize_text(occurrence.verbatim) == occurrence.text
        assert occurrence.snippet[:20] in shown or occurrence.snippet[:20] in html


def test_a_full_width_claim_is_quoted_as_written() -> None:
    html = "<ul><li>执行标准：ＤＢ３１／Ｔ　１１０８—２０１８（上海標準）</li></ul>"
    (claim,) = extract_page(html.encode()).claims
    assert claim.verbatim == "上海標準"
    assert claim.snippet == "执行标准：ＤＢ３１／Ｔ　１１０８—２０１８（上海標準）"
    assert claim.snippet_normalized == "执行标准:DB31/T 1108-2018(上海标准)"
    assert claim.standard_code == "DB31/T 1108-2018"


def test_entities_left_in_the_text_are_bridged() -> None:
    # A double-escaped quote reaches the text as "&ldquo;"; the normaliser turns it into “.
    quoter = Quoter(
        "本品符合&ldquo;上海标准&rdquo;要求", normalize_text("本品符合&ldquo;上海标准&rdquo;要求")
    )
    start = quoter.map.normalized.index("上海标准")
    assert quoter.verbatim(start, start + 4) == "上海标准"
    assert quoter.snippet(start, start + 4, 300) == "本品符合&ldquo;上海标准&rdquo;要求"


def test_long_snippets_are_cut_around_the_quote() -> None:
    filler = "产品说明文字。" * 80
    html = f"<p>{filler}执行标准：T/ABC 001-2022（上海標準）{filler}</p>"
    (claim,) = extract_page(html.encode()).claims
    assert len(claim.snippet) <= 300 and "上海標準" in claim.snippet
    assert len(claim.snippet_normalized) <= 300 and "上海标准" in claim.snippet_normalized


_PIECES = st.sampled_from(
    [
        "上海",
        "標準",
        "标准",
        "Ｓｈａｎｇｈａｉ",
        " ",
        "\u3000",
        "\u00a0",
        "&ldquo;",
        "&amp;ldquo;",
        "“",
        "—",
        "－",
        "（",
        "㈱",
        "ｶ",
        "\u200b",
        "认证",
        "A1",
        # Characters NFKC composes with the one before (text copied from a Mac is decomposed): each one was
        # matched by nothing, and a run of them made the map drift onto other text.
        "e\u0301",
        "\u1112\u1161\u11ab",  # 한 as three jamo
        "ｶﾞ",
        "s\u0323\u0307",
        "\u0301",
        "&“",  # entity debris glued to a quote, repeated
    ]
)


@given(st.lists(_PIECES, max_size=30))
# Found by hypothesis: a mark the normaliser drops after 上海 made the map pull the next word's start back.
@example(["上海", "\u0301", " ", "e\u0301", "上海"])
def test_any_mix_of_forms_maps_back(pieces: list[str]) -> None:
    raw = "".join(pieces)
    normalized = normalize_text(raw)
    _assert_tokens_map_back(raw, normalized)


def test_random_spans_stay_inside_the_page() -> None:
    rng = random.Random(18)
    raw = "执行标准：ＤＢ３１／Ｔ　１１０８—２０１８（上海標準）&amp;本品 符合  要求\u200b。" * 5
    normalized = normalize_text(raw)
    offsets = OffsetMap(display_text(raw), normalized)
    for _ in range(500):
        start = rng.randrange(len(normalized))
        end = rng.randrange(start, len(normalized) + 1)
        first, last = offsets.span(start, end)
        assert 0 <= first <= last <= len(display_text(raw))


@pytest.mark.parametrize(
    "before",
    [
        "한국 정품 수입 전기 주전자 안전 인증 완료 고객 만족 ".replace("한", "\u1112\u1161\u11ab"),
        "\u1112\u1161\u11ab\u1100\u116e\u11a8 " * 20,  # Korean typed as jamo (copied from a Mac)
        "e\u0301" * 30,
        "ｶﾞ" * 30,
        "s\u0323\u0307" * 15,
        "&“" * 30,  # entity debris, repeated
    ],
)
def test_the_quote_is_the_claim_whatever_composed_characters_come_before(before: str) -> None:
    # Each of these matched nothing one character at a time; past about 24 in a row the map drifted and the
    # quote (and the console's highlight) became other text: 'ᅳᆼ 완료 고객 만족 执行标准'.
    html = f"<html><body><h1>电热水壶</h1><p>{before}执行标准：T/DEMO 001-2022（上海标准）</p></body></html>"
    (claim,) = extract_page(html.encode()).claims
    assert claim.verbatim == "上海标准"
    assert claim.snippet.startswith(display_text(before)[:10]) and claim.snippet.endswith("（上海标准）")


def test_a_page_of_composed_characters_is_quoted_quickly_and_the_budget_is_looked_at_on_each_resync() -> None:
    # 8,000 decomposed é before a claim took 2.8 s of CPU (budget 2 s, looked at every 8,192 steps only).
    html = "<p>" + "e\u0301" * 8000 + "执行标准：T/DEMO 001-2022（上海标准）</p>"
    (claim,) = extract_page(html.encode()).claims
    assert claim.verbatim == "上海标准"
    ticks: list[int] = []
    OffsetMap("abcdefgh" * 4, "zyxwvuts" * 4, tick=lambda: ticks.append(1))
    assert len(ticks) >= 8  # texts that never agree: a resync per character, and a look at the budget each


@pytest.mark.parametrize(
    ("between", "shown", "context"),
    [
        # Invisible: they take no room, so the snippet keeps its 300 shown characters (4 of them the words).
        ("\u200b" * 400, "\u200b" * 400, 296),  # zero-width spaces
        ("&shy;" * 400, "\u00ad" * 400, 296),  # soft hyphens
        # A browser shows every no-break space: the quote is 404 characters wide, and keeps 60 of context.
        ("&nbsp;" * 400, "\u00a0" * 400, 60),
    ],
    ids=["zero-width-space", "soft-hyphen", "no-break-space"],
)
def test_a_quote_wider_than_the_snippet_is_quoted_whole_with_its_code(
    between: str, shown: str, context: int
) -> None:
    # The snippet was the 300 characters in the middle of the quote: invisible characters or spaces only, so
    # the console showed an empty quote with nothing marked, neither the words nor the code.
    html = f"<p>{'产品说明。' * 40}执行标准：T/DEMO 001-2022（上海{between}标准）{'售后说明。' * 40}</p>"
    (claim,) = extract_page(html.encode()).claims
    # A run of 400 invisible characters is stored as its marker (pagetext.invisible, test_extract_invisible_runs).
    assert claim.verbatim == condense(f"上海{shown}标准")[0]
    assert claim.verbatim in claim.snippet and "T/DEMO 001-2022（" in claim.snippet
    assert claim.snippet in condense(display_text(html.replace(between, shown)))[0]
    assert len(claim.snippet) - len(claim.verbatim) == context


def test_a_snippet_of_visible_text_is_cut_as_before() -> None:
    text = "".join(chr(0x4E00 + i) for i in range(1000))
    assert centred(text, 500, 504, 300) == text[352:652]
    assert centred(text, 10, 14, 300) == text[:300]
    assert centred(text, 990, 994, 300) == text[700:]


@pytest.mark.parametrize(
    "alt",
    ["本店产品说明" * 60 + "上海标准标志", "上海" + "\u200b" * 400 + "标准", "上海标准" + "说明" * 200],
    ids=["words-at-the-end", "invisible-run-inside", "words-first"],
)
def test_a_mark_images_long_alt_text_is_quoted_whole(alt: str) -> None:
    # A logo's quote is its alt text; its snippet was the first 300 characters of alt and block, which left out
    # the words of an alt text longer than that (the console showed a quote without 上海标准).
    html = f"<div><img src='/m.png' alt='{alt}'><p>执行标准：T/DEMO 001-2022</p></div>"
    (claim,) = extract_page(f"<html><body><h1>电热水壶</h1>{html}</body></html>".encode()).claims
    assert claim.kind == "logo" and claim.verbatim == condense(alt)[0]
    assert claim.snippet.startswith(condense(alt)[0])
