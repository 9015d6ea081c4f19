"""Classify each occurrence as a product claim, an organisation claim or discussion (issue 13 §1).

The page as a whole and the occurrence's neighbourhood each contribute signals from `use_table.py`; the
scores are added and the best use wins. A close call is never a guess: it becomes a claim (so nothing is
lost) with use_confidence "review", and its signals say what pulled each way.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from bs4 import Tag

from checker.codes import find_codes
from checker.extract.blocks import BlockTexts
from checker.extract.context import ContextFinder
from checker.extract.document import HEADINGS, Page, Row, clean, label_in
from checker.extract.mentions import Mention, find_in_text
from checker.extract.models import Confidence
from checker.extract.page_signals import PageSignals
from checker.extract.patterns import PRODUCT_LABELS, RESALE_HOSTS, STANDARD_LABELS
from checker.extract.placement import Surroundings, in_link
from checker.extract.prune import ANSWER_ATTR, NO_ANSWER_ATTR
from checker.extract.tie import Tie
from checker.extract.use_table import (
    AFTER_SIGNALS,
    AGENCY_OWNER,
    AGENCY_SIGNALS,
    ANSWER,
    ANSWER_DENIED,
    ANSWER_NO,
    ARTICLE_JSONLD,
    ARTICLE_META_NAMES,
    ASSOCIATION,
    BEFORE_SIGNALS,
    BEFORE_WINDOW,
    BUYER_QUESTIONS_HEADING,
    CERTIFICATION_AFTER,
    DECISIVE_DISCUSSION,
    DESIGNATION_SIGNALS,
    ENDS_SENTENCE,
    ENGLISH_COMPANY,
    ENGLISH_MAKER,
    FIRST_PERSON,
    FIRST_SENTENCE,
    GOV_META_NAMES,
    HEAD_SIGNALS,
    ITEM_URL,
    ITSELF_A_QUESTION,
    JOB_ADVERT_SIGNALS,
    MAKER_NAME,
    MARGIN,
    MIN_SCORE,
    NAME_LEADING_NOISE,
    NAMES_A_STANDARD,
    NEAR_STRUCTURE,
    NEGATIVE_VALUE,
    NEWS_URL,
    OPEN_QUESTION,
    ORGANISATION_NAME,
    ORGANISATION_PAGE,
    OWN_VOICE,
    PAGE_CAP,
    PREPASS_SIGNALS,
    PRICE,
    PRINT_SUPPLIER,
    PRODUCT_JSONLD,
    PUBLIC_BODY_PAGE,
    QUESTION_TITLE,
    REGULATOR,
    SAMPLE_CONTEXT,
    SCHEME_TALK,
    SCHOLARLY_META_NAMES,
    SELLER_VOICE,
    SENTENCE_SIGNALS,
    STRUCTURE,
    USES,
    VIEWER_LINE,
    WHAT_IS_BEFORE,
    Use,
)
from pagetext.normalize import compact

_PREPASS = {signal.name: signal for signal in PREPASS_SIGNALS}
_PRODUCT_SUBJECT = next(
    s.regex for s in SENTENCE_SIGNALS if s.name == "product-subject" and s.regex is not None
)
# A site name ends a <title> after one of these: "公司新闻 - 上海某某有限公司".
_TITLE_SEPARATORS = re.compile(r"\s*[-_|｜—–]\s*")
# Words an organisation's name carries that say nothing about which organisation it is.
_NAME_NOISE = re.compile(
    r"上海市?|有限责任公司|股份有限公司|有限公司|集团|集團|公司|\(.*?\)|（.*?）|中国|中國"
)
_SENTENCE_WINDOW = 120
_AFTER_WINDOW = 16
# How much of the answer after a question is read (its label and yes open it), and how far up the question's
# element the next block holding the answer is looked for (<p>问…</p><p>答…</p>, <div class=q>…</div><div class=a>):
# up to the pre-pass's block, a few levels above the element, which says what followed it on the whole page.
_ANSWER_CHARS = 200
_ANSWERED = frozenset(["asked", "question", "user-content"])
# Words after the mention that name the scheme or a part of a site (上海标准政策, 上海标准申报指南, 上海标准专区).
_SCHEME_NAMED = frozenset(["scheme-noun", "section-name"])
_ANSWER_LEVELS = 6
_SECTION_LEVELS = 5


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
    # What the page-level signals that argue only for discussion add up to (a forum, a notice, a Q&A page):
    # with no sign of an offer, the 执行标准 form there is quoted.
    discussion_only: int = 0
    organisation_page: bool = False
    brands: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)
    # The page's first h1: on a company's page of a job board or a shop, the company's name.
    h1: str | None = None
    # A public body's page (use_table.PUBLIC_BODY_PAGE): a regulator sells nothing, whatever its words say.
    public_body: bool = False
    # A person-to-person resale platform's page (patterns.RESALE_HOSTS): its shop is a private person.
    private_resale: bool = False

    @property
    def labels(self) -> list[str]:
        """The page's signals, strongest first."""
        return [f.label for f in sorted(self.fired, key=lambda f: -max(f.weights.values()))]


