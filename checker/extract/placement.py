"""Where an occurrence sits: a standards table, a related-news list, buyers' reviews, a link.

Each answer walks up from the occurrence and looks at the children of a few ancestors. A listing's <ul>
has thousands of children and as many occurrences below it, so every ancestor's answer is kept per page:
the walk costs a few lookups per occurrence instead of a pass over the ancestor's children.
"""

from __future__ import annotations

import re

from bs4 import Tag

from checker.extract.document import clean, descendant_tags, parent_named
from checker.extract.mentions import Mention, find_in_text
from checker.extract.prune import SECTION_ATTR
from checker.extract.use_table import (
    HONOURS_HEADING,
    MENU_CLASS,
    MENU_LINK_MAX,
    NEWS_BOX_HEADING,
    PRICE,
    RELATED_LIST_CLASS,
    RELATED_LIST_HEADING,
    SELF_INTRO_HEADING,
    SITE_FURNITURE_CLASS,
    STANDARDS_TABLE_HEADER,
    USER_CONTENT_CLASS,
    USER_CONTENT_HEADING,
)

# How far above a list its heading may sit (the list, its box, the box's column).
_RELATED_LEVELS = 3
_LISTS = ("ul", "ol", "dl")
# How far above an entry its list may be (li > div > a: the block holding the words is the div).
_ENTRY_LEVELS = 3
# A box's title is among its first children; a header child (div.hd) holds little besides its heading.
_TITLE_CHILDREN = 3
_HEADER_CHARS = 30
# How far above an occurrence a review or question section may start (a comment's text, its item, the list).
_USER_CONTENT_LEVELS = 5
_SECTION_HEADINGS = frozenset(["h2", "h3", "h4", "h5"])
_RELATED_HEADINGS = ["h2", "h3", "h4", "h5", "h6", "dt"]
# The words of a class or id name: comment-item, J_Reviews, commentList.
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_TOP = ("body", "html", "[document]")
# A section's heading is among the siblings just before its content, a few levels up (div.intro > h3 + p).
_SECTION_LEVELS = 4
_SECTION_SIBLINGS = 8
_ANY_HEADING = ("h1", "h2", "h3", "h4", "h5", "h6")
# How far above a menu entry its menu may be (nav > ul > li > a).
_MENU_LEVELS = 4


class Surroundings:
    """Answers about an element's surroundings on one page, each ancestor read once."""

    def __init__(self) -> None:
        self._tables: dict[int, bool] = {}
        self._related: dict[int, bool] = {}
        self._priced: dict[int, bool] = {}
        self._user_content: dict[int, bool] = {}
        self._news: dict[int, bool] = {}

    def in_standards_table(self, unit: Tag) -> bool:
        """Whether the element sits in a table whose first row heads a list of standards (标准编号, 标准名称)."""
        table = unit if unit.name == "table" else unit.find_parent("table")
        if table is None:
            return False
        key = id(table)
        if key not in self._tables:
            first_row = table.find("tr")
            cells = first_row.find_all(["th", "td"]) if first_row is not None else []
            self._tables[key] = any(
                STANDARDS_TABLE_HEADER.match(clean(cell.get_text()).replace(" ", "")) for cell in cells
            )
        return self._tables[key]

    def in_related_list(self, element: Tag, *, product_page: bool = False) -> bool:
        """Whether a linked occurrence is a headline in a list of other pages' headlines: a list (ul/ol/dl, or a
        plain box of links) under a heading such as 相关资讯/行业资讯/推荐阅读 (the box's own child, or the heading
        of its header: div.hd > h3), or, on a page that offers a product (`product_page`), in a container named
        news/related (on a company's own news page such a list is its own news). An entry that shows a price
        is a recommended product's card, not a headline."""
        if self._shows_price(element):
            return False
        node: Tag | None = _list_of(element)
        for _ in range(_RELATED_LEVELS):
            if node is None or node.name in _TOP:
                return False
            if self._heads_related(node) or (product_page and _names_related(node)):
                return True
            node = node.parent
        return False

    def _heads_related(self, node: Tag) -> bool:
        key = id(node)
        if key not in self._related:
            self._related[key] = any(RELATED_LIST_HEADING.search(text) for text in _section_titles(node))
        return self._related[key]

    def _shows_price(self, element: Tag) -> bool:
        key = id(element)
        if key not in self._priced:
            self._priced[key] = PRICE.search(clean(element.get_text(" "))) is not None
        return self._priced[key]

    def in_self_introduction(self, element: Tag) -> bool:
        """Whether an occurrence sits in a section in which an organisation presents itself: the nearest heading
        before it (among the previous siblings of it or of an ancestor) is 公司简介/公司介绍/关于我们, and no
        footer or nav holds it (an 关于我们 there is the site's own)."""
        heading = section_heading(element)
        return heading is not None and SELF_INTRO_HEADING.search(heading) is not None

    def in_news_box(self, element: Tag) -> bool:
        """Whether the element sits in a box of news (a few levels up): a box titled 行业新闻/最新资讯/News (its own
        heading child, or its header's: div.hd > h3) or named news/xinwen/zixun. The caller asks on pages that
        offer a product only (a company's news page is its own news)."""
        node: Tag | None = element
        for _ in range(_RELATED_LEVELS + 1):
            if node is None or node.name in (*_TOP, "article", "main"):
                return False
            key = id(node)
            if key not in self._news:
                self._news[key] = _names_related(node) or any(
                    NEWS_BOX_HEADING.search(text) for text in _section_titles(node)
                )
            if self._news[key]:
                return True
            node = node.parent
        return False

    def in_menu(self, element: Tag) -> bool:
        """Whether a linked occurrence is a short entry of a navigation bar or menu: its link's text is short and a
        <nav>, or a container whose class or id names a nav, menu or breadcrumb, holds it (a few levels up)."""
        link = element if element.name == "a" else parent_named(element, "a")
        text = clean((link if link is not None else element).get_text(" "))
        if len(text) > MENU_LINK_MAX:
            return False
        for level, node in enumerate([element, *element.parents]):
            if level > _MENU_LEVELS or node.name in _TOP:
                return False
            if node.name == "nav" or _names_menu(node):
                return True
        return False

    def in_user_content(self, element: Tag) -> bool:
        """Whether an occurrence sits in buyers' reviews or questions: a section headed 商品评价/问大家, or a
        container whose class or id names comments, reviews, ratings or questions."""
        for level, node in enumerate([element, *element.parents]):
            if level > _USER_CONTENT_LEVELS or node.name in (*_TOP, "article", "main"):
                return False
            if self._holds_user_content(node):
                return True
        return False

    def _holds_user_content(self, node: Tag) -> bool:
        key = id(node)
        if key not in self._user_content:
            self._user_content[key] = _names_user_content(node) or _headed_user_content(node)
        return self._user_content[key]


