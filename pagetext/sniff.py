"""UTF-16 without a byte-order mark: told from its bytes, since neither the gate nor a label can say it.

Markup is ASCII, and UTF-16 writes every ASCII character with a zero byte beside it: on an HTML page in
UTF-16LE nearly every odd byte is zero, in UTF-16BE nearly every even one, and on a page in any other
encoding almost none is (a NUL is no text character). Such a page was skipped by the raw-bytes gate (its
anchors are not byte-comparable) and reported as holding no claim.
"""

from __future__ import annotations

# Bytes looked at: a page's first few KB are markup.
_SAMPLE = 4096
# The page is UTF-16 when at least this share of one parity's bytes are zero and at most _OTHER of the other's.
_ZEROS = 0.4
_OTHER = 0.05
_MIN_BYTES = 64


def utf16_without_bom(raw: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when the bytes are UTF-16 text without a byte-order mark, else None."""
    sample = raw[:_SAMPLE]
    if len(sample) < _MIN_BYTES or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_zeros, odd_zeros = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zeros >= _ZEROS and even_zeros <= _OTHER:
        return "utf-16-le"
    if even_zeros >= _ZEROS and odd_zeros <= _OTHER:
        return "utf-16-be"
    return None
