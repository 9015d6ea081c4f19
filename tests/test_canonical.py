"""The canonicalizer's shortcut for addresses already canonical gives what the full treatment gives."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from crawler.adapters import tracking_params
from crawler.canonical import Canonicalizer, _already_canonical

SCHEMES = ["http", "https", "HTTP", "Https"]
HOSTS = [
    "img.alicdn.com", "IMG.alicdn.com", "localhost", "127.0.0.1", "a-b.example", "a--b.example", "a..b",
    "a.-b.example", "example.com.", "xn--fiqs8s.cn", "中国.cn", "user@shop.example", "[::1]", "-a.example",
]  # fmt: skip
PORTS = [
    "",
    ":80",
    ":443",
    ":8080",
    ":45123",
    ":65536",
    ":08080",
    ":8443",
    ":0",
    ":080",
    ":65535",
    ":99999",
    ":",
    ":12a",
]
PIECES = [
    "a", "Z", "0", "-", "_", "~", ".", "..", "/", "//", "!", "$", "&", "'", "(", ")", "*", "+", ",", "=", ":",
    "@", "%41", "%2f", "%2F", "%zz", "%", ";", " ", "|", "[", "]", "\"", "<", "`", "^", "{", "中", "\t",
    "O1CN01abc_!!2200000-0-cib.jpg_430x430q90.jpg", "img", ".jpg", "/./", "/../", "/.hidden",
]  # fmt: skip
TAILS = ["", "", "", "?", "?a=1", "?utm_source=x&b=2", "#top", "?#", "?spm=1.2.3"]


def _random_url(rng: random.Random) -> str:
    # Half of them mostly clean (one hostile part at most), so the shortcut's edges are walked, not only its outside.
    clean = rng.random() < 0.5
    pieces = (
        [p for p in PIECES if p.isascii() and p.isprintable() and p not in '%;|[]"<`^{ '] if clean else PIECES
    )
    path = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
    if clean or rng.random() < 0.8:
        path = "/" + path
    scheme = rng.choice(SCHEMES[:2] if clean else SCHEMES)
    host = rng.choice(HOSTS[:5] if clean and rng.random() < 0.8 else HOSTS)
    port = rng.choice(PORTS[:6] if clean else PORTS)
    tail = "" if clean and rng.random() < 0.9 else rng.choice(TAILS)
    return f"{scheme}://{host}{port}{path}{tail}"


def _outcome(function: Callable[[str], str], url: str) -> tuple[str, str]:
    try:
        return "ok", function(url)
    except ValueError as exc:  # w3lib refuses some malformed ports: both ways must refuse them alike
        return "refused", type(exc).__name__


@pytest.mark.parametrize("patterns", [tracking_params("tmall"), tracking_params("generic"), []])
def test_the_shortcut_gives_the_full_answer_on_random_addresses(patterns: list[str]) -> None:
    canonical = Canonicalizer.of(patterns)
    rng = random.Random(20261130)
    shortcut = 0
    for _ in range(20_000):
        url = _random_url(rng)
        assert _outcome(canonical, url) == _outcome(canonical.rebuilt, url), url
        shortcut += _already_canonical(url)
    # The comparison means something only if a fair share of the addresses took the shortcut.
    assert shortcut > 1_000


@pytest.mark.parametrize(
    "url",
    [
        "https://img.alicdn.com/imgextra/i1/2200000/O1CN01abc_!!2200000-0-cib.jpg_430x430q90.jpg",
        "https://img10.360buyimg.com/n1/jfs/t1/123/45/678/90/abc.jpg",
        "http://127.0.0.1:8080/item/7.html",
        "http://localhost:1234/img/7/0.jpg",
        "http://localhost:45123/img/7/0.jpg",
    ],
)
def test_common_product_addresses_take_the_shortcut(url: str) -> None:
    assert _already_canonical(url)
    assert Canonicalizer.of([])(url) == url == Canonicalizer.of([]).rebuilt(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://shop.example:80/a", "http://shop.example/a"),
        ("https://shop.example:443/a", "https://shop.example/a"),
        ("http://shop.example/a/./b/../c", "http://shop.example/a/c"),
        ("http://Shop.Example/a", "http://shop.example/a"),
    ],
)
def test_addresses_that_change_do_not_take_the_shortcut(url: str, expected: str) -> None:
    assert Canonicalizer.of([])(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # A GBK site's query keeps its bytes (decoding it as UTF-8 made it U+FFFD: another search).
        ("http://a/s?q=%C9%CF%BA%A3&page=1&utm_source=x", "http://a/s?page=1&q=%C9%CF%BA%A3"),
        ("http://a/s?%FF=1&spm=2", "http://a/s?%FF=1"),
        # UTF-8 queries, spaces and characters written unescaped come out as before.
        ("http://a/s?q=%E4%B8%8A&b=a+b", "http://a/s?b=a+b&q=%E4%B8%8A"),
        ("http://a/s?q=上海 标准", "http://a/s?q=%E4%B8%8A%E6%B5%B7+%E6%A0%87%E5%87%86"),
    ],
)
def test_queries_keep_their_bytes(url: str, expected: str) -> None:
    assert Canonicalizer.of(tracking_params("tmall"))(url) == expected
