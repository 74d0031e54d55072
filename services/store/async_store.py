"""The store for asyncio code (the console): every call runs on one dedicated thread.

SQLite connections must not be shared across threads carelessly and blocking the event loop on a query
freezes the screen. Like aiosqlite, we give the database its own thread; unlike a raw SQL bridge, the methods
are the typed ones on ``Store``, so console and CLI share them.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

from .db import Store

T = TypeVar("T")


class AsyncStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fleetdeck-store")
        self._store: Store | None = None

    async def open(self) -> "AsyncStore":
        self._store = await self._submit(lambda: Store.open(self.path))
        return self

    def open_sync(self) -> "AsyncStore":
        """Open from synchronous code (before an event loop exists); errors surface here, not later."""
        self._store = self._executor.submit(Store.open, self.path).result()
        return self

    async def _submit(self, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(store, *args, **kwargs)`` on the store's thread and return its result."""
        store = self._store
        if store is None:
            raise RuntimeError("AsyncStore.open() was not awaited")
        return await self._submit(lambda: fn(store, *args, **kwargs))

    def __getattr__(self, name: str) -> Callable[..., Any]:
        attr = getattr(Store, name, None)
        if attr is None or not callable(attr):
            raise AttributeError(name)

        async def method(*args: Any, **kwargs: Any) -> Any:
            return await self.call(lambda store: getattr(store, name)(*args, **kwargs))

        return method

    async def close(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            await self._submit(store.close)
        self._executor.shutdown(wait=False)
