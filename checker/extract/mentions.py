"""Find mentions of the words and the mark in a page's text runs and images."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bs4 import Tag

from checker.extract.document import Page, Run, block_of, clean
from checker.extract.patterns import (
    CERT_DENIED,
    CERT_WINDOW,
    CERTIFICATION,
    CLAUSE_BREAK,
    EXCLUSIONS_AFTER,
    EXCLUSIONS_BEFORE,
    LOGO_FILE_ATTRS,
    MENTIONS,
    NEGATED_EN,
    ORGANISATION_SUBJECT,
    PASSED_IN_SENTENCE_EN,
    ROW_LABEL_AFTER_BREAK,
    ROW_TEXT,
    STANDARD_SUBJECT_EN,
    logo_file_name,
)
from checker.extract.tie import sentence_span
from checker.extract.verbatim import Quoter
from checker.extract.visibility import hidden_in

_CONTEXT_CHARS = 60


@dataclass(frozen=True)
class Mention:
    """One mention: where it is, its text and the block text it sits in."""

    kind: str
    element: Tag
    unit: Tag
    text: str
    block_text: str
    start: int
    end: int
    caption: str | None = None
    # A logo's own alt and title texts (the one naming the mark first), whichever named it: the image's file name
    # or caption may name the mark while its alt text discloses the standard (alt="GB/T …").
    own_text: str = ""
    # The page's own characters: the block's text as written (text mentions) or the attribute, caption or
    # file name that names the mark as written (logos). Quotes are cut from it (verbatim.py).
    raw: str = ""
    block_raw: str = ""  # a logo's block text as written
    pattern: str = ""  # the pattern that found it: zh, en, logo-alt, logo-title, logo-caption, logo-file
    # How a logo is hidden from buyers, or the hidden spans of a text mention's raw block text (visibility.py).
    hidden: str | None = None
    hidden_ranges: tuple[tuple[int, int, str], ...] = ()
    # Read from the text a buyer sees (document.Run.shown, the hidden spans left out) rather than the page's
    # text: block_text is that shown text, and quotes keep the hidden characters where they stand.
    shown: bool = False
    reversed_ranges: tuple[tuple[int, int], ...] = ()  # spans of `raw` an override draws backwards
    preserved_ranges: tuple[tuple[int, int, str], ...] = ()  # spans of `raw` shown with their own white space


def excluded(text: str, start: int, end: int) -> bool:
    """Whether the words at text[start:end] are part of a trap phrase (patterns.EXCLUSIONS_*)."""
    after = text[end : end + _CONTEXT_CHARS]
    before = text[max(0, start - _CONTEXT_CHARS) : start]
    return any(p.regex.search(after) for p in EXCLUSIONS_AFTER) or any(
        p.regex.search(before) for p in EXCLUSIONS_BEFORE
    )


def parts_two_rows(text: str, start: int, end: int) -> bool:
    """Whether a line break inside the words at text[start:end] parts two rows rather than the words:
    the line before is a whole `label：value` row whose value is the words' first part (产地：上海), or the line
    after starts a row whose label is the words' rest (标准：GB/T…, 标准号：…)."""
    brk = text.find("\n", start, end)
    if brk == -1:
        return False
    line_start = text.rfind("\n", 0, brk) + 1
    line_end = text.find("\n", brk + 1)
    before, after = text[line_start:brk], text[brk + 1 : len(text) if line_end == -1 else line_end]
    head, rest = text[start:brk].strip(), text[brk + 1 : end].strip()
    row = ROW_TEXT.match(before)
    if row is not None and row.group("value").strip() == head:
        return True
    row = ROW_TEXT.match(after)
    if row is None:
        return False
    label = row.group("label").replace(" ", "").lower()
    return label.startswith(rest.replace(" ", "").lower()) and len(label) - len(rest) <= ROW_LABEL_AFTER_BREAK


