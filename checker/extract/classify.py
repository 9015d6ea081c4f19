"""Classify each occurrence as a product claim, an organisation claim or discussion (issue 13 §1).

The page as a whole and the occurrence's neighbourhood each contribute signals from `use_table.py`; the
scores are added and the best use wins. A close call is never a guess: it becomes a claim (so nothing is
lost) with use_confidence "review", and its signals say what pulled each way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import Tag

from checker.codes import find_codes
from checker.extract.context import ContextFinder
from checker.extract.document import HEADINGS, Page, Row, clean, label_in
from checker.extract.mentions import Mention, find_in_text
from checker.extract.models import Confidence
from checker.extract.page_signals import PageSignals
from checker.extract.patterns import PRODUCT_LABELS, STANDARD_LABELS
from checker.extract.tie import Tie, sentence_span
from checker.extract.use_table import (
    AFTER_SIGNALS,
    ARTICLE_JSONLD,
    ARTICLE_META_NAMES,
    ASSOCIATION,
    BEFORE_SIGNALS,
    BEFORE_WINDOW,
    FIRST_PERSON,
    GOV_META_NAMES,
    HEAD_SIGNALS,
    ITEM_URL,
    MARGIN,
    MIN_SCORE,
    NAME_LEADING_NOISE,
    NEAR_STRUCTURE,
    NEWS_URL,
    ORGANISATION_NAME,
    ORGANISATION_PAGE,
    PAGE_CAP,
    PREPASS_SIGNALS,
    PRICE,
    PRODUCT_JSONLD,
    REGULATOR,
    RELATED_LIST_HEADING,
    SENTENCE_SIGNALS,
    STANDARDS_TABLE_HEADER,
    STRUCTURE,
    USES,
    Use,
)
from checker.normalize import compact

_PREPASS = {signal.name: signal for signal in PREPASS_SIGNALS}
# A site name ends a <title> after one of these: "公司新闻 - 上海某某有限公司".
_TITLE_SEPARATORS = re.compile(r"\s*[-_|｜—–]\s*")
# Words an organisation's name carries that say nothing about which organisation it is.
_NAME_NOISE = re.compile(
    r"上海市?|有限责任公司|股份有限公司|有限公司|集团|集團|公司|\(.*?\)|（.*?）|中国|中國"
)
_SENTENCE_WINDOW = 120
_AFTER_WINDOW = 16
# How far above a list its heading may sit (the list, its box, the box's column).
_RELATED_LEVELS = 3


@dataclass(frozen=True)
class Fired:
    """One signal that fired: where it was read (page or near) and what it argues for."""

    scope: str
    name: str
    weights: dict[Use, int]

    @property
    def label(self) -> str:
        """`page:byline`, `near:standard-label`."""
        return f"{self.scope}:{self.name}"


@dataclass
class PageView:
    """The page-level evidence, read once per page."""

    fired: list[Fired]
    scores: dict[Use, int]
    kind: str
    owners: list[tuple[str, str]]  # (organisation name, where it came from), best first
    offers_product: bool
    article: bool = False  # some signal says the page is an article, a notice or a post
    organisation_page: bool = False
    brands: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)

    @property
    def labels(self) -> list[str]:
        """The page's signals, strongest first."""
        return [f.label for f in sorted(self.fired, key=lambda f: -max(f.weights.values()))]


@dataclass(frozen=True)
class Decision:
    """How one occurrence was classified, and why."""

    use: Use
    confidence: Confidence
    signals: list[str]
    scores: dict[Use, int]


def _structure(name: str) -> Fired:
    return Fired("page", name, STRUCTURE[name][0])


def _near(name: str) -> Fired:
    return Fired("near", name, NEAR_STRUCTURE[name][0])


def _capped(fired: list[Fired]) -> dict[Use, int]:
    scores = {use: sum(f.weights.get(use, 0) for f in fired) for use in USES}
    return {use: min(score, PAGE_CAP) for use, score in scores.items()}


def _head_texts(page: Page, finder: ContextFinder, collected: PageSignals) -> list[str]:
    texts = [t for t in (page.title, page.metas.get("og:title")) if t]
    texts.extend(clean(h.get_text(" ")) for h in page.soup.find_all(["h1", "h2"], limit=6))
    texts.extend(collected.crumbs)
    texts.extend(finder.layout_texts("breadcrumb"))
    return [t for t in texts if t]


