"""Marketplace page layouts as data: where parameters, shop names, titles and breadcrumbs sit."""

from __future__ import annotations

from typing import NamedTuple


class Layout(NamedTuple):
    """CSS selectors for one site family; any field may be empty."""

    name: str
    shop: tuple[str, ...]
    product: tuple[str, ...]
    breadcrumb: tuple[str, ...]
    # Inside one listing entry (a search-result card): the product's name and the seller's shop.
    entry_name: tuple[str, ...] = ()
    entry_shop: tuple[str, ...] = ()


# Parameter rows need no per-site selector: every li/tr/dl row with a known label is read (context.py).
# These selectors name what a label cannot: shop names, title blocks and breadcrumbs.
LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "tmall",
        shop=(".slogo-shopname", ".shopLink"),
        product=(".tb-detail-hd h1",),
        breadcrumb=("#J_CrumbSlideCon li a",),
        entry_name=(".productTitle",),
        entry_shop=(".productShop-name", ".productShop"),
    ),
    Layout(
        "taobao",
        shop=(".shop-name-link", ".tb-shop-name"),
        product=("h3.tb-main-title",),
        breadcrumb=(),
    ),
    Layout(
        "jd",
        # Class-ending selectors are matched exactly in the pre-pass; tag-ending ones keep their container.
        shop=(".J-hove-wrap .name", ".shopName", ".seller-infor .name"),
        product=(".sku-name",),
        breadcrumb=("#crumb-wrap .crumb .item", "#root-nav a"),
        # Search and list pages (search.jd.com, list.jd.com): li.gl-item cards (crawler/adapters/jd.yaml).
        entry_name=(".p-name",),
        entry_shop=(".p-shop", ".curr-shop"),
    ),
    Layout(
        "plain",
        shop=(".shop-name", ".company-name", "#company-name"),
        product=("h1", ".product-name", ".product-title"),
        breadcrumb=(".breadcrumb a", ".breadcrumbs a", "nav.crumbs a", ".crumb a", ".position a"),
        entry_name=(
            ".product-name",
            ".product-title",
            ".goods-name",
            ".goods-title",
            ".item-name",
            ".item-title",
        ),
        entry_shop=(".shop-name", ".store-name", ".seller-name"),
    ),
)
ENTRY_NAMES: tuple[str, ...] = tuple(dict.fromkeys(sel for layout in LAYOUTS for sel in layout.entry_name))
ENTRY_SHOPS: tuple[str, ...] = tuple(dict.fromkeys(sel for layout in LAYOUTS for sel in layout.entry_shop))

# Elements the pre-pass keeps whole whatever their text says: context that carries no label.
CONTEXT_SELECTORS: tuple[str, ...] = tuple(
    dict.fromkeys(sel for layout in LAYOUTS for sel in (*layout.shop, *layout.product, *layout.breadcrumb))
)
