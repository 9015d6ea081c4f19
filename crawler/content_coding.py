"""A body's Content-Encoding undone strictly: whole and checked, bounded in size, or an error that says why.

Scrapy's HttpCompressionMiddleware is lenient: its gunzip returns whatever came before a corrupt or truncated
part (and ignores a bad CRC), its inflate returns a truncated stream's beginning, so a page cut short on the
wire was checked as if whole (a claim further down lost, and a case closed because its claim "was gone").
Here a stream must reach its end, gzip trailers (CRC, length) are checked, and an encoding markwatch does not
decode (br, zstd: never asked for, sent anyway) is refused rather than read as binary bytes. Sitemaps
(crawler/sitemaps.py) and pages (crawler/middlewares.py ContentCodingMiddleware) share these loops.
"""

from __future__ import annotations

import zlib
from typing import Any

from markwatch.errors import ContentCodingError

GZIP_MAGIC = b"\x1f\x8b"
GZIP_CODINGS = frozenset({"gzip", "x-gzip"})
DEFLATE_CODINGS = frozenset({"deflate"})
# More layers than this is no body anyone serves (a .xml.gz file compressed again on the wire is two).
MAX_LAYERS = 3
_CHUNK = 64 * 1024


def content_codings(headers: Any) -> tuple[str, ...]:
    """The Content-Encoding tokens of Scrapy response `headers`, lower case, in the order applied."""
    return tuple(
        token.strip().lower().decode("latin-1")
        for value in headers.getlist(b"Content-Encoding")
        for token in value.split(b",")
        if token.strip()
    )


def decode_content(body: bytes, codings: tuple[str, ...], *, max_size: int) -> bytes:
    """`body` with its `codings` (Content-Encoding tokens, in the order applied) undone, each layer at most
    `max_size` bytes; ContentCodingError when one is truncated, corrupt, too large or not one decoded here."""
    if not body:
        return body  # nothing was sent (a 204, a 304, an empty answer): nothing to undo, nothing cut
    if len(codings) > MAX_LAYERS:
        raise ContentCodingError("corrupt", f"body is encoded {len(codings)} times over")
    for coding in reversed(codings):
        if coding in GZIP_CODINGS:
            body = gunzip_bounded(body, max_size=max_size)
        elif coding in DEFLATE_CODINGS:
            body = inflate_bounded(body, max_size=max_size)
        elif coding != "identity":
            raise ContentCodingError("encoding", f"sent with Content-Encoding {coding!r}, not decoded")
    return body


def _inflate_stream(
    inflater: Any, data: bytes, out: list[bytes], total: int, *, max_size: int, kind: str, compressed: int
) -> int:
    """Run one zlib stream of `data` to its end into `out`, bounded: the new output total. ContentCodingError
    when the output passes `max_size` (too_large), or the stream is corrupt or truncated."""
    pending = data
    try:
        while True:
            chunk = inflater.decompress(pending, _CHUNK)
            total += len(chunk)
            if total > max_size:
                raise ContentCodingError(
                    "too_large", f"decompresses to more than {max_size} bytes (from {compressed} compressed)"
                )
            out.append(chunk)
            pending = inflater.unconsumed_tail
            if inflater.eof or (not pending and not chunk):
                break
    except zlib.error as exc:
        raise ContentCodingError("corrupt", f"not valid {kind}: {exc}") from None
    # Unlike Scrapy's gunzip/inflate, a stream that never reached its end is an error, not a shorter body.
    if not inflater.eof:
        raise ContentCodingError("truncated", f"{kind} data is truncated")
    return total


def gunzip_bounded(data: bytes, *, max_size: int) -> bytes:
    """Every gzip member of `data`, checked (CRC and length) and complete; ContentCodingError when the output
    would pass `max_size` bytes or the data is not whole gzip."""
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
                raise ContentCodingError("corrupt", "data after the gzip stream")
            break
    return b"".join(out)


def inflate_bounded(data: bytes, *, max_size: int) -> bytes:
    """A whole HTTP deflate body: zlib-wrapped (RFC 9110, its Adler-32 checked) or, as some servers send it,
    raw; ContentCodingError when it is truncated, corrupt, followed by data, or past `max_size` bytes."""
    # A zlib stream opens with a header whose 16-bit value is a multiple of 31 and names deflate (CM 8).
    wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
    inflater = zlib.decompressobj(wbits=15 if wrapped else -15)
    out: list[bytes] = []
    _inflate_stream(inflater, data, out, 0, max_size=max_size, kind="deflate", compressed=len(data))
    if inflater.unused_data.strip(b"\0"):
        raise ContentCodingError("corrupt", "data after the deflate stream")
    return b"".join(out)


def decoded_prefix(body: bytes, codings: tuple[str, ...], *, size: int) -> bytes | None:
    """More than the first `size` bytes of `body` decoded (one gzip or deflate layer), for a file of which
    only the beginning is read (robots.txt, RFC 9309 2.5); None when the stream ends, breaks or is cut before
    that many: a beginning that is the whole decoded file must be whole (decode_content)."""
    if len(codings) != 1 or codings[0] not in GZIP_CODINGS | DEFLATE_CODINGS:
        return None
    if codings[0] in GZIP_CODINGS:
        inflater = zlib.decompressobj(wbits=31)
    else:
        wrapped = len(body) >= 2 and body[0] & 0x0F == 8 and (body[0] << 8 | body[1]) % 31 == 0
        inflater = zlib.decompressobj(wbits=15 if wrapped else -15)
    try:
        out = inflater.decompress(body, size + 1)
    except zlib.error:
        return None
    return out if len(out) > size else None
