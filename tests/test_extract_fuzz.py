"""Random and mutated HTML bytes never crash or hang the extractor (bounded count and time)."""

from __future__ import annotations

import random
import time
from pathlib import Path

from checker.extract import PageClaims, extract_page

CORPUS = Path(__file__).parent / "data" / "extract"
SEEDS = sorted(CORPUS.glob("*.html"))
# Fragments that stress the decoder and the pre-pass: broken multibyte sequences, BOMs, entities, XML decls.
NASTY = [
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\x81\x30",
    b"\xe4\xb8",
    b"&\xe2\x80\x9c",
    b"<?xml version='1.0' encoding='gbk'?>",
    b"<meta charset=latin-1>",
    b"<script>",
    b"</table>",
    b"<!--",
    "上海标准".encode(),
    "上海标准".encode("gb18030"),
    b"Shanghai Standard",
    b"\x00",
    b"<img alt='",
    "《".encode(),
]


def _mutate(rng: random.Random, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 12)):
        op = rng.random()
        at = rng.randint(0, len(data))
        if op < 0.3:
            data[at:at] = rng.choice(NASTY)
        elif op < 0.6 and data:
            del data[at : at + rng.randint(1, 40)]
        elif op < 0.8:
            data[at:at] = bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 16)))
        else:
            other = rng.choice(SEEDS).read_bytes()
            start = rng.randint(0, len(other))
            data[at:at] = other[start : start + rng.randint(1, 200)]
    return bytes(data)


def _check(raw: bytes) -> None:
    started = time.perf_counter()
    result = extract_page(raw)
    assert isinstance(result, PageClaims)
    assert time.perf_counter() - started < 2.0, raw[:200]
    assert [c.id for c in result.claims] == [f"c{i}" for i in range(1, len(result.claims) + 1)]


def test_mutated_pages_never_crash() -> None:
    rng = random.Random(20261126)
    for _ in range(400):
        _check(_mutate(rng, rng.choice(SEEDS).read_bytes()))


def test_random_bytes_never_crash() -> None:
    rng = random.Random(7)
    for _ in range(300):
        size = rng.choice([0, 1, 2, 3, 17, 500, 5000])
        prefix = rng.choice([b"", "上海标准".encode(), b"<html><body><p>", b"\xff\xfe"])
        _check(prefix + bytes(rng.randint(0, 255) for _ in range(size)))


def test_deep_nesting_is_bounded() -> None:
    raw = ("<div>" * 1500 + "<p>执行标准：T/A 1-2020（上海标准）</p>" + "</div>" * 1500).encode()
    started = time.perf_counter()
    claims = extract_page(raw).claims
    assert time.perf_counter() - started < 2.0
    assert [c.standard_code for c in claims] == ["T/A 1-2020"]


def test_many_claims_stay_linear() -> None:
    card = "<div class=p><h3>产品{n}</h3><ul><li>执行标准：T/A {n}-2020（上海标准）</li><li>生产企业：甲{n}</li></ul></div>"
    raw = ("<html><body>" + "".join(card.format(n=n) for n in range(1, 401)) + "</body></html>").encode()
    started = time.perf_counter()
    claims = extract_page(raw).claims
    assert time.perf_counter() - started < 5.0
    assert len(claims) == 400
    assert (claims[399].product_name, claims[399].claimant) == ("产品400", "甲400")


def test_text_after_a_script_is_read() -> None:
    claims = extract_page("<p>a<script>x</script>本品为上海标准产品 T/A 1-2020</p>".encode()).claims
    assert [c.standard_code for c in claims] == ["T/A 1-2020"]
