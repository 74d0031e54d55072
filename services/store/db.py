"""The store: one SQLite database, the single source of truth.

``Store`` is synchronous (the CLI, jobs and worker threads use it directly). ``AsyncStore`` gives the console
the same methods as coroutines, running them on one dedicated thread with its own connection, so typed queries
are written once. Writers use ``with store.write():`` (BEGIN IMMEDIATE, short transactions); readers never
block writers thanks to WAL.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from ..errors import CantCreateError, FleetdeckError
from ..exitcodes import ExitCode
from .migrate import current_version, latest_version, migrate

BUSY_TIMEOUT_MS = 5000


def _create_private(path: Path) -> None:
    """Create the database file owner-only before SQLite does (it holds prompts and spend)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as exc:
        raise CantCreateError(f"cannot create {path}: {exc.strerror or exc}") from None


def connect(path: Path | str, *, readonly: bool = False, new: bool = False) -> sqlite3.Connection:
    """A connection with fleetdeck's pragmas, in autocommit mode (transactions are explicit)."""
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if new and not readonly:
        # Only possible before the first page is written; lets cleanup give space back in small steps.
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | str, *, migrate_schema: bool = True) -> "Store":
        path = Path(path)
        is_new = not path.exists() or path.stat().st_size == 0
        if not path.exists():
            _create_private(path)
        try:
            conn = connect(path, new=is_new)
        except sqlite3.OperationalError as exc:
            raise CantCreateError(f"cannot open {path}: {exc}") from None
        try:
            if migrate_schema:
                migrate(conn, str(path))
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise FleetdeckError(f"{path}: {exc}", ExitCode.DATAERR) from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -------------------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction taken up front (BEGIN IMMEDIATE), so it never fails half-way on a lock."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- generic queries ----------------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        """Run one statement in its own implicit transaction."""
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.write() as conn:
            conn.executemany(sql, rows)

    # -- facts about the database ---------------------------------------------------------------------------

    def schema_version(self) -> int:
        return current_version(self.conn)

    @staticmethod
    def latest_version() -> int:
        return latest_version()

    def tables(self) -> list[str]:
        rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        return [r[0] for r in rows]

    def row_counts(self) -> dict[str, int]:
        return {t: int(self.scalar(f'SELECT count(*) FROM "{t}"')) for t in self.tables()}

    def integrity_check(self) -> list[str]:
        return [r[0] for r in self.query("PRAGMA integrity_check")]

    # -- the activity log -----------------------------------------------------------------------------------

    def log_activity(
        self,
        source: str,
        message: str,
        *,
        level: str = "info",
        session_id: int | None = None,
        prompt_id: int | None = None,
        data: dict[str, Any] | None = None,
        at: float | None = None,
    ) -> int:
        import json  # here, not at the top: most processes that open the store never log activity

        cur = self.execute(
            "INSERT INTO activity_log (at, level, source, session_id, prompt_id, message, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (int(at if at is not None else time.time()), level, source, session_id, prompt_id, message,
             json.dumps(data, separators=(",", ":")) if data else None),
        )
        return int(cur.lastrowid or 0)

    def recent_activity(self, limit: int = 100) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM activity_log ORDER BY id DESC LIMIT ?", (limit,))
