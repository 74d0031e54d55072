"""Archive rows to compressed JSON-lines files: copy -> verify -> delete, resumable after a kill at any point.

Each batch becomes one ``<table>-<min>-<max>-<stamp>.jsonl.gz`` file, written under a temporary name, fsynced,
renamed, then read back and checked against the sha256 of what was meant to be written. Only then is it
recorded in ``archive_batches`` (state 'written') and its rows deleted from the source in short transactions,
by exact row id; the batch is then marked 'done'. A rerun first tidies up after a killed run:

* a file on disk with no catalogue row was never recorded, so its rows are all still in the source: removed;
* a 'written' batch may have lost some of its rows already: the rest are deleted by id, then it is 'done'.

So every row is either in the source or in exactly one catalogued file, whatever moment the kill came.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from ..store import Store

SUFFIX = ".jsonl.gz"


def archive_dir(store: Store) -> Path:
    return store.path.parent / "archive"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def db_tag(db_path: Path | str) -> str:
    """A folder name for one source database: its file name plus a short hash of its full path."""
    path = str(Path(db_path).resolve())
    return f"{Path(path).stem}-{hashlib.sha1(path.encode()).hexdigest()[:8]}"


def fsync_path(path: Path) -> None:
    """Flush a file's data, or a directory's entries (after a rename), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _encode(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, separators=(",", ":"), ensure_ascii=False).encode() + b"\n" for r in rows)


