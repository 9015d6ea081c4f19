"""Hostile pages, round s27: markup that hid a claim from the extractor, faked one, or blew the CPU budget."""

from __future__ import annotations

from collections.abc import Callable
from html import escape as html_escape

import pytest
from hostile_support import CODE, extracted_in_linear_time, page

from checker.extract import extract_page

# --- CPU: work that grew with the square of the page ---


@pytest.mark.parametrize(
    "paragraph",
    [
        lambda n: "上海<rt>shang</rt>" * n + "标准",  # ruby annotations dropped before a second look
        lambda n: "上海标准" + "上海<script>x</script>" * n,  # scripts dropped from a kept block
        # Hidden spans inside the words (the pre-pass reads the paragraph without them), zero-width spaces after.
        lambda n: f"执行标准：{CODE}（上海" + '<span style="display:none">x</span>\u200b' * n + "标准）",
    ],
    ids=["ruby", "scripts", "hidden-spans"],
)
def test_dropping_many_elements_from_one_paragraph_is_linear(paragraph: Callable[[int], str]) -> None:
    # Each dropped element's tail was appended to its neighbour's growing text: 12-13 s of CPU at 40,000 elements,
    # unchecked by the budget.
    result = extracted_in_linear_time(lambda n: page(f"<p>{paragraph(n)}</p>"), 10_000)
    assert [w.code for w in result.warnings] == []
    assert [c.text for c in result.claims] == ["上海标准"]


# --- Hiding written in CSS's own escapes and comments ---


@pytest.mark.parametrize(
    ("css", "style"),
    [
        ("", "display:n\\6f ne"),  # a hex escape
        ("", "display:/**/none"),  # a comment where a space may stand
        ("", "disp\\lay:none"),  # an escaped letter in the property's name
        (".h{display:\\6e one}", ""),  # the page's stylesheet, escaped alike
    ],
)
def test_hiding_written_with_css_escapes_or_comments_is_read_as_hiding(css: str, style: str) -> None:
    # A buyer sees 上海标准: read as written, the declaration hid nothing and the words were 上海x标准, lost.
    words = f'上海<span class="h" style="{style}">x</span>标准'
    (claim,) = extract_page(page(f"<p>执行标准：{CODE}（{words}）</p>", css)).claims
    assert claim.text == "上海标准" and claim.standard_code == CODE
    assert claim.hidden is None and (claim.hidden_inside or "").startswith("display:none")


def test_stuffing_hidden_by_an_escaped_declaration_is_a_hidden_claim() -> None:
    raw = page(f'<div style="display:\\6e one">执行标准：{CODE}（上海标准）</div>')
    (claim,) = extract_page(raw).claims
    assert claim.hidden == "display:none"


# --- An <iframe srcdoc> document is styled by its own <style>, not by the page's ---


def _framed(document: str, css: str = "") -> bytes:
    return page(f'<iframe srcdoc="{html_escape(document)}"></iframe>', css)


def test_a_frames_own_stylesheet_hides_inside_the_words_and_hides_stuffing() -> None:
    parted = (
        "<html><head><style>.h{display:none}</style></head><body>"
        f'<p>本品执行{CODE}（上海<i class="h">热卖</i>标准）</p></body></html>'
    )
    (claim,) = extract_page(_framed(parted)).claims
    assert claim.text == "上海标准" and claim.standard_code == CODE
    assert claim.hidden is None and claim.hidden_inside == "display:none (stylesheet .h)"
    stuffed = f'<style>.k{{display:none}}</style><div class="k">执行标准：{CODE}（上海标准）</div>'
    (hidden,) = extract_page(_framed(stuffed)).claims
    assert hidden.hidden == "display:none (stylesheet .k)"


def test_the_pages_stylesheet_does_not_style_a_frames_document() -> None:
    # Inside the frame the buyer sees 上海xx标准: the page's .h rule does not reach it, in the pre-pass either.
    parted = f'<p>本品执行{CODE}（上海<i class="h">xx</i>标准）</p>'
    assert extract_page(_framed(parted, ".h{display:none}")).claims == []
    stuffing = f'<div class="k">执行标准：{CODE}（上海标准）</div>'
    (shown,) = extract_page(_framed(stuffing, ".k{display:none}")).claims
    assert shown.hidden is None
    # The frame element itself is the page's: a page rule hiding it hides what it shows.
    (framed,) = extract_page(_framed(stuffing, "iframe{display:none}")).claims
    assert framed.hidden == "display:none (stylesheet iframe)"


# --- Characters drawn like the words or the code's but spelled otherwise ---


@pytest.mark.parametrize(
    "written",
    [
        "\u0422/SHHJ 000003-2018",  # a Cyrillic Т
        "\u0422/\u0405\u041d\u041d\u0408 000003-2018",  # Т/ЅННЈ: every letter Cyrillic
        "\u03a4/SHHJ 000003-2018",  # a Greek Τ
        "T/SHHJ 00000\u03013-2018",  # a combining accent over a digit
        "T/SHHJ 000003\u20432018",  # a hyphen bullet for the dash
        "T/SHHJ 000003\u30fc2018",  # a katakana prolonged-sound mark for the dash
        "T/SHHJ 000003\u207b2018",  # a superscript minus
    ],
)
def test_a_code_a_buyer_reads_as_the_standard_is_the_standard(written: str) -> None:
    # Read as written the code was lost or cut (T/SHHJ 000003): a false SHS008 or SHS001 on a disclosed code.
    (claim,) = extract_page(page(f"<p>执行标准：{written}（上海标准）</p>")).claims
    assert claim.standard_code == CODE
    assert written in claim.snippet  # the quote keeps the page's characters


def test_russian_technical_conditions_are_no_code() -> None:
    from checker.codes import find_codes

    assert find_codes("ТУ 14-1-2018") == []


@pytest.mark.parametrize("mark", ["\u0301", "\u0308\u0323", "\u20dd", "\u302a"])
def test_combining_marks_over_the_words_leave_the_words(mark: str) -> None:
    # 上海\u0301标准 shows the words with an accent: it was read as no mention at all.
    (claim,) = extract_page(page(f"<p>执行标准：{CODE}（上海{mark}标准）</p>")).claims
    assert claim.text == "上海标准" and claim.standard_code == CODE
    assert claim.verbatim == f"上海{mark}标准"


@pytest.mark.parametrize(
    "paragraph",
    [
        "上海标准<b>x</b>\x01y<i>k</i><script>s</script>",  # a kept sibling's text with a control character
        "\x02上海标准<rt>shang</rt>",
        "上海<span hidden>y</span>\x03标准<b>x</b>\x04<i>k</i><script>s</script>",
    ],
)
def test_dropping_elements_beside_a_text_with_control_characters_never_crashes(paragraph: str) -> None:
    # libxml2 parses \x01 into a text, and lxml refuses it when the text is set again (ValueError: the fuzz
    # bench's 7 crashes when every kept neighbour's text was set back unchanged).
    assert [c.text for c in extract_page(page(f"<p>{paragraph}</p>")).claims] == ["上海标准"]
