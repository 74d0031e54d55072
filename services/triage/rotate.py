"""Log rotation without losing lines.

- Files fleetdeck owns (writers open them by name for each write or reopen on rotation): rename to a
  timestamped name, create a fresh empty file in its place, let the tailer finish the renamed one, gzip it.
- Files other programs keep open ("foreign"): renaming or copytruncate would lose or misplace lines, so the
  written part (up to the last complete line) is appended to a gzip archive and its disk space is freed by
  punching a hole (fallocate PUNCH_HOLE | KEEP_SIZE). The writer's O_APPEND offset is untouched, nothing is
  moved or truncated, so no line is lost; the file's apparent size keeps growing while the disk use shrinks
  (readers see NUL bytes where the archived part was; our tailer skips them).
Retention keeps the newest N archives per log.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import gzip
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

FALLOC_FL_KEEP_SIZE = 0x01
FALLOC_FL_PUNCH_HOLE = 0x02
BLOCK = 4096
_libc = None


def _fallocate():  # noqa: ANN202 - ctypes function
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        _libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
    return _libc.fallocate


def disk_bytes(path: Path) -> int:
    """Bytes the file really occupies (a hole-punched file's st_size overstates it)."""
    st = path.stat()
    return min(st.st_size, st.st_blocks * 512) if hasattr(st, "st_blocks") else st.st_size


def _stamp() -> str:
    """UTC time to the microsecond from one clock reading, so archive names sort in the order they were made
    (retention deletes the first ones by name). Two readings, one for the seconds and one for the fraction,
    named an archive made just after a second began as if it came before the one made just before it."""
    ns = time.time_ns()
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(ns // 1_000_000_000)) + f"{ns % 1_000_000_000:09d}"[:6]


def archives_of(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.*.gz"))


def apply_retention(path: Path, keep: int) -> list[Path]:
    removed = []
    for old in archives_of(path)[:-keep] if keep > 0 else archives_of(path):
        try:
            old.unlink()
            removed.append(old)
        except OSError:
            pass
    return removed


@contextmanager
def _gzip_like(tmp: Path, mode: int) -> Iterator[gzip.GzipFile]:
    """A gzip writer on ``tmp``, created with the log's own permissions: an archive of a 0600 or 0640 log must
    not be 0644."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode & 0o777)
    os.fchmod(fd, mode & 0o777)  # the umask narrowed the mode os.open gave it
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as out:
        yield out


def _gzip_file(src: Path, dest: Path) -> None:
    tmp = dest.with_name(dest.name + ".part")
    with src.open("rb") as fin, _gzip_like(tmp, os.fstat(fin.fileno()).st_mode) as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
    os.replace(tmp, dest)


def rotate_owned(path: Path, *, keep: int, before_compress: Callable[[Path], None] | None = None) -> Path:
    """Rename + fresh file + gzip; returns the archive. ``before_compress`` lets the tailer finish the old file."""
    st = path.stat()
    moved = path.with_name(f"{path.name}.{_stamp()}")
    os.rename(path, moved)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, st.st_mode & 0o777)
    os.close(fd)
    if before_compress is not None:
        before_compress(moved)
    archive = moved.with_name(moved.name + ".gz")
    _gzip_file(moved, archive)
    moved.unlink()
    apply_retention(path, keep)
    return archive


def archive_foreign(path: Path, archived: int, *, keep: int) -> tuple[int, Path | None, bool]:
    """Archive ``path`` from byte ``archived`` to its last complete line, then free that space.

    Returns (new archived offset, the archive written or None, whether the space was freed)."""
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size < archived:  # truncated or replaced by its owner: start over
            archived = 0
        # the last complete line: search backwards from the end for a newline
        end = size
        while end > archived:
            step = min(1 << 16, end - archived)
            fh.seek(end - step)
            chunk = fh.read(step)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                end = end - step + nl + 1
                break
            end -= step
        if end <= archived:
            return archived, None, False
        archive = path.with_name(f"{path.name}.{_stamp()}.gz")
        tmp = archive.with_name(archive.name + ".part")
        fh.seek(archived)
        remaining = end - archived
        with _gzip_like(tmp, os.fstat(fh.fileno()).st_mode) as out:
            while remaining > 0:
                data = fh.read(min(1 << 20, remaining))
                if not data:
                    break
                out.write(data)
                remaining -= len(data)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, archive)
    freed = punch_hole(path, end)
    apply_retention(path, keep)
    return end, archive, freed


def punch_hole(path: Path, upto: int) -> bool:
    length = (upto // BLOCK) * BLOCK
    if length <= 0:
        return True
    fd = os.open(path, os.O_WRONLY)
    try:
        rc = _fallocate()(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, length)
        if rc != 0:
            err = ctypes.get_errno()
            if err in (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                return False
            raise OSError(err, os.strerror(err), str(path))
        return True
    finally:
        os.close(fd)
