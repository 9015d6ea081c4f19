"""extract_page: gate, decode, prune, parse with BeautifulSoup, find mentions, classify, tie and give context."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from bs4 import Tag

from checker.codes import StandardCode, find_codes
from checker.extract.bidi import BIDI_OVERRIDE, bidi_warning, reversed_runs_warning
from checker.extract.blank import blank_warning
from checker.extract.blocks import BlockTexts
from checker.extract.classify import (
    SELF_INTRODUCED,
    Classifier,
    Decision,
    PageView,
    introduced_organisation,
    maker_named,
    org_claimant,
    read_page,
    site_owner,
)
from checker.extract.context import (
    MAKER_IN_SENTENCE,
    PRIVATE_SELLER,
    ContextFinder,
    ListingEntries,
    names_maker,
)
from checker.extract.css_content import css_content_warning
from checker.extract.document import Page, clean, css_path, label_in, load_page, parent_named
from checker.extract.gate import may_mention
from checker.extract.head import head_only_warning
from checker.extract.limits import BudgetExceeded, ExtractLimits, Guard
from checker.extract.mentions import Mention, certification_words, find_mentions
from checker.extract.models import Claim, Occurrence, PageClaims
from checker.extract.overrides import SHOWN_REVERSED, reversed_in
from checker.extract.page_signals import PageSignalCollector
from checker.extract.patterns import (
    CERTIFICATION,
    EXTRACTOR_VERSION,
    HONOURS_LISTED,
    MAX_LABEL,
    OTHER_STANDARD_ROW,
    PRODUCT_LABELS,
    STANDARD_LABELS,
)
from checker.extract.placement import in_honours_list
from checker.extract.prune import prune
from checker.extract.script_state import script_state_warning
from checker.extract.tie import Tie, Tier
from checker.extract.verbatim import Quoter, centred, display_text, shown_counts
from checker.extract.visibility import hidden_in
from pagetext.decode import decode_page
from pagetext.invisible import condense
from pagetext.normalize import compact

SNIPPET_CHARS = 300


def snippet(text: str, start: int, end: int) -> str:
    """text[start:end] whole, centred in at most SNIPPET_CHARS shown characters of text (verbatim.centred)."""
    return centred(text, start, end, SNIPPET_CHARS)


@dataclass(frozen=True)
class Quotes:
    """One occurrence quoted in the page's own characters, and its normalised snippet for matching."""

    verbatim: str
    snippet: str
    snippet_normalized: str
    hidden: str | None = None  # how the quoted words are hidden from buyers (visibility.py)
    # How the characters inside the quote that the shown words were read without are hidden (Claim.hidden_inside).
    hidden_inside: str | None = None
    # Invisible characters the snippet's ⟦…⟧ markers stand for (Claim.invisible_condensed).
    invisible_condensed: int = 0

    def condensed(self) -> Quotes:
        """These quotes with each long run of invisible characters as its marker (pagetext.invisible): a page
        hid 200,000 inside the words, and every claim and occurrence stored them twice."""
        verbatim, _ = condense(self.verbatim)
        snippet, left_out = condense(self.snippet)
        return replace(self, verbatim=verbatim, snippet=snippet, invisible_condensed=left_out)


class _Quoting:
    """Quoters per run, built only for runs that hold an occurrence."""

    def __init__(self, guard: Guard | None = None) -> None:
        self._quoters: dict[tuple[int, bool], Quoter] = {}
        # A huge run's offset map is built in steps the page's CPU budget can stop.
        self._tick = (lambda: guard.check("quoting the page")) if guard is not None else None

    def quotes(self, mention: Mention) -> Quotes:
        """The mention's quotes as stored: long runs of invisible characters condensed."""
        return self._quotes(mention).condensed()

    def _quotes(self, mention: Mention) -> Quotes:
        if mention.kind == "logo":
            normalized = f"{mention.text} {mention.block_text}".strip()[:SNIPPET_CHARS]
            quote = display_text(mention.raw)
            # The alt text is the quote: held whole (its first 300 characters left out the words of a longer
            # one), with the block's text after it as context.
            around = display_text(f"{mention.raw} {mention.block_raw}")
            shown = centred(around, 0, len(quote), SNIPPET_CHARS, shown_counts(around))
            return Quotes(quote, shown, normalized, mention.hidden)
        key = (id(mention.element), mention.shown)
        quoter = self._quoters.get(key)
        if quoter is None:
            # The shown reading was made without the hidden spans: its quotes keep them where they stand.
            without = mention.hidden_ranges if mention.shown else ()
            quoter = Quoter(
                mention.raw,
                mention.block_text,
                tick=self._tick,
                without=without,
                preserved=mention.preserved_ranges,
            )
            self._quoters[key] = quoter
        hidden = inside = None
        if mention.shown:
            inside = quoter.left_out(mention.start, mention.end)
        elif mention.hidden_ranges:
            hidden = hidden_in(mention.hidden_ranges, quoter.raw_positions(mention.start, mention.end))
        if hidden is None and mention.reversed_ranges:
            positions = quoter.raw_positions(mention.start, mention.end)
            hidden = SHOWN_REVERSED if reversed_in(mention.reversed_ranges, positions) else None
        return Quotes(
            quoter.verbatim(mention.start, mention.end),
            quoter.snippet(mention.start, mention.end, SNIPPET_CHARS),
            snippet(mention.block_text, mention.start, mention.end),
            hidden,
            inside,
        )


