"""Words only in a page's script state: `window.__INITIAL_STATE__ = {…}`, `__NEXT_DATA__`, `g_config`.

Client-rendered marketplace pages carry their product data in a script and draw the body from it: what the
extractor reads (the shown text) holds nothing, and the page read as "no claim" although a buyer's browser
shows the words. JSON-LD already says so (head.py, `head-only`); any other script's data gets this warning, so
a self-check is `incomplete` and a sweep page `partial` rather than clean. The words count in any spelling a
script writes them: as text, JSON/JavaScript escapes (\\u6d77, \\u{6d77}), percent-encoding or references.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

from checker.extract.mentions import find_in_text
from checker.extract.models import PageWarning
from pagetext.normalize import normalize_text

SCRIPT_STATE = "script-state"
# Scripts are read this far into the page (head.py reads JSON-LD as far).
_PAGE_CHARS = 4 * 1024 * 1024
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script", re.I | re.S)
_JSON_LD = re.compile(r"application/ld\+json", re.I)
# A cheap test before any unescaping: 海 in some spelling (text, \u escape, percent-encoded UTF-8, reference),
# or "tandard" for the English words.
_HINT = re.compile(r"海|\\u\{?0*6d77|%e6%b5%b7|&#(?:28023|x6d77)|tandard", re.I)
_JS_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
_PERCENT = re.compile(r"(?:%[0-9a-fA-F]{2})+")


def _js_char(match: re.Match[str]) -> str:
    value = int(match.group(1) or match.group(2) or match.group(3), 16)
    return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else ""


def _unescaped(script: str) -> str:
    text = _JS_ESCAPE.sub(_js_char, script)
    text = _PERCENT.sub(lambda m: unquote(m.group(), errors="ignore"), text)
    return html.unescape(text)


def script_state_warning(text: str, *, images: bool = False) -> PageWarning | None:
    """The warning for a decoded page whose scripts hold the words (call it when the shown text did not).

    `images`: the page names the mark in images only (alt text, a logo file): those are claims, but the
    script's words, often with the 执行标准 row that discloses a code, were not read (a finding of SHS008 on
    the image alone would say nothing was disclosed)."""
    for match in _SCRIPT.finditer(text, 0, _PAGE_CHARS):
        if _JSON_LD.search(match.group(1)):
            continue  # JSON-LD is head.py's
        body = match.group(2)
        if _HINT.search(body) and any(find_in_text(normalize_text(_unescaped(body)))):
            besides = "only an image names the mark" if images else "no claim was read"
            return PageWarning(
                code=SCRIPT_STATE,
                message="the words are in the page's script data (a page drawn by script, such as "
                f"window.__INITIAL_STATE__) but nowhere in its shown text: {besides}",
            )
    return None