def _owners(page: Page, collected: PageSignals) -> list[tuple[str, str]]:
    owners: list[tuple[str, str]] = []
    site = page.metas.get("og:site_name")
    if site:
        owners.append((site, "og:site_name"))
    owners.extend((owner, "site:copyright") for owner in collected.owners)
    if page.title:
        last = _TITLE_SEPARATORS.split(page.title)[-1].strip()
        if last != page.title and ORGANISATION_NAME.fullmatch(last):
            owners.append((last, "site:title"))
    # A registered name (上海某某有限公司) before a brand or an English site name: holders are registered names.
    return sorted(owners, key=lambda owner: ORGANISATION_NAME.fullmatch(owner[0]) is None)


def _jsonld_types(page: Page) -> str:
    return " ".join(str(item.get("@type", "")) for item in page.jsonld)


def read_page(page: Page, finder: ContextFinder, collected: PageSignals, url: str | None) -> PageView:
    """The page-level signals: pre-pass texts, head texts, structure and metadata."""
    fired = [Fired("page", name, _PREPASS[name].weights) for name in collected.found]
    heads = _head_texts(page, finder, collected)
    fired.extend(
        Fired("page", s.name, s.weights)
        for s in HEAD_SIGNALS
        if s.regex is not None and any(s.regex.search(text) for text in heads)
    )
    types = _jsonld_types(page)
    og_type = page.metas.get("og:type", "").lower()
    if page.soup.find("article") is not None or ARTICLE_JSONLD.search(types) or og_type == "article":
        fired.append(_structure("article-markup"))
    if GOV_META_NAMES & page.metas.keys():
        fired.append(_structure("gov-meta"))
    if ARTICLE_META_NAMES & page.metas.keys():
        fired.append(_structure("article-meta"))
    if PRODUCT_JSONLD.search(types):
        fired.append(_structure("jsonld-product"))
    if og_type.startswith("product"):
        fired.append(_structure("og-product"))
    product_rows = [r for r in page.rows if label_in(r.label, (*PRODUCT_LABELS, *STANDARD_LABELS))]
    if len(product_rows) >= 2 and "param-label" not in collected.found:
        fired.append(_structure("param-rows"))
    if finder.layout_texts("shop"):
        fired.append(_structure("shop"))
    host, path = _split_url(url)
    if host.endswith(".gov.cn") or host.endswith(".gov"):
        fired.append(_structure("gov-host"))
    if path and NEWS_URL.search(path):
        fired.append(_structure("news-url"))
    if path and ITEM_URL.search(path):
        fired.append(_structure("item-url"))
    owners = _owners(page, collected)
    if any(REGULATOR.search(name) for name, _ in owners):
        fired.append(_structure("regulator-site"))
    elif any(ASSOCIATION.search(name) for name, _ in owners):
        fired.append(_structure("association-site"))
    scores = _capped(fired)
    best = max(USES, key=lambda use: scores[use])
    article = any(f.weights.get("discussion", 0) > 0 for f in fired)
    # Not enough to tell news from an organisation's own news, but an article all the same.
    kind = best if scores[best] >= MIN_SCORE else "article" if article else "unknown"
    return PageView(
        fired=fired,
        scores=scores,
        kind=kind,
        owners=owners,
        offers_product=scores["product"] >= MIN_SCORE,
        article=article,
        organisation_page=any(f.name in ORGANISATION_PAGE for f in fired),
        brands=collected.brands,
        models=collected.models,
    )


def _split_url(url: str | None) -> tuple[str, str]:
    if not url or "://" not in url:
        return "", url or ""
    rest = url.split("://", 1)[1]
    host, _, path = rest.partition("/")
    return host.split(":")[0].lower(), "/" + path


def _core(name: str) -> str:
    return _NAME_NOISE.sub("", compact(name))


def organisations_in(sentence: str) -> list[str]:
    """Organisations named in a sentence (the sentence's own words before a name trimmed off)."""
    names = []
    for match in ORGANISATION_NAME.finditer(sentence):
        name = NAME_LEADING_NOISE.sub("", match.group(0))
        if len(name) >= 4 and not REGULATOR.search(name):
            names.append(name)
    return names


