"""Helpers for the image tests: crafted hostile images, and reader factories the pool's workers import."""

from __future__ import annotations

import io
import os
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from PIL import Image

from checker.images.corpus import render, samples
from checker.images.models import ImageReading
from crawler.images.settings import ImageSettings


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height (1-bit grey) over a tiny, never-decoded IDAT."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def gif_bomb() -> bytes:
    """An animated GIF whose logical screen is 40,000 x 40,000 (its frames are tiny)."""
    frames = [Image.new("P", (8, 8), i) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    data = bytearray(out.getvalue())
    data[6:10] = struct.pack("<HH", 40000, 40000)
    return bytes(data)


def encoded(image: Image.Image, fmt: str, **params: object) -> bytes:
    """An image saved in a format."""
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


class SlowReader:
    """Reads instantly, except b"hang" (sleeps past any limit) and b"crash" (the process dies)."""

    version = "test-reader 1"

    def __init__(self, settings: ImageSettings) -> None:
        self.settings = settings

    def read(self, raw: bytes) -> ImageReading:
        if raw == b"hang":
            time.sleep(3600)
        if raw == b"crash":
            os._exit(3)
        if raw == b"boom":
            raise RuntimeError("reader bug")
        ballast = bytearray(8 * 2**20) if raw == b"grow" else b""
        del ballast
        return ImageReading(sha256=raw.hex()[:64], engine=self.version, status="read")


def slow_reader(settings: ImageSettings) -> SlowReader:
    """Factory for the pool (module level, so a spawned worker can import it)."""
    return SlowReader(settings)


class StuckReader:
    """Never finishes an image (within any test): a sweep stopped meanwhile leaves its images unread."""

    version = "stuck-reader 1"

    def __init__(self, settings: ImageSettings) -> None:
        self.settings = settings

    def read(self, raw: bytes) -> ImageReading:
        time.sleep(3600)
        raise AssertionError("unreachable")


def unloadable_reader(settings: ImageSettings) -> SlowReader:
    """A worker whose models cannot be loaded (missing files, a broken install): it exits before it is ready."""
    raise RuntimeError("OCR models cannot be loaded")


def stuck_reader(settings: ImageSettings) -> StuckReader:
    """Factory for MARKWATCH_IMAGE_READER (module level, importable by a spawned worker)."""
    return StuckReader(settings)


def _label() -> bytes:
    sample, template = next(
        (s, t) for s, t in samples() if s.template == "annotation-group" and s.placement == "photo"
    )
    # The same label, but naming an expired edition (T/DEMO 001-2019, SHS003 in the example registry).
    template = {**template, "lines": ["产品名称：演示智能水杯", "执行标准：T/DEMO 001-2019（上海标准）"]}
    return render(sample, template)


LABEL = _label()


class LabelFailingReader:
    """The real reader, except that it fails on the label as a reader bug would (reason `reader-failed`): a
    failure of markwatch's own reading, not of the image."""

    def __init__(self, settings: ImageSettings) -> None:
        from checker.images.reading import ImageReader

        self.inner = ImageReader(settings)
        self.version = self.inner.version  # the stage keys its readings by the real reader's version

    def read(self, raw: bytes) -> ImageReading:
        if raw == LABEL:
            raise RuntimeError("the OCR engine failed on this image")
        return self.inner.read(raw)


def label_failing_reader(settings: ImageSettings) -> LabelFailingReader:
    """Factory for MARKWATCH_IMAGE_READER (module level, importable by a spawned worker)."""
    return LabelFailingReader(settings)


class Shop:
    """A marketplace on 127.0.0.1 whose claims are only in images; records every request."""

    def __init__(self, items: int = 4, item_delay: float = 0.0) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.port = 0
        self.items = items
        self.item_delay = item_delay
        # What /cdn/label.jpg answers: the label (200), or an HTTP error, or bytes that are no picture.
        self.label: tuple[int, bytes] = (200, LABEL)
        self._lock = threading.Lock()

    def hits(self) -> Counter[str]:
        """Requests per host and path."""
        with self._lock:
            return Counter(path for path, _ in self.requests)

    def page(self, path: str) -> tuple[int, str, bytes]:
        cdn = f"http://localhost:{self.port}/cdn"
        pages = {
            "/robots.txt": "User-agent: *\nDisallow: /private/\n",
            "/": "<ul class='listing'>"
            + "".join(
                f"<li><a class='item' href='/item/{n}.html'>{n}</a></li>" for n in range(1, self.items + 1)
            )
            + "</ul>",
            "/item/1.html": "<h1>演示智能水杯</h1><ul class='gallery'><li>"
            "<img src='/s.gif' data-ks-lazyload='/cdn/label.jpg'></li></ul>",
            "/item/2.html": f"<h1>演示智能水杯 二号</h1><div class='desc'><img data-src='{cdn}/label.jpg'></div>",
            "/item/3.html": "<h1>三号</h1><div class='desc'><img src='/cdn/bomb.png'>"
            "<img src='http://example.invalid/x.jpg'><img src='/private/p.jpg'></div>",
            "/item/4.html": "<h1>四号</h1><div class='desc'><img src='/cdn/missing.jpg'></div>",
        }
        for n in range(5, self.items + 1):  # more listings showing the same label (a cluster's share)
            pages[f"/item/{n}.html"] = (
                f"<h1>演示智能水杯 {n} 号</h1><div class='desc'><img data-src='{cdn}/label.jpg?n={n % 3}'></div>"
            )
        if path in pages:
            kind = "text/plain" if path.endswith(".txt") else "text/html; charset=utf-8"
            body = pages[path]
            if kind.startswith("text/html"):
                body = f"<html><head><meta charset='utf-8'><title>t</title></head><body>{body}</body></html>"
                if path.startswith("/item/"):
                    time.sleep(self.item_delay)
            return 200, kind, body.encode()
        if path.split("?")[0] == "/cdn/label.jpg":
            return self.label[0], "image/jpeg", self.label[1]
        if path == "/cdn/bomb.png":
            return 200, "image/png", png_header_only(40_000, 40_000)
        return 404, "text/plain", b"not found"

    def targets(self, path: Path, *, seed: str = "/", adapter: str = "demo-marketplace") -> Path:
        path.write_text(
            f"""targets:
  - name: shop
    seeds: [{{url: "http://127.0.0.1:{self.port}{seed}", kind: listing}}]
    allowed_domains: [127.0.0.1]
    image_domains: [localhost]
    adapter: {adapter}
    max_pages: 40
    delay: 0
    concurrency: 4
""",
            encoding="utf-8",
        )
        return path


def serve_shop(state: Shop) -> Iterator[Shop]:
    """Serve `state` on a free 127.0.0.1 port while the generator is suspended."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state._lock:
                state.requests.append(
                    (f"{self.headers.get('Host', '').split(':')[0]}{self.path}", dict(self.headers))
                )
            status, kind, body = state.page(self.path)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
