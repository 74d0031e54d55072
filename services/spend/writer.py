"""A buffered background writer for API-call rows, so SDK wrappers never wait on the database.

``submit`` validates and prices on the caller's thread (a few microseconds once a model's rates are cached) and
appends the row to an in-memory buffer; one daemon thread per database writes the buffer in batches every
``interval`` seconds (or sooner when ``batch`` rows are waiting) and once more at interpreter exit. When the
database is busy or locked the batch stays in the buffer and is retried with backoff, so nothing is lost while
another process holds the write lock.
"""

from __future__ import annotations

import atexit
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from .pricing import Pricer, pricer_for
from .record import FUTURE_SLACK_S, LoggedCall, check_at, check_tokens, insert_rows, validated_row

_TOKEN_NAMES = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


class BackgroundWriter:
    def __init__(self, db_path: Path | str, *, pricer: Pricer | None = None, interval: float = 0.5,
                 batch: int = 2000) -> None:
        self.db_path = Path(db_path)
        self.pricer = pricer or pricer_for(None)
        self.interval = interval
        self.batch = batch
        self._buffer: deque[tuple] = deque()
        self._wake = threading.Event()
        self._idle = threading.Condition()
        self._stopping = False
        self._store = None
        self.written = 0
        self.retries = 0
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name=f"spend-writer:{self.db_path.name}", daemon=True)
        self._thread.start()

    # -- caller side ---------------------------------------------------------------------------------------

    def submit(self, **call: Any) -> LoggedCall:
        """Queue one call (keyword arguments as for log_api_call)."""
        return self.submit_call(call)

    def submit_call(self, call: dict[str, Any]) -> LoggedCall:
        """Queue one call; only cheap checks run here, pricing happens on the writer thread."""
        for name in _TOKEN_NAMES:
            value = call.get(name, 0)
            if value.__class__ is not int or value < 0:
                check_tokens(name, value)  # raises DataError with the reason
        at = call.get("at")
        now = time.time()
        if at is None:
            call["at"] = at = now
        elif at > now + FUTURE_SLACK_S:
            check_at(at, now)
        self._buffer.append(call)
        if len(self._buffer) >= self.batch:
            self._wake.set()
        return LoggedCall(self.pricer.resolve(call["model"]), None, None, None, int(at), None)

    def pending(self) -> int:
        return len(self._buffer)

    def flush(self, timeout: float = 10.0) -> bool:
        """Write everything buffered so far; True when the buffer emptied within ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._buffer:
                self._wake.set()
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._thread.is_alive():
                    return not self._buffer
                self._idle.wait(min(remaining, 0.05))
        return True

    def close(self, timeout: float = 10.0) -> None:
        self.flush(timeout)
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout)

    # -- writer thread --------------------------------------------------------------------------------------

    def _run(self) -> None:
        backoff = 0.05
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            while self._buffer:
                take = min(len(self._buffer), self.batch)
                rows = self._price([self._buffer[i] for i in range(take)])
                try:
                    insert_rows(self._open(), rows)
                except sqlite3.OperationalError as exc:  # busy/locked: keep the rows, try again shortly
                    self.retries += 1
                    self.last_error = str(exc)
                    time.sleep(backoff)
                    backoff = min(backoff * 2, 2.0)
                    if self._stopping and self.retries > 50:
                        return
                    continue
                except Exception as exc:  # noqa: BLE001 - a broken row must not stop the writer
                    self.last_error = f"{type(exc).__name__}: {exc}"
                    _warn(f"spend writer dropped {take} rows: {self.last_error}")
                for _ in range(take):
                    self._buffer.popleft()
                self.written += take
                backoff = 0.05
            with self._idle:
                self._idle.notify_all()
            if self._stopping:
                self._close_store()
                return

    def _price(self, calls: list[dict[str, Any]]) -> list[tuple]:
        rows = []
        for call in calls:
            try:
                rows.append(validated_row(self.pricer, **call))
            except Exception as exc:  # noqa: BLE001 - one bad call must not block the others
                _warn(f"spend writer skipped a call it could not record: {exc}")
        return rows

    def _open(self):
        if self._store is None:
            from ..store import Store

            self._store = Store.open(self.db_path)
        return self._store

    def _close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def _warn(message: str) -> None:
    try:
        from loguru import logger

        logger.warning(message)
    except Exception:  # noqa: BLE001
        pass


_writers: dict[Path, BackgroundWriter] = {}
_lock = threading.Lock()


def writer_for(db_path: Path | str) -> BackgroundWriter:
    """The process's writer for one database file (created on first use, flushed at exit)."""
    key = Path(db_path).resolve()
    with _lock:
        w = _writers.get(key)
        if w is None:
            w = _writers[key] = BackgroundWriter(key)
        return w


_default: tuple[str | None, BackgroundWriter] | None = None


def default_writer() -> BackgroundWriter:
    """The writer for the default database (as FLEETDECK_HOME says right now; XDG paths otherwise)."""
    global _default
    import os

    home = os.environ.get("FLEETDECK_HOME")
    current = _default
    if current is not None and current[0] == home:
        return current[1]
    from ..paths import resolve_paths

    paths = resolve_paths().ensure()
    w = writer_for(paths.db_file)
    _default = (home, w)
    return w


def flush_all(timeout: float = 10.0) -> None:
    for w in list(_writers.values()):
        w.flush(timeout)


@atexit.register
def _flush_at_exit() -> None:
    for w in list(_writers.values()):
        w.close(timeout=10.0)