def same_organisation(a: str, b: str) -> bool:
    """Whether two names are one organisation (their distinctive cores contain one another)."""
    core_a, core_b = _core(a), _core(b)
    return len(core_a) >= 2 and len(core_b) >= 2 and (core_a in core_b or core_b in core_a)


def _row_of(element: Tag, rows_by_element: dict[int, Row]) -> Row | None:
    for level, node in enumerate([element, *element.parents]):
        if level > 3 or node.name in ("table", "body", "html", "[document]"):
            return None
        if id(node) in rows_by_element:
            return rows_by_element[id(node)]
    return None


def _in_standards_table(unit: Tag) -> bool:
    """Whether the element sits in a table whose first row heads a list of standards (标准编号, 标准名称)."""
    table = unit if unit.name == "table" else unit.find_parent("table")
    first_row = table.find("tr") if table is not None else None
    if first_row is None:
        return False
    cells = first_row.find_all(["th", "td"])
    return any(STANDARDS_TABLE_HEADER.match(clean(cell.get_text()).replace(" ", "")) for cell in cells)


def _in_related_list(element: Tag) -> bool:
    """Whether a linked occurrence sits in a list under a heading such as 相关资讯 (a sidebar of headlines)."""
    listing = element if element.name in ("ul", "ol") else element.find_parent(["ul", "ol"])
    node = listing
    for _ in range(_RELATED_LEVELS):
        if node is None or node.name in ("body", "html", "[document]"):
            return False
        for child in node.find_all(["h2", "h3", "h4", "h5", "dt"], recursive=False, limit=3):
            if RELATED_LIST_HEADING.search(clean(child.get_text(" "))):
                return True
        node = node.parent
    return False


def _in_link(mention: Mention) -> bool:
    if mention.kind == "logo":
        return mention.element.find_parent("a") is not None
    links = mention.element.find_all("a") if mention.element.name != "a" else [mention.element]
    return any(any(find_in_text(clean(a.get_text(" ")))) for a in links) or (
        mention.element.find_parent("a") is not None
    )


