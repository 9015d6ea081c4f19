"""A sitemap's XML from its response: as it came, or gunzipped with a bound on the decompressed size.

Sitemaps are often served as `.xml.gz` files (Content-Type application/x-gzip, application/gzip or
octet-stream), which Scrapy's HttpCompressionMiddleware leaves alone: only a Content-Encoding is decoded
there. As Scrapy's SitemapSpider does (`_get_sitemap_body`), a body that starts with the gzip magic number
is gunzipped here, but strictly: Scrapy's `gunzip` returns whatever came before a corrupt or truncated part,
which would lose the sitemap's later URLs without a word. A corrupt, truncated or over-large file raises
SitemapError with its ledger reason instead.

A sitemap compressed on the wire (any Content-Encoding) is left compressed by SitemapBodyMiddleware
(crawler/middlewares.py), which hands its encodings to `sitemap_xml`: gzip and deflate are undone here as
strictly, so a bomb, a corrupt or a truncated stream fails for the same reason however it was sent (Scrapy
inflates deflate leniently too); a .xml.gz file compressed again on the wire is two gzip layers. Any other
encoding (br, zstd: Scrapy decodes brotli leniently when the library is installed) is refused as
sitemap_encoding rather than read in part or as nothing.
"""

from __future__ import annotations

import zlib
from typing import Any

from markwatch.errors import SitemapError

GZIP_MAGIC = b"\x1f\x8b"
# A .xml.gz file, compressed again on the wire: two layers. More is no sitemap anyone serves.
MAX_GZIP_LAYERS = 3
# The callback of sitemap requests (crawler/spiders/base.py), by name: it survives the cluster's serializer.
SITEMAP_CALLBACK = "parse_sitemap"
# Request meta: the sitemap response's Content-Encoding tokens, left for sitemap_xml to undo.
SITEMAP_ENCODINGS = "markwatch_sitemap_encodings"
# The sitemaps protocol's own limit on a sitemap file, uncompressed: past it, a "sitemap" is a gzip bomb.
DEFAULT_SITEMAP_MAXSIZE = 50 * 1024 * 1024
_CHUNK = 64 * 1024


def is_sitemap_request(request: Any) -> bool:
    """Whether a Scrapy request fetches a sitemap (or a sitemap index)."""
    return getattr(getattr(request, "callback", None), "__name__", None) == SITEMAP_CALLBACK


GZIP_CODINGS = frozenset({"gzip", "x-gzip"})
DEFLATE_CODINGS = frozenset({"deflate"})


def sitemap_xml(
    body: bytes, *, max_size: int = DEFAULT_SITEMAP_MAXSIZE, content_encodings: tuple[str, ...] = ()
) -> bytes:
    """The sitemap's XML bytes: `body` with its `content_encodings` (the response's Content-Encoding tokens,
    in the order applied) undone, then gunzipped while it is gzip (each layer at most `max_size` bytes; an
    XML document never starts with the gzip magic number)."""
    if len(content_encodings) > MAX_GZIP_LAYERS:
        raise SitemapError("sitemap_corrupt", f"sitemap is encoded {len(content_encodings)} times over")
    for coding in reversed(content_encodings):
        if coding in GZIP_CODINGS:
            body = gunzip_bounded(body, max_size=max_size)
        elif coding in DEFLATE_CODINGS:
            body = inflate_bounded(body, max_size=max_size)
        elif coding != "identity":
            raise SitemapError(
                "sitemap_encoding", f"sitemap sent with Content-Encoding {coding!r}, not decoded"
            )
    for _layer in range(MAX_GZIP_LAYERS):
        if not body.startswith(GZIP_MAGIC):
            return body
        body = gunzip_bounded(body, max_size=max_size)
    if body.startswith(GZIP_MAGIC):
        raise SitemapError("sitemap_corrupt", f"sitemap is gzip more than {MAX_GZIP_LAYERS} times over")
    return body


def _inflate_stream(
    inflater: Any, data: bytes, out: list[bytes], total: int, *, max_size: int, kind: str, compressed: int
) -> int:
    """Run one zlib stream of `data` to its end into `out`, bounded: the new output total. SitemapError
    when the output passes `max_size` (sitemap_too_large), or the stream is corrupt or truncated."""
    pending = data
    try:
        while True:
            chunk = inflater.decompress(pending, _CHUNK)
            total += len(chunk)
            if total > max_size:
                raise SitemapError(
                    "sitemap_too_large",
                    f"sitemap decompresses to more than {max_size} bytes (from {compressed} compressed)",
                )
            out.append(chunk)
            pending = inflater.unconsumed_tail
            if inflater.eof or (not pending and not chunk):
                break
    except zlib.error as exc:
        raise SitemapError("sitemap_corrupt", f"sitemap is not valid {kind}: {exc}") from None
    # Unlike Scrapy's gunzip/inflate, a stream that never reached its end is an error, not a shorter sitemap.
    if not inflater.eof:
        raise SitemapError("sitemap_corrupt", f"sitemap {kind} data is truncated")
    return total


def gunzip_bounded(data: bytes, *, max_size: int) -> bytes:
    """Every gzip member of `data`, checked (CRC and length) and complete; SitemapError when the output
    would pass `max_size` bytes (reason sitemap_too_large) or the data is not whole gzip (sitemap_corrupt)."""
    out: list[bytes] = []
    total = 0
    pending = data
    while pending:
        # wbits 31: the gzip wrapper, whose trailer zlib checks (a CRC or length mismatch is an error).
        inflater = zlib.decompressobj(wbits=31)
        total = _inflate_stream(
            inflater, pending, out, total, max_size=max_size, kind="gzip", compressed=len(data)
        )
        pending = inflater.unused_data
        if pending and not pending.startswith(GZIP_MAGIC):
            if pending.strip(b"\0"):  # zero padding after the last member is common and harmless
                raise SitemapError("sitemap_corrupt", "sitemap has data after its gzip stream")
            break
    return b"".join(out)


def inflate_bounded(data: bytes, *, max_size: int) -> bytes:
    """A whole HTTP deflate body: zlib-wrapped (RFC 9110, its Adler-32 checked) or, as some servers send it,
    raw; SitemapError when it is truncated, corrupt, followed by data, or past `max_size` bytes."""
    # A zlib stream opens with a header whose 16-bit value is a multiple of 31 and names deflate (CM 8).
    wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
    inflater = zlib.decompressobj(wbits=15 if wrapped else -15)
    out: list[bytes] = []
    _inflate_stream(inflater, data, out, 0, max_size=max_size, kind="deflate", compressed=len(data))
    if inflater.unused_data.strip(b"\0"):
        raise SitemapError("sitemap_corrupt", "sitemap has data after its deflate stream")
    return b"".join(out)
