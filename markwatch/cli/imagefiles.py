"""Images for `markwatch check` and `markwatch extract`: image files on their own, and pages with theirs.

An image file (PNG, JPEG, WebP, GIF first frame, BMP, SVG; sniffed from its bytes, never its name) is checked
as an image; a saved page's images are read from files beside it (relative addresses only, never outside
the page's folder), a fetched page's from its server (http(s), size-capped). Images are read by OCR
worker processes (per-image time limit), and readings are cached by (sha256, reader version)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import click
import httpx

from api.fetch import refusal_reason
from checker.extract import PageClaims, extract_page
from checker.images.models import ImageReading
from checker.images.page import SeenImage, add_image_claims, check_with_images, page_context
from checker.images.pool import ReaderPool
from checker.images.store import MemoryCache, ReadingCache
from checker.images.versions import reader_version
from crawler.images.discover import PageImage, find_images
from crawler.images.loading import sniff
from crawler.images.settings import ImageSettings
from markwatch.config import USER_AGENT
from pagetext.decode import decode_page

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")
MAX_PAGE_IMAGES = 40


def is_image(raw: bytes) -> bool:
    """Whether the bytes are an image we read (by their magic bytes)."""
    return sniff(raw) is not None


@dataclass
class ImageSource:
    """Reads images for one CLI run: one worker pool, started only when an image needs reading."""

    settings: ImageSettings
    cache: ReadingCache

    def __post_init__(self) -> None:
        self.pool: ReaderPool | None = None
        self.version = reader_version(self.settings.mark_references or None)

    def read(self, images: list[bytes]) -> list[ImageReading]:
        """Readings in order, from the cache where it has them."""
        from crawler.images.loading import sha256_of

        found: dict[int, ImageReading] = {}
        todo: list[int] = []
        for index, raw in enumerate(images):
            cached = self.cache.get(sha256_of(raw), self.version)
            if cached is not None:
                found[index] = cached
            else:
                todo.append(index)
        if todo:
            if self.pool is None:
                self.pool = ReaderPool(self.settings)
            for index, reading in zip(todo, self.pool.read_all([images[i] for i in todo]), strict=True):
                found[index] = reading
                self.cache.put(reading)
        return [found[i] for i in range(len(images))]

    def close(self) -> None:
        """Stop the workers."""
        if self.pool is not None:
            self.pool.close()


class ImageUnread(Exception):
    """A page's image that could not be had; `reason` says why (shown, never dropped silently)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _local_image(page: Path, address: str) -> bytes:
    parts = urlsplit(address)
    if parts.scheme or parts.netloc:
        raise ImageUnread("an address on the web, beside a saved page (check the page's URL to fetch it)")
    folder = page.resolve().parent
    path = (folder / unquote(parts.path)).resolve()
    if not path.is_relative_to(folder):
        raise ImageUnread("outside the saved page's folder (not read)")
    if not path.is_file():
        raise ImageUnread("no such file beside the saved page")
    return path.read_bytes()


def _guard(page_host: str | None) -> Any:
    def refuse_forbidden(request: httpx.Request) -> None:
        # A page is hostile input: its images (and their redirects) must not reach private, loopback or cloud
        # metadata addresses from the operator's machine; the page's own host is the operator's choice.
        if request.url.host != page_host:
            _refuse_forbidden(request.url.host)

    return refuse_forbidden


def _refuse_forbidden(host: str) -> None:
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(str(info[4][0])) for info in socket.getaddrinfo(host, None)]
        except OSError:
            return  # the request itself reports the name that does not resolve
    reasons = sorted({reason for address in addresses if (reason := refusal_reason(address))})
    if reasons:
        raise ImageUnread(f"refused: the image's host is {reasons[0]}")


