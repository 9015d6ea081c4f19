"""A page that shows nothing: an empty answer, or a shell whose body a script draws.

Such a page holds no claim the extractor could read, and none it could rule out either. Reported as "no
claim", it closed cases as rectified (a seller serving an empty 200 to the crawler's User-Agent was enough)
and answered self-checks `ok` for words never read. It gets a warning instead: a sweep's page is then
`partial` (which never closes a case) and a self-check `incomplete`.

Decided on the raw bytes (tags are ASCII in every encoding the gate reads), stopping at the first visible text,
so a page with text costs about its head.
"""

from __future__ import annotations

import re

from checker.extract.models import PageWarning

BLANK = "blank-page"
# Markup that shows no text: elements whose content is not the page's text, comments, tags.
_HIDDEN = re.compile(
    rb"<(script|style|head|title|template|noscript)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>",
    re.IGNORECASE | re.DOTALL,
)
# White space, no-break spaces and a byte-order mark show nothing either.
_NOTHING = re.compile(rb"(?:\s|&nbsp;|&#160;|&#xa0;|\xc2\xa0|\xef\xbb\xbf)*", re.IGNORECASE)
# Pages with images or vector graphics show something the image reader looks at.
_PICTURES = re.compile(rb"<(?:img|svg|picture|object|embed|video)\b", re.IGNORECASE)
# Larger pages are not looked at: an empty answer or a script's shell is a few KB, and every claim-free page of
# a sweep passes here (on a 780 KB marketplace page the look cost about 3x the raw-bytes gate). A shell that
# carries its state inline past this size is not called blank (conservative: no warning, as before).
_MAX_BYTES = 64 * 1024
_BODY = re.compile(rb"<body[\s>]", re.IGNORECASE)


def blank_warning(raw: bytes) -> PageWarning | None:
    """The warning for a page that shows no text and no picture, else None."""
    if len(raw) > _MAX_BYTES or _shows_text(raw) or _PICTURES.search(raw):
        return None
    what = (
        "an empty answer" if not raw.strip() else "no text and no image (a body drawn by script is not read)"
    )
    return PageWarning(code=BLANK, message=f"the page shows nothing: {what}; no claim was read")


def _shows_text(raw: bytes) -> bool:
    # From the body on: the head shows nothing, and a page with text shows some soon after <body>.
    body = _BODY.search(raw)
    position = body.end() if body is not None else 0
    for hidden in _HIDDEN.finditer(raw, position):
        if not _nothing(raw, position, hidden.start()):
            return True
        position = hidden.end()
    return not _nothing(raw, position, len(raw))


def _nothing(raw: bytes, start: int, end: int) -> bool:
    match = _NOTHING.match(raw, start, end)
    return match is not None and match.end() == end
