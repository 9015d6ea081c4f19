"""extract_page: gate, decode, prune, parse with BeautifulSoup, find mentions, tie and give context."""

from __future__ import annotations

from datetime import datetime

from checker.extract.context import ContextFinder
from checker.extract.decode import decode_page
from checker.extract.document import Page, css_path, load_page
from checker.extract.gate import may_mention
from checker.extract.limits import BudgetExceeded, ExtractLimits, Guard
from checker.extract.mentions import Mention, certification_words, find_mentions
from checker.extract.models import Claim, PageClaims
from checker.extract.patterns import EXTRACTOR_VERSION, FIRST_PERSON_PRODUCT, NEWS_OG_TYPE, NEWS_TEXT
from checker.extract.prune import prune
from checker.extract.tie import sentence_span, tie, tie_logo

SNIPPET_CHARS = 300


def snippet(text: str, start: int, end: int) -> str:
    """At most SNIPPET_CHARS of text centred on [start, end)."""
    if len(text) <= SNIPPET_CHARS:
        return text
    left = max(0, min(start - (SNIPPET_CHARS - (end - start)) // 2, len(text) - SNIPPET_CHARS))
    return text[left : left + SNIPPET_CHARS]


def _logo_snippet(mention: Mention) -> str:
    return f"{mention.text} {mention.block_text}".strip()[:SNIPPET_CHARS]


def is_news(page: Page, finder: ContextFinder) -> bool:
    """A page about the policy in general: news markup and no product context at all."""
    if finder.has_product_context:
        return False
    if page.soup.find("article") is not None or any(
        "NewsArticle" in str(i.get("@type")) for i in page.jsonld
    ):
        return True
    if NEWS_OG_TYPE.regex.search(page.metas.get("og:type", "")):
        return True
    return any(p.regex.search(run.text) for p in NEWS_TEXT for run in page.runs)


def _first_person(mention: Mention) -> bool:
    s_start, s_end = sentence_span(mention.block_text, mention.start, mention.end)
    return bool(FIRST_PERSON_PRODUCT.regex.search(mention.block_text[s_start:s_end]))


def _claim(number: int, mention: Mention, finder: ContextFinder) -> Claim:
    if mention.kind == "logo":
        found = tie_logo(mention.own_text, mention.caption, mention.block_text, mention.unit)
    else:
        found = tie(mention.block_text, mention.start, mention.end, mention.unit)
    context = finder.resolve(mention.element)
    code = found.code
    return Claim(
        id=f"c{number}",
        kind="logo" if mention.kind == "logo" else "text",
        text=mention.text if mention.kind == "logo" else mention.block_text[mention.start : mention.end],
        standard_code=code.display if code else None,
        standard_key=code.key if code else None,
        standard_number_key=code.number_key if code else None,
        standard_kind=code.kind.value if code else None,
        standard_title=found.title,
        tie=found.kind,
        claimant=context.claimant,
        claimant_source=context.claimant_source,
        product_name=context.product_name,
        product_category=context.product_category,
        certification_words=certification_words(mention.block_text, mention.start, mention.end),
        snippet=_logo_snippet(mention)
        if mention.kind == "logo"
        else snippet(mention.block_text, mention.start, mention.end),
        location=css_path(mention.element),
    )


def extract_page(
    raw: bytes,
    *,
    url: str | None = None,
    declared_charset: str | None = None,
    observed_at: datetime | None = None,
    limits: ExtractLimits | None = None,
) -> PageClaims:
    """Every 上海标准 claim on a page, with the standard and the context each is tied to.

    Work is bounded by `limits` (default: limits.default_limits()); whatever part of the page could not be
    read (too complex, undecodable bytes, depth cut, CPU budget) is listed in `warnings`."""
    result = PageClaims(url=url, observed_at=observed_at, encoding=None, extractor_version=EXTRACTOR_VERSION)
    guard = Guard.start(limits)
    try:
        _extract(raw, declared_charset, result, guard)
    except BudgetExceeded as exc:
        guard.over_budget(exc)
    result.warnings.extend(w for w in guard.warnings if w not in result.warnings)
    return result


def _extract(raw: bytes, declared_charset: str | None, result: PageClaims, guard: Guard) -> None:
    if not may_mention(raw, declared_charset=declared_charset):
        result.encoding_notes.append("not decoded: the raw-bytes gate found no possible mention")
        return
    decoded = decode_page(raw, declared_charset)
    result.encoding, result.encoding_notes = decoded.encoding, decoded.notes
    result.warnings.extend(decoded.warnings)
    guard.check("decoding")
    html = prune(decoded.text, guard)
    if html is None:
        return
    page = load_page(html)
    guard.check("parsing the kept blocks")
    mentions = find_mentions(page)
    if not mentions:
        return
    finder = ContextFinder(page)
    if is_news(page, finder):
        kept = [m for m in mentions if _first_person(m)]
        result.notes.append(
            f"news page without product context: {len(mentions) - len(kept)} mention(s) not treated as claims"
        )
        mentions = kept
    for number, mention in enumerate(mentions, start=1):
        guard.check("reading claims")
        result.claims.append(_claim(number, mention, finder))
