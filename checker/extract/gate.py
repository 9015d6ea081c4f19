"""A raw-bytes gate: can this page hold a mention at all? Decides before any decode or parse."""

from __future__ import annotations

import codecs

from checker.extract.patterns import GATE_ANCHORS, GATE_CONFIRM, GATE_SAMPLES, GATE_SNIFF_BYTES, GATE_WINDOW


def _sample(raw: bytes) -> bytes | None:
    # Rendered pages open with long ASCII scripts, so look at a few spread-out slices, not just the head.
    step = max(len(raw) // GATE_SAMPLES, 1)
    for start in range(0, len(raw), step):
        piece = raw[start : start + GATE_SNIFF_BYTES]
        if not piece.isascii():
            # A slice may open inside a UTF-8 character: drop its continuation bytes.
            skip = 0
            while skip < 3 and skip < len(piece) and 0x80 <= piece[skip] <= 0xBF:
                skip += 1
            return piece[skip:]
    return None


def families(raw: bytes) -> tuple[str, ...]:
    """Byte families to search: a sample that is valid UTF-8 rules out GB18030 bytes, and the reverse."""
    sample = _sample(raw)
    if sample is None:
        # No sampled slice has a high byte: a pure-ASCII page can only hold the English words.
        return ("ascii",) if raw.isascii() else ("utf-8", "gb18030", "ascii")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return ("gb18030", "ascii")
    return ("utf-8", "ascii")


def may_mention(raw: bytes) -> bool:
    """True when an anchor has a confirming sequence on its side within GATE_WINDOW bytes."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True  # UTF-16: anchors are not byte-comparable; decode and look
    for family in families(raw):
        confirm, forward = GATE_CONFIRM[family]
        for anchor in GATE_ANCHORS[family]:
            at = raw.find(anchor)
            while at != -1:
                window = raw[at : at + GATE_WINDOW] if forward else raw[max(0, at - GATE_WINDOW) : at]
                if any(needle in window for needle in confirm):
                    return True
                at = raw.find(anchor, at + 1)
    return False
