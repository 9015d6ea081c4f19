"""Compressed sitemaps are read (a .xml.gz file, gzip Content-Type, Content-Encoding), with a bound on their
decompressed size; a gzip bomb, a corrupt or a truncated file fails with its own reason in the ledger, never as
a generic parse error and never with its URLs silently lost. Real sweeps against a server on 127.0.0.1."""

from __future__ import annotations

import gzip
import subprocess
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from cases_support import import_example_registry
from localsite import running, sweep_command
from sqlalchemy import select

from crawler.store.models import SweepUrl
from markwatch import db

REPO = Path(__file__).resolve().parent.parent
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
BOUND = 1024 * 1024


def _urlset(*paths: str) -> bytes:
    urls = "".join(f"<url><loc>{{base}}{path}</loc></url>" for path in paths)
    return f"<?xml version='1.0' encoding='UTF-8'?><urlset xmlns='{NS}'>{urls}</urlset>".encode()


def _handler(base: list[str]) -> type[BaseHTTPRequestHandler]:
    def body(template: bytes) -> bytes:
        return template.replace(b"{base}", base[0].encode())

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if self.path == "/robots.txt":
                data, headers = b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}
            elif self.path == "/plain.xml.gz":  # a .gz file, served as what it is
                data = gzip.compress(body(_urlset("/a.html")))
                headers = {"Content-Type": "application/x-gzip"}
            elif self.path == "/encoded.xml":  # compressed on the wire only
                data = gzip.compress(body(_urlset("/b.html")))
                headers = {"Content-Type": "application/xml", "Content-Encoding": "gzip"}
            elif self.path == "/double.xml.gz":  # a .gz file, and the server compresses it again
                data = gzip.compress(gzip.compress(body(_urlset("/c.html"))))
                headers = {"Content-Type": "application/octet-stream", "Content-Encoding": "gzip"}
            elif self.path == "/index.xml.gz":  # a compressed index of compressed sitemaps
                index = f"<sitemapindex xmlns='{NS}'><sitemap><loc>{base[0]}/nested.xml.gz</loc></sitemap></sitemapindex>"
                data = gzip.compress(index.encode())
                headers = {"Content-Type": "application/gzip"}
            elif self.path == "/nested.xml.gz":
                data = gzip.compress(body(_urlset("/d.html")))
                headers = {"Content-Type": "application/x-gzip"}
            elif self.path == "/bomb.xml.gz":  # 2 MiB of white space after the first URL, past the bound
                data = gzip.compress(
                    body(_urlset("/e.html")).replace(b"</urlset>", b" " * (2 * BOUND) + b"</urlset>")
                )
                headers = {"Content-Type": "application/x-gzip"}
            elif self.path == "/bomb-encoded.xml":  # compressed on the wire only, past DOWNLOAD_MAXSIZE too
                data = gzip.compress(
                    body(_urlset("/f.html")).replace(b"</urlset>", b" " * (6 * BOUND) + b"</urlset>")
                )
                headers = {"Content-Type": "application/xml", "Content-Encoding": "gzip"}
            elif self.path == "/big.xml":  # a plain sitemap past the bound (under DOWNLOAD_MAXSIZE)
                data = body(_urlset("/g.html")).replace(b"</urlset>", b" " * (2 * BOUND) + b"</urlset>")
                headers = {"Content-Type": "application/xml"}
            elif self.path == "/truncated-encoded.xml":  # cut short on the wire
                whole = gzip.compress(body(_urlset(*(f"/u{n}.html" for n in range(200)))))
                data = whole[: len(whole) // 2]
                headers = {"Content-Type": "application/xml", "Content-Encoding": "gzip"}
            elif self.path == "/deflate.xml":  # deflate on the wire, as HTTP means it (zlib-wrapped)
                data = zlib.compress(body(_urlset("/h.html")))
                headers = {"Content-Type": "application/xml", "Content-Encoding": "deflate"}
            elif self.path == "/raw-deflate.xml":  # deflate without its zlib wrapper, as some servers send it
                packer = zlib.compressobj(wbits=-15)
                data = packer.compress(body(_urlset("/i.html"))) + packer.flush()
                headers = {"Content-Type": "application/xml", "Content-Encoding": "deflate"}
            elif self.path == "/truncated-deflate.xml":  # cut short on the wire
                whole = zlib.compress(body(_urlset(*(f"/v{n}.html" for n in range(200)))))
                data = whole[: len(whole) // 2]
                headers = {"Content-Type": "application/xml", "Content-Encoding": "deflate"}
            elif self.path == "/brotli.xml":  # an encoding markwatch does not decode (nor ask for)
                data = b"\x1b\x03\x00\xf8\x8d\x94\x6e\xde\x44\x67\xf2\x02\x00"
                headers = {"Content-Type": "application/xml", "Content-Encoding": "br"}
            elif self.path == "/corrupt.xml.gz":
                data = b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"not deflate at all" * 20
                headers = {"Content-Type": "application/x-gzip"}
            elif self.path == "/truncated.xml.gz":
                whole = gzip.compress(body(_urlset(*(f"/t{n}.html" for n in range(200)))))
                data = whole[: len(whole) // 2]
                headers = {"Content-Type": "application/x-gzip"}
            else:
                data = b"<html><body><p>page</p></body></html>"
            self.send_response(200)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def test_compressed_sitemaps_are_read_and_bad_ones_fail_with_their_reason(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    base: list[str] = []
    sitemaps = ["plain.xml.gz", "encoded.xml", "double.xml.gz", "index.xml.gz", "bomb.xml.gz", "corrupt.xml.gz",
                "truncated.xml.gz", "bomb-encoded.xml", "big.xml", "truncated-encoded.xml", "deflate.xml",
                "raw-deflate.xml", "truncated-deflate.xml", "brotli.xml"]  # fmt: skip
    with running(_handler(base)) as server:
        base.append(f"http://127.0.0.1:{server.server_address[1]}")
        seeds = "\n".join(f'      - {{url: "{base[0]}/{name}", kind: sitemap}}' for name in sitemaps)
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            f"targets:\n  - name: maps\n    seeds:\n{seeds}\n    allowed_domains: [127.0.0.1]\n"
            "    adapter: generic\n    max_depth: 2\n    max_pages: 500\n    delay: 0\n    timeout: 5\n"
            "    retries: 0\n",
            encoding="utf-8",
        )
        done = subprocess.run(
            sweep_command(targets, db_url, tmp_path / "jobs", "--no-cases", "--set",
                          f"MARKWATCH_SITEMAP_MAXSIZE={BOUND}"),
            capture_output=True, text=True, timeout=300, cwd=REPO,
        )  # fmt: skip
    # Finished: every URL is accounted for, the unreadable sitemaps as failed with their reasons.
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    with db.session_scope(db_url) as session:
        ledger = {
            url.removeprefix(base[0]): (state, reason)
            for url, state, reason in session.execute(select(SweepUrl.url, SweepUrl.state, SweepUrl.reason))
        }
    for page in ("/a.html", "/b.html", "/c.html", "/d.html", "/h.html", "/i.html"):
        assert ledger[page] == ("stored", None), ledger
    for sitemap in (
        "/plain.xml.gz",
        "/encoded.xml",
        "/double.xml.gz",
        "/index.xml.gz",
        "/nested.xml.gz",
        "/deflate.xml",
        "/raw-deflate.xml",
    ):
        assert ledger[sitemap] == ("skipped", "sitemap"), ledger
    assert ledger["/bomb.xml.gz"] == ("failed", "sitemap_too_large"), ledger
    # The same bomb compressed on the wire, and a plain sitemap past the bound, fail for the same reason (not
    # as too_large: Scrapy's decompression limit, DOWNLOAD_MAXSIZE, is not the sitemap's).
    assert ledger["/bomb-encoded.xml"] == ("failed", "sitemap_too_large"), ledger
    assert ledger["/big.xml"] == ("failed", "sitemap_too_large"), ledger
    assert ledger["/corrupt.xml.gz"] == ("failed", "sitemap_corrupt"), ledger
    # A truncated file: the URLs before the cut would be read and the rest lost without a word.
    assert ledger["/truncated.xml.gz"] == ("failed", "sitemap_corrupt"), ledger
    assert ledger["/truncated-encoded.xml"] == ("failed", "sitemap_corrupt"), ledger
    # Deflate is read as strictly as gzip; brotli (or any other encoding) is refused with its own reason.
    assert ledger["/truncated-deflate.xml"] == ("failed", "sitemap_corrupt"), ledger
    assert ledger["/brotli.xml"] == ("failed", "sitemap_encoding"), ledger
    assert not any(url.startswith(("/f.", "/g.", "/u", "/v")) for url in ledger), ledger
    assert not any(reason == "parse_error" for _state, reason in ledger.values()), ledger


def test_gunzip_reads_every_member_and_padding_but_nothing_broken() -> None:
    import pytest

    from crawler.sitemaps import gunzip_bounded, sitemap_xml
    from markwatch.errors import SitemapError

    two = gzip.compress(b"<urlset>") + gzip.compress(b"</urlset>") + b"\0" * 16
    assert gunzip_bounded(two, max_size=100) == b"<urlset></urlset>"
    assert sitemap_xml(b"<urlset/>") == b"<urlset/>"
    with pytest.raises(SitemapError) as bad_crc:
        whole = bytearray(gzip.compress(b"<urlset></urlset>"))
        whole[-8] ^= 0xFF  # the CRC in the trailer
        gunzip_bounded(bytes(whole), max_size=100)
    assert bad_crc.value.reason == "sitemap_corrupt"
    # A .xml.gz file compressed again on the wire is read through both layers; layers without end are not.
    xml = b"<urlset></urlset>"
    assert sitemap_xml(gzip.compress(gzip.compress(xml)), max_size=100) == xml
    with pytest.raises(SitemapError) as layers:
        sitemap_xml(gzip.compress(gzip.compress(gzip.compress(gzip.compress(xml)))), max_size=1000)
    assert layers.value.reason == "sitemap_corrupt"
    with pytest.raises(SitemapError) as big:
        gunzip_bounded(gzip.compress(b" " * 101), max_size=100)
    assert big.value.reason == "sitemap_too_large"


def _formats_handler(base: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            kind = "application/xml"
            if self.path == "/robots.txt":
                data, kind = b"User-agent: *\nAllow: /\n", "text/plain"
            elif self.path == "/error.xml":  # the site's error page, answered with 200
                data, kind = b"<html><body><h1>Page not found</h1></body></html>", "text/html"
            elif self.path == "/empty.xml":
                data = b""
            elif self.path == "/sitemap.txt":  # sitemaps.org's text format: one URL per line, UTF-8
                data, kind = f"{base[0]}/t1.html\n\n{base[0]}/t2.html\r\n".encode(), "text/plain"
            elif self.path == "/notes.txt":  # text, but not a list of URLs
                data, kind = f"our pages:\n{base[0]}/n1.html\n".encode(), "text/plain"
            elif self.path == "/cut.xml":  # well-formed up to a cut the server made itself
                data = _urlset("/k1.html", "/k2.html", "/k3.html").replace(b"{base}", base[0].encode())
                data = data[: data.index(b"/k3.html")]
            elif self.path == "/feed.rss":  # an RSS 2.0 feed: sitemaps.org accepts it, its items' links
                data = (f"<rss version='2.0'><channel><link>{base[0]}/</link><item><link>{base[0]}/r1.html"
                        "</link></item></channel></rss>").encode()  # fmt: skip
            else:
                data, kind = b"<html><body><p>page</p></body></html>", "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def test_a_sitemap_that_is_not_one_fails_with_its_reason_and_text_sitemaps_are_read(tmp_path: Path) -> None:
    """An HTML error page, an empty answer or stray text was read as XML with no <loc>, and the sitemap
    passed as read ("skipped: sitemap") with its site's pages never learnt; a text sitemap (legal per
    sitemaps.org) gave nothing the same way; a sitemap cut short gave the URLs before the cut in silence."""
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    base: list[str] = []
    sitemaps = ["error.xml", "empty.xml", "sitemap.txt", "notes.txt", "cut.xml", "feed.rss"]
    with running(_formats_handler(base)) as server:
        base.append(f"http://127.0.0.1:{server.server_address[1]}")
        seeds = "\n".join(f'      - {{url: "{base[0]}/{name}", kind: sitemap}}' for name in sitemaps)
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            f"targets:\n  - name: maps\n    seeds:\n{seeds}\n    allowed_domains: [127.0.0.1]\n"
            "    adapter: generic\n    max_depth: 2\n    max_pages: 50\n    delay: 0\n    timeout: 5\n"
            "    retries: 0\n",
            encoding="utf-8",
        )
        done = subprocess.run(
            sweep_command(targets, db_url, tmp_path / "jobs", "--no-cases"),
            capture_output=True, text=True, timeout=300, cwd=REPO,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    # The sweep's own line says what was not read.
    assert "sitemap_format 3" in done.stdout and "sitemap_malformed 1" in done.stdout, done.stdout
    with db.session_scope(db_url) as session:
        ledger = {
            url.removeprefix(base[0]): (state, reason)
            for url, state, reason in session.execute(select(SweepUrl.url, SweepUrl.state, SweepUrl.reason))
        }
    for sitemap in ("/error.xml", "/empty.xml", "/notes.txt"):
        assert ledger[sitemap] == ("failed", "sitemap_format"), ledger
    assert ledger["/sitemap.txt"] == ledger["/feed.rss"] == ("skipped", "sitemap"), ledger
    for page in ("/t1.html", "/t2.html", "/r1.html", "/k1.html", "/k2.html"):
        assert ledger[page] == ("stored", None), ledger
    # Cut short: what it held before the cut is followed, and the sitemap itself is not "read".
    assert ledger["/cut.xml"] == ("failed", "sitemap_malformed"), ledger
    assert "/n1.html" not in ledger and "/" not in ledger, sorted(ledger.items())
