"""Incremental ingest of agent transcripts into api_calls.

Each file is read from the offset where the last run stopped, only whole lines are consumed, and the new rows
are written in the same transaction as the file's new offset (and parser state), so a run killed at any point
resumes without losing or duplicating a call. Streamed copies of one Claude message share a dedupe key; the
upsert keeps whichever copy has the most tokens, also when the bigger copy arrives in a later run.

Files that are binary or not JSONL, and single lines over ``MAX_LINE`` bytes, are skipped with a warning that
names the file; torn lines (incomplete JSON) are skipped and counted.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .pricing import Pricer
from .record import COLUMNS, build_row
from .transcripts import ClaudeParser, CodexParser, TornLine

if TYPE_CHECKING:
    from ..store import Store

MAX_LINE = 16 * 1024 * 1024
CHUNK = 8 * 1024 * 1024
BATCH_ROWS = int(os.environ.get("FLEETDECK_INGEST_BATCH_ROWS") or 20_000)  # smaller in crash tests

_TOTAL = "(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens)"
UPSERT_SQL = (
    f"INSERT INTO api_calls ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)}) "
    "ON CONFLICT (dedupe_key) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in ("at", "model", "provider", "input_tokens", "output_tokens",
                                                 "cache_read_tokens", "cache_write_tokens", "cost_micros",
                                                 "baseline_cost_micros"))
    + f" WHERE excluded.input_tokens + excluded.output_tokens + excluded.cache_read_tokens"
      f" + excluded.cache_write_tokens > api_calls.{_TOTAL.strip('()').replace(' + ', ' + api_calls.')}"
)


@dataclass
class IngestStats:
    files_seen: int = 0
    files_read: int = 0
    bytes_read: int = 0
    calls_found: int = 0
    rows_added: int = 0
    torn_lines: int = 0
    huge_lines: int = 0
    skipped_files: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"files_seen": self.files_seen, "files_read": self.files_read, "bytes_read": self.bytes_read,
                "calls_found": self.calls_found, "rows_added": self.rows_added, "torn_lines": self.torn_lines,
                "huge_lines": self.huge_lines,
                "skipped_files": [{"path": p, "reason": r} for p, r in self.skipped_files]}


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
    dirs = [d for d in (explicit or []) if d] or ([configured] if configured else [])
    if not dirs:
        dirs = [os.environ.get("CODEX_HOME") or str(Path.home() / ".codex")]
    roots = []
    for d in dirs:
        p = Path(d).expanduser()
        roots.append(p / "sessions" if (p / "sessions").is_dir() else p)
    return roots


def _files(roots: list[Path], pattern: str) -> Iterator[Path]:
    seen: set[Path] = set()
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob(pattern)):
            if path not in seen and path.is_file():
                seen.add(path)
                yield path


class _Attribution:
    """Maps an agent session id (or else a project dir) to a fleetdeck session and its workflow."""

    def __init__(self, store: Store) -> None:
        self.by_agent: dict[str, tuple[int, str | None]] = {}
        self.by_dir: dict[str, tuple[int, str | None]] = {}
        for r in store.query("SELECT id, agent_session_id, project_dir, workflow FROM sessions ORDER BY id"):
            if r["agent_session_id"]:
                self.by_agent[r["agent_session_id"]] = (r["id"], r["workflow"])
            if r["project_dir"]:
                self.by_dir[r["project_dir"].rstrip("/")] = (r["id"], r["workflow"])

    def lookup(self, session: str | None, project_dir: str | None) -> tuple[int | None, str | None]:
        hit = self.by_agent.get(session or "") or self.by_dir.get((project_dir or "").rstrip("/"))
        return hit if hit else (None, None)


class Ingestor:
    def __init__(self, store: Store, pricer: Pricer, *, warn: Callable[[str], None] | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> None:
        self.store = store
        self.pricer = pricer
        self.stats = IngestStats()
        self.warn = warn or (lambda message: None)
        self.progress = progress
        self.attribution = _Attribution(store)
        self.known = {r["path"]: dict(r) for r in store.query("SELECT * FROM ingest_files")}
        self._rows: dict[str, tuple[dict[str, Any], str, str]] = {}
        self._files: dict[str, tuple] = {}

    # -- public ---------------------------------------------------------------------------------------------

    def run(self, claude: list[Path], codex: list[Path]) -> IngestStats:
        before = int(self.store.scalar("SELECT count(*) FROM api_calls") or 0)
        work = [(p, ClaudeParser, "claude-code") for p in _files(claude, "*.jsonl")]
        work += [(p, CodexParser, "codex") for p in _files(codex, "rollout-*.jsonl")]
        for i, (path, parser_cls, workflow) in enumerate(work):
            self.stats.files_seen += 1
            self._file(path, parser_cls, workflow)
            if self.progress and i % 50 == 0:
                self.progress(i, len(work), str(path.name))
        self._commit()
        self.stats.rows_added = int(self.store.scalar("SELECT count(*) FROM api_calls") or 0) - before
        return self.stats

    # -- one file -------------------------------------------------------------------------------------------

    def _file(self, path: Path, parser_cls: type, workflow: str) -> None:
        key = str(path)
        try:
            st = path.stat()
        except OSError:
            return
        known = self.known.get(key)
        offset, state, torn = 0, None, 0
        if known is not None:
            same_file = known["inode"] in (None, st.st_ino) and st.st_size >= known["offset"]
            if same_file:
                if st.st_size == known["size"] and st.st_mtime_ns == known["mtime_ns"]:
                    return  # nothing new
                if known["skipped"] and known["skipped"].startswith("file:"):
                    return  # skipped for good (binary / not JSONL); its warning was given once
                offset = known["offset"]
                state = json.loads(known["state"]) if known["state"] else None
                torn = known["torn_lines"]
        parser = parser_cls(state)
        self.stats.files_read += 1
        try:
            fh = open(path, "rb")  # noqa: SIM115
        except OSError as exc:
            self.warn(f"{path}: cannot read: {exc.strerror or exc}")
            return
        with fh:
            fh.seek(offset)
            pending = b""
            skipping_huge = False
            first = offset == 0
            while True:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                self.stats.bytes_read += len(chunk)
                if first:
                    first = False
                    problem = _not_jsonl(chunk)
                    if problem:
                        self._skip_file(key, parser, st, problem)
                        return
                data = pending + chunk
                end = data.rfind(b"\n")
                if end < 0:
                    if len(data) > MAX_LINE:
                        skipping_huge = self._huge(path, skipping_huge)
                        offset += len(data)
                        pending = b""
                    else:
                        pending = data
                    continue
                lines = data[:end].split(b"\n")
                pending = data[end + 1:]
                pos = offset
                mark = parser.mark
                for line in lines:
                    line_offset = pos
                    pos += len(line) + 1
                    if skipping_huge:  # the tail of a huge line
                        skipping_huge = False
                        continue
                    if len(line) > MAX_LINE:
                        self._huge(path, False)
                        continue
                    if mark is not None and mark not in line:
                        continue  # cheap filter: most lines carry no usage
                    torn += self._line(parser, line, line_offset, key, workflow)
                offset = pos
                if len(pending) > MAX_LINE:
                    skipping_huge = self._huge(path, skipping_huge)
                    offset += len(pending)
                    pending = b""
                self._files[key] = (key, parser.source, offset, st.st_size, st.st_mtime_ns, st.st_ino, torn,
                                    None, json.dumps(parser.state) if parser.state else None)
                if len(self._rows) >= BATCH_ROWS:
                    self._commit()
            if pending.strip() and not skipping_huge:
                # A last line without a newline: take it only if it is complete JSON (else it is still being
                # written, or torn, and the next run looks again).
                try:
                    json.loads(pending)
                except ValueError:
                    pass
                else:
                    torn += self._line(parser, pending, offset, key, workflow)
                    offset += len(pending)
        self._files[key] = (key, parser.source, offset, st.st_size, st.st_mtime_ns, st.st_ino, torn, None,
                            json.dumps(parser.state) if parser.state else None)

    def _huge(self, path: Path, already: bool) -> bool:
        if not already:
            self.stats.huge_lines += 1
            self.warn(f"{path}: skipped a line longer than {MAX_LINE // (1024 * 1024)} MiB")
        return True

    def _skip_file(self, key: str, parser: Any, st: os.stat_result, problem: str) -> None:
        self.stats.skipped_files.append((key, problem))
        self.warn(f"{key}: skipped: {problem}")
        self._files[key] = (key, parser.source, st.st_size, st.st_size, st.st_mtime_ns, st.st_ino, 0,
                            f"file: {problem}", None)

    def _line(self, parser: Any, line: bytes, offset: int, path: str, workflow: str) -> int:
        try:
            call = parser.parse(line, offset, path)
        except TornLine:
            self.stats.torn_lines += 1
            return 1
        if call is None:
            return 0
        self.stats.calls_found += 1
        key = call["dedupe_key"]
        old = self._rows.get(key)
        if old is not None and _total(call) <= _total(old[0]):
            return 0  # a streamed copy with no more tokens than the one kept
        self._rows[key] = (call, parser.source, workflow)
        return 0

    def _priced(self) -> Iterator[tuple]:
        """api_calls rows for the calls collected so far; prices are looked up once per model."""
        pricer = self.pricer
        for call, source, workflow in self._rows.values():
            fleet_id, fleet_workflow = self.attribution.lookup(call["session"], call["project_dir"])
            yield build_row(pricer, model=call["model"], workflow=fleet_workflow or workflow,
                            input_tokens=call["input_tokens"], output_tokens=call["output_tokens"],
                            cache_read_tokens=call["cache_read_tokens"], cache_write_tokens=call["cache_write_tokens"],
                            session=call["session"], project_dir=call["project_dir"], source=source,
                            at=call["at"], fleet_session_id=fleet_id, dedupe_key=call["dedupe_key"],
                            request_id=call["request_id"])

    # -- the transaction ------------------------------------------------------------------------------------

    def _commit(self) -> None:
        if not self._rows and not self._files:
            return
        now = int(time.time())
        with self.store.write() as conn:
            conn.executemany(UPSERT_SQL, self._priced())
            conn.executemany(
                "INSERT INTO ingest_files (path, source, offset, size, mtime_ns, inode, torn_lines, skipped, state,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET"
                " source = excluded.source, offset = excluded.offset, size = excluded.size,"
                " mtime_ns = excluded.mtime_ns, inode = excluded.inode, torn_lines = excluded.torn_lines,"
                " skipped = excluded.skipped, state = excluded.state, updated_at = excluded.updated_at",
                [f + (now,) for f in self._files.values()],
            )
        self._rows.clear()
        self._files.clear()


def _total(call: dict[str, Any]) -> int:
    return call["input_tokens"] + call["output_tokens"] + call["cache_read_tokens"] + call["cache_write_tokens"]


def _not_jsonl(head: bytes) -> str | None:
    sample = head[:65536]
    if b"\x00" in sample:
        return "binary data, not JSONL"
    stripped = sample.lstrip()
    if stripped and not stripped.startswith(b"{"):
        return "not JSONL (first line is not a JSON object)"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # a cut multi-byte character at the end of the sample is fine
            return "not UTF-8 text"
    return None


def ingest(store: Store, pricer: Pricer, *, claude_dirs: list[Path], codex_dirs: list[Path],
           warn: Callable[[str], None] | None = None,
           progress: Callable[[int, int, str], None] | None = None) -> IngestStats:
    """Read what is new in the transcript trees into api_calls; see the module docstring."""
    return Ingestor(store, pricer, warn=warn, progress=progress).run(claude_dirs, codex_dirs)
