"""Who claims and about which product: claimant, product name and category for a claim's element."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import soupsieve
from bs4 import Tag

from checker.extract.document import HEADINGS, Page, Row, clean, label_in, parent_named
from checker.extract.layouts import CONTEXT_SELECTORS, ENTRY_NAMES, ENTRY_SHOPS, LAYOUTS
from checker.extract.patterns import (
    CATEGORY_LABELS,
    CLAIMANT_LABELS,
    GENERIC_HEADING,
    MAKER_LABELS,
    MAX_NAME_VALUE,
    NOT_A_PRODUCT_NAME,
    PRODUCT_LABELS,
    SELLER_LABELS,
    STANDARD_LABELS,
)
from checker.extract.prune import CONTEXT_INDEX, CTX_ATTR, CTX_SEPARATOR
from checker.extract.selectors import rest_of
from checker.extract.use_table import PRICE
from pagetext.normalize import compact

_MAX_VALUE = 200
# A listing card sits a few levels above its rows; looking higher only finds page-wide headings.
_CARD_LEVELS = 12
# The part of each container-keyed layout selector BeautifulSoup runs, compiled once.
_REST = {
    selector: soupsieve.compile(rest)
    for selector in CONTEXT_SELECTORS
    if not CONTEXT_INDEX.exact(selector) and (rest := rest_of(selector))
}
# Where a listing entry names its product and its seller (layouts.py), compiled once.
ENTRY_NAME_SELECTORS = tuple(soupsieve.compile(selector) for selector in ENTRY_NAMES)
ENTRY_SHOP_SELECTORS = tuple(soupsieve.compile(selector) for selector in ENTRY_SHOPS)
# Breadcrumb links that are navigation or separators, not a category.
_NOT_CATEGORY = re.compile(r"^(?:首页|主页|home)$|更多|>>|返回|^[\s>/›»|\\-]+$", re.I)
# A crumb holding a list, or sitting in a dropdown/menu/hidden panel, is a picker (JD's brand switcher lists
# other brands under the crumb bar), not the product's own trail.
_PICKER_CLASS = re.compile(r"drop|menu|popup|^hide$|^hidden$", re.I)
_PICKER_LEVELS = 4


def _in_picker(element: Tag, list_holders: set[int]) -> bool:
    if id(element) in list_holders:
        return True
    for level, parent in enumerate(element.parents):
        if level >= _PICKER_LEVELS or parent.name in ("body", "html", "[document]"):
            return False
        if any(_PICKER_CLASS.search(name) for name in parent.get("class") or []):
            return True
    return False


@dataclass(frozen=True)
class Context:
    """The context one claim carries."""

    claimant: str | None
    claimant_source: str | None
    product_name: str | None
    product_category: str | None
    product_source: str | None = None


def _ancestor_ids(element: Tag) -> set[int]:
    ids = {id(element)}
    ids.update(id(parent) for parent in element.parents)
    return ids


# Claim.claimant_source of a maker the claim's own sentence names (演示科技有限公司出品).
MAKER_IN_SENTENCE = "sentence:maker"
# Claim.claimant_source of a claim in a card for another product on an item page (看了又看, 相关推荐) that shows
# no seller of its own: the page's seller is not known to make it, and no fallback may name one.
OTHER_PRODUCT_CARD = "listing:other-product"
# Sources that name the product's maker outside a maker's label: the product's JSON-LD manufacturer, the
# claim's own sentence, and the enterprise that asked for a self-check about its own claim.
_MAKER_SOURCES = frozenset({"jsonld:manufacturer", MAKER_IN_SENTENCE, "selfcheck"})


def names_maker(source: str | None) -> bool:
    """Whether a claimant that came from `source` (Claim.claimant_source) is the product's maker.

    A shop, a seller row, a brand or the site may sell a holder's product: "not a holder of the standard"
    said of them is an inference, not something read on the page."""
    if source is None:
        return False
    if source.startswith("row:"):
        return source.removeprefix("row:") in MAKER_LABELS
    return source in _MAKER_SOURCES


def _short(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:_MAX_VALUE] or None


def _name_of(value: Any) -> str | None:
    if isinstance(value, str):
        return _short(clean(value))
    if isinstance(value, dict):
        return _name_of(value.get("name"))
    if isinstance(value, list) and value:
        return _name_of(value[0])
    return None


def _headings_under(tags: list[Tag]) -> dict[int, str | None]:
    """For every element: the text of its first non-generic h1-h4 descendant, else of its first
    itemprop=name descendant. One pass over the page instead of two bs4 searches per card candidate."""
    heading: dict[int, str] = {}
    named: dict[int, Tag] = {}
    for tag in tags:
        if tag.name in HEADINGS:
            text = clean(tag.get_text(" "))
            if text and not GENERIC_HEADING.search(text):
                for parent in tag.parents:
                    heading.setdefault(id(parent), text)
        if tag.get("itemprop") == "name":
            for parent in tag.parents:
                named.setdefault(id(parent), tag)
    found: dict[int, str | None] = {key: _short(text) for key, text in heading.items()}
    for key, tag in named.items():
        if key not in found:
            found[key] = _short(clean(tag.get_text(" ")))
    return found


def _row_value(rows: list[Row], table: tuple[str, ...]) -> tuple[str, str] | None:
    best: tuple[int, str, str] | None = None
    for row in rows:
        entry = label_in(row.label, table)
        if entry is not None and len(row.value) <= MAX_NAME_VALUE:
            rank = table.index(entry)
            if best is None or rank < best[0]:
                best = (rank, entry, row.value)
    return (best[1], best[2]) if best else None


# A shop's buttons after its name in the same row (店铺：甲乙丙旗舰店 进店逛逛): cut off.
_SHOP_BUTTONS = re.compile(
    r"\s*(?:进店|進店|进入店铺|進入店鋪|关注店铺|關注店鋪|收藏店铺|收藏店鋪|联系卖家|聯繫賣家|在线客服|在線客服|旺旺)"
)
# A seller row that rates the shop (卖家：好评率98%, 商家：已认证, 店铺：进入店铺) names nobody.
_NOT_A_SELLER = re.compile(
    r"\d\s*[%％]|认证|認證|好评|好評|信誉|信譽|评分|評分|等级|等級|星级|星級|进入|進入|关注|關注|客服"
)


# A seller row that names a private person (卖家：个人闲置, 个人卖家, 私人): a resale by someone who neither makes
# nor trades the product, so no one is named who could hold (or fail to hold) its standard (SHS010).
_PRIVATE_SELLER = re.compile(
    r"^(?:个人|個人|私人)(?:闲置|閒置|卖家|賣家|用户|用戶|转让|轉讓|出售|自用)?$|^(?:闲置|閒置)(?:卖家|賣家|转让|轉讓|出售)?$"
)
# Claim.claimant_source of a claim whose seller row names a private person: nobody is the claimant, and no
# fallback (a shop block, the site's name, a crawl's shop) may name one.
PRIVATE_SELLER = "seller:private"


def _private(found: tuple[str, str] | None) -> bool:
    return found is not None and found[0] in SELLER_LABELS and bool(_PRIVATE_SELLER.match(found[1]))


def _seller_value(rows: list[Row], page_wide: bool = False) -> tuple[str, str] | None:
    named = []
    for row in rows:
        name = _SHOP_BUTTONS.split(row.value, maxsplit=1)[0].strip()
        if name and not _NOT_A_SELLER.search(name):
            named.append(replace(row, value=name))
    return _page_row_value(named, SELLER_LABELS) if page_wide else _row_value(named, SELLER_LABELS)


def _page_row_value(rows: list[Row], table: tuple[str, ...]) -> tuple[str, str] | None:
    # A page-wide row speaks for every claim only when the page names one value (not a listing).
    values = {row.value for row in rows if label_in(row.label, table) and len(row.value) <= MAX_NAME_VALUE}
    return _row_value(rows, table) if len(values) == 1 else None


class ContextFinder:
    """Resolves context for claims on one page; page-level sources are read once."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.marked: dict[str, list[Tag]] = {}
        for container in (tag for tag in page.tags if CTX_ATTR in tag.attrs):
            for selector in str(container.get(CTX_ATTR)).split(CTX_SEPARATOR):
                rest = _REST.get(selector)
                found = list(rest.select(container)) if rest is not None else [container]
                self.marked.setdefault(selector, []).extend(found)
        self.products = [item for item in page.jsonld if "Product" in str(item.get("@type", ""))]
        # Rows filed under every ancestor, so a claim's block rows are one lookup (listings hold thousands).
        self.rows_under: dict[int, list[Row]] = {}
        for row in page.rows:
            for key in _ancestor_ids(row.element):
                self.rows_under.setdefault(key, []).append(row)
        self.headings: dict[int, str | None] | None = None
        self._holders: set[int] | None = None
        self.page_values: dict[tuple[str, ...], tuple[str, str] | None] = {}
        # Per page or per element, read once: a page may hold thousands of occurrences.
        self._texts: dict[str, list[str]] = {}
        self._blocks: dict[int, Tag | None] = {}
        self._names_product: dict[int, bool] = {}
        self._resolved: dict[tuple[int, bool], Context] = {}
        self._page_seller: tuple[tuple[str, str] | None] | None = None
        self._own_product: bool | None = None
        # The listing entry (search-result card) of each element, shared with the extractor.
        self.listings = ListingEntries()
        self.has_product_context = bool(
            self.products
            or any(label_in(r.label, (*PRODUCT_LABELS, *CLAIMANT_LABELS)) for r in page.rows)
            or self._layout_text("shop")
        )

    def _list_holders(self) -> set[int]:
        """Ids of the elements that hold a ul/ol (computed once: bs4's find is slow per call)."""
        if self._holders is None:
            self._holders = set()
            for listing in self.page.soup.find_all(["ul", "ol"]):
                self._holders.update(id(parent) for parent in listing.parents)
        return self._holders

    def _layout_texts(self, part: str) -> list[str]:
        if part not in self._texts:
            self._texts[part] = self._read_layout_texts(part)
        return self._texts[part]

    def _read_layout_texts(self, part: str) -> list[str]:
        texts: list[str] = []
        for layout in LAYOUTS:
            for selector in getattr(layout, part):
                for element in self.marked.get(selector, []):
                    if part == "breadcrumb" and _in_picker(element, self._list_holders()):
                        continue
                    title = element.get("data-title")
                    text = clean(title if isinstance(title, str) else element.get_text(" "))
                    if text and not GENERIC_HEADING.search(text):
                        texts.append(text)
        return texts

    def layout_texts(self, part: str) -> list[str]:
        """Texts of the elements a layout selector of `part` (shop, product, breadcrumb) marked."""
        return self._layout_texts(part)

    def _layout_text(self, part: str) -> str | None:
        texts = self._layout_texts(part)
        return _short(texts[0]) if texts else None

    def block_of(self, element: Tag) -> Tag | None:
        """The nearest ancestor that names a product (a product-name row or a heading): a listing card."""
        key = id(element)
        if key not in self._blocks:
            self._blocks[key] = self._find_block(element)
        return self._blocks[key]

    def _find_block(self, element: Tag) -> Tag | None:
        for level, ancestor in enumerate([element, *element.parents]):
            if level > _CARD_LEVELS or ancestor.name in ("body", "html", "[document]"):
                return None
            if self._has_product_row(ancestor):
                return ancestor
            if self.heading(ancestor):
                return ancestor
        return None

    def _has_product_row(self, ancestor: Tag) -> bool:
        key = id(ancestor)
        if key not in self._names_product:
            rows = self.rows_under.get(key, ())
            self._names_product[key] = any(label_in(row.label, PRODUCT_LABELS) for row in rows)
        return self._names_product[key]

    def heading(self, block: Tag) -> str | None:
        """The block's first non-generic heading, else its itemprop=name text."""
        if self.headings is None:
            self.headings = _headings_under(self.page.tags)
        return self.headings.get(id(block))

    def _block_rows(self, block: Tag | None) -> list[Row]:
        return [] if block is None else self.rows_under.get(id(block), [])

    def _page_value(self, table: tuple[str, ...]) -> tuple[str, str] | None:
        if table not in self.page_values:
            self.page_values[table] = _page_row_value(self.page.rows, table)
        return self.page_values[table]

    def resolve(
        self,
        element: Tag,
        *,
        item_page: bool = True,
        brands: set[str] | frozenset[str] = frozenset(),
        models: set[str] | frozenset[str] = frozenset(),
    ) -> Context:
        """Claimant, product and category for a claim made at element.

        `item_page`: the page offers a product, so its h1 or title block names it (on an article page the h1
        is the article's title). `brands`/`models`: 品牌/型号 values seen on the page, never a product name
        (the same sets for every claim of a page: the answer is kept per element)."""
        key = (id(element), item_page)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(element, item_page, brands, models)
        return self._resolved[key]

    def _resolve(
        self,
        element: Tag,
        item_page: bool,
        brands: set[str] | frozenset[str],
        models: set[str] | frozenset[str],
    ) -> Context:
        entry = self.listings.of(element)
        if entry is not None:
            return self._resolve_entry(entry, set(brands), set(models))
        record = self._record_of(element)
        if record is not None:
            return self._resolve_record(record, set(brands), set(models))
        block = self.block_of(element)
        local = self._block_rows(block)
        claimant, source = self._claimant(local)
        product, product_source = self._product(block, local, item_page, set(brands), set(models))
        category = (
            _value(_row_value(local, CATEGORY_LABELS))
            or self._jsonld_value("category")
            or _value(self._page_value(CATEGORY_LABELS))
            or self._breadcrumb(product)
        )
        return Context(claimant, source, _short(product), _short(category), product_source)

    def _resolve_entry(self, entry: Tag, brands: set[str], models: set[str]) -> Context:
        """Context for a claim in a listing entry (a search result card): only what the entry itself shows
        (its rows, heading, name and shop elements: .gl-item .p-name, .p-shop). The page's own values (a row
        one card shows, a JSON-LD product, og:site_name, which on a marketplace is the marketplace) name no
        other card's product or seller; a shop block of the page names the seller of a shop's own listing."""
        local = self._block_rows(entry)
        claimant, source = None, None
        found = _row_value(local, CLAIMANT_LABELS) or _seller_value(local)
        if _private(found):
            claimant, source = None, PRIVATE_SELLER
        elif found:
            claimant, source = _short(found[1]), f"row:{found[0]}"
        elif shop := _entry_text(entry, ENTRY_SHOP_SELECTORS):
            claimant, source = shop, "listing:shop"
        elif self._offers_own_product() and _links_away(entry):
            # An item page's cards that link to other pages recommend other products, often other shops':
            # its shop is not theirs. (Cards without a link are the item's own options: 标准款, 加厚款.)
            claimant, source = None, OTHER_PRODUCT_CARD
        elif shop := self._layout_text("shop"):
            claimant, source = shop, "shop"
        row = _row_value(local, PRODUCT_LABELS)
        candidates: list[tuple[str | None, str]] = [
            (row[1] if row else None, f"row:{row[0]}" if row else ""),
            (self.heading(entry), "heading"),
            (_entry_text(entry, ENTRY_NAME_SELECTORS), "listing:name"),
        ]
        product = product_source = None
        for value, where in candidates:
            if value and refused_name(value, brands, models) is None:
                product, product_source = value, where
                break
        category = _value(_row_value(local, CATEGORY_LABELS)) or self._breadcrumb(product)
        return Context(claimant, source, _short(product), _short(category), product_source)

    def _record_of(self, element: Tag) -> Tag | None:
        """The row of a column table (品名 | 规格 | 执行标准 | 单价) that holds element, or None."""
        row = element if element.name == "tr" else parent_named(element, "tr")
        if row is None or not any(r.column for r in self.rows_under.get(id(row), ())):
            return None
        return row

    def _resolve_record(self, record: Tag, brands: set[str], models: set[str]) -> Context:
        """Context for a claim in one row of a column table (a price list, an exhibitor list): the row names its
        own product or none; the page's h1 or product row names the list, not this row's item."""
        local = self._block_rows(record)
        claimant, source = self._claimant(local)
        row = _row_value(local, PRODUCT_LABELS)
        product = product_source = None
        if row and refused_name(row[1], brands, models) is None:
            product, product_source = row[1], f"row:{row[0]}"
        category = _value(_row_value(local, CATEGORY_LABELS)) or self._breadcrumb(product)
        return Context(claimant, source, _short(product), _short(category), product_source)

    def _offers_own_product(self) -> bool:
        """Whether the page offers a product of its own outside its listing cards (a product-name or
        standard row outside every card, or a JSON-LD Product): an item page, whose cards recommend others."""
        if self._own_product is None:
            labels = (*PRODUCT_LABELS, *STANDARD_LABELS)
            self._own_product = bool(self.products) or any(
                label_in(row.label, labels)
                and self.listings.of(row.element) is None
                and not self.listings.in_card_alike(row.element)
                for row in self.page.rows
            )
        return self._own_product

    def _product(
        self, block: Tag | None, local: list[Row], item_page: bool, brands: set[str], models: set[str]
    ) -> tuple[str | None, str | None]:
        """The product's name and where it came from, from the most to the least specific source.

        Never a page <title> or og:title (marketplace suffixes, shop names); None when nothing names it."""
        row = _row_value(local, PRODUCT_LABELS)
        page_row = self._page_value(PRODUCT_LABELS)
        heading = self.heading(block) if block is not None else None
        candidates: list[tuple[str | None, str]] = [
            (row[1] if row else None, f"row:{row[0]}" if row else ""),
            # A listing entry's own heading names its product; a block's heading on an article page is the
            # article's title, so it counts only beside a product row or on a page that offers a product.
            (heading if (row or item_page) else None, "heading"),
            (self._jsonld_value("name"), "jsonld:name"),
            (page_row[1] if page_row else None, f"row:{page_row[0]}" if page_row else ""),
            (self._layout_text("product") if item_page else None, "layout:product"),
        ]
        for value, where in candidates:
            if value and refused_name(value, brands, models) is None:
                return value, where
        return None, None

    def _claimant(self, local: list[Row]) -> tuple[str | None, str | None]:
        # A maker row (the block's own, then the page's one), then the block's own seller (a listing card's
        # 店铺：…): a shop row beside the words does not hide the maker the parameter table names.
        found = (
            _row_value(local, CLAIMANT_LABELS) or self._page_value(CLAIMANT_LABELS) or _seller_value(local)
        )
        if _private(found):
            return None, PRIVATE_SELLER
        if found:
            return _short(found[1]), f"row:{found[0]}"
        for item in self.products:
            for key, value in (
                ("manufacturer", item.get("manufacturer")),
                ("brand", item.get("brand")),
                (
                    "seller",
                    (item.get("offers") or {}).get("seller")
                    if isinstance(item.get("offers"), dict)
                    else None,
                ),
            ):
                name = _name_of(value)
                if name:
                    return name, f"jsonld:{key}"
        if self._page_seller is None:
            self._page_seller = (_seller_value(self.page.rows, page_wide=True),)
        seller = self._page_seller[0]
        if _private(seller):
            return None, PRIVATE_SELLER
        if seller:
            return _short(seller[1]), f"row:{seller[0]}"
        shop = self._layout_text("shop")
        if shop:
            return shop, "shop"
        site = self.page.metas.get("og:site_name")
        return (_short(site), "og:site_name") if site else (None, None)

    def _jsonld_value(self, key: str) -> str | None:
        for item in self.products:
            name = _name_of(item.get(key))
            if name:
                return name
        return None

    def _breadcrumb(self, product: str | None) -> str | None:
        crumbs = [c for c in self._layout_texts("breadcrumb") if not _NOT_CATEGORY.search(c) and c != product]
        return _short(crumbs[-1]) if crumbs else None


