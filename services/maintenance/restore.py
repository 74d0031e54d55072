"""Restore a database backup: verify it, then copy it into place - never over a live database unless forced.

Over an existing database the copy goes through SQLite's backup API into that database, so processes that
have it open see a consistent switch (they hold locks SQLite honours) rather than a file replaced under them.
A safety copy of the database being replaced is made first.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError, UsageError
from ..store import Store
from .archive import fsync_path
from .dbcopy import copy_database, integrity_ok, sha256_file


@dataclass
class RestorePlan:
    backup: Path
    target: Path
    sha256: str | None  # from the catalogue, when known


def find_backup(store: Store, backup_dir: Path, name: str) -> tuple[Path, sqlite3.Row | None]:
    """BACKUP by catalogue id, path, or file name in the backup folder: its file and catalogue row (if any)."""
    row = None
    if name.isdigit():
        row = store.query_one("SELECT * FROM backups WHERE id = ?", (int(name),))
        if row is None:
            raise UsageError(f"no backup with id {name} (see `fleetdeck backup list`)")
        path = Path(row["file"])
    else:
        path = Path(name).expanduser()
        if not path.exists() and (backup_dir / name).exists():
            path = backup_dir / name
        row = store.query_one("SELECT * FROM backups WHERE file = ?", (str(path.resolve()),)) or \
            store.query_one("SELECT * FROM backups WHERE file = ?", (str(path),))
    if not path.exists():
        raise UsageError(f"backup {path} not found (see `fleetdeck backup list`)")
    return path, row


def resolve(store: Store, backup_dir: Path, name: str, to: str | None) -> RestorePlan:
    """Find a database backup (see find_backup) and pick where it goes."""
    path, row = find_backup(store, backup_dir, name)
    if row is not None and row["kind"] != "database":
        raise UsageError(f"{path} is an archive of logs and configs; unpack it with tar")
    target = Path(to).expanduser() if to else Path(row["source"]) if row is not None else store.path
    return RestorePlan(path, target, row["sha256"] if row is not None else None)


def verify(plan: RestorePlan) -> None:
    if plan.sha256 and sha256_file(plan.backup) != plan.sha256:
        raise DataError(f"{plan.backup}: checksum differs from the one recorded when it was made")
    problem = integrity_ok(plan.backup)
    if problem:
        raise DataError(f"{plan.backup}: not a sound database: {problem}")


def restore(plan: RestorePlan, *, force: bool, safety_dir: Path, stamp: str) -> Path | None:
    """Restore; return the safety copy made of the replaced database, if there was one."""
    verify(plan)
    if plan.target.exists() and plan.target.stat().st_size > 0:
        if not force:
            raise UsageError(f"{plan.target} exists and may be in use; add --force to overwrite it "
                             "(a safety copy is made first)")
        safety = safety_dir / f"{plan.target.stem}-before-restore-{stamp}.db"
        copy_database(plan.target, safety)
        src = sqlite3.connect(f"file:{plan.backup}?mode=ro", uri=True)
        dst = sqlite3.connect(plan.target)
        try:
            dst.execute("PRAGMA busy_timeout = 10000")
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return safety
    plan.target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = plan.target.with_name(plan.target.name + ".restore-tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with open(plan.backup, "rb") as src_f, os.fdopen(fd, "wb") as dst_f:
        while chunk := src_f.read(1 << 20):
            dst_f.write(chunk)
    fsync_path(tmp)
    os.replace(tmp, plan.target)
    fsync_path(plan.target.parent)
    return None
