"""Helpers for the image tests: crafted hostile images, and reader factories the pool's workers import."""

from __future__ import annotations

import io
import os
import struct
import time
import zlib

from PIL import Image

from checker.images.models import ImageReading
from checker.images.settings import ImageSettings


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


def stuck_reader(settings: ImageSettings) -> StuckReader:
    """Factory for MARKWATCH_IMAGE_READER (module level, importable by a spawned worker)."""
    return StuckReader(settings)