def find_named_in_text(text: str) -> Iterator[tuple[int, int, str]]:
    """Spans of the words in a normalised text with the pattern that found each, traps left out, in order."""
    spans = sorted((m.start(), m.end(), p.name) for p in MENTIONS for m in p.regex.finditer(text))
    for start, end, name in spans:
        if not excluded(text, start, end) and not parts_two_rows(text, start, end):
            yield start, end, name


def find_in_text(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the words in a normalised text, traps left out, in text order."""
    for start, end, _ in find_named_in_text(text):
        yield start, end


def certification_words(
    text: str, start: int, end: int, sentence: tuple[int, int] | None = None
) -> list[str]:
    """Certification/award/approval words bound to the mention at text[start:end] (same sentence, near it).
    `sentence`: the mention's sentence span when the caller has it (BlockText.sentence_span)."""
    s_start, s_end = sentence if sentence is not None else sentence_span(text, start, end)
    low, high = _clauses_of_the_words(
        text, start, end, max(s_start, start - CERT_WINDOW), min(s_end, end + CERT_WINDOW), s_start
    )
    window = text[low:high]
    words = [
        p.name for p in CERTIFICATION if any(not _denied(window, m.start()) for m in p.regex.finditer(window))
    ]
    if not words and _passed_in_sentence(text, start, end, s_start, s_end):
        words.append(PASSED_IN_SENTENCE_EN.name)
    return words


def _passed_in_sentence(text: str, start: int, end: int, s_start: int, s_end: int) -> bool:
    """Whether the words' own sentence says something that is no standard passed the evaluation they name or
    was rated one (English; patterns.PASSED_IN_SENTENCE_EN), its clauses of the organisation left out."""
    low, high = _clauses_of_the_words(text, start, end, s_start, s_end, s_start)
    # Read near the words only: a block with no sentence break is one sentence, and reading all of it for each
    # of its mentions made a page of 2,000 mentions quadratic (test_qa_regressions_extract).
    for match in PASSED_IN_SENTENCE_EN.regex.finditer(text, max(low, start - _VERB_REACH), min(high, end)):
        if match.start("words") != start:
            continue
        before = text[max(low, match.start() - _SUBJECT_REACH) : match.start()]
        return STANDARD_SUBJECT_EN.search(before) is None and not NEGATED_EN.search(before)
    return False


# How far before the words the verb of PASSED_IN_SENTENCE_EN can start ("were officially recognised as an “" is
# under 40 characters), and how far before the verb its subject is looked for (an English sentence's subject).
_VERB_REACH = 80
_SUBJECT_REACH = 400


def _clauses_of_the_words(
    text: str, start: int, end: int, low: int, high: int, sentence_start: int
) -> tuple[int, int]:
    """The part of text[low:high] that can speak of the words at text[start:end]: a clause beside theirs that
    opens with the organisation as its own subject (…（上海标准），公司通过ISO9001认证) is cut off, with all beyond it."""
    for brk in CLAUSE_BREAK.finditer(text, end, high):
        if ORGANISATION_SUBJECT.match(text, brk.end()):
            high = brk.start()
            break
    # Where each clause before the words' own begins; the window's edge is one only at the sentence's start.
    starts = ([low] if low == sentence_start else []) + [
        m.end() for m in CLAUSE_BREAK.finditer(text, low, start)
    ]
    for earlier, following in zip(reversed(starts[:-1]), reversed(starts[1:]), strict=True):
        if ORGANISATION_SUBJECT.match(text, earlier):
            low = following
            break
    return low, high


def _denied(window: str, at: int) -> bool:
    """Whether the certification wording at window[at:] is denied earlier in its own clause."""
    return CERT_DENIED.search(window, 0, at) is not None


def _caption(img: Tag) -> Tag | None:
    figure = img.find_parent("figure")
    return figure.find("figcaption") if figure is not None else None


def _logo_text(img: Tag) -> tuple[str, str, str] | None:
    """(text naming the mark, where it came from: alt|title|caption|file, the same as written), or None."""
    for attr in ("alt", "title"):
        value = img.get(attr)
        if isinstance(value, str) and any(find_in_text(clean(value))):
            return clean(value), attr, value
    caption = _caption(img)
    if caption is not None:
        raw = caption.get_text(" ")
        text = clean(raw)
        if any(find_in_text(text)):
            return text, "caption", raw
    for attr in LOGO_FILE_ATTRS:
        value = img.get(attr)
        if isinstance(value, str) and (name := logo_file_name(value)):
            return name, "file", name
    return None


def _own_texts(img: Tag, naming: str | None) -> str:
    """The image's alt and title texts, the one naming the mark first, one per line."""
    texts = [naming] if naming else []
    for attr in ("alt", "title"):
        value = img.get(attr)
        if isinstance(value, str) and (text := clean(value)) and text not in texts:
            texts.append(text)
    return "\n".join(texts)


def find_mentions(page: Page, tick: Callable[[], None] | None = None) -> list[Mention]:
    """Every text and logo mention, in document order (`tick`: the page's CPU budget, looked at while a
    block with hidden text is aligned with its page text)."""
    found: list[tuple[int, Mention]] = []
    order = {id(el): i for i, el in enumerate(page.tags)}
    captions: set[int] = set()
    runs = {id(run.element): run.text for run in page.runs}
    raws = {id(run.element): run.raw for run in page.runs}
    for img in page.tags_named("img"):
        hit = _logo_text(img)
        if hit is None:
            continue
        caption = _caption(img)
        if caption is not None:
            captions.add(id(caption))
        unit = block_of(img) or img
        caption_text = clean(caption.get_text(" ")) if caption is not None else None
        own = _own_texts(img, hit[0] if hit[1] in ("alt", "title") else None)
        mention = Mention(
            "logo",
            img,
            unit,
            hit[0],
            runs.get(id(unit), ""),
            0,
            0,
            caption_text,
            own_text=own,
            raw=hit[2],
            block_raw=raws.get(id(unit), ""),
            pattern=f"logo-{hit[1]}",
            hidden=page.visibility.hidden(img),
        )
        found.append((order.get(id(img), 0), mention))
    for run in page.runs:
        if id(run.element) in captions:
            continue  # the caption names the pictured mark: one logo claim, not a second text claim
        for mention in _text_mentions(run, tick):
            found.append((order.get(id(run.element), 0), mention))
    found.sort(key=lambda pair: (pair[0], pair[1].start))
    return [mention for _, mention in found]


def _text_mentions(run: Run, tick: Callable[[], None] | None) -> Iterator[Mention]:
    """The mentions of one run: words a buyer sees are read from the shown text, so characters hidden inside
    them (上海<span style="display:none">xx</span>标准) do not part them and hidden ones next to them do not
    make or unmake a trap (上海标准<i hidden>x</i>件 shows 上海标准件); from the page's text only the words a
    buyer does not wholly see (hidden keyword stuffing, kept as hidden claims)."""
    if run.shown is None:
        for start, end, name in find_named_in_text(run.text):
            yield _text_mention(run, run.text, start, end, name, shown=False)
        return
    quoter = Quoter(run.raw, run.text, tick=tick, preserved=run.preserved)
    for start, end, name in find_named_in_text(run.text):
        if hidden_in(run.hidden, quoter.raw_positions(start, end)) is not None:
            yield _text_mention(run, run.text, start, end, name, shown=False)
    for start, end, name in find_named_in_text(run.shown):
        yield _text_mention(run, run.shown, start, end, name, shown=True)


def _text_mention(run: Run, text: str, start: int, end: int, name: str, *, shown: bool) -> Mention:
    return Mention(
        "text",
        run.element,
        run.element,
        text[start:end],
        text,
        start,
        end,
        raw=run.raw,
        pattern=name,
        hidden_ranges=run.hidden,
        shown=shown,
        reversed_ranges=run.reversed,
        preserved_ranges=run.preserved,
    )
