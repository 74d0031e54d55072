"""Consistent copies of live SQLite databases, verified before they count.

``VACUUM INTO`` reads the source in one read transaction (WAL lets writers carry on), writes a compact copy
to a temporary name, which is checked with ``PRAGMA integrity_check``, fsynced and only then renamed to its
final name. A kill at any point leaves either no backup or a complete one, never a torn file under a real name.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Callable

from ..errors import DataError
from .archive import fsync_path


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def integrity_ok(path: Path) -> str | None:
    """None when ``path`` is a sound SQLite database, else what is wrong with it."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows[:3])


def private_empty_file(path: Path) -> None:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)


def copy_database(source: Path, dest: Path, *, on_progress: Callable[[float], None] = lambda f: None) -> None:
    """Write a verified copy of ``source`` to ``dest`` (mode 0600) via a temporary file and a rename."""
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)
    private_empty_file(tmp)  # VACUUM INTO accepts an empty file, and so keeps our mode 0600
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        expected = max(1, int(conn.execute("PRAGMA page_count").fetchone()[0]) * page_size)

        def tick() -> int:
            try:
                on_progress(min(0.99, tmp.stat().st_size / expected))
            except OSError:
                pass
            return 0

        conn.set_progress_handler(tick, 200_000)
        conn.execute("VACUUM INTO ?", (str(tmp),))
    except sqlite3.DatabaseError as exc:
        tmp.unlink(missing_ok=True)
        raise DataError(f"{source}: cannot copy: {exc}") from None
    finally:
        conn.close()
    problem = integrity_ok(tmp)
    if problem:
        tmp.unlink(missing_ok=True)
        raise DataError(f"{source}: the copy failed its integrity check: {problem}")
    fsync_path(tmp)
    os.replace(tmp, dest)
    fsync_path(dest.parent)
    on_progress(1.0)
