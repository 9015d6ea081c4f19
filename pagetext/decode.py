"""Turn raw page bytes into text whatever the page claims its charset is, and say what could not be read.

Labels reach codecs only through the WHATWG list (charsets.py). No decoding error leaves this module:
a page that decodes badly is read as well as it can be, with a warning that says so.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from charset_normalizer import from_bytes

from pagetext import charsets
from pagetext.big5 import reads_as_big5
from pagetext.charsets import Encoding
from pagetext.sniff import utf16_without_bom
from pagetext.warnings import PageWarning

log = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
# Rendered-DOM saves put scripts and styles before the meta; browsers look at 1 KB, pages need more.
_META_SCAN = 1 << 20
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_UTF8 = charsets.Encoding("UTF-8", "utf-8")
_GB18030 = charsets.Encoding("gb18030", "gb18030")
_BIG5 = charsets.Encoding("Big5", "big5hkscs")
# "All but a few bytes": a page whose invalid sequences are at most this share of its non-ASCII bytes (or at
# most _FEW_ABSOLUTE of them) is read with its declared charset, the bad sequences replaced and reported.
_FEW_SHARE = 50
_FEW_ABSOLUTE = 2
# Valid UTF-8 multi-byte sequences per invalid one that make a page UTF-8 with stray bytes (or a pasted piece
# in another encoding): GBK text read as UTF-8 has 0.2-0.4 valid sequences per invalid one (measured on the
# real GBK pages and the corpus), well below.
_UTF8_VALID_PER_INVALID = 1.5
# Without a usable declaration, UTF-8 or GB18030 wins when it leaves this many times fewer bad sequences.
_CLEAR_WINNER = 10
_DETECT_BYTES = 200_000
# A page whose invalid sequences are at most 1/_MOSTLY of its non-ASCII bytes is in that encoding, damaged.
_MOSTLY = 5
# Valid UTF-8 sequences per invalid one above which a page that also reads as GB18030 is read as both.
_UTF8_MIXED_PER_INVALID = 0.75
_UTF8_MIXED_MIN = 8
# Bytes of a non-UTF-8 run read as GB18030 in one step (see _gb18030_fallback).
_FALLBACK_RUN = 256
# Bytes after the first invalid UTF-8 sequence read to tell a UTF-8 page with stray bytes from a GBK page.
_UTF8_SAMPLE = 8192
UNDECODABLE = "undecodable-bytes"
GUESSED = "charset-guessed"
MIXED = "mixed-encoding"


@dataclass
class Decoded:
    """A page's text, the codec it was read with, why, and what could not be read."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)
    warnings: list[PageWarning] = field(default_factory=list)


@dataclass(frozen=True)
class _Lenient:
    text: str
    invalid: int  # sequences replaced by U+FFFD


def meta_charset(raw: bytes) -> str | None:
    """The charset label a page's <meta> declares, from its first MB."""
    match = _META_CHARSET.search(raw[:_META_SCAN])
    return match.group(1).decode("ascii") if match else None


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except (UnicodeError, LookupError):
        return None


def _lenient(raw: bytes, codec: str) -> _Lenient:
    text = raw.decode(codec, errors="replace")
    # A page may carry U+FFFD itself (an earlier broken decode upstream): only the new ones count.
    already = raw.count(b"\xef\xbf\xbd") if codec.startswith("utf-8") else 0
    return _Lenient(text, max(0, text.count("\ufffd") - already))


def _high_bytes(raw: bytes) -> int:
    return len(raw) - len(raw.decode("latin-1").encode("ascii", "ignore"))


def _few(invalid: int, raw: bytes) -> bool:
    return invalid <= _FEW_ABSOLUTE or invalid * _FEW_SHARE <= _high_bytes(raw)


