"""Restore a project-data archive: every file back, byte for byte, never over a different existing file.

Files go back to their original paths, or below ``--to DIR`` (``DIR/home/me/agents/x/...``). Nothing is
written until every target has been checked: an existing file with other content stops the whole restore. A
file that already holds exactly the archived content counts as restored, so a restore killed half-way can
simply be run again. Each file is written to a temporary name beside its target, checked against the sha256
in the manifest, fsynced, and linked into place with ``link(2)``, which never replaces a file that appeared
meanwhile.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError, UsageError
from .archive import fsync_path
from .dbcopy import sha256_file
from .projectpack import CHUNK, manifest_path, read_manifest


@dataclass
class FilesRestored:
    archive: str
    root: str
    written: int = 0
    already_there: int = 0
    folders: int = 0

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def is_project_archive(path: Path) -> bool:
    return path.name.startswith("project-data-") and path.name.endswith(".tar.gz")


def _expected(archive: Path) -> dict[str, dict[str, Any]]:
    """sha256 and mtime of each packed file from the manifest beside the archive (absent for a bare copy)."""
    manifest = manifest_path(archive)
    if not manifest.exists():
        return {}
    return {e["path"].lstrip("/"): e for e in read_manifest(manifest).get("entries", [])}


def _member_sha(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    sha = hashlib.sha256()
    f = tar.extractfile(member)
    assert f is not None
    for chunk in iter(lambda: f.read(CHUNK), b""):
        sha.update(chunk)
    return sha.hexdigest()


def _safe(member: tarfile.TarInfo) -> bool:
    parts = Path(member.name).parts
    return bool(parts) and not member.name.startswith("/") and ".." not in parts and \
        (member.isfile() or member.isdir() or member.issym())


def restore_files(archive: Path, *, sha256: str | None, to: str | None = None,
                  only: str | None = None, dry_run: bool = False) -> FilesRestored:
    if sha256 and sha256_file(archive) != sha256:
        raise DataError(f"{archive}: checksum differs from the one recorded when it was made")
    root = Path(os.path.abspath(os.path.expanduser(to))) if to else Path("/")
    prefix = os.path.abspath(os.path.expanduser(only)).lstrip("/") if only else None
    expected = _expected(archive)
    result = FilesRestored(str(archive), str(root))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            chosen = [m for m in tar.getmembers()
                      if prefix is None or m.name == prefix or m.name.startswith(prefix + "/")]
            bad = [m.name for m in chosen if not _safe(m)]
            if bad:
                raise DataError(f"{archive}: unexpected member {bad[0]}: not restoring from it")
            if not chosen:
                raise UsageError(f"nothing in {archive.name} under {only}")
            conflicts, present = _check_targets(tar, chosen, root, expected)
            if conflicts:
                raise UsageError(f"{len(conflicts)} file(s) to restore already exist with other content, "
                                 f"e.g. {conflicts[0]}; nothing restored (restore elsewhere with --to DIR)")
            if dry_run:  # every target is checked: count what a real run would write, and write nothing
                for member in chosen:
                    if member.isdir():
                        result.folders += 1
                    elif member.name in present:
                        result.already_there += 1
                    else:
                        result.written += 1
                return result
            created: list[tarfile.TarInfo] = []
            touched: set[Path] = set()
            for member in chosen:
                target = root / member.name
                if member.isdir():
                    if not target.is_dir():
                        target.mkdir(parents=True, mode=0o700)
                        created.append(member)
                    result.folders += 1
                elif member.name in present:
                    result.already_there += 1
                else:
                    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                    _write(tar, member, target, expected.get(member.name))
                    touched.add(target.parent)
                    result.written += 1
            # Modes of the folders it made last (a read-only one would refuse the files). Their mtimes are
            # left at now on purpose: a restored folder then counts as just modified, so archive-projects
            # leaves it alone for archive_after_days instead of taking it away again at its next run.
            for member in sorted(created, key=lambda m: m.name.count("/"), reverse=True):
                os.chmod(root / member.name, member.mode & 0o7777)
            for folder in touched:  # new names, once per folder; each file's data was fsynced before its link
                fsync_path(folder)
    except (tarfile.TarError, EOFError) as exc:
        raise DataError(f"{archive}: cannot be read: {exc}") from None
    return result


def _check_targets(tar: tarfile.TarFile, chosen: list[tarfile.TarInfo], root: Path,
                   expected: dict[str, dict[str, Any]]) -> tuple[list[str], set[str]]:
    """(targets in the way, members whose target already holds exactly the archived content)."""
    conflicts: list[str] = []
    present: set[str] = set()
    for member in chosen:
        target = root / member.name
        if member.isdir():
            if os.path.lexists(target) and not target.is_dir():
                conflicts.append(str(target))
            continue
        if not os.path.lexists(target):
            continue
        if member.issym():
            same = target.is_symlink() and os.readlink(target) == member.linkname
        else:
            entry = expected.get(member.name)
            want = entry["sha256"] if entry else _member_sha(tar, member)
            same = target.is_file() and not target.is_symlink() and target.stat().st_size == member.size \
                and sha256_file(target) == want
        if same:
            present.add(member.name)
        else:
            conflicts.append(str(target))
    return conflicts, present


def _set_mtime(path: Path, member: tarfile.TarInfo, entry: dict[str, Any] | None) -> None:
    """The exact mtime from the manifest when there is one (tar keeps whole seconds in its header)."""
    if entry is not None:
        os.utime(path, ns=(entry["mtime_ns"], entry["mtime_ns"]))
    else:
        os.utime(path, (member.mtime, member.mtime))


def _write(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, entry: dict[str, Any] | None) -> None:
    if member.issym():
        try:
            os.symlink(member.linkname, target)
        except FileExistsError:
            raise UsageError(f"{target} appeared while restoring; nothing was overwritten") from None
        if entry is not None:
            os.utime(target, ns=(entry["mtime_ns"], entry["mtime_ns"]), follow_symlinks=False)
        return
    tmp = target.with_name(f".{target.name}.fleetdeck-restore")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    sha = hashlib.sha256()
    src = tar.extractfile(member)
    assert src is not None
    with os.fdopen(fd, "wb") as dst:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            sha.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    if entry is not None and sha.hexdigest() != entry["sha256"]:
        tmp.unlink()
        raise DataError(f"{member.name}: does not match the manifest (sha256 differs); restore stopped")
    os.chmod(tmp, member.mode & 0o7777)
    _set_mtime(tmp, member, entry)
    try:
        os.link(tmp, target)
    except FileExistsError:
        tmp.unlink()
        raise UsageError(f"{target} appeared while restoring; nothing was overwritten") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            tmp.unlink()
            raise
        if os.path.lexists(target):  # no hard links on this file system: check, then rename
            tmp.unlink()
            raise UsageError(f"{target} appeared while restoring; nothing was overwritten") from None
        os.replace(tmp, target)
    else:
        tmp.unlink()
