"""Writing ingested calls to the store: one transaction per batch.

A batch holds api_calls rows (one per dedupe key) and the ingest_files rows saying how far each file has been
read once those rows are in; both are committed together, so a run killed at any point resumes exactly.

The hourly rollup (api_calls_hourly, migration 0004) is kept by a trigger per inserted row, which costs more than
the insert itself. For a batch, the insert trigger is dropped inside the transaction, the new rows (ids above the
old maximum: new rowids always are) are summed into the rollup with one grouped statement that mirrors the
trigger, and the trigger is created again from its stored SQL before the commit. Readers never see the table
without it (they read the last commit), other writers wait for the lock, and a kill rolls all of it back.
Updates of existing rows (a bigger streamed copy arriving later) still go through the update trigger.

Big runs write from a child process (ProcessWriter) so that SQLite's work overlaps the parsing; small ones
write in place (InlineWriter)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import sqlite3
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING

import msgspec

from ..errors import BusyError, FleetdeckError
from ..exitcodes import ExitCode
from .record import BULK_COLUMNS

if TYPE_CHECKING:
    from ..store import Store

_TOKENS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
_INSERT = f"INSERT INTO api_calls ({', '.join(BULK_COLUMNS)}) VALUES ({', '.join('?' for _ in BULK_COLUMNS)})"
UPSERT_SQL = (
    _INSERT + " "
    "ON CONFLICT (dedupe_key) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in ("at", "model", "provider", *_TOKENS, "cost_micros",
                                                 "baseline_cost_micros"))
    + " WHERE " + " + ".join(f"excluded.{c}" for c in _TOKENS) + " > " + " + ".join(f"api_calls.{c}" for c in _TOKENS)
)

INSERT_NEW_SQL = _INSERT.replace("INSERT INTO", "INSERT OR IGNORE INTO")
_KEY = BULK_COLUMNS.index("dedupe_key")

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


# The child's page cache and how many rows it may merge into one transaction grow with the run (see
# writer_sizes). The random part of every insert is the dedupe key's index: once it no longer fits the cache,
# each insert reads pages back from the OS and each commit writes them again. 4 MiB is the floor: a small run
# keeps a small footprint (the writer is a run's peak memory).
MIN_CACHE_KIB, MAX_CACHE_KIB = 4_096, 65_536
PIPE_BYTES = 1 << 20  # frames the parent may queue ahead before it waits (kernel memory, not ours)


@dataclass
class Batch:
    rows: list[tuple]  # api_calls rows in BULK_COLUMNS order, at most one per dedupe_key
    files: list[tuple]  # (path, source, offset, size, mtime_ns, inode, torn_lines, skipped, state)


def write_batch(store: Store, batch: Batch) -> int:
    """Commit one batch (see the module docstring); returns how many rows were new."""
    return write_batches(store, [batch])


def write_batches(store: Store, batches: list[Batch]) -> int:
    """Commit several batches in one transaction, in order (each keeps its one-row-per-key promise; a key in
    two of them is an already-stored key for the later one); returns how many rows were new."""
    now = int(time.time())
    with store.write() as conn:
        added = _insert_new(conn, [batch.rows for batch in batches if batch.rows])
        for batch in batches:
            if batch.files:
                conn.executemany(FILES_SQL, [f + (now,) for f in batch.files])
    return added


def _insert_new(conn: sqlite3.Connection, batches: list[list[tuple]]) -> int:
    """Insert the rows whose keys are new, summing them into the rollup once for the transaction (see the module
    docstring); rows whose keys were stored already, by an earlier run or an earlier batch of this transaction,
    then update them where they carry more tokens, in batch order. Returns the rows inserted.

    OR IGNORE: a stored key is skipped without an error, and with nothing to abort SQLite keeps no statement
    journal per row. New rowids are the old maximum plus one, so each batch's inserted rows are the ids between
    the maximum before and after it, and the rollup sums exactly the rows that went in. The updates run after the
    rollup holds every inserted row, so the update trigger moves sums the rollup already has.
    """
    if not batches:
        return 0
    max_id = "SELECT coalesce(max(id), 0) FROM api_calls"
    first = high = conn.execute(max_id).fetchone()[0]
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                           (ROLLUP_TRIGGER,)).fetchone()
    if trigger is not None:
        conn.execute(f"DROP TRIGGER {ROLLUP_TRIGGER}")
    stored: list[tuple] = []  # rows whose key was taken already, to update after the rollup
    for rows in batches:
        rows = sorted(rows, key=itemgetter(0))  # in time order: the (..., at) indexes grow at their ends
        low = high
        conn.executemany(INSERT_NEW_SQL, rows)
        high = conn.execute(max_id).fetchone()[0]
        if high - low < len(rows):  # streamed copies of calls stored by an earlier batch or run
            new = {key for (key,) in conn.execute("SELECT dedupe_key FROM api_calls WHERE id > ? AND id <= ?",
                                                  (low, high))}
            stored.extend(r for r in rows if r[_KEY] not in new)
    if trigger is not None:
        conn.execute(ROLLUP_NEW_ROWS_SQL, (first,))
        conn.execute(trigger[0])
    if stored:
        conn.executemany(UPSERT_SQL, stored)  # the update trigger keeps the rollup
    return high - first


class InlineWriter:
    """Writes each batch as it is submitted (small runs: starting a writer process would cost more)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.added = 0

    def submit(self, batch: Batch) -> None:
        self.added += write_batch(self.store, batch)

    def close(self) -> int:
        return self.added


