"""Bound a page's markup before libxml2 parses it: text size, tags, attributes per element, depth.

libxml2 is linear in most things but not all: it compares each attribute of an element with every earlier
one (40,000 attributes: 10 s), and past 2,048 levels of nesting it stops and drops the rest of the page.
Both are decided here, on the text, in linear time; whatever is cut is reported through the Guard.
"""

from __future__ import annotations

import functools
import re

from checker.extract.limits import DEPTH_CUT, TOO_COMPLEX, Guard

# A start tag up to (not including) its ">", tokenised as an HTML5 parser (libxml2 2.14) does: whitespace,
# "/", attribute names, and "=" with a value; a quote opens a value only right after "=", and a quoted value
# runs to its closing quote across any ">" or "<". Each piece starts with a different character, so a scan
# never backtracks, and the match never fails once "<x" matched.
_TAG_BODY = r"(?:\s+|/|[^\s/>=]+|=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]*))*"
# The same extent, found faster: runs of ordinary characters in one step, a quote that opens no value read
# as a character (as in class=“x">). Only tags longer than the limit allows are tokenised with _TAG_BODY.
_START_TAG = re.compile(r"""<[A-Za-z](?:[^>"'=]+|=\s*(?:"[^"]*"|'[^']*')|[="'])*""")
_TAG_NAME = re.compile(r"<([A-Za-z][^\s/>]*)")
_ATTRIBUTE = re.compile(r"""[^\s/>=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
# An attribute takes at least two characters (a name and a separator): shorter tags cannot be over the limit.
_MIN_ATTRIBUTE_CHARS = 2


def bound_markup(text: str, guard: Guard) -> str:
    """The page text cut to the text-size, tag-count and attributes-per-element limits."""
    limits = guard.limits
    if len(text) > limits.max_text_chars:
        guard.warn(
            TOO_COMPLEX,
            f"page text is {len(text):,} characters: only the first {limits.max_text_chars:,} were read",
        )
        text = text[: limits.max_text_chars]
    tags = text.count("<")
    if tags > limits.max_elements:
        cut = _nth_tag(limits.max_elements).match(text)
        end = cut.end() - 1 if cut else len(text)
        guard.warn(
            TOO_COMPLEX,
            f"page has {tags:,} tags: only the part up to tag {limits.max_elements:,} "
            f"(character {end:,}) was read",
        )
        text = text[:end]
    guard.check("bounding the markup")
    return _bound_attributes(text, guard)


@functools.cache
def _nth_tag(count: int) -> re.Pattern[str]:
    return re.compile(f"(?:[^<]*<){{{count}}}")


def _bound_attributes(text: str, guard: Guard) -> str:
    limit = guard.limits.max_attributes
    min_chars = limit * _MIN_ATTRIBUTE_CHARS
    pieces: list[str] = []
    last = 0
    worst = 0
    for match in _START_TAG.finditer(text):
        if match.end() - match.start() <= min_chars:
            continue
        tag = match.group()
        name = _TAG_NAME.match(tag)
        assert name is not None  # _START_TAG starts with "<" and a letter
        attributes = _ATTRIBUTE.findall(tag, name.end())
        if len(attributes) <= limit:
            continue
        worst = max(worst, len(attributes))
        pieces += [text[last : match.start()], "<", name.group(1), " ", " ".join(attributes[:limit])]
        last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    guard.warn(
        TOO_COMPLEX,
        f"an element has {worst:,} attributes: only the first {limit:,} of each element were read",
    )
    return "".join(pieces)


# Markup the depth pass walks: comments and raw-text elements are skipped whole, since a "<div>" inside
# them is text; end tags; start tags (quoted values read whole).
_DEPTH_TOKEN = re.compile(
    r"<!--[\s\S]*?(?:-->|\Z)"
    r"|<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript)\b[\s\S]*?(?:</\1\s*>|\Z)"
    r"|</([A-Za-z][^\s/>]*)[^>]*>?"
    r"|<([A-Za-z][^\s/>]*)" + _TAG_BODY + ">?",
    re.I,
)
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "keygen",
        "basefont",
        "bgsound",
        "frame",
    ]
)
# An open one of these is closed by the next of its kind (as the HTML parser does), not nested in it.
_SELF_CLOSING_SIBLINGS = frozenset(["p", "li", "dt", "dd", "option", "tr", "td", "th"])
# How far down the open elements an end tag looks for its start tag.
_END_TAG_REACH = 64


def flatten_depth(text: str, guard: Guard) -> str:
    """The page with start and end tags below the depth limit dropped, their text kept in place."""
    limit = guard.limits.max_depth
    stack: list[tuple[str, bool]] = []  # (tag name, dropped)
    pieces: list[str] = []
    last = 0
    dropped = 0
    for count, match in enumerate(_DEPTH_TOKEN.finditer(text)):
        if not count & 0xFFF:
            guard.check("flattening deep nesting")
        end_name, start_name = match.group(2), match.group(3)
        drop = False
        if start_name:
            name = start_name.lower()
            if name in VOID:
                continue
            if stack and stack[-1][0] == name and name in _SELF_CLOSING_SIBLINGS:
                stack.pop()
            drop = len(stack) >= limit
            stack.append((name, drop))
        elif end_name:
            name = end_name.lower()
            for reach in range(1, min(_END_TAG_REACH, len(stack)) + 1):
                if stack[-reach][0] == name:
                    drop = stack[-reach][1]
                    del stack[-reach:]
                    break
        if drop:
            dropped += 1
            pieces.append(text[last : match.start()])
            last = match.end()
    if not dropped:
        return text
    pieces.append(text[last:])
    guard.warn(
        DEPTH_CUT,
        f"page nested deeper than the parser can hold ({2048:,} levels): {dropped:,} tags below level "
        f"{limit:,} were dropped and their text read in place, so structure there (rows, ties) may be lost",
    )
    return "".join(pieces)
