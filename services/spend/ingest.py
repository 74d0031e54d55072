"""Incremental ingest of agent transcripts into api_calls.

Each file is read from the offset where the last run stopped, only whole lines are consumed, and the new rows
are written in the same transaction as the file's new offset (and parser state), so a run killed at any point
resumes without losing or duplicating a call. Streamed copies of one Claude message share a dedupe key; the
upsert keeps whichever copy has the most tokens, also when the bigger copy arrives in a later run.

Files that are binary or not JSONL, and single lines over ``MAX_LINE`` bytes, are skipped with a warning that
names the file; torn lines (incomplete JSON) are skipped and counted.

Speed: a run that finds nothing new lists the trees with os.scandir and compares each file's size and mtime
with one query's worth of ``ingest_files``, opening nothing. New data is read in windows of ``WINDOW`` bytes;
only lines containing the parser's mark (``"usage"`` for Claude) are decoded. Rows go to the store in batches
(see batches.py); a big run writes them from a child process while this one goes on parsing.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .record import RowBuilder
from .scan import (CLAUDE_PATTERN, CODEX_PATTERN, KNOWN_SQL, claude_roots, codex_roots, files_in, needs_reading,
                   walk)

__all__ = ["IngestStats", "Ingestor", "claude_roots", "codex_roots", "files_in", "ingest"]

if TYPE_CHECKING:
    from ..store import Store
    from .batches import InlineWriter, ProcessWriter
    from .pricing import Pricer
    from .transcripts import Call

# The parsers and writers (msgspec: a tenth of a second of imports) load with the first file that has news, so a
# run with nothing new stays a scan of the trees.
_PARSERS = {"claude": ("ClaudeParser", "claude-code"), "codex": ("CodexParser", "codex")}

MAX_LINE = 16 * 1024 * 1024
WINDOW = 1024 * 1024  # bytes read at a time: memory stays flat whatever the file size
BATCH_ROWS = int(os.environ.get("FLEETDECK_INGEST_BATCH_ROWS") or 2_000)  # smaller in crash tests
# New bytes from which rows are written by a child process while this one parses (below: in place, cheaper).
PARALLEL_BYTES = int(float(os.environ.get("FLEETDECK_INGEST_PARALLEL_MB") or 16) * 1024 * 1024)


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
        self.rows = RowBuilder(pricer)
        self.stats = IngestStats()
        self.warn = warn or (lambda message: None)
        self.progress = progress
        self.attribution = _Attribution(store)
        self.known = {r[0]: tuple(r)[1:] for r in store.query(KNOWN_SQL)}
        self._calls: dict[str, tuple[Call, str, str]] = {}
        self._files: dict[str, tuple] = {}
        self._writer: InlineWriter | ProcessWriter | None = None
        self._parallel = False
        self._to_read = 0  # bytes this run has to read (about): sizes the writer
        # Windows are read into one reused buffer: a fresh 1 MiB bytes object per read made the kernel map and
        # zero new pages for every window. Lines are copied out of it (the parsers keep nothing that points in).
        self._buffer = bytearray(min(WINDOW, MAX_LINE + 1))

    # -- public ---------------------------------------------------------------------------------------------

    def run(self, claude: list[Path], codex: list[Path]) -> IngestStats:
        seen: set[str] = set()
        work = [(p, st, "claude") for p, st in walk(claude, CLAUDE_PATTERN, seen)]
        work += [(p, st, "codex") for p, st in walk(codex, CODEX_PATTERN, seen)]
        self.stats.files_seen = len(work)
        self._to_read = self._new_bytes(work)
        self._parallel = self._to_read >= PARALLEL_BYTES and Path(self.store.path).is_file() and bool(sys.executable)
        try:
            if self._parallel:  # started now, its interpreter start-up overlaps the parsing of the first batch
                self._start_writer()
            for i, (path, st, kind) in enumerate(work):
                self._file(path, st, kind)
                if self.progress and i % 50 == 0:
                    self.progress(i, len(work), os.path.basename(path))
            self._hand_off()
        finally:
            if self._writer is not None:
                self.stats.rows_added = self._writer.close()
        return self.stats

    def _new_bytes(self, work: list[tuple[str, os.stat_result, str]]) -> int:
        """About how much there is to read (an estimate: files skipped for good are counted too)."""
        total = 0
        for path, st, _ in work:
            known = self.known.get(path)
            if known is None or st.st_size < known[0]:
                total += st.st_size
            elif st.st_size != known[1] or st.st_mtime_ns != known[2]:
                total += st.st_size - known[0]
        return total

    # -- one file -------------------------------------------------------------------------------------------

    def _file(self, path: str, st: os.stat_result, kind: str) -> None:
        known = self.known.get(path)
        if not needs_reading(known, st):
            return
        offset, state, torn = 0, None, 0
        if known is not None:
            k_offset, _, _, k_inode, k_torn, _, k_state = known
            if k_inode in (None, st.st_ino) and st.st_size >= k_offset:  # the same file, grown
                offset, torn = k_offset, k_torn
                state = json.loads(k_state) if k_state else None
        from . import transcripts

        class_name, workflow = _PARSERS[kind]
        parser = getattr(transcripts, class_name)(state)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            self.warn(f"{path}: cannot read: {exc.strerror or exc}")
            return
        self.stats.files_read += 1
        try:
            self._read(fd, path, st, parser, workflow, offset, torn)
        finally:
            os.close(fd)

    def _read(self, fd: int, path: str, st: os.stat_result, parser: Any, workflow: str, offset: int,
              torn: int) -> None:
        """Consume whole lines from ``offset``; a window never exceeds MAX_LINE + 1 bytes, so every line that
        ends inside one is short enough, and a window without a newline is a long line (read more) or a huge one."""
        max_line = MAX_LINE
        small = min(WINDOW, max_line + 1)
        window = small
        start = high = offset
        while True:
            data = self._buffer if window == small else bytearray(window)  # a long line: a buffer of its own
            size = os.preadv(fd, [memoryview(data)[:window]], offset)
            if not size:
                break
            high = max(high, offset + size)
            if offset == 0:
                problem = _not_jsonl(bytes(memoryview(data)[:min(size, 65536)]))
                if problem:
                    self._skip_file(path, parser, st, problem)
                    return
            last = data.rfind(b"\n", 0, size)
            if last < 0:
                if size < window:  # the file ends in a line without a newline
                    if self._last_line(parser, bytes(data[:size]), offset, path, workflow):
                        offset += size
                    break
                if window <= max_line:  # a long line: read all of it (up to MAX_LINE) at once
                    window = min(window * 4, max_line + 1)
                    continue
                self.stats.huge_lines += 1
                self.warn(f"{path}: skipped a line longer than {max_line // (1024 * 1024)} MiB")
                offset, high = _past_line(fd, offset + size, high)
                window = small
                continue
            torn += self._lines(parser, data, last, offset, path, workflow)
            offset += last + 1
            window = small
            # Partly read: mtime 0 never matches, so a run after a crash goes on from this offset.
            self._files[path] = (path, parser.source, offset, st.st_size, 0, st.st_ino, torn, None,
                                 json.dumps(parser.state) if parser.state else None)
            if len(self._calls) >= BATCH_ROWS:
                self._hand_off()
        self.stats.bytes_read += high - start
        self._files[path] = (path, parser.source, offset, st.st_size, st.st_mtime_ns, st.st_ino, torn, None,
                             json.dumps(parser.state) if parser.state else None)

    def _lines(self, parser: Any, data: bytearray, last: int, base: int, path: str, workflow: str) -> int:
        """Parse the lines of data[:last + 1] that carry the parser's mark; returns how many were torn."""
        torn = 0
        mark = parser.mark
        if mark is None:  # every line may matter (Codex: session_meta and turn_context set the state)
            pos = 0
            for line in data[:last].split(b"\n"):
                torn += self._line(parser, line, base + pos, path, workflow)
                pos += len(line) + 1
            return torn
        # What _line does, inlined: this loop runs once per usage line (80,000 times for 200 MB).
        find, rfind, parse, torn_line = data.find, data.rfind, parser.parse, parser.Torn
        calls, source = self._calls, parser.source
        found = pos = 0
        while True:
            i = find(mark, pos, last)
            if i < 0:
                break
            begin = rfind(b"\n", pos, i) + 1 or pos
            end = find(b"\n", i, last + 1)
            pos = end + 1
            try:
                call = parse(data[begin:end], base + begin, path)
            except torn_line:
                torn += 1
                continue
            if call is not None:
                found += 1
                old = calls.get(call.dedupe_key)
                if old is None or call.tokens > old[0].tokens:  # else a streamed copy with no more tokens
                    calls[call.dedupe_key] = (call, source, workflow)
        self.stats.torn_lines += torn
        self.stats.calls_found += found
        return torn

    def _last_line(self, parser: Any, data: bytes, offset: int, path: str, workflow: str) -> bool:
        """A last line without a newline is taken (True) only if it is complete JSON; else it is still being
        written, or torn, and the next run looks again."""
        if not data.strip():
            return False
        try:
            json.loads(data)
        except ValueError:
            return False
        self._line(parser, data, offset, path, workflow)
        return True

    def _line(self, parser: Any, line: bytes, offset: int, path: str, workflow: str) -> int:
        try:
            call = parser.parse(line, offset, path)
        except parser.Torn:
            self.stats.torn_lines += 1
            return 1
        if call is None:
            return 0
        self.stats.calls_found += 1
        key = call.dedupe_key
        old = self._calls.get(key)
        if old is not None and call.tokens <= old[0].tokens:
            return 0  # a streamed copy with no more tokens than the one kept
        self._calls[key] = (call, parser.source, workflow)
        return 0

    def _skip_file(self, path: str, parser: Any, st: os.stat_result, problem: str) -> None:
        self.stats.skipped_files.append((path, problem))
        self.warn(f"{path}: skipped: {problem}")
        self._files[path] = (path, parser.source, st.st_size, st.st_size, st.st_mtime_ns, st.st_ino, 0,
                             f"file: {problem}", None)

    # -- handing rows to the writer -------------------------------------------------------------------------

    def _hand_off(self) -> None:
        """Queue the calls gathered so far, with the file offsets they reach, as one transaction."""
        if not self._calls and not self._files:
            return
        lookup, row = self.attribution.lookup, self.rows.row
        rows = []
        for call, source, workflow in self._calls.values():
            fleet_id, fleet_workflow = lookup(call.session, call.project_dir)
            rows.append(row(call.at, call.model, fleet_workflow or workflow, call.session, fleet_id,
                            call.project_dir, call.input_tokens, call.output_tokens, call.cache_read_tokens,
                            call.cache_write_tokens, source, call.dedupe_key, call.request_id))
        from .batches import Batch

        self._start_writer().submit(Batch(rows, list(self._files.values())))
        self._calls = {}
        self._files = {}

    def _start_writer(self) -> InlineWriter | ProcessWriter:
        if self._writer is None:
            from .batches import InlineWriter, ProcessWriter, writer_sizes

            if self._parallel:
                merge_rows, cache_kib = writer_sizes(self._to_read, BATCH_ROWS)
                try:
                    self._writer = ProcessWriter(self.store, merge_rows, cache_kib)
                except OSError:  # no interpreter to start (an embedded Python): write in place
                    pass
            if self._writer is None:
                self._writer = InlineWriter(self.store)
        return self._writer


def _past_line(fd: int, offset: int, high: int) -> tuple[int, int]:
    """The offset just after the next newline at or after ``offset`` (the end of a huge line), or the end of
    the file when the line is still unfinished; with the highest offset read."""
    while True:
        data = os.pread(fd, WINDOW, offset)
        if not data:
            return offset, high
        high = max(high, offset + len(data))
        nl = data.find(b"\n")
        if nl >= 0:
            return offset + nl + 1, high
        offset += len(data)


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
