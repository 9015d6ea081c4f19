"""Image reading for the API: one worker pool per app, started on the first image, closed at shutdown."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi import Request

from checker.images.models import READER_UNAVAILABLE, ImageReading
from checker.images.pool import ReaderFactory, ReaderPool
from checker.images.store import UrlCache
from checker.images.versions import reader_version
from crawler.images.loading import sha256_of
from crawler.images.settings import ImageSettings

# How long a pool whose workers could not start answers "unavailable" before it is started again.
RETRY_BROKEN_S = 60.0


class ImageService:
    """Reads images (cached by sha256 and reader version in the app's database); thread-safe."""

    def __init__(self, settings: ImageSettings, db_url: str, factory: ReaderFactory | None = None) -> None:
        self.settings = settings
        self._factory = factory
        self.cache = UrlCache(db_url)
        self.version = reader_version(settings.mark_references or None)
        self._pool: ReaderPool | None = None
        self._broken_at = 0.0
        self._lock = threading.Lock()

    def read(self, raw: bytes) -> ImageReading:
        """One image's reading (blocking: call it from a worker thread)."""
        cached = self.cache.get(sha256_of(raw), self.version)
        if cached is not None:
            return cached
        with self._lock:
            if (
                self._pool is not None
                and self._pool.broken
                and time.monotonic() - self._broken_at > RETRY_BROKEN_S
            ):
                # Workers that could not start (models missing, memory short) may start now: try again, once
                # a while, rather than at every request (each try costs a few process starts).
                self._pool.close()
                self._pool, self._broken_at = None, 0.0
            if self._pool is None:
                self._pool = (
                    ReaderPool(self.settings)
                    if self._factory is None
                    else ReaderPool(self.settings, self._factory)
                )
            [reading] = self._pool.read_all([raw])
            if reading.reason == READER_UNAVAILABLE and not self._broken_at:
                self._broken_at = time.monotonic()
            elif reading.reason != READER_UNAVAILABLE:
                self._broken_at = 0.0
        self.cache.put(reading)
        return reading

    def close(self) -> None:
        """Stop the workers."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool, self._broken_at = None, 0.0


_SERVICE_LOCK = threading.Lock()


def get_image_service(request: Request) -> ImageService:
    """The app's image service, built on first use (tests may set app.state.image_service)."""
    state: Any = request.app.state
    with _SERVICE_LOCK:
        service = getattr(state, "image_service", None)
        if service is None:
            service = ImageService(ImageSettings.from_env(), state.settings.database_url)
            state.image_service = service
            state.on_shutdown.append(service.close)
    return service