def _answer_tie(found: Tie, answer: str | None) -> Tie:
    """A question's words tied to the code the seller's yes discloses (问：是上海标准吗？ 商家回复：是的，本品执行T/…):
    another block than the words, so tied as "block" (an inference, for review)."""
    codes = find_codes(answer or "")
    return Tie(codes[0].code, found.title, "block") if codes else found


def tie_mention(tier: Tier, mention: Mention) -> Tie:
    """What one mention is tied to (the page's tier shares what each block discloses)."""
    if mention.kind == "logo":
        return tier.tie_logo(mention.own_text, mention.caption, mention.block_text, mention.unit)
    return tier.tie(mention.block_text, mention.start, mention.end, mention.unit)


class _Places:
    """Per-element answers every claim of an element shares: its CSS path (a walk up the tree)."""

    def __init__(self) -> None:
        self._paths: dict[int, str] = {}

    def path(self, element: Tag) -> str:
        key = id(element)
        if key not in self._paths:
            self._paths[key] = css_path(element)
        return self._paths[key]


def _sentence(mention: Mention, blocks: BlockTexts) -> str:
    if mention.kind == "logo":
        return mention.block_text
    start, end = blocks.of(mention.block_text).sentence_span(mention.start, mention.end)
    return mention.block_text[start:end]


# Where a claimant comes from when no row, JSON-LD or sentence of the page names it: the shop header the page's
# layout shows, the site's name, or nobody (then a crawl's shop header fills it).
_PLATFORM_SOURCES = frozenset([None, "shop", "og:site_name"])


def _claim(
    number: int,
    mention: Mention,
    found: Tie,
    decision: Decision,
    finder: ContextFinder,
    view: PageView,
    quotes: Quotes,
    blocks: BlockTexts,
    location: str,
) -> Claim:
    # The page's h1 names the product of an item page: one that offers a product, or one that holds a
    # product claim and shows no sign of being an article (an article's h1 is its headline).
    item_page = view.offers_product or (decision.use == "product" and not view.article)
    context = finder.resolve(mention.element, item_page=item_page, brands=view.brands, models=view.models)
    claimant, claimant_source = context.claimant, context.claimant_source
    product, product_source, category = context.product_name, context.product_source, context.product_category
    if decision.use == "product" and not names_maker(claimant_source):
        # The claim's own words name who made the product: a better claimant than the shop that sells it.
        maker = maker_named(_sentence(mention, blocks))
        if maker:
            claimant, claimant_source = maker, MAKER_IN_SENTENCE
    if (
        decision.use == "product"
        and "near:own-products-certified" in decision.signals
        and not names_maker(claimant_source)
    ):
        # 我司产品通过上海标准认证: the organisation speaking makes or answers for the products it certifies.
        named, source = org_claimant(_sentence(mention, blocks), view)
        if named:
            claimant, claimant_source = named, source
    if decision.use == "product" and claimant is None and claimant_source is None:
        # Nobody named beside the product: the site's owner (its footer's 某某有限公司 版权所有) offers it on its
        # own site. Not named as its maker: SHS010 about it goes to review,
        # and a crawl's own seller (a marketplace shop) replaces it (checker/claimants.py).
        claimant, claimant_source = site_owner(view)
    if view.private_resale and claimant_source in _PLATFORM_SOURCES:
        # A resale platform's shop header is a private person's nickname and its site name sells nothing: no
        # claimant, and none may be filled in later (checker/claimants.py).
        claimant, claimant_source = None, PRIVATE_SELLER
    if decision.use == "organisation":
        # An announcement is made by an organisation about its standard: no product is named or judged.
        named, source = org_claimant(_sentence(mention, blocks), view)
        if not named and "near:self-introduction" in decision.signals:
            # Its self-introduction speaks for the organisation the page presents (公司简介 on a job board).
            named, source = introduced_organisation(view, _sentence(mention, blocks)), SELF_INTRODUCED
        claimant, claimant_source = (named, source) if named else (claimant, claimant_source)
        product = product_source = category = None
    code = found.code
    return Claim(
        id=f"c{number}",
        kind="logo" if mention.kind == "logo" else "text",
        text=mention.text if mention.kind == "logo" else mention.block_text[mention.start : mention.end],
        verbatim=quotes.verbatim,
        pattern=mention.pattern or None,
        use="organisation" if decision.use == "organisation" else "product",
        use_signals=decision.signals,
        use_confidence=decision.confidence,
        standard_code=code.display if code else None,
        standard_key=code.key if code else None,
        standard_number_key=code.number_key if code else None,
        standard_kind=code.kind.value if code else None,
        standard_title=found.title,
        tie=found.kind,
        claimant=claimant,
        claimant_source=claimant_source,
        product_name=product,
        product_source=product_source,
        product_category=category,
        certification_words=_certification(mention, blocks),
        snippet=quotes.snippet,
        snippet_normalized=quotes.snippet_normalized,
        location=location,
        hidden=quotes.hidden,
        hidden_inside=quotes.hidden_inside,
        invisible_condensed=quotes.invisible_condensed,
    )


