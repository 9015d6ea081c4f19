"""One dedicated thread for every engine call, so async and multi-threaded callers share one engine."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class EngineThread:
    """A single-worker executor: durable-rules must only ever be touched from one thread."""

    def __init__(self) -> None:
        self._ident: int | None = None
        self._pool = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="markwatch-engine", initializer=self._remember_thread
        )

    def _remember_thread(self) -> None:
        self._ident = threading.get_ident()

    def on_engine_thread(self) -> bool:
        """Whether the caller is the engine thread itself (work handed to `executor` runs there)."""
        return self._ident == threading.get_ident()

    @property
    def executor(self) -> ThreadPoolExecutor:
        """The engine thread as an executor: a whole job run here makes its engine calls without a handoff."""
        return self._pool

    def call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the engine thread and wait for it (directly, when already there)."""
        if self.on_engine_thread():
            return fn()
        return self._pool.submit(fn).result()

    async def acall(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the engine thread without blocking the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn)

    def shutdown(self) -> None:
        """Stop the thread after pending calls."""
        self._pool.shutdown(wait=True)


_shared: EngineThread | None = None
_shared_lock = threading.Lock()


def engine_thread() -> EngineThread:
    """The process-wide engine thread: durable-rules' C state is global, so every engine call goes here."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = EngineThread()
        return _shared
