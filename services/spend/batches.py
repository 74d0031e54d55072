"""Writing ingested calls to the store: one transaction per batch, on a thread of its own.

A batch holds api_calls rows (one per dedupe key) and the ingest_files rows saying how far each file has been
read once those rows are in; both are committed together, so a run killed at any point resumes exactly.

The hourly rollup (api_calls_hourly, migration 0004) is kept by a trigger per inserted row, which costs more than
the insert itself. For a batch, the insert trigger is dropped inside the transaction, the new rows (ids above the
old maximum: new rowids always are) are summed into the rollup with one grouped statement that mirrors the
trigger, and the trigger is created again from its stored SQL before the commit. Readers never see the table
without it (they read the last commit), other writers wait for the lock, and a kill rolls all of it back.
Updates of existing rows (a bigger streamed copy arriving later) still go through the update trigger.

The writer runs on a thread: sqlite3 releases the GIL while SQLite works, so the parser keeps reading while a
batch is written. The queue holds one batch, so memory stays bounded however far the parser gets ahead.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING

from .record import COLUMNS, INSERT_SQL

if TYPE_CHECKING:
    from ..store import Store

_TOKENS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
UPSERT_SQL = (
    f"INSERT INTO api_calls ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)}) "
    "ON CONFLICT (dedupe_key) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in ("at", "model", "provider", *_TOKENS, "cost_micros",
                                                 "baseline_cost_micros"))
    + " WHERE " + " + ".join(f"excluded.{c}" for c in _TOKENS) + " > " + " + ".join(f"api_calls.{c}" for c in _TOKENS)
)

INSERT_NEW_SQL = INSERT_SQL.replace("INSERT INTO", "INSERT OR IGNORE INTO")
_KEY = COLUMNS.index("dedupe_key")

_ROLLUP_COLUMNS = ("calls", *_TOKENS, "cost_micros", "baseline_cost_micros", "unknown_calls", "unknown_tokens",
                   "errors")
# What the api_calls_hourly_insert trigger adds per row, summed over the rows inserted by this batch.
ROLLUP_NEW_ROWS_SQL = (
    f"INSERT INTO api_calls_hourly (hour, model, workflow, {', '.join(_ROLLUP_COLUMNS)})"
    " SELECT at / 3600 * 3600, model, coalesce(workflow, ''), count(*), sum(input_tokens), sum(output_tokens),"
    " sum(cache_read_tokens), sum(cache_write_tokens), sum(coalesce(cost_micros, 0)),"
    " sum(CASE WHEN cost_micros IS NOT NULL THEN coalesce(baseline_cost_micros, 0) ELSE 0 END),"
    " sum(cost_micros IS NULL),"
    " sum(CASE WHEN cost_micros IS NULL THEN input_tokens + output_tokens + cache_read_tokens + cache_write_tokens"
    " ELSE 0 END),"
    " sum(status = 'error')"
    " FROM api_calls WHERE id > ? GROUP BY 1, 2, 3"
    " ON CONFLICT (hour, model, workflow) DO UPDATE SET "
    + ", ".join(f"{c} = {c} + excluded.{c}" for c in _ROLLUP_COLUMNS)
)
ROLLUP_TRIGGER = "api_calls_hourly_insert"

FILES_SQL = (
    "INSERT INTO ingest_files (path, source, offset, size, mtime_ns, inode, torn_lines, skipped, state, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET"
    " source = excluded.source, offset = excluded.offset, size = excluded.size, mtime_ns = excluded.mtime_ns,"
    " inode = excluded.inode, torn_lines = excluded.torn_lines, skipped = excluded.skipped,"
    " state = excluded.state, updated_at = excluded.updated_at"
)


@dataclass
class Batch:
    rows: list[tuple]  # api_calls rows in COLUMNS order, at most one per dedupe_key
    files: list[tuple]  # (path, source, offset, size, mtime_ns, inode, torn_lines, skipped, state)


def write_batch(store: Store, batch: Batch) -> int:
    """Commit one batch (see the module docstring); returns how many rows were new."""
    now = int(time.time())
    with store.write() as conn:
        existing = _existing(conn, [r[_KEY] for r in batch.rows])
        rows = batch.rows
        if existing:  # bigger streamed copies (or an unchanged one) of calls already stored
            conn.executemany(UPSERT_SQL, [r for r in rows if r[_KEY] in existing])
            rows = [r for r in rows if r[_KEY] not in existing]
        added = _insert_new(conn, rows) if rows else 0
        if batch.files:
            conn.executemany(FILES_SQL, [f + (now,) for f in batch.files])
    return added


def _existing(conn: sqlite3.Connection, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        part = keys[i:i + 500]
        sql = f"SELECT dedupe_key FROM api_calls WHERE dedupe_key IN ({', '.join('?' * len(part))})"
        found.update(r[0] for r in conn.execute(sql, part))
    return found


def _insert_new(conn: sqlite3.Connection, rows: list[tuple]) -> int:
    """Insert rows whose keys are not stored yet, summing them into the rollup once (see the module docstring).

    OR IGNORE: no row can conflict here (the keys were looked up in this transaction), and with nothing to abort
    SQLite keeps no statement journal per row. Were one ignored anyway, the rollup would still be exact: it sums
    the rows that were inserted, by id.
    """
    rows = sorted(rows, key=itemgetter(0))  # in time order: the (..., at) indexes grow at their ends
    before = conn.execute("SELECT coalesce(max(id), 0) FROM api_calls").fetchone()[0]
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                           (ROLLUP_TRIGGER,)).fetchone()
    if trigger is not None:
        conn.execute(f"DROP TRIGGER {ROLLUP_TRIGGER}")
    conn.executemany(INSERT_NEW_SQL, rows)
    if trigger is not None:
        conn.execute(ROLLUP_NEW_ROWS_SQL, (before,))
        conn.execute(trigger[0])
    return int(conn.execute("SELECT count(*) FROM api_calls WHERE id > ?", (before,)).fetchone()[0])


class BatchWriter:
    """Writes submitted batches in order on a background thread; ``close`` waits and returns the rows added."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.added = 0
        self._queue: queue.Queue[Batch | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="spend-ingest-writer", daemon=True)
        self._thread.start()

    def submit(self, batch: Batch) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(batch)  # waits while the writer is a batch behind

    def close(self) -> int:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.added

    def _loop(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            if self._error is not None:
                continue  # keep draining so a waiting submit never blocks forever
            try:
                self.added += write_batch(self.store, batch)
            except BaseException as exc:  # noqa: BLE001 - handed to the parsing thread, which raises it
                self._error = exc