def _lenient_utf8(raw: bytes) -> _Lenient:
    """The page read as UTF-8 with replacements, unless a slice after its first bad byte shows it is not UTF-8.

    A GBK page fails at its first Chinese character and keeps failing; a UTF-8 page with a stray byte does
    not. The slice spares GBK pages a second full decode."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Valid UTF-8 text before the first bad byte (a UTF-8 page with a GBK piece pasted in) is read in full.
        before = raw[: exc.start].decode("utf-8")
        if len(before) - len(before.encode("ascii", "ignore")) < _UTF8_MIXED_MIN:
            sample = _lenient(raw[exc.start : exc.start + _UTF8_SAMPLE], "utf-8")
            if sample.invalid > 2 and not _mostly_utf8(sample):
                return _Lenient("", len(raw))
    return _lenient(raw, "utf-8")


def _utf8_valid(lenient: _Lenient) -> int:
    """Valid multi-byte UTF-8 sequences in a lenient UTF-8 reading."""
    return len(lenient.text) - len(lenient.text.encode("ascii", "ignore")) - lenient.invalid


def _mostly_utf8(lenient: _Lenient) -> bool:
    return lenient.invalid > 0 and _utf8_valid(lenient) >= _UTF8_VALID_PER_INVALID * lenient.invalid


def _gb18030_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Error handler: where UTF-8 fails, read the run of non-ASCII bytes there as GB18030 when it is that.

    A whole run, not one character: GBK bytes such as D7 BC (准) are valid UTF-8 by accident, and only the run
    they sit in tells them apart. A stray byte before UTF-8 text becomes U+FFFD. Runs are read at most
    _FALLBACK_RUN bytes at a time, so the work stays linear in the page."""
    assert isinstance(exc, UnicodeDecodeError)
    data, start = exc.object, exc.start
    end = start
    limit = min(len(data), start + _FALLBACK_RUN)
    while end < limit and data[end] >= 0x80:
        end += 1
    try:
        data[start + 1 : end].decode("utf-8")
        return "\ufffd", start + 1  # one stray byte, UTF-8 text after it
    except UnicodeDecodeError:
        pass
    for cut in range(end, max(start + 1, end - 4), -1):
        try:
            return data[start:cut].decode("gb18030"), cut
        except UnicodeDecodeError:
            continue
    for size in (2, 4):
        try:
            return data[start : start + size].decode("gb18030"), start + size
        except UnicodeDecodeError:
            continue
    return "\ufffd", start + 1


codecs.register_error("markwatch-gb18030-fallback", _gb18030_fallback)


def _mixed(raw: bytes, utf8: _Lenient, notes: list[str]) -> Decoded:
    """UTF-8 with the sequences that are not UTF-8 read as GB18030 (a page pasted together from both)."""
    text = raw.decode("utf-8", errors="markwatch-gb18030-fallback")
    unread = max(0, text.count("\ufffd") - raw.count(b"\xef\xbf\xbd"))
    as_gb = max(0, utf8.invalid - unread)
    warnings = []
    if as_gb:
        notes.append(f"read as UTF-8; {as_gb} sequence(s) that are not UTF-8 read as GB18030")
        warnings.append(
            PageWarning(
                code=MIXED,
                message=f"the page mixes UTF-8 with {as_gb} byte sequence(s) in another encoding, read as "
                "GB18030: text there may be misread",
            )
        )
    if unread:
        warnings.append(_replaced("utf-8", unread))
    return Decoded(text, "utf-8", notes, warnings)


def _mostly(lenient: _Lenient, raw: bytes) -> bool:
    """Most non-ASCII bytes decode: a page in this encoding with damage, not a page in another one."""
    return lenient.invalid * _MOSTLY <= _high_bytes(raw)


def _replaced(codec: str, invalid: int) -> PageWarning:
    return PageWarning(
        code=UNDECODABLE,
        message=f"{invalid} byte sequence(s) are not valid {codec} and were replaced (U+FFFD): "
        "text there may hold a mention that could not be read",
    )


def _replacement(labels: list[tuple[Encoding, str | None, str]]) -> bool:
    return any(enc.name == charsets.REPLACEMENT for enc, _, _ in labels)


def _x_user_defined(raw: bytes) -> str:
    # WHATWG: ASCII bytes as themselves, 0x80-0xFF to U+F780-U+F7FF.
    return raw.decode("latin-1").translate(_USER_DEFINED_MAP)


