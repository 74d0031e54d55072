"""Collecting new errors from every source: tailed log files, failed job runs, failed API calls.

Each source keeps a cursor in triage_cursors that is saved in the same transaction as the events it produced.
"""

from __future__ import annotations

import glob
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine import Engine, ErrorItem, IngestResult
from .tail import FileState, Line, tail

if TYPE_CHECKING:
    import sqlite3

    from ..store import Store

DEFAULT_ERROR_PATTERN = r"(?i)\b(error|exception|fatal|critical|panic|traceback|failed)\b"
_TB_START = "Traceback (most recent call last):"
MAX_TB_LINES = 500


@dataclass
class CollectResult:
    files: int = 0
    lines: int = 0
    truncated: int = 0
    ingest: IngestResult = field(default_factory=IngestResult)

    def add(self, r: IngestResult) -> None:
        self.ingest.events += r.events
        self.ingest.duplicates += r.duplicates
        self.ingest.new_groups += r.new_groups
        self.ingest.bugs_filed += r.bugs_filed
        self.ingest.linked += r.linked


def expand_globs(patterns: list[str]) -> list[Path]:
    seen: dict[str, Path] = {}
    for pattern in patterns:
        for p in sorted(glob.glob(os.path.expanduser(pattern))):
            if os.path.isfile(p):
                seen.setdefault(os.path.abspath(p), Path(os.path.abspath(p)))
    return list(seen.values())


def _cursor(store: "Store", name: str) -> Any:
    return store.query_one("SELECT dev, inode, offset, head FROM triage_cursors WHERE name = ?", (name,))


def _save_cursor(conn: "sqlite3.Connection", name: str, dev: int | None, inode: int | None, offset: int,
                 head: str | None = None) -> None:
    conn.execute(
        "INSERT INTO triage_cursors (name, dev, inode, offset, head, updated_at) VALUES (?,?,?,?,?,?)"
        " ON CONFLICT (name) DO UPDATE SET dev = excluded.dev, inode = excluded.inode, offset = excluded.offset,"
        " head = excluded.head, updated_at = excluded.updated_at",
        (name, dev, inode, offset, head, int(time.time())),
    )


def errors_in_lines(lines: list[Line], path: str, pattern: re.Pattern[str]) -> tuple[list[ErrorItem], int | None]:
    """Error items among ``lines`` (tracebacks joined into one item) and, when the lines end inside a
    traceback, the offset it starts at (read again next run, when it is complete)."""
    items: list[ErrorItem] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        flags = "truncated" if ln.truncated else None
        if _TB_START in ln.text:
            j = i + 1
            while j < len(lines) and j - i < MAX_TB_LINES and (lines[j].text[:1].isspace() or not lines[j].text
                                                               or lines[j].text.startswith("During handling")
                                                               or lines[j].text.startswith("The above exception")
                                                               or _TB_START in lines[j].text):
                j += 1
            if j >= len(lines) and j - i < MAX_TB_LINES:
                return items, ln.offset  # the exception line has not been written yet
            block = lines[i:j + 1]
            items.append(ErrorItem("log", "\n".join(b.text for b in block), path, None,
                                   f"log:{ln.dev}:{ln.inode}:{ln.offset}", flags))
            i = j + 1
            continue
        if pattern.search(ln.text):
            items.append(ErrorItem("log", ln.text, path, None, f"log:{ln.dev}:{ln.inode}:{ln.offset}", flags))
        i += 1
    return items, None


def collect_logs(engine: Engine, store: "Store", globs: list[str], error_pattern: str | None,
                 result: CollectResult) -> None:
    try:
        pattern = re.compile(error_pattern or DEFAULT_ERROR_PATTERN)
    except re.error:
        pattern = re.compile(DEFAULT_ERROR_PATTERN)
    for path in expand_globs(globs):
        name = f"file:{path}"
        row = _cursor(store, name)
        state = FileState(row[0] or 0, row[1] or 0, row[2] or 0, row[3] or "") if row else FileState()
        lines, new_state = tail(path, state)
        result.files += 1
        result.lines += len(lines)
        result.truncated += sum(1 for ln in lines if ln.truncated)
        items, hold = errors_in_lines(lines, str(path), pattern)
        offset = new_state.offset
        if hold is not None and lines and lines[-1].inode == new_state.inode:
            offset = hold  # re-read the unfinished traceback next run
        head = new_state.head[: 2 * offset]
        result.add(engine.ingest(items, cursor_updates=lambda conn, n=name, s=new_state, o=offset, h=head:
                                 _save_cursor(conn, n, s.dev, s.inode, o, h)))


def collect_table(engine: Engine, store: "Store", result: CollectResult, *, batch: int = 500) -> None:
    """Failed job runs and failed API calls, by id after the saved cursor."""
    sources = (
        ("job_runs", "job", "SELECT id, job, error, coalesce(finished_at, started_at) FROM job_runs"
                            " WHERE status = 'failed' AND id > ? ORDER BY id LIMIT ?"),
        ("api_calls", "api", "SELECT id, model, error, at FROM api_calls WHERE status = 'error' AND id > ?"
                             " ORDER BY id LIMIT ?"),
    )
    for table, source, sql in sources:
        while True:
            row = _cursor(store, table)
            last = int(row[2]) if row else 0
            rows = store.query(sql, (last, batch))
            if not rows:
                break
            items = []
            for rid, origin, error, at in rows:
                text = error or f"{source} {origin} failed without an error message"
                if source == "job" and "Traceback" not in text:
                    text = f"job {origin} failed: {text}"
                items.append(ErrorItem(source, text, origin, at, f"{table}:{rid}"))
            top = int(rows[-1][0])
            result.add(engine.ingest(items, cursor_updates=lambda conn, t=table, o=top: _save_cursor(conn, t, None,
                                                                                                     None, o)))
            if len(rows) < batch:
                break