def _certification(mention: Mention, blocks: BlockTexts) -> list[str]:
    text, start, end = mention.block_text, mention.start, mention.end
    sentence = blocks.of(text).sentence_span(start, end)
    words = certification_words(text, start, end, sentence)
    if _an_honour_listed(mention) and HONOURS_LISTED not in words:
        words.append(HONOURS_LISTED)
    return [*words, *(word for word in _label_certification(mention.unit) if word not in words)]


# An honours list's item is short (2024年 上海标准, “上海标准”称号); a paragraph under the heading tells more.
_HONOUR_ITEM_CHARS = 40


# An honours item crediting the organisation with drafting one (参与起草上海标准1项, 主导制定): its work on a standard,
# not the words presented as its award.
_DRAFTED = re.compile(r"起草|制定|制订|编制|編制|牵头|牽頭|主导|主導|\bdraft", re.I)


def _an_honour_listed(mention: Mention) -> bool:
    """Whether the words are an item of an organisation's list of honours (荣誉资质 | 2024年 上海标准) that does not
    disclose the standard designated (a code or a 《title》 in the item: domain.md §3's form, no award)."""
    if mention.kind != "text" or len(mention.block_text) > _HONOUR_ITEM_CHARS:
        return False
    if find_codes(mention.block_text) or "《" in mention.block_text or _DRAFTED.search(mention.block_text):
        return False
    return in_honours_list(mention.unit)


def _label_certification(unit: Tag) -> list[str]:
    """Certification or award words in the label of the row whose value holds the words (产品认证 | 上海标准,
    获得荣誉 | 上海标准、上海品牌): the row presents them as one. A label written in the cell itself
    (产品认证：上海标准) is the block's text, read with it."""
    cell = unit if unit.name in ("td", "dd") else parent_named(unit, "td", "dd")
    if cell is None:
        return []
    label = (
        cell.find_previous_sibling("dt") if cell.name == "dd" else cell.find_previous_sibling(["th", "td"])
    )
    if label is None:
        return []
    text = clean(label.get_text(" "))
    if len(text) > MAX_LABEL:
        return []
    return [pattern.name for pattern in CERTIFICATION if pattern.regex.search(text)]


