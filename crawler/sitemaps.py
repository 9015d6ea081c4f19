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

from typing import Any

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
