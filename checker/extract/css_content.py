"""Words only in the page's generated content: `.brand::after{content:"上海标准"}` in an inline <style>.

A browser draws such a string as text where the rule's element stands, and a buyer reads it like any other;
the extractor reads the document's text, where it is not, and the words were lost without a word. They are not
read as a claim (which element shows them, and in which state, needs the cascade of every selector), but the
page says so: a `css-content` warning, so a self-check is `incomplete` and a sweep page `partial` rather than
clean. The strings count in any spelling CSS writes them (escapes such as \\4e0a\\6d77, comments around them).
"""

from __future__ import annotations

import re

from checker.extract.mentions import find_in_text
from checker.extract.models import PageWarning
from checker.extract.stylesheet import css_text
from pagetext.normalize import normalize_text

CSS_CONTENT = "css-content"
# Style blocks are read this far into the page (script_state.py reads scripts as far), and this much of them.
_PAGE_CHARS = 4 * 1024 * 1024
_STYLE_CHARS = 1024 * 1024
_CONTENT = re.compile(
    r"""\bcontent\s*:\s*((?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[^;}"'])*)""", re.I | re.S
)
_STRING = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'""", re.S)
# A cheap test before unescaping: 海 written or escaped (\6d77), or "tandard" for the English words.
_OPEN = re.compile(r"<style\b", re.I)
_CLOSE = re.compile(r"</style", re.I)
_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_HINT = re.compile(r"海|\\0*6d77|tandard", re.I)


def _styles(text: str) -> str:
    """The texts of the page's <style> blocks, in order, within the bounds (each search starts where the last
    ended: a regex retried from each of many unterminated <style tags would be quadratic)."""
    parts: list[str] = []
    size = 0
    position = 0
    limit = min(len(text), _PAGE_CHARS)
    while size < _STYLE_CHARS and (start := _OPEN.search(text, position, limit)) is not None:
        opened = text.find(">", start.end(), limit)
        if opened < 0:
            break
        end = _CLOSE.search(text, opened, limit)
        body = text[opened + 1 : end.start() if end is not None else limit]
        parts.append(body[: _STYLE_CHARS - size])
        size += len(body)
        if end is None:
            break
        position = end.end()
    return "\n".join(parts)


def css_content_warning(text: str) -> PageWarning | None:
    """The warning for a decoded page whose inline stylesheets draw the words as generated content."""
    css = _styles(text)
    if "content" not in css.lower() or not _HINT.search(css):
        return None
    for declaration in _CONTENT.finditer(_COMMENT.sub(" ", css)):
        drawn = "".join(a or b for a, b in _STRING.findall(declaration.group(1)))
        if drawn and any(find_in_text(normalize_text(css_text(drawn)))):
            return PageWarning(
                code=CSS_CONTENT,
                message="the words are drawn by the page's stylesheet as generated content "
                '(content:"…" of a ::before or ::after rule): not read as a claim',
            )
    return None