@dataclass(frozen=True)
class _Placement:
    """Where an occurrence sits in the page: the same for every occurrence of one element."""

    row: Row | None
    in_link: bool
    related: bool
    user_content: bool
    product_card: bool
    standards_table: bool
    quoted: bool
    heading: bool
    self_introduction: bool = False
    in_menu: bool = False
    news_box: bool = False
    column_name: bool = False


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


def _head_texts(page: Page, finder: ContextFinder, collected: PageSignals, headings: list[Tag]) -> list[str]:
    texts = [t for t in (page.title, page.metas.get("og:title")) if t]
    texts.extend(clean(h.get_text(" ")) for h in headings)
    texts.extend(collected.crumbs)
    texts.extend(finder.layout_texts("breadcrumb"))
    return [t for t in texts if t]


def _owners(page: Page, collected: PageSignals, host: str = "") -> list[tuple[str, str]]:
    owners: list[tuple[str, str]] = []
    site = page.metas.get("og:site_name")
    if site:
        owners.append((site, "og:site_name"))
    owners.extend((owner, "site:copyright") for owner in collected.owners)
    # An English footer's company names the organisation only on its own site: the page's title or host shares a
    # word of its name (a marketplace's footer on a supplier's profile names the marketplace: no claimant).
    own = set(_WORDS.findall(f"{page.title or ''} {host}".lower()))
    owners.extend(
        (owner, ENGLISH_COPYRIGHT) for owner in collected.english_owners if _distinctive_words(owner) & own
    )
    if page.title:
        last = _TITLE_SEPARATORS.split(page.title)[-1].strip()
        # A note after the name (演示标准化协会（筹）, （虚构）) still ends an organisation's name.
        if last != page.title and ORGANISATION_NAME.fullmatch(_TRAILING_NOTE.sub("", last)):
            owners.append((last, "site:title"))
    # A registered name (上海某某有限公司) before a brand or an English site name: holders are registered names.
    return sorted(owners, key=lambda owner: ORGANISATION_NAME.fullmatch(owner[0]) is None)


def _jsonld_types(page: Page) -> str:
    return " ".join(str(item.get("@type", "")) for item in page.jsonld)


def read_page(page: Page, finder: ContextFinder, collected: PageSignals, url: str | None) -> PageView:
    """The page-level signals: pre-pass texts, head texts, structure and metadata."""
    fired = [Fired("page", name, _PREPASS[name].weights) for name in collected.found]
    headings = page.tags_named("h1", "h2")[:6]
    heads = _head_texts(page, finder, collected, headings)
    fired.extend(
        Fired("page", s.name, s.weights)
        for s in HEAD_SIGNALS
        if s.regex is not None and any(s.regex.search(text) for text in heads)
    )
    types = _jsonld_types(page)
    og_type = page.metas.get("og:type", "").lower()
    if page.tags_named("article") or ARTICLE_JSONLD.search(types) or og_type == "article":
        fired.append(_structure("article-markup"))
    if GOV_META_NAMES & page.metas.keys():
        fired.append(_structure("gov-meta"))
    if ARTICLE_META_NAMES & page.metas.keys():
        fired.append(_structure("article-meta"))
    if SCHOLARLY_META_NAMES & page.metas.keys():
        fired.append(_structure("scholarly-meta"))
    if PRODUCT_JSONLD.search(types):
        fired.append(_structure("jsonld-product"))
    if og_type.startswith("product"):
        fired.append(_structure("og-product"))
    first_h1 = next((h for h in headings if h.name == "h1"), None)
    asked = [page.title, page.metas.get("og:title"), clean(first_h1.get_text(" ")) if first_h1 else None]
    if any(text and QUESTION_TITLE.search(text) for text in asked):
        fired.append(_structure("question-title"))
    # One product's parameter rows (a table of several items' columns is not one product's parameters).
    product_rows = [
        r for r in page.rows if not r.column and label_in(r.label, (*PRODUCT_LABELS, *STANDARD_LABELS))
    ]
    if len(product_rows) >= 2 and "param-label" not in collected.found:
        fired.append(_structure("param-rows"))
    if finder.layout_texts("shop"):
        fired.append(_structure("shop"))
    host, path = _split_url(url)
    if host.endswith(".gov.cn") or host.endswith(".gov"):
        fired.append(_structure("gov-host"))
    if path and NEWS_URL.search(path):
        fired.append(_structure("news-url"))
    if path and ITEM_URL.search(path) and _url_may_count(fired):
        fired.append(_structure("item-url"))
    owners = _owners(page, collected, host)
    if any(REGULATOR.search(name) for name, _ in owners):
        fired.append(_structure("regulator-site"))
    elif any(ASSOCIATION.search(name) for name, _ in owners):
        fired.append(_structure("association-site"))
    site_name = _TITLE_SEPARATORS.split(page.title)[-1].strip() if page.title else ""
    if any(
        AGENCY_OWNER.search(name) and not REGULATOR.search(name)
        for name in (*(name for name, _ in owners), *([site_name] if site_name != page.title else []))
    ):
        fired.append(_structure("agency-site"))
    scores = _capped(fired)
    best = max(USES, key=lambda use: scores[use])
    article = any(f.weights.get("discussion", 0) > 0 for f in fired)
    # Not enough to tell news from an organisation's own news, but an article all the same.
    kind = best if scores[best] >= MIN_SCORE else "article" if article else "unknown"
    only = sum(f.weights.get("discussion", 0) for f in fired if set(f.weights) == {"discussion"})
    return PageView(
        fired=fired,
        scores=scores,
        kind=kind,
        owners=owners,
        offers_product=scores["product"] >= MIN_SCORE,
        article=article,
        discussion_only=min(only, PAGE_CAP),
        organisation_page=any(f.name in ORGANISATION_PAGE for f in fired),
        brands=collected.brands,
        models=collected.models,
        h1=clean(first_h1.get_text(" ")) if first_h1 else None,
        public_body=any(f.name in PUBLIC_BODY_PAGE for f in fired),
        private_resale=any(host == h or host.endswith("." + h) for h in RESALE_HOSTS),
    )