_USER_DEFINED_MAP = {byte: 0xF780 + byte - 0x80 for byte in range(0x80, 0x100)}


def _shown(label: str) -> str:
    return repr(label[:40] + ("…" if len(label) > 40 else ""))


def decode_page(raw: bytes, declared_charset: str | None = None) -> Decoded:
    """Decode raw bytes: BOM, then (nearly) valid UTF-8, then the declared/meta charset, then detection.

    Never raises a decoding error: whatever fails is read as UTF-8 with replacements and reported.
    NUL characters are dropped: a browser ignores them in a page's text, and the parser would turn each into
    U+FFFD, which would split the words it sits in (上海\x00标准 shows as 上海标准)."""
    try:
        decoded = _decode(raw, declared_charset)
        if "\x00" in decoded.text:
            decoded.text = decoded.text.replace("\x00", "")
        return decoded
    except Exception as exc:  # a codec bug or a label we failed to foresee: the page must still be read
        log.warning("decoding failed (%s: %s); read as UTF-8 with replacements", type(exc).__name__, exc)
        lenient = _lenient(raw, "utf-8")
        warning = PageWarning(
            code=UNDECODABLE,
            message=f"decoding failed ({type(exc).__name__}); read as UTF-8 with replacements",
        )
        return Decoded(lenient.text, "utf-8", [], [warning])


def decode_as(raw: bytes, encoding: str, declared_charset: str | None = None) -> Decoded:
    """The page read with `encoding`, the codec a finding recorded it was read with (evidence is shown as it
    was quoted, whatever a later version of decode_page would choose for the same bytes).

    An encoding that is not a plain codec (mixed-encoding, x-user-defined, replacement) cannot be replayed
    alone: the page is then decoded as decode_page does today, with a note saying so."""
    today = decode_page(raw, declared_charset)
    if encoding == today.encoding:
        return today
    try:
        text_codec = codecs.lookup(encoding)._is_text_encoding
    except LookupError:
        text_codec = False
    if not text_codec:
        today.notes.append(f"the finding was made reading the page as {encoding}; shown as read now")
        return today
    body = raw
    for bom, codec in _BOMS:
        if (
            raw.startswith(bom)
            and codecs.lookup(codec.removesuffix("-sig")).name == codecs.lookup(encoding).name
        ):
            body = raw[len(bom) :]
    lenient = _lenient(body, encoding)
    found = Decoded(
        lenient.text.replace("\x00", ""),
        encoding,
        [f"read as {encoding}, as when the finding was made (read as {today.encoding} now)"],
    )
    if lenient.invalid:
        found.warnings.append(_replaced(encoding, lenient.invalid))
    return found


