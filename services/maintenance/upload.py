"""Copy a backup to the remote target and prove it arrived whole.

Targets (``[backup] remote``):

* a directory (a mounted disk or a synced folder): copied to ``NAME.part``, fsynced, checked (size + sha256)
  and renamed to ``NAME`` - an interrupted upload leaves only a ``.part`` file and never replaces a good copy;
* ``rsync:DEST``: rsync writes to a temporary name and renames when complete; verified afterwards with a
  checksum dry run that must find nothing to transfer;
* ``rclone:REMOTE:PATH``: ``rclone copyto`` then ``rclone check --one-way`` (size + hash where the backend has one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..errors import UnavailableError
from .archive import fsync_path
from .dbcopy import sha256_file


def describe(remote: str, name: str) -> str:
    kind, _, rest = remote.partition(":")
    if kind in ("rsync", "rclone") and rest:
        return f"{remote.rstrip('/')}/{name}"
    return str(Path(remote).expanduser() / name)


def upload(local: Path, remote: str, *, timeout: int = 3600) -> str:
    """Upload ``local``; return where the verified copy is. Raises UnavailableError when it cannot be done."""
    kind, _, rest = remote.partition(":")
    if kind == "rsync" and rest:
        return _rsync(local, rest, timeout)
    if kind == "rclone" and rest:
        return _rclone(local, rest, timeout)
    return _directory(local, Path(remote).expanduser())


def _directory(local: Path, folder: Path) -> str:
    if not folder.is_dir():
        raise UnavailableError(f"backup target {folder} is not a directory (is the disk mounted?)")
    final = folder / local.name
    size, digest = local.stat().st_size, sha256_file(local)
    if final.exists() and final.stat().st_size == size and sha256_file(final) == digest:
        return str(final)  # already there and whole
    part = folder / (local.name + ".part")
    try:
        fd = os.open(part, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with open(local, "rb") as src, os.fdopen(fd, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        if part.stat().st_size != size or sha256_file(part) != digest:
            part.unlink(missing_ok=True)
            raise UnavailableError(f"upload to {folder} did not verify (size or checksum differs)")
        os.replace(part, final)
        fsync_path(folder)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise UnavailableError(f"cannot upload to {folder}: {exc.strerror or exc}") from None
    return str(final)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise UnavailableError(f"backup remote needs {name}, which is not installed")
    return path


def _run(args: list[str], timeout: int) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RSYNC_RSH="ssh -o BatchMode=yes")
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise UnavailableError(f"{args[0]} timed out after {timeout}s") from None


def _rsync(local: Path, dest: str, timeout: int) -> str:
    rsync = _tool("rsync")
    target = dest.rstrip("/") + "/"
    done = _run([rsync, "--checksum", "--chmod=F600", str(local), target], timeout)
    if done.returncode:
        raise UnavailableError(f"rsync failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    check = _run([rsync, "--checksum", "--dry-run", "--itemize-changes", str(local), target], timeout)
    if check.returncode or check.stdout.strip():
        raise UnavailableError("rsync upload did not verify (checksum differs)")
    return target + local.name


def _rclone(local: Path, dest: str, timeout: int) -> str:
    rclone = _tool("rclone")
    target = dest.rstrip("/") + "/" + local.name
    done = _run([rclone, "copyto", str(local), target], timeout)
    if done.returncode:
        raise UnavailableError(f"rclone failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    check = _run([rclone, "check", "--one-way", str(local.parent), dest, "--include", local.name], timeout)
    if check.returncode:
        raise UnavailableError("rclone upload did not verify (size or hash differs)")
    return target