def _url_may_count(fired: list[Fired]) -> bool:
    """Whether an item path in the URL (/item/, ?id=) may count for a product: it corroborates an offer the
    page shows, or stands alone on a page with no sign of being an article. A path is the site's choice, not
    the page's content: it never outweighs a byline or an article's structure (QA #4: an explainer reposted
    under /item/ became a product claim)."""
    offers = any(f.weights.get("product", 0) > 0 for f in fired)
    article = any(f.weights.get("discussion", 0) > 0 for f in fired)
    return offers or not article


# Where an English footer's owner came from (© 2024 X Co., Ltd.): the site's owner as a Chinese footer's is (an
# organisation's claimant; a product's, for review, that a crawl's seller replaces: SITE_OWNER_SOURCES).
ENGLISH_COPYRIGHT = "site:copyright-en"
# Words of an English company name that say nothing of which company it is: its form, its trade, a place, and the
# words of a marketplace's own name (a supplier's profile on b2b-market.example.com shares "market" with it).
_COMPANY_FORM_WORDS = frozenset(
    [
        "co",
        "ltd",
        "limited",
        "inc",
        "llc",
        "corp",
        "corporation",
        "company",
        "group",
        "holding",
        "holdings",
        "international",
        "trading",
        "technology",
        "technologies",
        "industrial",
        "industry",
        "industries",
        "products",
        "product",
        "manufacturing",
        "science",
        "the",
        "and",
        "of",
        "china",
        "shanghai",
        "beijing",
        "hangzhou",
        "shenzhen",
        "guangzhou",
        "ningbo",
        "suzhou",
        "jiangsu",
        "zhejiang",
        "guangdong",
        "market",
        "markets",
        "mall",
        "online",
        "global",
        "sources",
        "trade",
        "b2b",
        "shop",
        "store",
        "www",
        "example",
    ]
)


def _distinctive_words(name: str) -> set[str]:
    """The words of an English company name that tell it apart (Hangzhou Mouhou Baby Products Co., Ltd.: mouhou,
    baby), lower case, four letters or more."""
    return {
        word for word in _WORDS.findall(name.lower()) if len(word) >= 4 and word not in _COMPANY_FORM_WORDS
    }


_WORDS = re.compile(r"[a-z0-9]+")


def _split_url(url: str | None) -> tuple[str, str]:
    if not url or "://" not in url:
        return "", url or ""
    rest = url.split("://", 1)[1]
    host, _, path = rest.partition("/")
    return host.split(":")[0].lower(), "/" + path


def _core(name: str) -> str:
    return _NAME_NOISE.sub("", compact(name))


