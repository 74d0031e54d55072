"""Incremental, rotation-aware reading of log files: identity (device + inode) and offset per file.

- Rotation by rename: the rest of the old file is read from its new name (found by inode next to the log),
  then the new file from its start.
- Truncation (copytruncate) or replacement: read from the start again.
- A file that disappears is skipped until it comes back; nothing is re-read.
- Invalid UTF-8 is decoded with replacement; lines over MAX_LINE bytes are cut and flagged "truncated".
- NUL bytes (a prefix whose disk space was freed by hole punching) are dropped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MAX_LINE = 1 << 20  # bytes
READ_BLOCK = 1 << 20
MAX_READ = 64 << 20  # per file per run, so one huge log cannot stall the job


HEAD = 64  # bytes of the file start remembered to notice a truncate-and-rewrite that keeps the size


@dataclass
class FileState:
    dev: int = 0
    inode: int = 0
    offset: int = 0
    head: str = ""  # hex of the first bytes read (up to HEAD)


@dataclass(frozen=True)
class Line:
    offset: int  # byte offset of the line start in the file it came from
    text: str
    truncated: bool
    dev: int
    inode: int


def _find_by_inode(path: Path, dev: int, inode: int) -> Path | None:
    """Where a renamed log went: a sibling whose name starts with the log's name and has the same inode."""
    try:
        siblings = list(path.parent.iterdir())
    except OSError:
        return None
    for p in siblings:
        if p != path and p.name.startswith(path.name):
            try:
                st = p.stat()
            except OSError:
                continue
            if st.st_dev == dev and st.st_ino == inode:
                return p
    return None


def read_lines(fh, st: os.stat_result, offset: int, limit: int = MAX_READ) -> tuple[list[Line], int]:
    """Complete lines from ``offset``; return them and the offset after the last complete one."""
    fh.seek(offset)
    out: list[Line] = []
    buf = b""
    start = offset  # file offset of buf[0]
    skipping = False  # inside an over-long line whose first MAX_LINE bytes were already emitted
    read_total = 0
    while read_total < limit:
        block = fh.read(READ_BLOCK)
        if not block:
            break
        read_total += len(block)
        buf += block
        while True:
            nl = buf.find(b"\n")
            if nl < 0:
                if len(buf) > MAX_LINE and not skipping:
                    out.append(_line(buf[:MAX_LINE], start, True, st))
                    skipping = True
                if skipping:  # drop the rest of the long line as it streams past
                    start += len(buf)
                    buf = b""
                break
            raw, buf = buf[:nl], buf[nl + 1:]
            if skipping:
                skipping = False
            elif raw.strip(b"\0"):
                out.append(_line(raw[:MAX_LINE], start, len(raw) > MAX_LINE, st))
            start += nl + 1
    return out, start


def _line(raw: bytes, offset: int, truncated: bool, st: os.stat_result) -> Line:
    text = raw.lstrip(b"\0").rstrip(b"\r").decode("utf-8", errors="replace")
    return Line(offset, text, truncated, st.st_dev, st.st_ino)


def tail(path: Path, state: FileState) -> tuple[list[Line], FileState]:
    """New complete lines of ``path`` since ``state``, and the state to save after handling them."""
    try:
        st = path.stat()
    except OSError:  # gone (rotated away and not recreated yet, or deleted): nothing new, keep the state
        return [], state
    lines: list[Line] = []
    if state.inode and (st.st_dev, st.st_ino) != (state.dev, state.inode):
        old = _find_by_inode(path, state.dev, state.inode)
        if old is not None:  # finish the rotated file first
            try:
                with old.open("rb") as fh:
                    ost = os.fstat(fh.fileno())
                    if ost.st_size >= state.offset:
                        lines, _ = read_lines(fh, ost, state.offset)
            except OSError:
                pass
        state = FileState(st.st_dev, st.st_ino, 0)
    elif not state.inode:
        state = FileState(st.st_dev, st.st_ino, 0)
    try:
        with path.open("rb") as fh:
            fst = os.fstat(fh.fileno())
            if (fst.st_dev, fst.st_ino) != (state.dev, state.inode):  # replaced between stat and open
                return lines, state
            head = fh.read(HEAD)
            same_start = not state.head or head[: len(state.head) // 2].hex() == state.head
            offset = state.offset if fst.st_size >= state.offset and same_start else 0  # truncated: start over
            new, end = read_lines(fh, fst, offset)
    except OSError:
        return lines, state
    head_hex = head[: min(len(head), end)].hex()  # only bytes already consumed: they cannot change legitimately
    return lines + new, FileState(state.dev, state.inode, end, head_hex)