def _decode(raw: bytes, declared_charset: str | None) -> Decoded:
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            lenient = _lenient(raw[len(bom) :], codec.removesuffix("-sig"))
            found = Decoded(lenient.text, codec.removesuffix("-sig"), ["byte-order mark"])
            if lenient.invalid:
                found.warnings.append(_replaced(found.encoding, lenient.invalid))
            return found
    notes: list[str] = []
    header = charsets.resolve(declared_charset)
    meta_label = meta_charset(raw)
    meta = charsets.from_meta(meta_label)
    if declared_charset and header is None:
        notes.append(
            f"declared charset {_shown(declared_charset)} is not an encoding label browsers know: ignored"
        )
    if meta_label and meta is None:
        notes.append(f"meta charset {_shown(meta_label)} is not an encoding label browsers know: ignored")
    labels = [
        (enc, said, source)
        for enc, said, source in ((header, declared_charset, "header"), (meta, meta_label, "meta"))
        if enc
    ]
    # Valid UTF-8 with non-ASCII bytes is practically never a GBK page by accident, so it beats any label.
    text = _strict(raw, "utf-8")
    if text is not None:
        if text.isascii() and labels and labels[0][0].name in charsets.SEVEN_BIT:
            return _seven_bit(raw, labels[0], notes)
        if not text.isascii():
            notes += [
                f"{source} says {said} but the bytes are valid UTF-8"
                for enc, said, source in labels
                if enc.codec != "utf-8"
            ]
        return Decoded(text, "utf-8", notes)
    utf16 = utf16_without_bom(raw)
    if utf16 is not None:
        return _utf16(raw, utf16, labels, notes)
    utf8 = _lenient_utf8(raw)
    valid = _utf8_valid(utf8) if utf8.text else 0
    if _mostly_utf8(utf8) or (
        valid >= _UTF8_MIXED_MIN
        and valid >= _UTF8_MIXED_PER_INVALID * utf8.invalid
        and not _replacement(labels)
    ):
        # GBK text read as UTF-8 has 0.2-0.4 valid sequences per invalid one: this much valid UTF-8 is the
        # page's own text, and the rest a stray byte or a piece pasted in from a GBK template.
        notes += [
            f"{source} says {said} but the bytes are UTF-8"
            for enc, said, source in labels
            if enc.codec != "utf-8"
        ]
        return _mixed(raw, utf8, notes)
    gb_text = _strict(raw, "gb18030")
    gb_lenient: _Lenient | None = None
    tolerated: list[tuple[Encoding, _Lenient, str]] = []
    for enc, said, source in labels:
        if enc.name == charsets.REPLACEMENT:
            return _refused(said, source, notes)
        if enc.name == charsets.USER_DEFINED:
            return Decoded(_x_user_defined(raw), charsets.USER_DEFINED, notes)
        if enc.name in charsets.SINGLE_BYTE:
            # One byte per character cannot spell Chinese: over bytes that read as GB18030 (all but a few),
            # such a label is the classic lying header (latin-1 over GBK), not the page's encoding.
            if gb_text is None and gb_lenient is None:
                gb_lenient = _lenient(raw, "gb18030")
            if gb_text is not None or (gb_lenient is not None and _mostly(gb_lenient, raw)):
                notes.append(f"{source} says {said}: ignored, the non-ASCII bytes are GB18030 text")
                continue
        text = gb_text if enc.codec == "gb18030" else _strict(raw, enc.codec)
        if text is not None:
            if enc.codec == "gb18030" and said and said.lower() != "gb18030":
                notes.append(f"{source} says {said}: read as gb18030")
            return Decoded(text, enc.codec, notes)
        lenient = _lenient(raw, enc.codec)
        notes.append(f"{source} says {said} but {lenient.invalid} byte sequence(s) do not decode as it")
        tolerated.append((enc, lenient, source))
    if gb_text is not None:
        if (
            not labels
            and (big5_text := _strict(raw, _BIG5.codec)) is not None
            and reads_as_big5(gb_text, big5_text)
        ):
            # Big5 pairs are valid GB18030 pairs too: without a label, only the characters tell them apart.
            notes.append("detected Big5: it decodes as GB18030 too, but into rare characters")
            return Decoded(big5_text, _BIG5.codec, notes)
        notes.append("detected gb18030 (strict decode)")
        return Decoded(gb_text, "gb18030", notes)
    for enc, lenient, source in tolerated:
        if _few(lenient.invalid, raw):
            notes.append(f"read as the {source} charset {enc.codec}: all but a few bytes decode")
            return Decoded(lenient.text, enc.codec, notes, [_replaced(enc.codec, lenient.invalid)])
    (best, codec), (other, _) = sorted(
        ((utf8, "utf-8"), (gb_lenient or _lenient(raw, "gb18030"), "gb18030")),
        key=lambda pair: pair[0].invalid,
    )
    if _few(best.invalid, raw) or best.invalid * _CLEAR_WINNER <= other.invalid or _mostly(best, raw):
        notes.append(f"read as {codec}: it leaves the fewest bytes undecoded")
        return Decoded(best.text, codec, notes, [_replaced(codec, best.invalid)])
    return _detected(raw, header or meta, notes)