# A maker named in a claim's own sentence (演示科技有限公司（虚构）出品，执行…), only where the verb ends the phrase
# or names the product: 采用某某有限公司生产的设备 names the maker of equipment, not of the product.
_MAKER_IN_SENTENCE = re.compile(
    rf"(?P<name>(?:{MAKER_NAME.pattern})(?:[（(][^（）()]{{1,12}}[）)])?)\s*(?:荣誉|榮譽)?"
    r"(?:出品|生产|生產|制造|製造|监制|監製)(?=[，,。；;！!、\s]|$|的?(?:本|该|該)?(?:产品|產品|商品))"
)


# A dealer saying the goods it sells are made by the company it deals for (本店为X授权经销商，所售座椅由该公司生产): X
# is the maker the sentence names; an authorised dealer alone may sell others' goods too, so the pointer back to X
# (该公司, 其) with a making verb is required.
_MAKER_DEALT_FOR = re.compile(
    rf"(?P<name>(?:{MAKER_NAME.pattern})(?:[（(][^（）()]{{1,12}}[）)])?)\s*的?(?:授权|授權|特约|特約|指定)"
    r"(?:经销商|經銷商|经销|經銷|代理商|代理|专卖店|專賣店)[^。；;！!]{0,30}?由?(?:该公司|該公司|该厂|該廠|其)"
    r"(?:出品|生产|生產|制造|製造)"
)


# Praise, not a name: 源头工厂生产, 知名大厂出品.
_NOT_A_MAKER_NAME = re.compile(
    r"源头|源頭|自家|自有|正规|正規|知名|优质|優質|专业|專業|大型|品牌|工厂直|大厂|大廠"
)


@functools.lru_cache(maxsize=64)
def maker_named(sentence: str) -> str | None:
    """The organisation a product claim's sentence names as the product's maker (…出品, 由…生产), else None."""
    for match in (*_MAKER_IN_SENTENCE.finditer(sentence), *_MAKER_DEALT_FOR.finditer(sentence)):
        name = NAME_LEADING_NOISE.sub("", match.group("name"))
        if len(name) >= 4 and not REGULATOR.search(name) and not _NOT_A_MAKER_NAME.search(name):
            return name
    return None


def organisations_in(sentence: str) -> list[str]:
    """Organisations named in a sentence (the sentence's own words before a name trimmed off)."""
    names = []
    for match in ORGANISATION_NAME.finditer(sentence):
        name = match.group(0)
        for _ in range(3):  # 我司长期合作伙伴X有限公司: each lead-in off in turn
            trimmed = NAME_LEADING_NOISE.sub("", name)
            if trimmed == name:
                break
            name = trimmed
        if len(name) >= 4 and not REGULATOR.search(name) and not _NO_PROPER_NAME.match(name):
            names.append(name)
    return names


# A kind of organisation, no one organisation's name (…并多次获得行业协会表彰, 受到有关部门表彰): what it did
# (获得, 受到) comes before it, and its name is only a category.
_NO_PROPER_NAME = re.compile(
    r"^.{0,8}?(?:获得|獲得|荣获|榮獲|受到|得到)|^(?:行业|行業|有关|有關|相关|相關|各级|各級|各|多家|多个|多個|主管)"
)


def same_organisation(a: str, b: str) -> bool:
    """Whether two names are one organisation (their distinctive cores contain one another)."""
    core_a, core_b = _core(a), _core(b)
    return len(core_a) >= 2 and len(core_b) >= 2 and (core_a in core_b or core_b in core_a)


def _table_of(element: Tag) -> Tag | None:
    return next((node for node in element.parents if node.name == "table"), None)


def _row_of(element: Tag, rows_by_element: dict[int, Row]) -> Row | None:
    for level, node in enumerate([element, *element.parents]):
        if level > 3 or node.name in ("table", "body", "html", "[document]"):
            return None
        if id(node) in rows_by_element:
            return rows_by_element[id(node)]
    return None


