"""Responses read the way the checker reads pages.

Scrapy decodes a page by its Content-Type header first. Marketplace pages often declare UTF-8 in the header
while their bytes are GBK: Scrapy's text is then mojibake, and so is any evidence the crawl takes from it (the
seller who stands behind a page's claims, the text beside a product image). The checker's decoder
(pagetext.decode) weighs the header against the bytes and the page's <meta>, and is the one the page
itself is checked and shown with. Text the crawl keeps is taken from a response decoded by it.
"""

from __future__ import annotations

import codecs
from urllib.parse import quote, urlsplit, urlunsplit
from weakref import WeakKeyDictionary

from scrapy.http import Response, TextResponse

from crawler.snapshots import flat_headers
from pagetext.charsets import header_charset
from pagetext.decode import decode_page

# Seller and images are read from the same response in one callback: decode it once. The copy is None when
# Scrapy read it alike (the response itself as the value would keep its own entry alive); beside it, the
# encoding the page was read with.
_READABLE: WeakKeyDictionary[Response, tuple[Response | None, str]] = WeakKeyDictionary()
# WHATWG URL: a document in UTF-16 encodes its URLs' queries as UTF-8 ("get an output encoding").
_OUTPUT_UTF8 = ("utf-16", "utf_16", "utf-32", "utf_32")


def declared_charset(response: Response) -> str | None:
    """The charset of the response's Content-Type header, read from its headers as they are stored."""
    return header_charset(flat_headers(response.headers))


def readable(response: Response) -> Response:
    """The response with its text as the checker decodes the page: itself when Scrapy read it alike, else a
    copy holding that text as UTF-8 (links, meta and status are unchanged). Binary responses as they are."""
    if not isinstance(response, TextResponse):
        return response
    copy, _encoding = _read(response)
    return copy or response


def page_encoding(response: Response) -> str:
    """The encoding the checker reads the page with (UTF-8 for anything not text)."""
    return _read(response)[1] if isinstance(response, TextResponse) else "utf-8"


def _read(response: TextResponse) -> tuple[Response | None, str]:
    known = _READABLE.get(response)
    if known is None:
        decoded = decode_page(response.body, declared_charset(response))
        same = decoded.text == response.text
        copy = None if same else response.replace(body=decoded.text.encode("utf-8"), encoding="utf-8")
        known = _READABLE[response] = (copy, decoded.encoding)
    return known


def query_in_page_encoding(url: str, encoding: str) -> str:
    """url with its query percent-encoded in the page's encoding, as a browser sends a link of that page.

    A GBK listing's /search?q=上海标准 reaches its server as q=%C9%CF%BA%A3…; encoded as UTF-8, the server reads
    another query (and the listing behind it is lost). The path stays UTF-8 (WHATWG URL). A character the
    encoding cannot hold is sent as its character reference (%26%23128512%3B), as browsers do."""
    parts = urlsplit(url)
    if parts.query.isascii():
        return url
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = "utf-8"
    if name.startswith(_OUTPUT_UTF8):
        name = "utf-8"
    query = "".join(_query_char(char, name) for char in parts.query)
    return urlunsplit(parts._replace(query=query))


def _query_char(char: str, encoding: str) -> str:
    if char.isascii():
        return char
    try:
        return quote(char.encode(encoding), safe="")
    except UnicodeEncodeError:
        return quote(f"&#{ord(char)};", safe="")