def _write_verified(path: Path, content: bytes) -> str:
    """Write ``content`` gzip-compressed to ``path`` atomically and read it back; return its sha256."""
    digest = hashlib.sha256(content).hexdigest()
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz:
            gz.write(content)
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(tmp, path)
    fsync_path(path.parent)
    if file_sha256(path) != digest:
        path.unlink(missing_ok=True)
        raise OSError(f"{path}: archive did not read back as written")
    return digest


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with gzip.open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_archive(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def delete_ids(conn: sqlite3.Connection, table: str, ids: list[int], chunk: int) -> int:
    """Delete rows by rowid, ``chunk`` per short BEGIN IMMEDIATE transaction; return how many went."""
    removed = 0
    for start in range(0, len(ids), chunk):
        part = json.dumps(ids[start:start + chunk])
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute(
                f"DELETE FROM {quote_ident(table)} WHERE rowid IN (SELECT value FROM json_each(?))", (part,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        removed += cur.rowcount
        checkpoint(conn)
    return removed


def checkpoint(conn: sqlite3.Connection) -> None:
    """Copy the WAL back into the database ourselves after each batch (PASSIVE: never waits for anyone).

    Otherwise the WAL grows with our deletes and the next commit of some other writer - the console, an
    agent hook - pays for the automatic checkpoint, which is where its latency spikes came from.
    """
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


@dataclass
class ArchiveTarget:
    """Rows of ``table`` in ``conn`` (the database at ``db_path``) that match ``where``."""

    conn: sqlite3.Connection
    db_path: Path
    table: str
    where: str
    params: tuple[Any, ...]
    time_column: str | None = None


def recover(store: Store, open_db: Callable[[str], sqlite3.Connection], chunk: int,
            sources: dict[str, Path] | None = None) -> dict[str, int]:
    """Finish what a killed run left: drop unrecorded files, finish deleting rows of 'written' batches.

    ``sources`` maps archive folder names (db_tag) to database paths. An unrecorded file whose rows are all
    still in its source database is a killed run's leftover and is removed; any other unrecorded file (say,
    after an older database was restored) may hold the only copy of its rows, so it is moved to
    ``archive/unrecorded/`` instead.
    """
    removed_files = finished = rows = kept = 0
    root = archive_dir(store)
    sources = sources if sources is not None else {db_tag(store.path): store.path}
    if root.exists():
        known = {str(Path(r[0]).resolve()) for r in store.query("SELECT file FROM archive_batches")}
        for path in sorted(root.glob("*/*")):
            if not path.is_file() or path.parent.name == "unrecorded":
                continue
            if path.name.endswith(".tmp"):
                path.unlink()
                removed_files += 1
            elif path.name.endswith(SUFFIX) and str(path.resolve()) not in known:
                if _all_rows_still_in_source(path, sources, open_db):
                    path.unlink()
                    removed_files += 1
                else:
                    aside = root / "unrecorded"
                    aside.mkdir(exist_ok=True, mode=0o700)
                    os.replace(path, aside / f"{path.parent.name}-{path.name}")
                    kept += 1
    for batch in store.query("SELECT * FROM archive_batches WHERE state = 'written' ORDER BY id"):
        path = Path(batch["file"])
        if not path.exists() or file_sha256(path) != batch["sha256"]:
            # The file is damaged or gone: the rows still in the source are the only copy, so keep them.
            with store.write() as conn:
                conn.execute("DELETE FROM archive_batches WHERE id = ?", (batch["id"],))
            path.unlink(missing_ok=True)
            continue
        ids = [int(r["_rowid"]) for r in read_archive(path)]
        rows += delete_ids(open_db(batch["db_path"]), batch["source"], ids, chunk)
        with store.write() as conn:
            conn.execute("UPDATE archive_batches SET state = 'done' WHERE id = ?", (batch["id"],))
        finished += 1
    result = {"files_removed": removed_files, "batches_finished": finished, "rows_deleted": rows}
    if kept:
        result["files_set_aside"] = kept
    return result


def _all_rows_still_in_source(path: Path, sources: dict[str, Path],
                              open_db: Callable[[str], sqlite3.Connection]) -> bool:
    source = sources.get(path.parent.name)
    if source is None or not source.exists():
        return False
    table = path.name.rsplit("-", 3)[0]
    try:
        ids = [int(r["_rowid"]) for r in read_archive(path)]
    except (OSError, EOFError, ValueError, KeyError):
        return True  # a torn file from a kill: its rows were never deleted
    conn = open_db(str(source))
    present = 0
    for start in range(0, len(ids), 5000):
        part = json.dumps(ids[start:start + 5000])
        present += int(conn.execute(f"SELECT count(*) FROM {quote_ident(table)} WHERE rowid IN"
                                    " (SELECT value FROM json_each(?))", (part,)).fetchone()[0])
    return present == len(ids)


def archive_rows(
    store: Store,
    target: ArchiveTarget,
    *,
    batch_rows: int,
    chunk: int,
    now: int,
    on_rows: Callable[[int], None] = lambda n: None,
) -> int:
    """Archive every matching row; return how many were archived (and deleted from the source)."""
    archive_dir(store).mkdir(exist_ok=True, mode=0o700)
    dest = archive_dir(store) / db_tag(target.db_path)
    dest.mkdir(exist_ok=True, mode=0o700)
    table = quote_ident(target.table)
    total = 0
    last_id = -(1 << 62)
    while True:
        cur = target.conn.execute(
            f"SELECT rowid AS _rowid, * FROM {table} WHERE rowid > ? AND ({target.where}) ORDER BY rowid LIMIT ?",
            (last_id, *target.params, batch_rows),
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, tuple(r))) for r in cur.fetchall()]
        if not rows:
            return total
        ids = [int(r["_rowid"]) for r in rows]
        last_id = ids[-1]
        times = [r.get(target.time_column) for r in rows] if target.time_column else []
        times = [t for t in times if isinstance(t, (int, float))]
        path = dest / f"{target.table}-{ids[0]:012d}-{ids[-1]:012d}-{now}{SUFFIX}"
        digest = _write_verified(path, _encode(rows))
        with store.write() as conn:
            cur = conn.execute(
                "INSERT INTO archive_batches (db_path, source, file, min_id, max_id, rows, min_at, max_at, sha256,"
                " state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'written', ?)",
                (str(target.db_path), target.table, str(path.resolve()), ids[0], ids[-1], len(rows),
                 int(min(times)) if times else None, int(max(times)) if times else None, digest, now),
            )
            batch_id = cur.lastrowid
        delete_ids(target.conn, target.table, ids, chunk)
        with store.write() as conn:
            conn.execute("UPDATE archive_batches SET state = 'done' WHERE id = ?", (batch_id,))
        total += len(rows)
        on_rows(len(rows))
