"""Responses read the way the checker reads pages.

Scrapy decodes a page by its Content-Type header first. Marketplace pages often declare UTF-8 in the header
while their bytes are GBK: Scrapy's text is then mojibake, and so is any evidence the crawl takes from it (the
seller who stands behind a page's claims, the text beside a product image). The checker's decoder
(checker.extract.decode) weighs the header against the bytes and the page's <meta>, and is the one the page
itself is checked and shown with. Text the crawl keeps is taken from a response decoded by it.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from scrapy.http import Response, TextResponse

from checker.extract.charsets import header_charset
from checker.extract.decode import decode_page
from crawler.snapshots import flat_headers

# Seller and images are read from the same response in one callback: decode it once. None: Scrapy read it
# alike (the response itself as the value would keep its own entry alive).
_READABLE: WeakKeyDictionary[Response, Response | None] = WeakKeyDictionary()
_UNSEEN = object()


def declared_charset(response: Response) -> str | None:
    """The charset of the response's Content-Type header, read from its headers as they are stored."""
    return header_charset(flat_headers(response.headers))


def readable(response: Response) -> Response:
    """The response with its text as the checker decodes the page: itself when Scrapy read it alike, else a
    copy holding that text as UTF-8 (links, meta and status are unchanged). Binary responses as they are."""
    if not isinstance(response, TextResponse):
        return response
    known = _READABLE.get(response, _UNSEEN)
    if known is _UNSEEN:
        decoded = decode_page(response.body, declared_charset(response))
        same = decoded.text == response.text
        known = None if same else response.replace(body=decoded.text.encode("utf-8"), encoding="utf-8")
        _READABLE[response] = known
    return known if isinstance(known, Response) else response
