"""The backup job: verified database copies, a weekly archive of logs and configs, upload, retention.

Every file is recorded in the ``backups`` table once it is complete and verified; retention works per source
(each database, and 'logs+configs') on that catalogue and removes the local file and the directory-target copy.
Archives of project data (source 'project-data', made by projectarchive.py) share the catalogue but never the
rotation: they hold the only copy of what they archived.
"""

from __future__ import annotations

import datetime as dt
import os
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..config import Config
from ..errors import CantCreateError, FleetdeckError
from ..store import Store
from .archive import fsync_path
from .dbcopy import copy_database, sha256_file
from .retention import keep_set

FILES_SOURCE = "logs+configs"
PROJECT_SOURCE = "project-data"


@dataclass
class BackupReport:
    made: list[dict[str, Any]] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"made": self.made, "uploaded": self.uploaded, "removed": self.removed, "errors": self.errors,
                "planned": self.planned}

    def message(self, dry_run: bool) -> str:
        if dry_run:
            return "backup (dry run): would " + "; ".join(self.planned)
        parts = [f"backup: {len(self.made)} file(s) made"]
        if self.uploaded:
            parts.append(f"{len(self.uploaded)} uploaded")
        if self.removed:
            parts.append(f"{len(self.removed)} removed by retention")
        if self.errors:
            parts.append(f"{len(self.errors)} error(s): {self.errors[0]}")
        return ", ".join(parts)


def backup_dir(config: Config, *, create: bool = True) -> Path:
    configured = str(config.get("backup", "dir", "") or "")
    folder = Path(configured).expanduser() if configured else config.paths.data_dir / "backups"
    if create:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:  # a [backup] dir that cannot be: the user's to fix, one line and 73
            raise CantCreateError(f"cannot create the backup folder {folder}: {exc.strerror or exc}") from None
    return folder


def utc_stamp(now: float) -> str:
    return dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def free_name(folder: Path, stem: str, suffix: str) -> Path:
    candidate, n = folder / f"{stem}{suffix}", 1
    while candidate.exists():
        candidate, n = folder / f"{stem}-{n}{suffix}", n + 1
    return candidate



def database_sources(store: Store, config: Config) -> list[Path]:
    extra = [Path(str(p)).expanduser() for p in config.get("backup", "databases", []) or []]
    return [store.path, *extra]


def record_backup(store: Store, kind: str, source: str, path: Path, now: float,
            sha256: str | None = None) -> dict[str, Any]:
    row = {"kind": kind, "source": source, "file": str(path), "size_bytes": path.stat().st_size,
           "sha256": sha256 or sha256_file(path), "created_at": int(now)}
    with store.write() as conn:
        conn.execute("INSERT INTO backups (kind, source, file, size_bytes, sha256, created_at, verified)"
                     " VALUES (:kind, :source, :file, :size_bytes, :sha256, :created_at, 1)", row)
    return row


def weekly_due(store: Store, config: Config, now: float, forced: bool) -> bool:
    if forced:
        return True
    today = dt.datetime.fromtimestamp(now, dt.timezone.utc)
    last = store.scalar("SELECT max(created_at) FROM backups WHERE kind = 'files' AND source = ?"
                        " AND deleted_at IS NULL", (FILES_SOURCE,))
    if last is None:
        return True
    return today.weekday() == int(config.get("backup", "weekly_day", 6)) and now - last > 6 * 86400


def archive_files(config: Config, dest: Path) -> Path:
    """tar.gz of the log folder, the config file and ``extra_paths``, written under a temporary name."""
    paths = config.paths
    members = [paths.log_dir, paths.config_file] + [Path(str(p)).expanduser()
                                                     for p in config.get("backup", "extra_paths", []) or []]
    tmp = dest.with_name(dest.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for member in members:
            if member.exists():
                tar.add(member, arcname=member.name if member.is_file() else member.name + "/")
    fsync_path(tmp)
    os.replace(tmp, dest)
    fsync_path(dest.parent)
    return dest


def apply_retention(store: Store, config: Config, now: float, *, dry_run: bool) -> list[str]:
    section = config.section("backup")
    removed: list[str] = []
    # Project-data archives are the only copy of what they hold: never rotated away.
    rows = store.query("SELECT id, source, file, created_at, remote FROM backups WHERE deleted_at IS NULL"
                       " AND source != ?", (PROJECT_SOURCE,))
    by_source: dict[str, list[Any]] = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row)
    for items in by_source.values():
        keep = keep_set([(r["id"], r["created_at"]) for r in items], daily=int(section["keep_daily"]),
                        weekly=int(section["keep_weekly"]), monthly=int(section["keep_monthly"]))
        for row in items:
            if row["id"] in keep:
                continue
            removed.append(row["file"])
            if dry_run:
                continue
            Path(row["file"]).unlink(missing_ok=True)
            if row["remote"] and not str(row["remote"]).startswith(("rsync:", "rclone:")):
                Path(row["remote"]).unlink(missing_ok=True)
            with store.write() as conn:
                conn.execute("UPDATE backups SET deleted_at = ? WHERE id = ?", (int(now), row["id"]))
    return removed


def run_backup(store: Store, config: Config, now: float, *, dry_run: bool, weekly: bool = False,
               progress: Callable[[float, float | None, str], None] = lambda d, t=None, m="": None) -> BackupReport:
    report = BackupReport()
    folder = backup_dir(config)
    sources = database_sources(store, config)
    do_weekly = weekly_due(store, config, now, weekly)
    remote = str(config.get("backup", "remote", "") or "")
    stamp = utc_stamp(now)
    steps = len(sources) + (1 if do_weekly else 0)
    if dry_run:
        report.planned = [f"copy {s} to {folder}" for s in sources]
        if do_weekly:
            report.planned.append("archive logs and configs")
        if remote:
            report.planned.append(f"upload to {remote}")
        report.planned += [f"remove {f}" for f in apply_retention(store, config, now, dry_run=True)]
        return report
    made_paths: list[tuple[int, Path]] = []
    for i, source in enumerate(sources):
        if not source.exists():
            report.errors.append(f"{source}: not found")
            continue
        dest = free_name(folder, f"{source.stem}-{stamp}", ".db")

        def tick(fraction: float, _i: int = i, _s: Path = source) -> None:
            progress(_i + fraction, steps, f"copying {_s.name}")

        try:
            copy_database(source, dest, on_progress=tick)
        except FleetdeckError as exc:
            report.errors.append(str(exc))
            continue
        row = record_backup(store, "database", str(source.resolve()), dest, now)
        report.made.append(row)
        made_paths.append((len(report.made) - 1, dest))
    if do_weekly:
        progress(len(sources), steps, "archiving logs and configs")
        try:
            dest = archive_files(config, free_name(folder, f"logs-configs-{stamp}", ".tar.gz"))
            report.made.append(record_backup(store, "files", FILES_SOURCE, dest, now))
            made_paths.append((len(report.made) - 1, dest))
        except OSError as exc:
            report.errors.append(f"logs and configs: {exc.strerror or exc}")
    if remote:
        from .upload import upload

        for _, path in made_paths:
            try:
                where = upload(path, remote)
            except FleetdeckError as exc:
                report.errors.append(str(exc))
                continue
            with store.write() as conn:
                conn.execute("UPDATE backups SET remote = ?, remote_at = ? WHERE file = ?",
                             (where, int(now), str(path)))
            report.uploaded.append(where)
    report.removed = apply_retention(store, config, now, dry_run=False)
    progress(steps, steps, "done")
    return report
