"""Which files of a directory `markwatch check` reads: HTML pages by name or by content, and why others are not.

Saved pages keep their server's names: item.php?id=3, detail.jsp, index.asp, a path with no extension at all.
A directory scan that read only *.htm* skipped them without a word (QA #20). Every file is looked at: a name
ending in .htm/.html/.xhtml/.shtml is a page; any other name is a page when its first bytes start with HTML
markup, the test browsers apply to a response without a usable type (WHATWG MIME Sniffing, "rules for
identifying an unknown MIME type": <!DOCTYPE HTML, <html, <head, <body, <div, <p, <!-- … after white space).
Everything skipped is reported with its reason, so "no findings" never hides "not read".
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from markwatch.errors import InputError

# Names that are pages whatever their first bytes say (a fragment may start with text).
PAGE_SUFFIXES = frozenset([".htm", ".html", ".xhtml", ".shtml"])
# How much of a file the content test reads.
SNIFF_BYTES = 1024
# WHATWG MIME Sniffing, the HTML rows of the unknown-type table: after leading white space, one of these tags
# (case-insensitive) followed by a space or ">", or a comment "<!--" (no terminator needed). A UTF-8/UTF-16
# byte order mark may come first.
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?[\t\n\x0c\r ]*<(?:(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style"
    rb"|title|b|body|br|p)[ >]|!--)",
    re.I,
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Signatures of common non-page files, to say what a skipped file is.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip file"),
)
# How many skipped files a note names before it counts the rest.
NOTE_NAMES = 10


@dataclass
class Scan:
    """The page files found under one directory, and the files skipped with why."""

    pages: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def looks_like_html(head: bytes) -> bool:
    """Whether the first bytes of a file start with HTML markup (UTF-16 pages decoded first)."""
    if head.startswith(_UTF16_BOMS):
        encoding = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        head = head[2:].decode(encoding, errors="ignore").encode("utf-8")
    return _HTML_START.match(head) is not None


def known_non_page(head: bytes) -> str | None:
    """What a file is when its first bytes carry the signature of an image, a PDF or an archive ("a PNG
    image"), else None. Only signatures: a named file or a fetched body with none is read as a page (a page
    may start with plain text)."""
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return what
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    return None


def readable_image(head: bytes) -> bool:
    """Whether the first bytes are an image `check` and `extract` read (PNG, JPEG, GIF, WebP, BMP, SVG; AVIF
    and HEIF too, to be refused as such by the reader)."""
    from crawler.images.loading import sniff

    return sniff(head) is not None


def refuse_non_page(target: str, head: bytes, *, images: bool) -> None:
    """Refuse a named file or fetched body that is neither a page nor (with images on) an image we read."""
    if images and readable_image(head):
        return
    what = known_non_page(head)
    if what is not None:
        raise not_a_page(target, what, images=images)


def not_a_page(target: str, what: str, *, images: bool = True) -> InputError:
    """The error for a named file or a fetched body that is a PDF or an archive (or an image with
    --no-images): `check` and `extract` would find nothing in it and say "0 claims" as if they had read a
    page (QA #20)."""
    if not images and what.endswith("image"):
        return InputError(f"{what}, and images are not read with --no-images", source=target)
    return InputError(
        f"{what}, not an HTML page or an image: markwatch reads HTML pages and images (PNG, JPEG, GIF, "
        "WebP, BMP), not documents or archives; check the page that shows it instead",
        source=target,
    )


def _why_not(head: bytes) -> str:
    known = known_non_page(head)
    if known is not None:
        return known
    if not head.strip():
        return "empty"
    if b"\x00" in head:
        return "binary"
    return "no HTML markup at its start"


def _files(root: Path, scan: Scan) -> list[Path]:
    """The files under root in name order; hidden files and directories (.git, .DS_Store) are noted once
    each and not entered."""
    found: list[Path] = []
    for directory, subdirectories, names in os.walk(root):
        here = Path(directory)
        for name in sorted(subdirectories):
            if name.startswith("."):
                scan.skipped.append((here / name, "hidden directory"))
            elif (here / name).is_symlink():
                # os.walk does not follow them (a link back up would loop): say so rather than skip unseen.
                scan.skipped.append((here / name, "link to a directory, not followed"))
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
        for name in names:
            if name.startswith("."):
                scan.skipped.append((here / name, "hidden"))
            elif (here / name).is_file():
                found.append(here / name)
    return sorted(found)


def scan_directory(root: Path, *, images: bool = False) -> Scan:
    """Every page (and with `images`, every image file) under root, recursively in name order, and every
    file skipped with why."""
    scan = Scan()
    for path in _files(root, scan):
        if path.suffix.lower() in PAGE_SUFFIXES:
            scan.pages.append(path)
            continue
        try:
            with path.open("rb") as handle:
                head = handle.read(SNIFF_BYTES)
        except OSError as exc:
            scan.skipped.append((path, f"unreadable: {exc.strerror}"))
            continue
        if looks_like_html(head) or (images and readable_image(head)):
            scan.pages.append(path)
        else:
            scan.skipped.append((path, _why_not(head)))
    scan.skipped.sort()
    return scan


def skipped_note(root: Path, skipped: list[tuple[Path, str]]) -> str | None:
    """One line saying which files of a directory were not read and why, or None when none were skipped."""
    if not skipped:
        return None
    named = ", ".join(f"{path.relative_to(root)} ({why})" for path, why in skipped[:NOTE_NAMES])
    more = f" and {len(skipped) - NOTE_NAMES} more" if len(skipped) > NOTE_NAMES else ""
    return f"note: {root}: skipped {len(skipped)} file(s) it does not read: {named}{more}"
