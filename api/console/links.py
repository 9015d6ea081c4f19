"""Links to crawled URLs: only http and https become hrefs; anything else is shown as text."""

from __future__ import annotations

from urllib.parse import urlsplit

from markupsafe import Markup, escape

SAFE_SCHEMES = frozenset({"http", "https"})


def safe_href(url: str | None) -> str | None:
    """The URL when a browser may follow it (http/https with a host), else None."""
    if not url:
        return None
    # Browsers drop tabs, newlines and leading control characters before reading the scheme
    # ("java\tscript:"), so a URL carrying any of them is refused rather than normalised.
    if any(ord(ch) < 0x21 or ch == "\x7f" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.netloc:
        return None
    return url


def url_link(url: str | None) -> Markup:
    """An <a> for a safe URL (opened without referrer or opener), or the escaped URL as text."""
    if not url:
        return Markup("")
    href = safe_href(url)
    if href is None:
        return Markup('<span class="unsafe-url">{}</span>').format(url)
    return Markup('<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>').format(
        href, escape(url)
    )
