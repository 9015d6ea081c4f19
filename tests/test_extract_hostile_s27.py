"""Hostile pages, round s27: markup that hid a claim from the extractor, faked one, or blew the CPU budget."""

from __future__ import annotations

import dataclasses
from html import escape as html_escape

import pytest

from checker.extract import extract_page
from checker.extract.limits import default_limits

CODE = "T/SHHJ 000003-2018"


def page(body: str, css: str = "") -> bytes:
    style = f"<style>{css}</style>" if css else ""
    return (
        f'<html><head><meta charset="utf-8">{style}</head><body><h1>塑胶跑道面层材料</h1>'
        f"<p>价格：￥99</p>{body}</body></html>"
    ).encode()


# --- CPU: work that grew with the square of the page ---


@pytest.mark.parametrize(
    "paragraph",
    [
        "上海<rt>shang</rt>" * 40_000 + "标准",  # ruby annotations dropped before a second look
        "上海标准" + "上海<script>x</script>" * 40_000,  # scripts dropped from a kept block
        # Hidden spans inside the words (the pre-pass reads the paragraph without them), zero-width spaces after.
        f"执行标准：{CODE}（上海" + '<span style="display:none">x</span>\u200b' * 40_000 + "标准）",
    ],
)
def test_dropping_many_elements_from_one_paragraph_is_linear(paragraph: str) -> None:
    # Each dropped element's tail was appended to its neighbour's growing text (12-13 s of CPU here, unchecked
    # by the budget). A budget of 5 s leaves a loaded machine room; the linear pre-pass takes well under 1.5 s.
    limits = dataclasses.replace(default_limits(), cpu_budget_seconds=5.0)
    result = extract_page(page(f"<p>{paragraph}</p>"), limits=limits)
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
