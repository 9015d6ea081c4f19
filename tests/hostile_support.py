"""A product page around a hostile fragment: the shared frame of the hostile-page tests."""

from __future__ import annotations

CODE = "T/SHHJ 000003-2018"


def page(body: str, css: str = "") -> bytes:
    """A UTF-8 product page (title, price) holding `body`, with `css` as its own stylesheet."""
    style = f"<style>{css}</style>" if css else ""
    return (
        f'<html><head><meta charset="utf-8">{style}</head><body><h1>塑胶跑道面层材料</h1>'
        f"<p>价格：￥99</p>{body}</body></html>"
    ).encode()
