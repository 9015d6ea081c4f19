"""`<iframe srcdoc="…">`: a document written into an attribute, shown on the page as a frame.

Its text is what a buyer sees inside the frame, but it is HTML-escaped HTML in an attribute, and iframes were
dropped before the walk: a claim in it was never read. The frame's document is parsed and put in place of the
frame's (never shown) fallback content, as a block named `iframe` in locations, so a claim there says it is
inside the frame (`… > iframe:nth-of-type(1) > p:nth-of-type(1)`). Bounded: frames inside frames up to
MAX_DEPTH deep (deeper ones are a `depth-cut` warning), and the frames' documents together up to the page's
text limit (beyond it a `too-complex` warning).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from checker.extract.limits import DEPTH_CUT, TOO_COMPLEX, Guard

# Browsers nest frames much deeper; a page that does so has no buyer-facing reason to.
MAX_DEPTH = 3
# The tag an element had on the page where the pruned copy renamed it (prune.TAG_ATTR).
ORIGINAL_TAG = "data-mw-tag"

Parse = Callable[[str], "etree._Element | None"]
# Each frame put in place (the renamed element) with the texts of its document's own <style> blocks: the frame's
# text is styled by them, never by the page's sheet.
FrameStyles = list[tuple[etree._Element, list[str]]]


class _Budget:
    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.left = guard.limits.max_text_chars
        self.warned: set[str] = set()

    def warn(self, code: str, message: str) -> None:
        if code not in self.warned:
            self.warned.add(code)
            self.guard.warn(code, message)


def inline_srcdocs(root: etree._Element, parse: Parse, guard: Guard) -> FrameStyles:
    """Replace every `<iframe srcdoc>` of the tree by its document's body, renamed a block; the frames put in
    place with their documents' style texts, outer frames before the frames inside them."""
    styles: FrameStyles = []
    if root.find(".//iframe[@srcdoc]") is None:
        return styles
    _inline(root, parse, _Budget(guard), 1, styles)
    return styles


def _inline(root: etree._Element, parse: Parse, budget: _Budget, depth: int, styles: FrameStyles) -> None:
    for frame in list(root.iter("iframe")):
        document = frame.get("srcdoc")
        if document is None:
            continue
        budget.guard.check("reading iframe documents")
        if depth > MAX_DEPTH:
            budget.warn(
                DEPTH_CUT,
                f"iframes with a srcdoc nested more than {MAX_DEPTH} deep: the deeper ones were not read",
            )
            continue
        if len(document) > budget.left:
            budget.warn(TOO_COMPLEX, "iframe srcdoc documents past the page's text limit were not read")
            continue
        budget.left -= len(document)
        inner = parse(document) if document.strip() else None
        body = None if inner is None else inner.find("body")
        content = body if body is not None else inner
        # Its <style> blocks, in the head as in the body (those of frames inside it are not its own).
        own = [] if inner is None else [style.text or "" for style in inner.iter("style")]
        styles.append((frame, own))
        if content is not None:
            _inline(content, parse, budget, depth + 1, styles)
        _replace(frame, content)


def _replace(frame: etree._Element, content: etree._Element | None) -> None:
    # The fallback content between <iframe> and </iframe> is never shown where iframes work.
    for child in list(frame):
        frame.remove(child)
    frame.text = None
    frame.attrib.pop("srcdoc", None)
    frame.set(ORIGINAL_TAG, "iframe")
    frame.tag = "div"
    if content is None:
        return
    frame.text = content.text
    for child in list(content):
        frame.append(child)
