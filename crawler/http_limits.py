"""A bound on the response header section: Twisted's HTTP client has none.

Twisted reads header lines until the blank line however many come, so a hostile server streaming headers
grows the crawl process's memory until DOWNLOAD_TIMEOUT (measured: 140 MB of headers in a 5 s timeout, the
process from 40 MB to 222 MB RSS, the page recorded as a timeout); a single line over 16 KiB drops the
connection, recorded as connection_lost though the server did answer. DOWNLOAD_MAXSIZE counts only the
body. Installed once per process by the crawl's downloader (crawler/politeness.py): past the bound the
answer fails as headers_too_large (crawler/spiders/base.py error_kind).
"""

from __future__ import annotations

from typing import Any

from twisted.web import _newclient

# Bytes of status line and headers read before an answer is refused (browsers allow about 256 KiB).
DEFAULT_MAX_HEADER_BYTES = 256 * 1024
_COUNT = "_markwatch_header_bytes"


class HeadersTooLarge(_newclient.ParseError):
    """A response's header section (or one header line) passed the bound."""


def install(max_bytes: int) -> None:
    """Bound every response's header section to `max_bytes` in this process (the last bound given holds)."""
    parser: Any = _newclient.HTTPClientParser
    parser._markwatch_max_header_bytes = max_bytes
    if getattr(parser, "_markwatch_bounded", False):
        return
    read_line = parser.lineReceived

    def lineReceived(self: Any, line: bytes) -> None:
        if self.state in (_newclient.STATUS, _newclient.HEADER):
            seen = getattr(self, _COUNT, 0) + len(line) + 2
            setattr(self, _COUNT, seen)
            if seen > self._markwatch_max_header_bytes:
                raise HeadersTooLarge(f"headers past {self._markwatch_max_header_bytes} bytes", b"")
        read_line(self, line)

    def lineLengthExceeded(self: Any, line: bytes) -> None:
        # Raised, not a dropped connection: HTTP11ClientProtocol turns it into the response's failure.
        raise HeadersTooLarge(f"a header line past {self.MAX_LENGTH} bytes", b"")

    parser.lineReceived = lineReceived
    parser.lineLengthExceeded = lineLengthExceeded
    parser._markwatch_bounded = True