def _remote_image(address: str, settings: ImageSettings, page_host: str | None = None) -> bytes:
    if urlsplit(address).scheme not in ("http", "https"):
        raise ImageUnread("not an http(s) address")
    try:
        with (
            httpx.Client(
                headers={"User-Agent": USER_AGENT},
                timeout=20,
                follow_redirects=True,
                event_hooks={"request": [_guard(page_host)]},
            ) as client,
            client.stream("GET", address) as response,
        ):
            if response.status_code >= 400:
                raise ImageUnread(f"HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > settings.max_bytes:
                    raise ImageUnread(f"larger than {settings.max_bytes:,} bytes (not read)")
            return bytes(body)
    except httpx.HTTPError as exc:
        raise ImageUnread(f"cannot fetch: {type(exc).__name__}") from None


def page_images(
    target: str, raw: bytes, url: str | None, charset: str | None, settings: ImageSettings
) -> tuple[list[tuple[PageImage, bytes]], list[tuple[str, str]]]:
    """A page's images with their bytes, and (address, reason) for each one that could not be had."""
    text = decode_page(raw, charset).text
    found = find_images(text, url, limit=MAX_PAGE_IMAGES + 1)
    unread: list[tuple[str, str]] = []
    if len(found) > MAX_PAGE_IMAGES:
        unread.append(("…", f"more than {MAX_PAGE_IMAGES} images on the page: the rest were not read"))
        found = found[:MAX_PAGE_IMAGES]
    out: list[tuple[PageImage, bytes]] = []
    for image in found:
        if image.inline is not None:  # carried by the page as a data: URI: its bytes are at hand
            out.append((image, image.inline.body))
            continue
        try:
            data = (
                _remote_image(image.url, settings, urlsplit(url).hostname)
                if url
                else _local_image(Path(target), image.url)
            )
        except ImageUnread as exc:
            unread.append((image.url, exc.reason))
            continue
        out.append((image, data))
    return out, unread


def seen_images(
    source: ImageSource, target: str, raw: bytes, url: str | None, charset: str | None
) -> list[SeenImage]:
    """The images to check with a target: itself when it is an image, else its page's images."""
    if is_image(raw):
        [reading] = source.read([raw])
        return [SeenImage(reading, url=url or target)]
    pairs, unread = page_images(target, raw, url, charset, source.settings)
    for address, reason in unread:
        click.echo(f"warning: {target}: image {address} not read: {reason}", err=True)  # never silently
    readings = source.read([data for _, data in pairs])
    return [SeenImage(reading, where=image) for (image, _), reading in zip(pairs, readings, strict=True)]


def check_target(
    checker: Any, source: ImageSource | None, target: str, raw: bytes, *, url: str | None,
    declared_charset: str | None, registry: Any, as_of: dt.date, review: Any = None,
) -> Any:  # fmt: skip
    """`markwatch check` for one target: a page (with its images unless --no-images) or an image file."""
    images = seen_images(source, target, raw, url, declared_charset) if source is not None else []
    if not images:
        return checker.check_page(
            raw, url=url, declared_charset=declared_charset, observed_at=None, registry=registry, as_of=as_of,
            review=review,
        )  # fmt: skip
    result = check_with_images(
        checker, None if is_image(raw) else raw, images, url=url, declared_charset=declared_charset,
        observed_at=None, registry=registry, as_of=as_of, review=review,
    )  # fmt: skip
    for warning in result.page.warnings:
        if warning.code.startswith("image-"):
            click.echo(f"warning: {target}: {warning.message}", err=True)  # read errors never pass silently
    return result


def extract_target(
    source: ImageSource | None, target: str, raw: bytes, *, url: str | None, charset: str | None
) -> PageClaims:
    """`markwatch extract` for one target: the page's claims and its images' claims, or an image's."""
    image_file = is_image(raw)
    page = (
        PageClaims(url=url, extractor_version="image")
        if image_file
        else extract_page(raw, url=url, declared_charset=charset)
    )
    if source is None:
        return page
    images = seen_images(source, target, raw, url, charset)
    readable = [seen for seen in images if seen.reading.lines or seen.reading.marks]
    context = page_context(raw, url=url, declared_charset=charset) if readable and not image_file else None
    add_image_claims(page, readable, context)
    for seen in images:
        if seen.reading.status != "read":
            page.notes.append(
                f"image {seen.url or (seen.where.url if seen.where else '')}: {seen.reading.status} ({seen.reading.reason})"
            )
    return page


def memory_source() -> ImageSource:
    """An image source with an in-process cache (extract: no database)."""
    return ImageSource(ImageSettings.from_env(), MemoryCache())
