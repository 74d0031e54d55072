"""The pieces of a project-data archive: its manifest, packing, verification and removal of the sources.

An archive is ``project-data-<stamp>.tar.gz`` in the backup folder with ``project-data-<stamp>.manifest.json``
beside it. The manifest lists every entry packed (original path, type, size, mtime, sha256 of the bytes
written) and moves through the states packing -> verified -> catalogued -> sources-removed; projectarchive.py
decides what a rerun does in each state. Member names are the original absolute paths without the leading
``/``, so plain ``tar xzf`` also gives the files back.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tarfile
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from ..errors import DataError
from .archive import fsync_path
from .dbcopy import sha256_file

ARCHIVE_SUFFIX = ".tar.gz"
MANIFEST_SUFFIX = ".manifest.json"
STATES = ("packing", "verified", "catalogued", "sources-removed")
CHUNK = 1 << 20

Entry = dict[str, Any]


def manifest_path(archive: Path) -> Path:
    return archive.with_name(archive.name.removesuffix(ARCHIVE_SUFFIX) + MANIFEST_SUFFIX)


def archive_path(manifest: Path) -> Path:
    return manifest.with_name(manifest.name.removesuffix(MANIFEST_SUFFIX) + ARCHIVE_SUFFIX)


def write_manifest(path: Path, data: dict[str, Any]) -> None:
    """Replace the manifest atomically (temporary file, fsync, rename): a kill leaves the old or new one."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_path(path.parent)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the manifest: {exc}") from None
    if not isinstance(data, dict) or data.get("state") not in STATES:
        raise DataError(f"{path}: not a project-data manifest")
    return data


def member_name(path: str) -> str:
    return path.lstrip("/")


def walk(item: Path, on_error: Callable[[Path, OSError], None]) -> Iterator[Path]:
    """The item, then (a folder's) everything below it, folders before their contents; links not followed."""
    yield item
    if item.is_dir() and not item.is_symlink():
        try:
            with os.scandir(item) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            on_error(item, exc)  # its contents stay where they are, and so does the folder
            return
        for child in children:
            yield from walk(Path(child.path), on_error)


class _HashingReader:
    """Feeds exactly ``size`` bytes of a file to tarfile, hashing them; notes when the file shrank or grew."""

    def __init__(self, f: BinaryIO, size: int) -> None:
        self.f, self.left, self.sha = f, size, hashlib.sha256()
        self.shrank = False

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.f.read(n)
        if len(data) < n:
            # Shorter than when it was measured: pad so the tar stays well-formed; the file is kept anyway.
            self.shrank = True
            data += b"\0" * (n - len(data))
        self.left -= len(data)
        self.sha.update(data)
        return data


def _add(tar: tarfile.TarFile, path: Path) -> tuple[Entry | None, str | None]:
    """Add one path; return its manifest entry, or (None, why it was left out)."""
    name = member_name(str(path))
    try:
        st = os.lstat(path)
    except OSError as exc:
        return None, exc.strerror or str(exc)
    if stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode):
        info = tar.gettarinfo(str(path), name)
        tar.addfile(info)
        if info.issym():
            return {"path": str(path), "type": "symlink", "target": info.linkname, "size": 0,
                    "mtime_ns": st.st_mtime_ns}, None
        return {"path": str(path), "type": "dir", "size": 0, "mtime_ns": st.st_mtime_ns}, None
    if not stat.S_ISREG(st.st_mode):
        return None, "not a regular file, folder or link"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        return None, exc.strerror or str(exc)
    with os.fdopen(fd, "rb") as f:
        before = os.fstat(fd)
        info = tar.gettarinfo(arcname=name, fileobj=f)
        if info.islnk():  # a second hard link to a file already packed: store the content again
            info.type, info.linkname = tarfile.REGTYPE, ""
        info.size = before.st_size
        reader = _HashingReader(f, info.size)
        tar.addfile(info, reader)
        grew = bool(f.read(1))
        after = os.fstat(fd)
    moved = (after.st_mtime_ns, after.st_size) != (before.st_mtime_ns, before.st_size)
    changed = reader.shrank or grew or moved
    return {"path": str(path), "type": "file", "size": info.size, "mtime_ns": before.st_mtime_ns,
            "sha256": reader.sha.hexdigest(), "changed": changed}, None


def pack(items: list[Path], dest: Path, *, on_entry: Callable[[Entry], None] = lambda e: None,
         crash: Callable[[str], None] = lambda stage: None) -> tuple[list[Entry], list[dict[str, str]]]:
    """Write ``items`` to ``dest`` (via ``dest.tmp``, fsynced, renamed); return (entries, left out)."""
    tmp = dest.with_name(dest.name + ".tmp")
    entries: list[Entry] = []
    left_out: list[dict[str, str]] = []
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
            def unreadable(folder: Path, exc: OSError) -> None:
                left_out.append({"path": str(folder),
                                 "reason": f"contents not archived: {exc.strerror or exc}"})

            for item in items:
                for path in walk(item, unreadable):
                    entry, why = _add(tar, path)
                    if entry is None:
                        left_out.append({"path": str(path), "reason": f"not archived: {why}"})
                        continue
                    entries.append(entry)
                    on_entry(entry)
                    if entry["type"] == "file":
                        crash("packing")
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(tmp, dest)
    fsync_path(dest.parent)
    return entries, left_out