class ProcessWriter:
    """Writes batches in a child process (``python -m`` this module), in order, while this one parses.

    A thread would not overlap: sqlite3 takes the GIL back after every row it steps, and the parsing thread
    holds it in between. Batches go down a pipe as length-prefixed msgpack frames; the pipe's small buffer keeps
    at most about one batch in flight, so memory stays flat. The child commits each whole frame it receives; if
    this process dies, the child finishes the frame it has (a complete, self-consistent batch) and exits on EOF.
    """

    def __init__(self, store: Store, merge_rows: int, cache_kib: int = MIN_CACHE_KIB) -> None:
        self._encode = msgspec.msgpack.Encoder().encode
        self._proc = subprocess.Popen([sys.executable, "-m", __name__, str(store.path), str(merge_rows),
                                       str(cache_kib)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self._proc.stdin is not None
        with contextlib.suppress(OSError, AttributeError):  # Linux only; the default 64 KiB works, more slowly
            fcntl.fcntl(self._proc.stdin.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)

    def submit(self, batch: Batch) -> None:
        frame = self._encode((batch.rows, batch.files))
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(struct.pack("<I", len(frame)))
            self._proc.stdin.write(frame)
        except BrokenPipeError:  # the child stopped: its answer says why
            self.close()
            raise FleetdeckError("ingest: the store writer stopped early", ExitCode.IOERR) from None

    def close(self) -> int:
        out, err = self._proc.communicate()  # closes its stdin: the child commits what it has, then answers
        try:
            answer = json.loads(out or b"{}")
        except ValueError:
            answer = {}
        if self._proc.returncode == 0 and "added" in answer:
            return int(answer["added"])
        lines = (err or b"").decode(errors="replace").strip().splitlines()
        detail = answer.get("error") or (lines[-1] if lines else f"exit status {self._proc.returncode}")
        if "locked" in detail or "busy" in detail:
            raise BusyError(f"ingest: the store stayed busy: {detail}")
        raise FleetdeckError(f"ingest: writing to the store failed: {detail}", ExitCode.IOERR)


def writer_sizes(new_bytes: int, batch_rows: int) -> tuple[int, int]:
    """(rows merged per transaction at most, page cache KiB) for a run with about ``new_bytes`` to read.

    A gigabyte of Claude transcripts holds about 240,000 calls: a 32 MiB cache holds its dedupe index, and 50,000
    rows per commit write the same hot index pages to the WAL a fifth as often as 10,000. Replaying that tree's
    batches into a fresh store, three interleaved pairs: 7.0 s of CPU with 4 MiB and 10,000 rows, 5.1 s with
    these sizes (measured on a loaded machine). Below 256 MiB to read the cache stays at 4 MiB, which holds most
    of such a run's dedupe index, so the writer (a run's peak memory) stays small: a 200 MB tree gets 4 MiB and
    10,000 rows, as before."""
    cache_kib = MIN_CACHE_KIB if new_bytes < 256 << 20 else min(max(new_bytes // (32 * 1024), MIN_CACHE_KIB),
                                                                 MAX_CACHE_KIB)
    merge_rows = min(max(new_bytes // 20_000, 5 * batch_rows), 25 * batch_rows)
    return merge_rows, cache_kib


def serve(db_path: str, merge_rows: int, cache_kib: int = MIN_CACHE_KIB) -> int:
    """The child's side of ProcessWriter: frames from stdin, committed in order; the count on stdout.

    When it falls behind, the frames already waiting (up to ``merge_rows`` rows) go into one transaction: fewer
    commits rewrite the same index pages into the WAL less often.
    """
    from ..store import Store

    decode = msgspec.msgpack.Decoder(tuple[list[tuple], list[tuple]]).decode
    fd, added = sys.stdin.fileno(), 0
    try:
        with Store.open(db_path, migrate_schema=False) as store:
            store.conn.execute(f"PRAGMA cache_size = -{cache_kib}")
            while True:
                frame = _read_frame(fd)
                if frame is None:
                    break
                batches = [Batch(*decode(frame))]
                rows = len(batches[0].rows)
                while rows < merge_rows and select.select([fd], [], [], 0)[0]:
                    frame = _read_frame(fd)
                    if frame is None:
                        break
                    batches.append(Batch(*decode(frame)))
                    rows += len(batches[-1].rows)
                added += write_batches(store, batches)
                if frame is None:
                    break
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        sys.stdout.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        return 1
    sys.stdout.write(json.dumps({"added": added}))
    return 0


def _read_frame(fd: int) -> bytes | None:
    """The next whole frame, or None at the end (or when the sender died mid-frame: nothing of it is written)."""
    head = _read_exactly(fd, 4)
    if head is None:
        return None
    return _read_exactly(fd, struct.unpack("<I", head)[0])


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts, left = [], size
    while left:
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1], *map(int, sys.argv[2:4])))
