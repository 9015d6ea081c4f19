"""A quote bounded however many invisible characters a page hides in the words, and honest about them.

A page can put 200,000 zero-width spaces and soft hyphens inside 上海标准: nobody sees them, the normaliser drops
them, and the stored quote was 200,000 characters (2 MB of JSON per page: quote and snippet, claim and
occurrence). A run longer than pagetext.invisible.LONGEST_RUN is stored as one marker that names its characters
and counts them (⟦U+200B×100000⟧); shorter runs, and every character a reader sees, stay as the page wrote them.
The archived page keeps the run itself.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.extract import extract_page
from pagetext.invisible import LONGEST_RUN, condense, marker_counts
from pagetext.normalize import normalize_text

ZWSP, SHY, ZWJ = "\u200b", "\u00ad", "\u200d"


def _page(words: str) -> bytes:
    return f"<html><body><h1>电热水壶</h1><p>执行标准：T/DEMO 001-2022（{words}）型号：A1</p></body></html>".encode()


def test_two_hundred_thousand_invisible_characters_are_stored_as_two_markers() -> None:
    result = extract_page(_page(f"上{ZWSP * 100_000}海{SHY * 100_000}标准"))
    (claim,) = result.claims
    assert claim.verbatim == "上⟦U+200B×100000⟧海⟦U+00AD×100000⟧标准"
    assert claim.invisible_condensed == 200_000
    assert claim.verbatim in claim.snippet and "T/DEMO 001-2022（" in claim.snippet
    assert claim.standard_code == "T/DEMO 001-2022"
    (occurrence,) = result.occurrences
    assert occurrence.verbatim == claim.verbatim and len(occurrence.snippet) < 400
    # What a sweep stores for the page: 2,001,268 bytes of JSON before.
    assert len(result.model_dump_json().encode()) < 8_000


def test_short_runs_and_shown_characters_stay_verbatim() -> None:
    words = f"上{ZWSP * LONGEST_RUN}海{SHY}标{ZWJ}准"
    (claim,) = extract_page(_page(words)).claims
    assert claim.verbatim == words and claim.invisible_condensed == 0


def test_a_mixed_run_names_each_kind_it_holds() -> None:
    run = (ZWSP + SHY) * 50 + "\u2060" * 10
    (claim,) = extract_page(_page(f"上海{run}标准")).claims
    assert claim.verbatim == "上海⟦U+200B×50 U+00AD×50 U+2060×10⟧标准"
    assert marker_counts(claim.verbatim) == 110 == claim.invisible_condensed


def test_a_logo_alt_text_is_bounded_too() -> None:
    alt = f"上海{ZWSP * 5000}标准"
    html = f"<html><body><h1>电热水壶</h1><div><img src='/m.png' alt='{alt}'><p>执行标准：T/DEMO 001-2022</p></div></body></html>"
    (claim,) = extract_page(html.encode()).claims
    assert claim.kind == "logo" and claim.verbatim == "上海⟦U+200B×5000⟧标准"
    assert claim.invisible_condensed == 5000


_SHOWN = st.sampled_from(["上", "海", "标", "准", " ", "A", "（", "\u00a0"])
_HIDDEN = st.sampled_from([ZWSP, SHY, ZWJ, "\u2060", "\ufeff", "\u202e", "\x01"])


@given(st.lists(st.tuples(_SHOWN, _HIDDEN, st.integers(0, 80)), max_size=20))
def test_condensing_keeps_every_shown_character_and_counts_every_hidden_one(
    pieces: list[tuple[str, str, int]],
) -> None:
    text = "".join(shown + hidden * count for shown, hidden, count in pieces)
    condensed, left_out = condense(text)
    # Every shown character is kept in order; the markers count exactly what they replace.
    assert _shown(condensed) == _shown(text)
    assert marker_counts(condensed) == left_out == len(text) - len(_without_markers(condensed))
    assert condense(condensed) == (condensed, 0)


def _without_markers(text: str) -> str:
    return re.sub(r"⟦[^⟧]*⟧", "", text)


def _shown(text: str) -> str:
    return normalize_text(_without_markers(text)).replace(" ", "")


@pytest.mark.parametrize("count", [LONGEST_RUN + 1, 1000])
def test_a_run_just_over_the_bound_is_condensed(count: int) -> None:
    assert condense(f"a{ZWSP * count}b") == (f"a⟦U+200B×{count}⟧b", count)
