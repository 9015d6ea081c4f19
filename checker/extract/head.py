"""Words only in what a page does not show: its <title>, <meta> contents and JSON-LD, nothing in its body text.

Claims are read from what a page shows in its body. A page whose body is drawn by script (a single-page shop,
a marketplace's client-rendered item) carries its product text only in the head or in structured data (JSON-LD,
in the head or the body, often with every Chinese character written as a JSON escape), where the extractor
reads no claim. Such a page is not "no claim found": it gets a warning saying where the words are, so an inspector
or an enterprise knows to look (and a self-check answers `incomplete`, not `ok`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

from checker.extract.mentions import find_in_text
from checker.extract.models import PageWarning
from pagetext.normalize import normalize_text

HEAD_ONLY = "head-only"
# The head is read up to the body, and no further than this: a head is a few KB, a hostile one is not.
_HEAD_CHARS = 256 * 1024
# JSON-LD is read wherever it is (shops put it in the body as often as in the head), up to this far in.
_PAGE_CHARS = 4 * 1024 * 1024
_BODY = re.compile(r"<body[\s>]", re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.I | re.S)
_META_CONTENT = re.compile(r"<meta\b[^>]*?\bcontent\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.I | re.S)
_JSON_LD = re.compile(r"<script[^>]*application/ld\+json[^>]*>(.*?)</script", re.I | re.S)
# JSON-LD nests a product in a graph; deeper than this is not a product description.
_JSON_DEPTH = 8


def head_only_warning(text: str) -> PageWarning | None:
    """The warning for a decoded page whose head names the designation (call it when the body did not)."""
    head = text[:_HEAD_CHARS]
    body = _BODY.search(head)
    if body is not None:
        head = head[: body.start()]
    texts = [*_head_texts(head), *_json_ld_texts(text[:_PAGE_CHARS])]
    places = [where for where, value in texts if any(find_in_text(normalize_text(value)))]
    if not places:
        return None
    return PageWarning(
        code=HEAD_ONLY,
        message=(
            f"the words are in the page's {', '.join(dict.fromkeys(places))} but nowhere in its body "
            "(a body drawn by script is not read): no claim was read"
        ),
    )


def _head_texts(head: str) -> Iterator[tuple[str, str]]:
    for match in _TITLE.finditer(head):
        yield "<title>", html.unescape(match.group(1))
    for match in _META_CONTENT.finditer(head):
        yield "<meta>", html.unescape(match.group(1) or match.group(2) or "")


def _json_ld_texts(page: str) -> Iterator[tuple[str, str]]:
    # Parsed as JSON, so its escapes (\u4e0a\u6d77…) read as the characters they are.
    for match in _JSON_LD.finditer(page):
        try:
            data = json.loads(match.group(1))
        except ValueError:
            continue
        for value in _strings(data, 0):
            yield "JSON-LD", value


def _strings(data: Any, depth: int) -> Iterator[str]:
    if depth > _JSON_DEPTH:
        return
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value, depth + 1)
