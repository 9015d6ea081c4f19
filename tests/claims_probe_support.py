"""Shared by the probe-round tests (test_claims_probe_s*.py): the example registry as an index, how a small
page is judged (as of 2026-11-26, the day the probe expectations were written); the checker is conftest's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from checker.check import Checker, PageResult
from checker.claimants import Claimant
from checker.registry import RegistryIndex
from checker.rules.cases import record_from_case

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "registry.yaml"
RECORDS: list[dict[str, Any]] = yaml.safe_load(EXAMPLES.read_text("utf-8"))["designations"]
REGISTRY = RegistryIndex.from_records(
    record_from_case(record, number) for number, record in enumerate(RECORDS, start=1)
)
AS_OF = dt.date(2026, 11, 26)


def check(
    checker: Checker,
    html: str,
    url: str = "https://example.test/page.html",
    registry: RegistryIndex = REGISTRY,
    seller: str | None = None,
) -> PageResult:
    """A page judged as a sweep would, with `seller` as the crawl's shop name when given."""
    return checker.check_page(
        html.encode(),
        url=url,
        declared_charset=None,
        observed_at=None,
        registry=registry,
        as_of=AS_OF,
        fallback_claimant=Claimant(seller, "adapter:seller") if seller else None,
    )


def findings(result: PageResult) -> list[tuple[str, str | None, str]]:
    """(rule, standard, confidence) of each finding, sorted."""
    return sorted((f.rule_id, f.standard_code, f.confidence) for f in result.findings)


def page(title: str, body: str, lang: str = "zh-CN") -> str:
    """A whole small page, UTF-8 declared, in the style every probe round wrote."""
    return f'<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'


def listing(name: str, rows: str, extra: str = "", price: str = "¥59") -> str:
    """A marketplace listing: the product's heading, a price and a buy button (an offer), its spec table."""
    return page(
        f"{name}-演示旗舰店",
        f"<h1>{name}</h1><p class='price'>{price}</p><button>加入购物车</button>"
        f"<table class='spec'>{rows}</table>{extra}",
    )


def spec_row(label: str, value: str) -> str:
    """One row of a listing's spec table."""
    return f"<tr><th>{label}</th><td>{value}</td></tr>"


CUP_ROW = spec_row("产品名称", "智能水杯")
SHOP_URL = "https://shop.example.test/item/1.html"


class ProbeRound:
    """A probe round's pages, each with the verdict an inspector would sign (the rule ids and codes of the findings
    due), written down before the checker first ran on it."""

    def __init__(self, default_url: str) -> None:
        self.pages: list[dict[str, Any]] = []
        self.default_url = default_url

    def add(
        self,
        pid: str,
        html: str,
        expected: list[tuple[str, str | None]],
        url: str | None = None,
        seller: str | None = None,
        enc: str | None = None,
    ) -> None:
        self.pages.append(
            {
                "id": pid,
                "html": html,
                "expected": sorted(expected, key=str),
                "url": url or self.default_url,
                "seller": seller,
                "enc": enc,
            }
        )
