"""One spelling per page: tracking parameters dropped, query sorted, before dupe filtering and case keys.

Marketplaces decorate every link with click-tracking parameters (Tmall's spm/scm/pvid, utm_* everywhere):
the same item page reached from two listings would otherwise be fetched twice, stored twice and give two
findings and two cases. Which parameters are tracking is site knowledge, so it is adapter data
(`tracking_params` in crawler/adapters/*.yaml, the generic list applying to every adapter).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

_DEFAULT_PORTS = {"http": 80, "https": 443}
# An address every step below leaves as it is: lower-case host, no port or a non-default one, a path of
# characters that need no quoting (no %, no ;), no query, no fragment; dot segments and IDNA hosts are ruled
# out apart. Most product image and item addresses look like this, and the full treatment costs ~10 us an
# address (six or more of them a page). tests/test_canonical.py checks the shortcut against the full path.
_ALREADY_CANONICAL = re.compile(
    r"https?://[a-z0-9]+(?:(?:\.|-+)[a-z0-9]+)*(?::(?P<port>[1-9][0-9]{0,4}))?/[A-Za-z0-9_~!$&'()*+,=:@/.-]*"
)


def _already_canonical(url: str) -> bool:
    if "/." in url or "xn--" in url:
        return False
    match = _ALREADY_CANONICAL.fullmatch(url)
    if match is None:
        return False
    port = match["port"]
    return port is None or (port not in ("80", "443") and int(port) <= 65535)


@dataclass(frozen=True)
class Canonicalizer:
    """Drops query parameters whose name matches one of `patterns` (shell globs, case-insensitive)."""

    patterns: tuple[str, ...] = ()

    @classmethod
    def of(cls, patterns: Iterable[str]) -> Canonicalizer:
        """A canonicalizer for these patterns (duplicates removed, lower-cased)."""
        return cls(tuple(dict.fromkeys(p.lower() for p in patterns)))

    def is_tracking(self, name: str) -> bool:
        """Whether a query parameter name is a tracking parameter."""
        lowered = name.lower()
        return any(fnmatchcase(lowered, pattern) for pattern in self.patterns)

    def __call__(self, url: str) -> str:
        """The canonical form of an absolute http(s) URL; other URLs come back unchanged."""
        if _already_canonical(url):
            return url
        return self.rebuilt(url)

    def rebuilt(self, url: str) -> str:
        """The canonical form, worked out in full (`__call__` skips this for addresses already canonical)."""
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS:
            return url
        # Byte for byte: a GBK site's query (q=%C9%CF%BA%A3) is not UTF-8, and decoding it as UTF-8 would turn
        # it into U+FFFD, another query. Characters written unescaped are sent as UTF-8, as w3lib sends them.
        escaped = "".join(char if char.isascii() else quote(char) for char in parts.query)
        query = [
            (k, v)
            for k, v in parse_qsl(escaped, keep_blank_values=True, encoding="latin-1")
            if not self.is_tracking(k)
        ]
        netloc = parts.netloc
        try:
            port = parts.port
        except ValueError:
            port = None
        if port is not None and port == _DEFAULT_PORTS[parts.scheme]:
            netloc = netloc.rsplit(":", 1)[0]
        stripped = urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, encoding="latin-1"), ""))
        # w3lib sorts the query, normalises percent-encoding and case of the host, drops the fragment:
        # the same rules Scrapy's own request fingerprints use.
        return str(canonicalize_url(stripped, keep_blank_values=True))