class Classifier:
    """Classifies the occurrences of one page."""

    def __init__(
        self, page: Page, finder: ContextFinder, view: PageView, blocks: BlockTexts | None = None
    ) -> None:
        self.page = page
        self.finder = finder
        self.view = view
        # Block texts shared with the tier: a block's sentences and whole-block searches are read once.
        self.blocks = blocks if blocks is not None else BlockTexts()
        self._placements: dict[tuple[int, int, str], _Placement] = {}
        self._surroundings = Surroundings()
        self._rows = {id(row.element): row for row in page.rows if not row.column}
        # Tables whose first row names columns (品名 | 执行标准 | 是否上海标准 | 单价), and the rows of their records.
        column_cells = [row.element for row in page.rows if row.column]
        self._column_tables = {id(t) for t in map(_table_of, column_cells) if t is not None}
        self._record_rows = {id(cell.parent) for cell in column_cells}
        # Number keys of the codes the page's own 执行标准/产品标准号 rows declare.
        self._declared = {
            match.code.number_key
            for row in page.rows
            if not row.column and label_in(row.label, STANDARD_LABELS)
            for match in find_codes(row.value)
        }
        self._priced: dict[int, bool] = {}
        self._page_names = {f.name for f in view.fired}
        self._answers: dict[tuple[int, int], str | None] = {}

    def near(self, mention: Mention, tied: Tie) -> list[Fired]:
        """The occurrence's own signals: its sentence, the words around it, its block and row."""
        text = mention.block_text
        asked = False
        question_end = 0
        if mention.kind == "logo":
            start, end = 0, 0
            sentence = f"{mention.text} {text}"[: _SENTENCE_WINDOW * 2]
        else:
            start, end = mention.start, mention.end
            s_start, s_end = self.blocks.of(text).sentence_span(start, end)
            asked = text[s_end : s_end + 1] in ("?", "？") or (
                WHAT_IS_BEFORE.search(text, s_start, start) is not None
                and ENDS_SENTENCE.fullmatch(text, end, s_end) is not None
            )
            question_end = s_end + 1
            s_start, s_end = max(s_start, start - _SENTENCE_WINDOW), min(s_end, end + _SENTENCE_WINDOW)
            sentence = text[s_start:s_end]
        fired = [
            Fired("near", s.name, s.weights)
            for s in SENTENCE_SIGNALS
            if s.regex is not None and s.regex.search(sentence)
        ]
        if any(f.name == "first-person-designation" for f in fired):
            fired = [f for f in fired if f.name != "first-person"]
        agency = any(f.name in AGENCY_SIGNALS for f in fired)
        if agency:
            # An agency's 在我司辅导下…获评, 认证代办: the designation is its client's, the certification its service's.
            fired = [f for f in fired if f.name not in DESIGNATION_SIGNALS]
        if mention.kind != "logo":
            before = text[max(0, start - BEFORE_WINDOW) : start]
            after = text[end : end + _AFTER_WINDOW]
            fired.extend(
                Fired("near", s.name, s.weights) for s in BEFORE_SIGNALS if s.regex and s.regex.search(before)
            )
            fired.extend(
                Fired("near", s.name, s.weights) for s in AFTER_SIGNALS if s.regex and s.regex.search(after)
            )
        if (
            mention.kind != "logo"
            and self._certified_thing(mention, tied, sentence)
            and not (agency and not any(f.name in SELLER_VOICE for f in fired))
        ):
            # 上海标准认证 of a thing that is no standard: a product's (mis)claim, not a designation announced.
            fired = [f for f in fired if f.name not in DESIGNATION_SIGNALS]
            fired.append(_near("certification-form"))
        if any(f.name == "own-products-certified" for f in fired):
            # 公司产品获得…上海标准等荣誉: the products hold the words as an honour, no standard is announced.
            fired = [f for f in fired if f.name not in DESIGNATION_SIGNALS]
        # What the words' own sentence says of products (本品执行…, 生产…，产品执行…（上海标准）, 我司产品通过…认证), not of a
        # designation announced: on a job advert, only that makes the employer's company box its claim.
        of_products = (
            any(f.weights.get("product", 0) > 0 for f in fired) or ENGLISH_MAKER.search(sentence) is not None
        ) and not any(f.name in DESIGNATION_SIGNALS for f in fired)
        fired.extend(self._structure(mention, tied, sentence, text, of_products))
        if PRINT_SUPPLIER in self._page_names and SAMPLE_CONTEXT.search(sentence):
            # A printer's sample or a client's finished label: the printer sells no such product.
            fired.append(_near("printed-sample"))
        if mention.kind != "logo" and asked:
            fired.append(_near("asked"))
            if self.sellers_yes(mention, question_end) is not None:
                # The seller's yes turns the question into its statement: what argued "only asked" no longer does.
                fired = [f for f in fired if f.name not in _ANSWERED]
                fired.append(_near("affirmed"))
            else:
                fired.extend(self._unclaimed_question(mention, question_end))
        if (
            self.view.scores["product"] == 0
            and self.view.discussion_only >= MIN_SCORE
            # The seller's voice (本产品…, 欢迎订购) keeps a claim on a page that shows no offer, except on a
            # public body's page: a regulator's 该产品…执行标准：… reports someone else's product.
            and not (any(f.name in SELLER_VOICE for f in fired) and not self.view.public_body)
            and not (
                any(f.name in OWN_VOICE for f in fired) and not any(f.name in SCHEME_TALK for f in fired)
            )
        ):
            fired.append(_near("no-offer"))
        return fired

    def sellers_yes(self, mention: Mention, question_end: int | None = None) -> str | None:
        """The seller's yes to the question holding the words (问：这款是上海标准吗？ 答：是的，…), as written, or None:
        no answer, no yes, or a yes by another buyer (a plain 答 under 问大家, 买家老李：是的)."""
        key = (id(mention.element), mention.start)
        if key in self._answers:
            return self._answers[key]
        answer = None
        if question_end is not None:
            text = self._answer_text(mention, question_end) or ""
            found = ANSWER.match(text)
            if (
                found is not None
                and not ITSELF_A_QUESTION.search(text)
                and not OPEN_QUESTION.search(mention.block_text[:question_end])
                and not ANSWER_DENIED.match(text, found.end("yes"))
                # An answer writing the words of the product itself (是的，本品执行T/…（上海标准）) is the claim: one,
                # not two; one writing them without the seller's voice (对，是上海标准) stays in the buyers' box.
                and not (any(find_in_text(text)) and _PRODUCT_SUBJECT.search(text))
                and (found.group("seller") or not self._buyers_question(mention))
            ):
                answer = text
        self._answers[key] = answer
        return answer

    def _unclaimed_question(self, mention: Mention, question_end: int) -> list[Fired]:
        """A question about the words that no yes answers: answered no (答：不是的, A: No.), followed by another
        question instead of an answer (这款是上海标准吗？ 能开发票吗？), or by nothing at all. It claims nothing."""
        reply = self._answer_text(mention, question_end)
        if reply is None:
            return [_near("unanswered")]
        first = FIRST_SENTENCE.match(reply)
        first_sentence = first.group(0) if first else ""
        if ITSELF_A_QUESTION.search(first_sentence):
            # A yes after the next question answers that one (问：…上海标准吗？问：能退货吗？答：是的).
            return [_near("unanswered")]
        if ANSWER_NO.match(reply):
            return [_near("answered-no")]
        return []

    @staticmethod
    def _answer_text(mention: Mention, question_end: int) -> str | None:
        """What follows the question: the rest of its block, else the next block beside it or an ancestor; None
        when the page holds nothing after it (the pre-pass looked at the whole page: prune.NO_ANSWER_ATTR)."""
        # A bounded slice: a block of thousands of questions is read in linear time (each reads 200 characters).
        rest = mention.block_text[question_end : question_end + 4 * _ANSWER_CHARS].strip()
        if rest:
            return rest[:_ANSWER_CHARS]
        node: Tag | None = mention.element
        for _ in range(_ANSWER_LEVELS):
            if node is None or node.name in ("body", "html", "[document]"):
                break
            if node.get(NO_ANSWER_ATTR) is not None:
                return None
            # What followed the block on the whole page, which pruning cut (a long answer, a box further up).
            if (head := node.get(ANSWER_ATTR)) is not None:
                return clean(str(head))[:_ANSWER_CHARS]
            sibling = node.find_next_sibling()
            if sibling is not None:
                return clean(sibling.get_text(" "))[:_ANSWER_CHARS]
            node = node.parent
        return ""

    def _buyers_question(self, mention: Mention) -> bool:
        """Whether the question is a buyer's: on a line opened by a buyer's name, or in a section headed 问大家,
        评价, 买家… (there a plain 答 is another buyer's)."""
        if self._viewer_line(mention):
            return True
        for level, node in enumerate(mention.element.parents):
            if level > _SECTION_LEVELS or node.name in ("body", "html", "[document]"):
                return False
            heading = next(
                (c for c in node.children if isinstance(c, Tag) and c.name in (*HEADINGS, "h5", "h6")), None
            )
            if heading is not None and BUYER_QUESTIONS_HEADING.search(clean(heading.get_text(" "))):
                return True
        return False

    @staticmethod
    def _certified_thing(mention: Mention, tied: Tie, sentence: str) -> bool:
        """Whether the words are followed by certification wording (上海标准认证) in a sentence that names no
        standard besides them (no other 标准, code or 《title》)."""
        if tied.code is not None or tied.title is not None:
            return False
        after = mention.block_text[mention.end : mention.end + _AFTER_WINDOW]
        return bool(CERTIFICATION_AFTER.match(after)) and not NAMES_A_STANDARD.search(
            sentence.replace(mention.text, "")
        )

    def _placement(self, mention: Mention) -> _Placement:
        """Where the occurrence sits, read once per element (a block may hold thousands of occurrences)."""
        key = (id(mention.element), id(mention.unit), mention.kind)
        found = self._placements.get(key)
        if found is not None:
            return found
        row = _row_of(mention.unit, self._rows)
        linked = in_link(mention)
        related = linked and self._surroundings.in_related_list(
            mention.element, product_page=self.view.offers_product
        )
        user_content = self._surroundings.in_user_content(mention.element)
        card = None if related or user_content else self.finder.block_of(mention.element)
        product_card = False
        if card is not None:
            rows = self.finder.rows_under.get(id(card), [])
            product_card = any(label_in(r.label, PRODUCT_LABELS) for r in rows) or bool(
                self.view.offers_product and self.finder.heading(card) and self._card_offers(card)
            )
        found = self._placements[key] = _Placement(
            row=row,
            in_link=linked,
            related=related,
            user_content=user_content,
            product_card=product_card,
            standards_table=self._surroundings.in_standards_table(mention.unit),
            quoted=any(
                node.name in ("blockquote", "q") for node in (mention.element, *mention.element.parents)
            ),
            heading=mention.element.name in HEADINGS,
            self_introduction=self._surroundings.in_self_introduction(mention.element),
            in_menu=linked and mention.kind != "logo" and self._surroundings.in_menu(mention.element),
            column_name=self._names_column(mention.unit),
            news_box=self.view.offers_product
            and row is None
            and not user_content
            and self._surroundings.in_news_box(mention.element),
        )
        return found

    def _structure(
        self, mention: Mention, tied: Tie, sentence: str, block: str, of_products: bool = False
    ) -> list[Fired]:
        fired: list[Fired] = []
        place = self._placement(mention)
        row = place.row
        if row is not None and label_in(row.label, STANDARD_LABELS):
            fired.append(_near("standard-row"))
        if row is not None and NEGATIVE_VALUE.fullmatch(row.value) and not any(find_in_text(row.value)):
            # 是否上海标准：否: the words name the row, its value denies them.
            fired.append(_near("row-denied"))
        if place.product_card:
            fired.append(_near("product-card"))
        if tied.code is not None and tied.kind in ("annotation", "cell", "row", "caption"):
            fired.append(_near("tied-code"))
        if tied.code is not None and row is None and tied.code.number_key in self._declared:
            fired.append(_near("declared-standard"))
        facts = self.blocks.of(block)
        if facts.has(PRICE):
            fired.append(_near("price-near"))
        if place.standards_table:
            fired.append(_near("standards-table"))
        named = organisations_in(sentence)
        if self.view.owners and any(
            same_organisation(name, owner) for name in named for owner, _ in self.view.owners
        ):
            fired.append(_near("own-site"))
        elif (
            named
            # The owner is known and the organisation named is not it; an agency's site (its name in the title:
            # 成功案例-演示咨询) names its clients, whether or not its footer names it. An article page reports.
            and (self.view.owners or "agency-site" in self._page_names)
            and (self.view.article or "agency-site" in self._page_names)
            and not self.view.organisation_page
            and not FIRST_PERSON.search(sentence)
            and not any(f.name in ("standard-row", "product-card") for f in fired)
        ):
            fired.append(_near("other-organisation"))
        if facts.has(FIRST_PERSON) and not FIRST_PERSON.search(sentence):
            fired.append(_near("first-person-block"))
        if place.in_link:
            fired.append(_near("in-link"))
            if place.in_menu:
                fired.append(_near("in-menu"))
            if place.related:
                fired.append(_near("related-list"))
        if place.user_content or self._viewer_line(mention):
            fired.append(_near("user-content"))
        if place.news_box:
            fired.append(_near("news-box"))
        if place.column_name:
            fired.append(_near("column-name"))
        if place.quoted:
            fired.append(_near("quoted-block"))
        if place.heading and not self.view.offers_product:
            fired.append(_near("in-heading"))
        if place.self_introduction and (of_products or self._page_names.isdisjoint(JOB_ADVERT_SIGNALS)):
            # On a job advert the employer's company box is its own statement about its products (产品执行…（上海标准）);
            # its designation announced there repeats the company's own page on the board, where it is the one thing
            # to act on (one finding, not one per vacancy). The rest of the advert is not the employer's claim.
            fired.append(_near("self-introduction"))
        return fired

    def _names_column(self, unit: Tag) -> bool:
        """Whether the unit is a cell of the row naming a table's columns (是否上海标准 above 是/否 cells)."""
        if unit.name not in ("th", "td") or unit.parent is None or id(unit.parent) in self._record_rows:
            return False
        table = _table_of(unit)
        return table is not None and id(table) in self._column_tables

    @staticmethod
    def _viewer_line(mention: Mention) -> bool:
        """Whether the words sit on a line a viewer or buyer opens with their name (弹幕：这个是上海标准吗？)."""
        if mention.kind == "logo":
            return False
        text = mention.block_text
        start = text.rfind("\n", 0, mention.start) + 1
        return VIEWER_LINE.match(text, start, mention.start) is not None

    def _card_offers(self, card: Tag) -> bool:
        """Whether a heading-only card offers something: always on a page that is no article; on an article
        page (a byline, news furniture) only when the card itself shows a price, since the block under an
        article's headline is the article and the page's prices sit in a shop sidebar."""
        if not self.view.article:
            return True
        key = id(card)
        if key not in self._priced:
            self._priced[key] = PRICE.search(clean(card.get_text(" "))) is not None
        return self._priced[key]

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
        decisive = [f.label for f in near if f.name in DECISIVE_DISCUSSION]
        if any(f.name == "user-content" for f in near) and not any(f.name in SELLER_VOICE for f in near):
            # Buyers' reviews and questions: only the seller's own voice (本品…, 本款…) there makes a claim.
            decisive.append("near:user-content")
        if any(f.name == "in-link" for f in near) and any(f.name in _SCHEME_NAMED for f in near):
            # A link whose words name the policy (了解上海标准政策, 上海标准申报指南) points to it: nothing is claimed.
            decisive.append("near:in-link")
        if any(f.name == "news-box" for f in near) and not any(f.name in SELLER_VOICE for f in near):
            # News beside the goods: only the seller's own voice there (本品…, 本店…) makes a claim.
            decisive.append("near:news-box")
        if decisive:
            # A placeholder code, a pool entry or a denial: this occurrence is no claim, whatever the page is.
            explained = [label for label in _explain("discussion", everything) if label not in decisive]
            return Decision("discussion", "high", [*dict.fromkeys(decisive), *explained], scores)
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
        # The words naming a column (是否上海标准 | 是/否) say something of the rows their cells mark, not of one
        # product: which one, and with which row's code, is for a person to read.
        confident = (
            scores[best] >= MIN_SCORE and lead >= MARGIN and not any(f.name == "column-name" for f in near)
        )
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