def _links_away(entry: Tag) -> bool:
    """Whether a card links to another page (not to an anchor or a script on this one)."""
    for link in entry.find_all("a", href=True):
        href = str(link.get("href", "")).strip().lower()
        if href and not href.startswith(("#", "javascript:")):
            return True
    return False


def _entry_text(entry: Tag, selectors: tuple[soupsieve.SoupSieve, ...]) -> str | None:
    """The text of the first element of a listing entry that one of the selectors finds (name or shop)."""
    for selector in selectors:
        found = selector.select_one(entry)
        if found is not None:
            title = found.get("title")
            text = clean(title if isinstance(title, str) and title.strip() else found.get_text(" "))
            if text and not GENERIC_HEADING.search(text):
                return _short(text)
    return None


def _value(found: tuple[str, str] | None) -> str | None:
    return found[1] if found else None


# A listing entry sits a few levels above what it holds (li > div > p), never higher than a card.
_ENTRY_LEVELS = 8


class ListingEntries:
    """The repeated card each element sits in (a search result, a listing's li), or None on a single item's
    page: the nearest ancestor with at least two siblings of its own tag and class (li.gl-item × 30) that
    shows a price. Sibling counts, prices and answers are kept per page (listings are long)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[int, str, str], int] = {}
        self._priced: dict[int, bool] = {}
        self._entries: dict[int, Tag | None] = {}
        # (parent, tag, class) of the entries found: a sibling card alike is a card too, even where the pruned
        # page kept only its 执行标准 row (a card without the words loses its price and links to pruning).
        self._entry_kinds: set[tuple[int, str, str]] = set()

    def of(self, element: Tag) -> Tag | None:
        """The listing entry element sits in, or None."""
        key = id(element)
        if key not in self._entries:
            self._entries[key] = self._find(element)
        return self._entries[key]

    def _find(self, element: Tag) -> Tag | None:
        for level, node in enumerate([element, *element.parents]):
            if level > _ENTRY_LEVELS or node.name in ("body", "html", "[document]"):
                return None
            classes = node.get("class")
            parent = node.parent
            if not classes or parent is None:
                continue
            key = (id(parent), node.name, " ".join(classes))
            if key not in self._counts:
                self._counts[key] = sum(
                    1
                    for sibling in parent.find_all(node.name, recursive=False)
                    if sibling.get("class") == classes
                )
            # A listing's cards each show a price; repeated rows of a spec table (dl.clearfix × 20) do not.
            # Two cards make a listing when they link to other pages (a strip of two recommendations); two
            # priced options of one item (标准款, 加厚款) do not link away.
            count = self._counts[key]
            if (count >= 3 or (count == 2 and _links_away(node))) and self._shows_price(node):
                self._entry_kinds.add(key)
                return node
        return None

    def in_card_alike(self, element: Tag) -> bool:
        """Whether element sits in a sibling of a listing entry of the same tag and class (a card of the
        listing that the pruned page kept only a row of)."""
        for level, node in enumerate([element, *element.parents]):
            if level > _ENTRY_LEVELS or node.name in ("body", "html", "[document]"):
                return False
            classes = node.get("class")
            if (
                classes
                and node.parent is not None
                and (id(node.parent), node.name, " ".join(classes)) in self._entry_kinds
            ):
                return True
        return False

    def _shows_price(self, node: Tag) -> bool:
        key = id(node)
        if key not in self._priced:
            self._priced[key] = PRICE.search(clean(node.get_text(" "))) is not None
        return self._priced[key]


def listing_entry(element: Tag) -> Tag | None:
    """The listing entry one element sits in (ListingEntries.of; a page's elements share one)."""
    return ListingEntries().of(element)


def refused_name(value: str, brands: set[str], models: set[str]) -> str | None:
    """Why a candidate is not a product name (a model, a brand alone, a certification word…), or None."""
    name = compact(value)
    if not name:
        return "empty"
    if name in brands:
        return "brand"
    if name in models:
        return "model"
    for pattern in NOT_A_PRODUCT_NAME:
        if pattern.regex.search(value):
            return pattern.name
    return None