def _list_of(element: Tag) -> Tag:
    """The list an entry sits in (its ul/ol/dl a level or two up), else the entry itself (a box of links)."""
    node: Tag | None = element
    for _ in range(_ENTRY_LEVELS):
        if node is None or node.name in _TOP:
            break
        if node.name in _LISTS:
            return node
        node = node.parent
    return element


def _section_titles(node: Tag) -> list[str]:
    """The titles a box gives its content: headings among its first children, or the heading inside a short
    header child (div.hd > h3)."""
    titles: list[str] = []
    for child in node.find_all(True, recursive=False, limit=_TITLE_CHILDREN):
        if child.name in _RELATED_HEADINGS:
            titles.append(clean(child.get_text(" ")))
            continue
        text = clean(child.get_text(" "))
        if len(text) <= _HEADER_CHARS and (heading := child.find(_RELATED_HEADINGS)) is not None:
            titles.append(clean(heading.get_text(" ")))
    return titles


def _previous_heading(node: Tag) -> str | None:
    """The text of the nearest heading before node among its previous siblings (a heading, or a short box
    holding one: div.hd > h3), else None."""
    for count, sibling in enumerate(s for s in node.previous_siblings if isinstance(s, Tag)):
        if count >= _SECTION_SIBLINGS:
            return None
        if sibling.name in _ANY_HEADING:
            return clean(sibling.get_text(" "))
        if len(clean(sibling.get_text(" "))) <= _HEADER_CHARS and (inner := sibling.find(_ANY_HEADING)):
            return clean(inner.get_text(" "))
    return None


def in_honours_list(element: Tag) -> bool:
    """Whether an occurrence is an item of a list of the organisation's honours: its section's heading
    (section_heading) is 荣誉资质, 企业荣誉 or 资质荣誉."""
    heading = section_heading(element)
    return heading is not None and HONOURS_HEADING.search(heading) is not None


def section_heading(element: Tag) -> str | None:
    """The heading of the section an occurrence sits in: the nearest heading before it, among the previous
    siblings of it or of an ancestor a few levels up; None when there is none, or a footer or nav holds it (a
    heading there is the site's own, not the page's section)."""
    if any(node.name in ("footer", "nav") or _names_furniture(node) for node in element.parents):
        return None
    for level, node in enumerate([element, *element.parents]):
        if level > _SECTION_LEVELS or node.name in _TOP:
            return None
        # The heading read on the whole page and recorded on a kept block (prune.SECTION_ATTR) first: the
        # pruned page has lost the headings between (公司介绍), and a kept h1 is not the block's section.
        section = node.get(SECTION_ATTR)
        heading = section if isinstance(section, str) else _previous_heading(node)
        if heading is not None:
            return heading
    return None


def _names_furniture(node: Tag) -> bool:
    names = [*(node.get("class") or []), str(node.get("id") or "")]
    return any(word.lower() in SITE_FURNITURE_CLASS for name in names for word in _NAME_WORDS.findall(name))


def _names_menu(node: Tag) -> bool:
    names = [*(node.get("class") or []), str(node.get("id") or "")]
    return any(word.lower() in MENU_CLASS for name in names for word in _NAME_WORDS.findall(name))


def _names_related(node: Tag) -> bool:
    names = [*(node.get("class") or []), str(node.get("id") or "")]
    return any(word.lower() in RELATED_LIST_CLASS for name in names for word in _NAME_WORDS.findall(name))


def _names_user_content(node: Tag) -> bool:
    names = [*(node.get("class") or []), str(node.get("id") or "")]
    return any(word.lower() in USER_CONTENT_CLASS for name in names for word in _NAME_WORDS.findall(name))


def _headed_user_content(node: Tag) -> bool:
    # A plain walk over the children: bs4's find_all builds a filter per call (most of this check's cost).
    for child in node.children:
        if isinstance(child, Tag) and child.name in _SECTION_HEADINGS:
            # A section's first heading names it.
            return USER_CONTENT_HEADING.search(clean(child.get_text(" "))) is not None
    return False


def in_link(mention: Mention) -> bool:
    """Whether the words are (part of) a link's text."""
    if mention.kind == "logo":
        return parent_named(mention.element, "a") is not None
    links = descendant_tags(mention.element, "a") if mention.element.name != "a" else [mention.element]
    return any(any(find_in_text(clean(a.get_text(" ")))) for a in links) or (
        parent_named(mention.element, "a") is not None
    )
