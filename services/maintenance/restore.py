"""Restore a database backup: verify it, then copy it into place - never over a live database unless forced.

Over an existing database the copy goes through SQLite's backup API into that database, so processes that
have it open see a consistent switch (they hold locks SQLite honours) rather than a file replaced under them.
A safety copy of the database being replaced is made first. A damaged database (not readable as one) cannot
take the backup API: it is copied aside byte for byte, its WAL with it, and the backup put in its place.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..errors import CantCreateError, DataError, FleetdeckError, UsageError
from ..exitcodes import ExitCode
from ..store import Store
from .archive import fsync_path
from .dbcopy import copy_database, integrity_ok, sha256_file


@dataclass
class RestorePlan:
    backup: Path
    target: Path
    sha256: str | None  # from the catalogue, when known


def find_backup(store: Store | None, backup_dir: Path, name: str) -> tuple[Path, sqlite3.Row | None]:
    """BACKUP by catalogue id, path, or file name in the backup folder: its file and catalogue row (if any).
    Without a store (the live database is damaged) there is no catalogue: only a path or file name works."""
    row = None
    if name.isdigit():
        if store is None:
            raise DataError(f"backup ids are kept in the database, which is damaged: name backup {name} by its "
                            f"file (in {backup_dir})")
        row = store.query_one("SELECT * FROM backups WHERE id = ?", (int(name),))
        if row is None:
            raise DataError(f"no backup with id {name} (see `fleetdeck backup list`)")
        path = Path(row["file"])
    else:
        path = Path(name).expanduser()
        if not path.exists() and (backup_dir / name).exists():
            path = backup_dir / name
        if store is not None:
            row = store.query_one("SELECT * FROM backups WHERE file = ?", (str(path.resolve()),)) or \
                store.query_one("SELECT * FROM backups WHERE file = ?", (str(path),))
    if not path.exists():
        raise FleetdeckError(f"backup {path} not found (see `fleetdeck backup list`)", ExitCode.NOINPUT)
    return path, row


def resolve(store: Store | None, backup_dir: Path, name: str, to: str | None,
            live: Path | None = None) -> RestorePlan:
    """Find a database backup (see find_backup) and pick where it goes: ``to``, where it was made from, or the
    live database (``live`` when there is no store)."""
    path, row = find_backup(store, backup_dir, name)
    if row is not None and row["kind"] != "database":
        raise UsageError(f"{path} is an archive of logs and configs; unpack it with tar")
    default = store.path if store is not None else live
    if not to and row is None and default is None:
        raise UsageError("say where to restore it with --to PATH")
    target = Path(to).expanduser() if to else Path(row["source"]) if row is not None else Path(default)
    return RestorePlan(path, target, row["sha256"] if row is not None else None)


def verify(plan: RestorePlan) -> None:
    if plan.sha256 and sha256_file(plan.backup) != plan.sha256:
        raise DataError(f"{plan.backup}: checksum differs from the one recorded when it was made")
    problem = integrity_ok(plan.backup)
    if problem:
        raise DataError(f"{plan.backup}: not a sound database: {problem}")


def damaged(path: Path) -> str | None:
    """What is wrong with ``path`` when SQLite cannot read it as a database at all (cheap: no integrity check)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if (getattr(exc, "sqlite_errorname", None) or "").startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            return str(exc)
    return None


def restore(plan: RestorePlan, *, force: bool, safety_dir: Path, stamp: str, dry_run: bool = False) -> Path | None:
    """Restore; return the safety copy made of the replaced database, if there was one. With ``dry_run`` make
    the same checks and return the safety copy it would make, writing nothing."""
    verify(plan)
    if plan.target.is_dir():
        raise UsageError(f"{plan.target} is a folder: --to takes the database file to write")
    try:
        if plan.target.exists() and plan.target.stat().st_size > 0:
            if not force:
                raise UsageError(f"{plan.target} exists and may be in use; add --force to overwrite it "
                                 "(a safety copy is made first)")
            broken = damaged(plan.target) is not None
            safety = safety_dir / f"{plan.target.stem}-{'damaged-' if broken else ''}before-restore-{stamp}.db"
            if dry_run:
                return safety
            if broken:
                _set_aside(plan.target, safety)
                _copy_into_place(plan)
                return safety
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
        if not dry_run:
            _copy_into_place(plan)
    except OSError as exc:
        raise CantCreateError(f"cannot restore to {plan.target}: {exc.strerror or exc}") from None
    return None


def _set_aside(target: Path, safety: Path) -> None:
    """Keep a damaged database's bytes (and its WAL, which holds its latest writes) as they are, and take its
    WAL and shared-memory files away so that SQLite never replays them onto the restored file."""
    safety.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for suffix in ("", "-wal"):
        source = Path(f"{target}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{safety}{suffix}")
            os.chmod(f"{safety}{suffix}", 0o600)
            fsync_path(Path(f"{safety}{suffix}"))
    fsync_path(safety.parent)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _copy_into_place(plan: RestorePlan) -> None:
    plan.target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = plan.target.with_name(plan.target.name + ".restore-tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with open(plan.backup, "rb") as src_f, os.fdopen(fd, "wb") as dst_f:
        while chunk := src_f.read(1 << 20):
            dst_f.write(chunk)
    fsync_path(tmp)
    os.replace(tmp, plan.target)
    fsync_path(plan.target.parent)