def _refused(said: str | None, source: str, notes: list[str]) -> Decoded:
    # WHATWG: these labels (ISO-2022-KR/CN, HZ) decode to one U+FFFD, so no browser shows the page.
    warning = PageWarning(
        code=UNDECODABLE,
        message=f"{source} declares {said}, which browsers refuse to decode (WHATWG replacement "
        "encoding): the page cannot be read",
    )
    return Decoded("\ufffd", charsets.REPLACEMENT, notes, [warning])


def _seven_bit(raw: bytes, label: tuple[Encoding, str | None, str], notes: list[str]) -> Decoded:
    """An all-ASCII page whose governing label is a 7-bit encoding: read as that encoding, not as ASCII."""
    enc, said, source = label
    if enc.name == charsets.REPLACEMENT:
        return _refused(said, source, notes)
    lenient = _lenient(raw, enc.codec)
    found = Decoded(lenient.text, enc.codec, notes)
    if lenient.invalid:
        found.warnings.append(_replaced(enc.codec, lenient.invalid))
    return found


def _utf16(
    raw: bytes, codec: str, labels: list[tuple[Encoding, str | None, str]], notes: list[str]
) -> Decoded:
    """A page whose zero bytes say UTF-16 (sniff.py). Read as such; unless a label says so too, it is a guess
    browsers do not make (they sniff UTF-16 by its byte-order mark only), said with a warning."""
    lenient = _lenient(raw, codec)
    said = [said for enc, said, source in labels if source == "header" and enc.codec == codec]
    warnings = (
        []
        if said
        else [
            PageWarning(
                code=GUESSED,
                message=f"no byte-order mark and no label, but the bytes are {codec.upper()} (zero bytes beside "
                "the markup): read as such, a browser may show the page garbled",
            )
        ]
    )
    notes.append(
        f"{codec} without a byte-order mark ({'header says so' if said else 'sniffed from zero bytes'})"
    )
    if lenient.invalid:
        warnings.append(_replaced(codec, lenient.invalid))
    return Decoded(lenient.text, codec, notes, warnings)


def _detected(raw: bytes, declared: Encoding | None, notes: list[str]) -> Decoded:
    guess = from_bytes(raw[:_DETECT_BYTES]).best()
    codec = guess.encoding if guess is not None else None
    if codec is None or not _is_text_codec(codec):
        codec = declared.codec if declared and declared.codec else "utf-8"
    lenient = _lenient(raw, codec)
    notes.append(f"detected {codec} by charset-normalizer")
    warnings = [
        PageWarning(
            code=GUESSED,
            message=f"neither the declared charset, UTF-8 nor GB18030 fits the bytes; read as {codec} "
            "by detection, so mentions may have been missed",
        )
    ]
    if lenient.invalid:
        warnings.append(_replaced(codec, lenient.invalid))
    return Decoded(lenient.text, codec, notes, warnings)


def _is_text_codec(name: str) -> bool:
    try:
        return codecs.lookup(name)._is_text_encoding
    except LookupError:
        return False


# How much of a page a browser's prescan reads for <meta charset> (WHATWG: the first 1024 bytes).
_PRESCAN_BYTES = 1024


def shown_otherwise(
    raw: bytes, header_label: str | None, encoding: str | None, quotes: Iterable[str]
) -> str | None:
    """The charset label a browser read the page with (the header's, else the <meta>'s) when it shows one of
    `quotes` otherwise than markwatch read it with `encoding`: a server or page that lies about the bytes.

    markwatch reads such a page for what its bytes are (GBK bytes declared UTF-8), so its quotes are text a
    buyer's browser, obeying the label, showed garbled. None when the labels agree, or none is usable."""
    # A byte-order mark decides a browser's reading whatever the header or <meta> says.
    if not encoding or raw.startswith(tuple(bom for bom, _ in _BOMS)):
        return None
    said = header_label
    declared = charsets.resolve(said)
    if declared is None:
        said = meta_charset(raw[:_PRESCAN_BYTES])
        declared = charsets.from_meta(said)
    if declared is None or not declared.codec or said is None:
        return None
    for quote in quotes:
        try:
            written = quote.encode(encoding)
        except (UnicodeError, LookupError):
            continue
        if written.decode(declared.codec, errors="replace") != quote:
            return said
    return None