def extract_page(
    raw: bytes,
    *,
    url: str | None = None,
    declared_charset: str | None = None,
    observed_at: datetime | None = None,
    limits: ExtractLimits | None = None,
) -> PageClaims:
    """Every occurrence of the words or mark on a page, classified; the claims among them with the standard
    and the context each is tied to.

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
        if (blank := blank_warning(raw)) is not None:
            result.warnings.append(blank)  # nothing shown is not "no claim"
        return
    decoded = decode_page(raw, declared_charset)
    result.encoding, result.encoding_notes = decoded.encoding, decoded.notes
    result.warnings.extend(decoded.warnings)
    if (reversed_words := bidi_warning(decoded.text)) is not None:
        result.warnings.append(reversed_words)
    if (drawn := css_content_warning(decoded.text)) is not None:
        result.warnings.append(drawn)  # words a stylesheet draws are read nowhere else
    guard.check("decoding")
    collector = PageSignalCollector()
    html = prune(decoded.text, guard, collector)
    page = None if html is None else load_page(html)
    guard.check("parsing the kept blocks")
    mentions = [] if page is None else find_mentions(page, tick=lambda: guard.check("reading hidden text"))
    if page is not None and all(w.code != BIDI_OVERRIDE for w in result.warnings):
        # An override from the page's stylesheet (a class) draws text backwards that no regex over the page
        # sees: the blocks' reversed spans say it.
        reversed_words = reversed_runs_warning((run.raw, run.reversed) for run in page.runs if run.reversed)
        if reversed_words is not None:
            result.warnings.append(reversed_words)
    if page is None or not mentions:
        # Nothing in the body: words in the head alone are said, never silently "no claim".
        if (head_only := head_only_warning(decoded.text)) is not None:
            result.warnings.append(head_only)
        elif (state := script_state_warning(decoded.text)) is not None:
            result.warnings.append(state)
        return
    if all(mention.kind == "logo" for mention in mentions) and (
        state := script_state_warning(decoded.text, images=True)
    ):
        result.warnings.append(state)  # the mark in an image, the words (and their code) drawn by script
    finder = ContextFinder(page)
    view = read_page(page, finder, collector.signals, result.url)
    result.page_kind, result.page_signals = view.kind, view.labels
    blocks = BlockTexts()
    tier = Tier(blocks, tick=lambda: guard.check("reading a block's codes"))
    classifier = Classifier(page, finder, view, blocks)
    quoting = _Quoting(guard)
    places = _Places()
    claimed: list[tuple[Mention, int]] = []
    for mention in mentions:
        guard.check("reading claims")
        found = tie_mention(tier, mention)
        decision = classifier.decide(classifier.near(mention, found))
        if found.code is None and "near:affirmed" in decision.signals:
            found = _answer_tie(found, classifier.sellers_yes(mention))
        quotes = quoting.quotes(mention)
        location = places.path(mention.element)
        claim_id = None
        if decision.use != "discussion":
            claim = _claim(
                len(result.claims) + 1, mention, found, decision, finder, view, quotes, blocks, location
            )
            claimed.append((mention, len(result.claims)))
            result.claims.append(claim)
            claim_id = claim.id
        result.occurrences.append(
            Occurrence(
                text=mention.text,
                verbatim=quotes.verbatim,
                use=decision.use,
                signals=decision.signals,
                claim_id=claim_id,
                snippet=quotes.snippet,
                location=location,
            )
        )
    _page_standard(result, claimed, page, finder)
    result.declared_standards = _declared_standards(result, page, finder.listings)
    _notes(result)


# Signals that put the words in the page's own 执行标准/产品标准号 row (classify.py, use_table.py).
_ROW_SIGNALS = ("near:standard-row", "near:standard-label")


def _claimed_products(claims: list[Claim], names: set[str]) -> set[str]:
    """The products the page's product claims name. With one product-name row on the page, a claim named by a
    heading (the item's title) names that product in longer words (Shanghai Standard Certified Vacuum Flask
    500ml beside Product name: Vacuum flask): only row names count then."""
    return {
        compact(c.product_name)
        for c in claims
        if c.use == "product"
        and c.product_name
        and not (names and not (c.product_source or "").startswith("row:"))
    }


def _declared_claim(
    result: PageClaims,
    claimed: list[tuple[Mention, int]],
    page: Page,
    listings: ListingEntries,
) -> tuple[Claim, bool] | None:
    """The claim whose 执行标准 row declares, with the words, the one standard of a single product page
    (执行标准：T/… (上海标准)), and True; else the claim that writes that one standard with the words in prose
    (本品执行T/…（上海标准）), and False; or None: a listing, several products or several standards, where each
    claim keeps only what it names itself. A row without the words is not enough: the page then never wrote the
    words beside a standard, which is what SHS008 is about."""
    names = {row.value for row in page.rows if label_in(row.label, PRODUCT_LABELS)}
    if len(names) > 1:
        return None
    # Claims naming different products (two unlinked product cards, each with its heading): the page is no
    # single product, and one card's 执行标准 row does not speak for the other card's words.
    named = _claimed_products(result.claims, names)
    if len(named) > 1:
        return None
    keys: set[str] = set()
    declaring: Claim | None = None
    annotated: Claim | None = None
    for mention, index in claimed:
        claim = result.claims[index]
        if claim.use != "product" or not claim.standard_key:
            continue
        # Every product claim's standard counts: a page showing two standards declares neither for all.
        keys.add(claim.standard_key)
        in_card = listings.of(mention.element) is not None
        if any(signal in claim.use_signals for signal in _ROW_SIGNALS):
            if in_card:
                return None  # a listing card's code speaks for its card only
            declaring = declaring or claim
        elif claim.tie == "annotation" and not in_card:
            # 本品执行T/… （上海标准） in the description: the words written with the code, outside any row
            # (it speaks for the item's title only: _page_standard).
            annotated = annotated or claim
    if len(keys) != 1:
        return None
    if declaring is not None:
        return declaring, True
    return (annotated, False) if annotated is not None else None


def _declared_codes(result: PageClaims, page: Page, listings: ListingEntries) -> list[StandardCode]:
    """The codes a single-product page's own 执行标准 rows, or other rows naming a standard (通信接口标准),
    declare (not a listing card's, not when the page names several products)."""
    names = {row.value for row in page.rows if label_in(row.label, PRODUCT_LABELS)}
    named = _claimed_products(result.claims, names)
    if len(names) > 1 or len(named) > 1:
        return []
    codes = (
        match.code
        for row in page.rows
        if (label_in(row.label, STANDARD_LABELS) or OTHER_STANDARD_ROW.search(row.label))
        and listings.of(row.element) is None
        for match in find_codes(row.value)
    )
    return list({code.key: code for code in codes}.values())


def _declared_standards(result: PageClaims, page: Page, listings: ListingEntries) -> list[str]:
    return [code.display for code in _declared_codes(result, page, listings)]


def _row_standard(result: PageClaims, page: Page, listings: ListingEntries) -> StandardCode | None:
    """The one standard a single-product page's rows declare without the words (执行标准：T/… beside a title
    saying 上海标准产品), when no product claim names another. Not yet the claim's standard: a row without the
    words never wrote them beside a standard, so the tie ("page-row") holds only when the registry knows the
    code as a designated 上海标准, now or once (checker/rules/facts.py); else the claim names nothing (SHS008)."""
    codes = _declared_codes(result, page, listings)
    if len(codes) != 1:
        return None
    named = {claim.standard_key for claim in result.claims if claim.use == "product" and claim.standard_key}
    return codes[0] if named <= {codes[0].key} else None


def _page_standard(
    result: PageClaims, claimed: list[tuple[Mention, int]], page: Page, finder: ContextFinder
) -> None:
    """Give the product claims that name no standard (执行上海标准 in an item title, 本品执行上海标准 in its
    description) the one standard the page declares in its 执行标准 row, tie "page": the standard is disclosed
    on the page, so no SHS008, and whatever is wrong with it is one finding with every location."""
    listings = finder.listings
    bare = [
        index
        for mention, index in claimed
        if result.claims[index].use == "product"
        and result.claims[index].tie == "none"
        and listings.of(mention.element) is None
    ]
    if not bare:
        return
    declared = _declared_claim(result, claimed, page, listings)
    if declared is None:
        if (code := _row_standard(result, page, listings)) is not None:
            # The title's 上海标准产品 and the 执行标准 row's expired edition: the edition is the thing to act on,
            # not a "not disclosed" that the page's own row contradicts (rules judge whether the tie holds).
            row_tie = {
                "standard_code": code.display,
                "standard_key": code.key,
                "standard_number_key": code.number_key,
                "standard_kind": code.kind.value,
                "tie": "page-row",
            }
            for index in bare:
                result.claims[index] = result.claims[index].model_copy(update=row_tie)
        return
    declaring, in_row = declared
    if not in_row:
        # Written with the words in prose, the standard speaks for the item's title (its h1) only: a title
        # repeating the words (演示智能水杯 上海标准 500ml) is the same claim of the same product, and judged
        # alone it was a second finding, SHS008 "not disclosed", on a page that discloses it. Another sentence
        # (certified as a shanghai standard supplier) may be about something else and keeps naming nothing.
        bare = [index for mention, index in claimed if index in bare and mention.element.name == "h1"]
        if not bare:
            return
    fields = ("standard_code", "standard_key", "standard_number_key", "standard_kind")
    update: dict[str, object] = {name: getattr(declaring, name) for name in fields}
    update["tie"] = "page"
    for index in bare:
        result.claims[index] = result.claims[index].model_copy(update=update)


def _notes(result: PageClaims) -> None:
    discussion = sum(1 for o in result.occurrences if o.use == "discussion")
    if discussion:
        result.notes.append(f"{discussion} occurrence(s) classified as discussion: not claims, not judged")
    review = sum(1 for c in result.claims if c.use_confidence == "review")
    if review:
        result.notes.append(f"{review} claim(s) classified on a close call: use_confidence review")