class _HashingFile:
    def __init__(self, f: BinaryIO) -> None:
        self.f, self.sha = f, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.sha.update(data)
        return data


def verify(archive: Path, entries: list[Entry]) -> str:
    """Reread the archive: same members, types, sizes, link targets and sha256 as packed; return its own."""
    expected = {member_name(e["path"]): e for e in entries}
    seen: set[str] = set()
    with open(archive, "rb") as raw:
        hashing = _HashingFile(raw)
        try:
            with tarfile.open(fileobj=hashing, mode="r|gz") as tar:  # type: ignore[call-overload]
                for member in tar:
                    _check_member(archive, tar, member, expected.get(member.name), seen)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise DataError(f"{archive}: cannot be read back: {exc}") from None
        while hashing.read(CHUNK):
            pass
    missing = set(expected) - seen
    if missing:
        raise DataError(f"{archive}: {len(missing)} entries missing, e.g. /{sorted(missing)[0]}")
    return hashing.sha.hexdigest()


def _check_member(archive: Path, tar: tarfile.TarFile, member: tarfile.TarInfo, entry: Entry | None,
                  seen: set[str]) -> None:
    if entry is None or member.name in seen:
        raise DataError(f"{archive}: unexpected member {member.name}")
    seen.add(member.name)
    kind = "file" if member.isfile() else "dir" if member.isdir() else "symlink" if member.issym() else "?"
    if kind != entry["type"]:
        raise DataError(f"{archive}: {member.name} is a {kind}, packed as a {entry['type']}")
    if kind == "symlink" and member.linkname != entry["target"]:
        raise DataError(f"{archive}: {member.name} links elsewhere than when packed")
    if kind == "file":
        if member.size != entry["size"]:
            raise DataError(f"{archive}: {member.name} has {member.size} bytes, {entry['size']} were packed")
        sha = hashlib.sha256()
        f = tar.extractfile(member)
        assert f is not None
        for chunk in iter(lambda: f.read(CHUNK), b""):
            sha.update(chunk)
        if sha.hexdigest() != entry["sha256"]:
            raise DataError(f"{archive}: {member.name} does not read back as packed (sha256 differs)")


def unchanged(entry: Entry) -> str | None:
    """None when the source is exactly as packed; 'gone' when it no longer exists; else why it is kept."""
    path = entry["path"]
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "gone"
    except OSError as exc:
        return exc.strerror or str(exc)
    if entry["type"] == "symlink":
        if not stat.S_ISLNK(st.st_mode) or os.readlink(path) != entry["target"]:
            return "changed since it was packed"
        return None
    if entry.get("changed"):
        return "changed while it was being packed"
    if not stat.S_ISREG(st.st_mode):
        return "replaced since it was packed"
    if (st.st_size, st.st_mtime_ns) != (entry["size"], entry["mtime_ns"]):
        return "modified since it was packed"
    if sha256_file(Path(path)) != entry["sha256"]:
        return "content changed since it was packed"
    return None


def remove_sources(entries: list[Entry], *, on_removed: Callable[[], None] = lambda: None,
                   crash: Callable[[str], None] = lambda stage: None,
                   ) -> tuple[int, list[dict[str, str]], int]:
    """Delete every packed file and link that is unchanged, then the folders left empty.

    Returns (files removed, files kept with the reason, folders kept because something is still in them).
    Entries already gone count as done: an earlier run that was killed removed them.
    """
    removed, kept = 0, []
    for entry in entries:
        if entry["type"] == "dir":
            continue
        why = unchanged(entry)
        if why == "gone":
            continue
        if why is not None:
            kept.append({"path": entry["path"], "reason": why})
            continue
        try:
            os.unlink(entry["path"])
        except FileNotFoundError:
            continue
        except OSError as exc:
            kept.append({"path": entry["path"], "reason": f"cannot remove: {exc.strerror or exc}"})
            continue
        removed += 1
        on_removed()
        crash("removing")
    folders_kept = 0
    dirs = sorted((e["path"] for e in entries if e["type"] == "dir"), key=lambda p: p.count("/"),
                  reverse=True)
    for folder in dirs:
        try:
            os.rmdir(folder)
        except FileNotFoundError:
            continue
        except OSError:
            folders_kept += 1  # not empty: a kept file, or something new written there since packing
    for parent in {str(Path(p).parent) for p in dirs} | {str(Path(e["path"]).parent) for e in entries}:
        if os.path.isdir(parent):
            fsync_path(Path(parent))
    return removed, kept, folders_kept