# "X主导制定的…获评上海标准": X's standard, whoever reports it (我司合作伙伴X主导制定的…, on a distributor's site).
# 参与起草 is taking part, not owning: it names no one here.
_TRAILING_NOTE = re.compile(r"\s*[（(][^（）()]{1,12}[）)]$")
_DRAFTED_BY = re.compile(r"(?:主导|牵头|负责)?(?:制定|起草|编制|研制)的")


def org_claimant(sentence: str, view: PageView) -> tuple[str | None, str | None]:
    """Who announces: the organisation named in the sentence as the standard's drafter, else the organisation
    named in a sentence not in the first person, else the site's owner."""
    for drafted in _DRAFTED_BY.finditer(sentence):
        before = _TRAILING_NOTE.sub(
            "", sentence[: drafted.start()].rstrip()
        )  # 某某有限公司（虚构）主导制定的
        if before.endswith(("参与", "参加", "协助")):
            continue
        names = [name for name in organisations_in(before) if before.endswith(name)]
        if names:
            return names[-1], "sentence"
    if not FIRST_PERSON.search(sentence):
        names = organisations_in(sentence)
        if names:
            return names[0], "sentence"
    for owner, source in view.owners:
        if not REGULATOR.search(owner):
            return owner, source
    return None, None


# Where a site's owner is read from for a product nobody is named beside: its copyright or 主办 notice. (A
# title's trailing name is not enough: a dealer's page titles itself, and the maker it sells for is named in
# its text: a claimant there made SHS010 about a holder's authorised dealer.)
SITE_OWNER_SOURCES = ("site:copyright", ENGLISH_COPYRIGHT)


def site_owner(view: PageView) -> tuple[str | None, str | None]:
    """The organisation the site's own furniture names as its owner (not a regulator), or (None, None)."""
    for owner, source in view.owners:
        if source in SITE_OWNER_SOURCES and not REGULATOR.search(owner):
            return owner, source
    return None, None


# Claim.claimant_source of the organisation whose self-introduction holds the claim, named by the page's h1.
SELF_INTRODUCED = "heading:self-introduction"


def introduced_organisation(view: PageView, sentence: str = "") -> str | None:
    """The organisation a page presents (its h1 when that is an organisation's name, a note such as （虚构）
    after it allowed): who speaks in a 公司简介 section of its company page on a job board. On a job advert, whose
    h1 is the vacancy, an English profile names the company in its own sentence (X Co., Ltd. makes…)."""
    name = view.h1.strip() if view.h1 else ""
    if name and ORGANISATION_NAME.fullmatch(_TRAILING_NOTE.sub("", name)) and not REGULATOR.search(name):
        return name
    english = ENGLISH_COMPANY.search(sentence)
    return english.group("name").strip() if english else None
