"""Finding transcript files and telling which have news, without opening them.

Kept apart from ingest.py (and free of msgspec, pricing and dataclasses) because every `fleetdeck ingest` starts
here, and most find nothing new: that answer should cost a directory scan and one query, not the imports of the
parsing and writing machinery.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import Store

CLAUDE_PATTERN = "*.jsonl"
CODEX_PATTERN = "rollout-*.jsonl"
# One ingest_files row as ingest reads it, keyed by path; ``needs_reading`` looks at the columns before the
# parser state, which the nothing-new check leaves out (a blob per file).
_CHECKED_COLUMNS = "path, offset, size, mtime_ns, inode, torn_lines, skipped"
KNOWN_SQL = f"SELECT {_CHECKED_COLUMNS}, state FROM ingest_files"
_CHECK_SQL = f"SELECT {_CHECKED_COLUMNS} FROM ingest_files"


def claude_roots(explicit: Iterable[str] | None = None, configured: str = "") -> list[Path]:
    """Where Claude Code keeps projects/: the given dirs, else [spend] claude_dir, $CLAUDE_CONFIG_DIR, ~/.claude."""
    dirs = [d for d in (explicit or []) if d]
    if not dirs and configured:
        dirs = [configured]
    if not dirs and os.environ.get("CLAUDE_CONFIG_DIR"):
        dirs = [d.strip() for d in os.environ["CLAUDE_CONFIG_DIR"].split(",") if d.strip()]
    if not dirs:
        home = Path.home()
        dirs = [str(home / ".claude"), str(home / ".config" / "claude")]
    roots = []
    for d in dirs:
        p = Path(d).expanduser()
        roots.append(p if p.name == "projects" or not (p / "projects").is_dir() else p / "projects")
    return roots


def codex_roots(explicit: Iterable[str] | None = None, configured: str = "") -> list[Path]:
    """Where Codex keeps sessions/: the given dirs, else [spend] codex_dir, $CODEX_HOME, ~/.codex."""
    dirs = [d for d in (explicit or []) if d] or ([configured] if configured else [])
    if not dirs:
        dirs = [os.environ.get("CODEX_HOME") or str(Path.home() / ".codex")]
    roots = []
    for d in dirs:
        p = Path(d).expanduser()
        roots.append(p / "sessions" if (p / "sessions").is_dir() else p)
    return roots


def walk(roots: list[Path], pattern: str, seen: set[str]) -> Iterator[tuple[str, os.stat_result]]:
    """Files under the roots whose name matches, with their stat, in sorted path order (one stat per file)."""
    matches = _name_matcher(pattern)
    for root in roots:
        stack = [str(root)]
        while stack:
            top = stack.pop()
            try:
                with os.scandir(top) as it:
                    entries = sorted(it, key=_NAME)
            except OSError:
                continue
            subdirs = []
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        subdirs.append(entry.path)
                    elif matches(entry.name) and entry.is_file():
                        path = entry.path
                        if path not in seen:
                            seen.add(path)
                            yield path, entry.stat()
                except OSError:
                    continue
            stack.extend(reversed(subdirs))


_NAME = attrgetter("name")


def _name_matcher(pattern: str) -> Callable[[str], bool]:
    """``fnmatch.fnmatchcase(name, pattern)`` as one function; for a pattern with a single '*' and no other
    wildcard (both of ours), two string tests instead of a regex per file (a tree holds thousands)."""
    head, star, tail = pattern.partition("*")
    if star and not any(c in head + tail for c in "*?["):
        least = len(head) + len(tail)
        return lambda name: len(name) >= least and name.startswith(head) and name.endswith(tail)
    return lambda name: fnmatch.fnmatchcase(name, pattern)


def files_in(roots: list[Path], pattern: str) -> Iterator[Path]:
    """The transcript files under the roots (what a dry run lists)."""
    for path, _ in walk(roots, pattern, set()):
        yield Path(path)


def needs_reading(known: tuple | None, st: os.stat_result) -> bool:
    """Whether a file has anything ingest has not read, from its ingest_files row (KNOWN_SQL's columns after the
    path; the parser state may be left out) and its stat. Not: the same file (inode, not shrunk) with the size
    and mtime last seen, or one skipped for good (binary / not JSONL: its warning was given once) that has not
    been replaced or shrunk."""
    if known is None:
        return True
    k_offset, k_size, k_mtime_ns, k_inode, _, k_skipped = known[:6]
    if k_inode not in (None, st.st_ino) or st.st_size < k_offset:
        return True  # replaced or shrunk: read again from the start
    if st.st_size == k_size and st.st_mtime_ns == k_mtime_ns:
        return False
    return not (k_skipped and k_skipped.startswith("file:"))


def files_seen_if_nothing_new(store: Store, claude: list[Path], codex: list[Path]) -> int | None:
    """How many transcript files there are when none has anything to read (what a full run would find), else
    None. The same walk and the same test as Ingestor.run, stopping at the first file with news."""
    known = {r[0]: r[1:] for r in store.conn.execute(_CHECK_SQL)}
    seen: set[str] = set()
    count = 0
    for roots, pattern in ((claude, CLAUDE_PATTERN), (codex, CODEX_PATTERN)):
        for path, st in walk(roots, pattern, seen):
            if needs_reading(known.get(path), st):
                return None
            count += 1
    return count


def note_missing_dirs(message: str, warnings: list[str], claude_dirs: Iterable[str] | None,
                      codex_dirs: Iterable[str] | None) -> str:
    """The run's message, naming the directories given on the command line that do not exist (a typo would
    otherwise read as "nothing to ingest"); each is added to ``warnings`` too. Not an error: cron may name a
    Codex home before Codex is installed."""
    missing = [f"{flag} {d}" for flag, dirs in (("--claude-dir", claude_dirs), ("--codex-dir", codex_dirs))
               for d in dirs or [] if d and not os.path.isdir(os.path.expanduser(d))]
    warnings += [f"{m}: no such directory" for m in missing]
    return message + "; no such directory: " + ", ".join(missing) if missing else message


def run_message(rows_added: int, files_read: int, files_seen: int, bytes_read: int) -> str:
    """The first part of the ingest job's one-line result (the CLI's quick path prints it too)."""
    return (f"ingest: {rows_added:,} new calls from {files_read:,} changed files"
            f" ({files_seen:,} seen, {bytes_read / 1e6:,.1f} MB read)")


def idle_summary(files_seen: int, claude: list[Path], codex: list[Path]) -> dict:
    """The ingest job's summary for a run that found nothing new: IngestStats.as_json() of an empty run plus the
    job's own keys (a test holds the two paths to the same output)."""
    return {"files_seen": files_seen, "files_read": 0, "bytes_read": 0, "calls_found": 0, "rows_added": 0,
            "torn_lines": 0, "huge_lines": 0, "skipped_files": [], "warnings": [],
            "claude_dirs": [str(p) for p in claude], "codex_dirs": [str(p) for p in codex]}
