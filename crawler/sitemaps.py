"""A sitemap's XML from its response: as it came, or gunzipped with a bound on the decompressed size.

Sitemaps are often served as `.xml.gz` files (Content-Type application/x-gzip, application/gzip or
octet-stream), which Scrapy's HttpCompressionMiddleware leaves alone: only a Content-Encoding is decoded
there. As Scrapy's SitemapSpider does (`_get_sitemap_body`), a body that starts with the gzip magic number
is gunzipped here, but strictly: Scrapy's `gunzip` returns whatever came before a corrupt or truncated part,
which would lose the sitemap's later URLs without a word. A corrupt, truncated or over-large file raises
SitemapError with its ledger reason instead.

A sitemap compressed on the wire (any Content-Encoding) is left compressed by ContentCodingMiddleware
(crawler/middlewares.py), which hands its encodings to `sitemap_xml`: gzip and deflate are undone here as
strictly, so a bomb, a corrupt or a truncated stream fails for the same reason however it was sent (Scrapy
inflates deflate leniently too); a .xml.gz file compressed again on the wire is two gzip layers. Any other
encoding (br, zstd: Scrapy decodes brotli leniently when the library is installed) is refused as
sitemap_encoding rather than read in part or as nothing.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from crawler import content_coding
from crawler.content_coding import GZIP_MAGIC
from markwatch.errors import ContentCodingError, SitemapError

# A .xml.gz file, compressed again on the wire: two layers. More is no sitemap anyone serves.
MAX_GZIP_LAYERS = content_coding.MAX_LAYERS
# The callback of sitemap requests (crawler/spiders/base.py), by name: it survives the cluster's serializer.
SITEMAP_CALLBACK = "parse_sitemap"
# Request meta: the sitemap response's Content-Encoding tokens, left for sitemap_xml to undo.
SITEMAP_ENCODINGS = "markwatch_sitemap_encodings"
# The sitemaps protocol's own limit on a sitemap file, uncompressed: past it, a "sitemap" is a gzip bomb.
DEFAULT_SITEMAP_MAXSIZE = 50 * 1024 * 1024
# A decoding failure's kind (crawler/content_coding.py) as a sitemap's ledger reason.
_REASONS = {
    "too_large": "sitemap_too_large",
    "encoding": "sitemap_encoding",
}


def is_sitemap_request(request: Any) -> bool:
    """Whether a Scrapy request fetches a sitemap (or a sitemap index)."""
    return getattr(getattr(request, "callback", None), "__name__", None) == SITEMAP_CALLBACK


def _sitemap_error(exc: ContentCodingError) -> SitemapError:
    reason = _REASONS.get(exc.kind, "sitemap_corrupt")  # truncated or corrupt: sitemap_corrupt
    return SitemapError(reason, f"sitemap {exc}")


def sitemap_xml(
    body: bytes, *, max_size: int = DEFAULT_SITEMAP_MAXSIZE, content_encodings: tuple[str, ...] = ()
) -> bytes:
    """The sitemap's XML bytes: `body` with its `content_encodings` (the response's Content-Encoding tokens,
    in the order applied) undone, then gunzipped while it is gzip (each layer at most `max_size` bytes; an
    XML document never starts with the gzip magic number)."""
    try:
        body = content_coding.decode_content(body, content_encodings, max_size=max_size)
        for _layer in range(MAX_GZIP_LAYERS):
            if not body.startswith(GZIP_MAGIC):
                return body
            body = content_coding.gunzip_bounded(body, max_size=max_size)
    except ContentCodingError as exc:
        raise _sitemap_error(exc) from None
    if body.startswith(GZIP_MAGIC):
        raise SitemapError("sitemap_corrupt", f"sitemap is gzip more than {MAX_GZIP_LAYERS} times over")
    return body


def gunzip_bounded(data: bytes, *, max_size: int) -> bytes:
    """Every gzip member of `data`, checked and complete; SitemapError when the output would pass `max_size`
    bytes (reason sitemap_too_large) or the data is not whole gzip (sitemap_corrupt)."""
    try:
        return content_coding.gunzip_bounded(data, max_size=max_size)
    except ContentCodingError as exc:
        raise _sitemap_error(exc) from None


@dataclass(frozen=True)
class SitemapContent:
    """What a sitemap lists: page URLs, or (an index) sitemap URLs; `problem` when it was read only in part
    (malformed XML: the URLs before the fault are followed, and the sitemap fails with this reason)."""

    urls: list[str]
    nested: bool = False
    problem: SitemapError | None = None


# Root elements of the formats read (sitemaps.org: XML sitemap and index, RSS 2.0 and Atom feeds, text).
_FEEDS = frozenset({"rss", "feed"})
_SITEMAPS = frozenset({"urlset", "sitemapindex"})
_URL_LINE = re.compile(r"https?://\S+", re.IGNORECASE)


def read_sitemap(data: bytes) -> SitemapContent:
    """The URLs of a sitemap's decoded bytes, in any format sitemaps.org allows: an XML urlset or sitemap
    index, an RSS 2.0 or Atom feed (their item links), or a UTF-8 text file of one URL per line.

    SitemapError("sitemap_format") for anything else (an HTML error page answered with 200, an empty body,
    text that is not a list of URLs): read as XML, such a page gave no URL and the sitemap passed as read."""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise SitemapError("sitemap_format", "sitemap is empty")
    if text.startswith(b"<"):
        return _read_xml(data)
    return _read_text(text)


def _read_xml(data: bytes) -> SitemapContent:
    """Read as a stream: a URL counts once its element has closed, so a document cut short (or broken)
    gives the URLs before the fault, never a URL cut in half, and says it was read in part."""
    root: str | None = None
    urls: list[str] = []
    problem: SitemapError | None = None
    # Entities are not expanded and nothing is fetched: a sitemap is hostile input like any page.
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
    )
    try:
        for event, element in events:
            name = _local_name(element)
            if event == "start":
                root = root or name
            elif root is not None:
                url = _listed_url(root, name, element)
                if url:
                    urls.append(url)
    except etree.XMLSyntaxError as exc:
        problem = SitemapError("sitemap_malformed", f"sitemap is not well-formed XML, read in part: {exc}")
    if root in _SITEMAPS or root in _FEEDS:
        return SitemapContent(urls, nested=root == "sitemapindex", problem=problem)
    what = f"a <{root}> document" if root else "no XML document"
    raise SitemapError("sitemap_format", f"sitemap is {what}, not a sitemap, feed or list of URLs")


def _local_name(element: Any) -> str | None:
    return etree.QName(element).localname if isinstance(element.tag, str) else None


def _listed_url(root: str, name: str | None, element: Any) -> str | None:
    """The URL a closed element lists in a document whose root is `root`, if it lists one."""
    parent = element.getparent()
    if root in _SITEMAPS and name == "loc":
        return (element.text or "").strip() or None
    if root == "rss" and name == "link" and parent is not None and _local_name(parent) == "item":
        url = (element.text or "").strip()
        return url if _URL_LINE.fullmatch(url) else None
    in_entry = parent is not None and _local_name(parent) == "entry"
    if root == "feed" and name == "link" and in_entry and element.get("rel", "alternate") == "alternate":
        return (element.get("href") or "").strip() or None
    return None


def _read_text(text: bytes) -> SitemapContent:
    try:
        lines = text.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise SitemapError("sitemap_format", "text sitemap is not UTF-8") from None
    urls: list[str] = []
    for number, line in enumerate(lines, start=1):
        url = line.strip()
        if not url:
            continue
        if not _URL_LINE.fullmatch(url):
            raise SitemapError(
                "sitemap_format", f"sitemap is neither XML nor a list of URLs (line {number}: {url[:80]!r})"
            )
        urls.append(url)
    return SitemapContent(urls)