class Classifier:
    """Classifies the occurrences of one page."""

    def __init__(self, page: Page, finder: ContextFinder, view: PageView) -> None:
        self.page = page
        self.finder = finder
        self.view = view
        self._rows = {id(row.element): row for row in page.rows}
        # Number keys of the codes the page's own 执行标准/产品标准号 rows declare.
        self._declared = {
            match.code.number_key
            for row in page.rows
            if label_in(row.label, STANDARD_LABELS)
            for match in find_codes(row.value)
        }

    def near(self, mention: Mention, tied: Tie) -> list[Fired]:
        """The occurrence's own signals: its sentence, the words around it, its block and row."""
        text = mention.block_text
        if mention.kind == "logo":
            start, end = 0, 0
            sentence = f"{mention.text} {text}"[: _SENTENCE_WINDOW * 2]
        else:
            start, end = mention.start, mention.end
            s_start, s_end = sentence_span(text, start, end)
            s_start, s_end = max(s_start, start - _SENTENCE_WINDOW), min(s_end, end + _SENTENCE_WINDOW)
            sentence = text[s_start:s_end]
        fired = [
            Fired("near", s.name, s.weights)
            for s in SENTENCE_SIGNALS
            if s.regex is not None and s.regex.search(sentence)
        ]
        if any(f.name == "first-person-designation" for f in fired):
            fired = [f for f in fired if f.name != "first-person"]
        if mention.kind != "logo":
            before = text[max(0, start - BEFORE_WINDOW) : start]
            after = text[end : end + _AFTER_WINDOW]
            fired.extend(
                Fired("near", s.name, s.weights) for s in BEFORE_SIGNALS if s.regex and s.regex.search(before)
            )
            fired.extend(
                Fired("near", s.name, s.weights) for s in AFTER_SIGNALS if s.regex and s.regex.search(after)
            )
        fired.extend(self._structure(mention, tied, sentence, text))
        return fired

    def _structure(self, mention: Mention, tied: Tie, sentence: str, block: str) -> list[Fired]:
        fired: list[Fired] = []
        row = _row_of(mention.unit, self._rows)
        if row is not None and label_in(row.label, STANDARD_LABELS):
            fired.append(_near("standard-row"))
        card = self.finder.block_of(mention.element)
        if card is not None:
            rows = self.finder.rows_under.get(id(card), [])
            if any(label_in(r.label, PRODUCT_LABELS) for r in rows) or (
                self.view.offers_product and self.finder.heading(card)
            ):
                fired.append(_near("product-card"))
        if tied.code is not None and tied.kind in ("annotation", "cell", "row", "caption"):
            fired.append(_near("tied-code"))
        if tied.code is not None and row is None and tied.code.number_key in self._declared:
            fired.append(_near("declared-standard"))
        if PRICE.search(block):
            fired.append(_near("price-near"))
        if _in_standards_table(mention.unit):
            fired.append(_near("standards-table"))
        if self.view.owners and any(
            same_organisation(name, owner)
            for name in organisations_in(sentence)
            for owner, _ in self.view.owners
        ):
            fired.append(_near("own-site"))
        if FIRST_PERSON.search(block) and not FIRST_PERSON.search(sentence):
            fired.append(_near("first-person-block"))
        if _in_link(mention):
            fired.append(_near("in-link"))
            if _in_related_list(mention.element):
                fired.append(_near("related-list"))
        if mention.element.name in HEADINGS and not self.view.offers_product:
            fired.append(_near("in-heading"))
        return fired

    def decide(self, near: list[Fired]) -> Decision:
        """Add the page's (capped) and the occurrence's scores and decide, marking close calls."""
        scores = {use: self.view.scores[use] + sum(f.weights.get(use, 0) for f in near) for use in USES}
        if not self.view.organisation_page and not any(f.weights.get("organisation", 0) > 0 for f in near):
            # Articles are news or an organisation's own news; without a word of announcement near the
            # occurrence, or a page that is an organisation's own (company news, about page), none is made.
            scores["organisation"] = 0
        ranked = sorted(USES, key=lambda use: (-scores[use], USES.index(use)))
        best, second = ranked[0], ranked[1]
        lead = scores[best] - scores[second]
        everything = [*self.view.fired, *near]
        if scores[best] == 0:
            return Decision("product", "review", ["no-signal"], scores)
        if scores["product"] == 0 and scores["organisation"] == 0:
            # Talk with no sign of a product or an announcement anywhere: no claim is lost by not judging it.
            return Decision(
                "discussion", "high", [*_explain("discussion", everything), "no-claim-signal"], scores
            )
        if best == "discussion" and scores[best] >= MIN_SCORE and lead >= MARGIN:
            return Decision("discussion", "high", _explain("discussion", everything), scores)
        if best == "discussion":
            # Too close to call: judged as the likelier claim, for a person to look at (never silently dropped).
            claim_use: Use = "organisation" if scores["organisation"] > scores["product"] else "product"
            signals = [*_explain(claim_use, everything), f"close-call:{claim_use}~discussion"]
            return Decision(claim_use, "review", signals, scores)
        confident = scores[best] >= MIN_SCORE and lead >= MARGIN
        signals = _explain(best, everything)
        if not confident:
            signals.append(f"close-call:{best}~{second}")
        return Decision(best, "high" if confident else "review", signals, scores)


def _explain(use: Use, fired: list[Fired]) -> list[str]:
    """The signals for the decided use first (strongest first), then those against it."""
    ordered = sorted(fired, key=lambda f: -f.weights.get(use, 0))
    seen: set[str] = set()
    result: list[str] = []
    for f in ordered:
        if f.weights.get(use, 0) > 0 and f.label not in seen:
            seen.add(f.label)
            result.append(f.label)
    for f in sorted(fired, key=lambda f: -max(f.weights.values())):
        if f.weights.get(use, 0) <= 0 and f"against {f.label}" not in seen:
            seen.add(f"against {f.label}")
            result.append(f"against {f.label}")
    return result


def org_claimant(sentence: str, view: PageView) -> tuple[str | None, str | None]:
    """Who announces: the organisation named in the sentence, else the site's owner (first person)."""
    if not FIRST_PERSON.search(sentence):
        names = organisations_in(sentence)
        if names:
            return names[0], "sentence"
    for owner, source in view.owners:
        if not REGULATOR.search(owner):
            return owner, source
    return None, None
