"""Images a page carries inside itself as `data:` URIs: decoded here, kept and read like fetched ones.

A shop can put its label in the page as `<img src="data:image/jpeg;base64,…">`: nothing to fetch, but an image
a buyer sees all the same. Short `data:` URIs are the lazy loaders' placeholders (a 1x1 GIF is about 70
characters) and are not images of the product. A longer one is decoded (base64 or percent-encoded, RFC 2397);
its bytes are the evidence and their sha256 its key, like a fetched image's. Bytes that do not decode are kept
as the URI's own text, so the reader refuses them with a reason (the page is then not read whole) rather than
the image vanishing."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

DATA_SCHEME = "data:"
# Shorter data: URIs are placeholders: 1x1 GIFs and PNGs, blank SVG boxes (a few hundred characters at most).
MIN_INLINE_CHARS = 512
DEFAULT_MEDIA_TYPE = "text/plain"


@dataclass(frozen=True)
class InlineImage:
    """A data: URI's bytes, the media type it declared, and the key sightings and the ledger know it by."""

    media_type: str
    body: bytes

    @property
    def sha256(self) -> str:
        """sha256 of the decoded bytes: the evidence hash, as for a fetched image."""
        return hashlib.sha256(self.body).hexdigest()

    @property
    def key(self) -> str:
        """`data:<type>;sha256=<hex>`: short, stable, and no valid data: URI (nothing mistakes it for one)."""
        return f"{DATA_SCHEME}{self.media_type};sha256={self.sha256}"


def is_data_uri(address: str) -> bool:
    """Whether an address is a data: URI (any case, leading blanks ignored)."""
    return address.lstrip()[:5].lower() == DATA_SCHEME


def is_inline_key(address: str) -> bool:
    """Whether an address is an InlineImage key (no request is made for it)."""
    return address.startswith(DATA_SCHEME) and ";sha256=" in address


def is_placeholder_data(address: str) -> bool:
    """A data: URI too short to hold a product image."""
    return len(address.strip()) < MIN_INLINE_CHARS


def decode_data_uri(address: str) -> InlineImage:
    """The bytes of a data: URI (`data:[<type>][;params][;base64],<data>`); undecodable: the URI's text."""
    text = address.strip()
    header, comma, payload = text[len(DATA_SCHEME) :].partition(",")
    parts = [part.strip() for part in header.split(";")]
    media_type = (parts[0] or DEFAULT_MEDIA_TYPE).lower()
    # A media type is token/token: anything else (markup, quotes) is not written into the key.
    if media_type.count("/") != 1 or not all(c.isalnum() or c in "/+-._" for c in media_type):
        media_type = "application/octet-stream"
    if not comma:
        return InlineImage(media_type, text.encode("utf-8", "surrogatepass"))
    raw = unquote_to_bytes(payload)
    if any(part.lower() == "base64" for part in parts[1:]):
        try:
            # Whitespace inside base64 (line-wrapped attributes) is ignored by browsers too.
            # Missing padding is forgiven by browsers: restored before a strict decode.
            compact = b"".join(raw.split()).rstrip(b"=")
            raw = base64.b64decode(compact + b"=" * (-len(compact) % 4), validate=True)
        except (binascii.Error, ValueError):
            return InlineImage(media_type, text.encode("utf-8", "surrogatepass"))
    return InlineImage(media_type, raw)
