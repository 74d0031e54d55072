"""Archiving of old project data (`fleetdeck run archive-projects`): pack, verify, catalogue, then remove.

``[backup] archive_paths`` are globs; every match (a folder or a file) is one item, archived whole once
nothing in it - the newest mtime of anything below it, folders included - changed for ``archive_after_days``.
The items due in a run go into one ``project-data-<stamp>.tar.gz`` in the backup folder, recorded in the
``backups`` table (kind 'files', source 'project-data', never rotated by retention). Sources are removed only
once the archive is catalogued, and each file only if its size, mtime and sha256 are still the ones packed.

The manifest beside the archive (projectpack.py) says how far a run got, so a rerun after a kill at any moment
neither loses nor duplicates a file:

* packing: the archive may be partial and nothing was removed -> archive and manifest deleted, packed again;
* verified: complete and checked, perhaps not catalogued -> checksum checked again, catalogued once (the
  catalogue's file column is unique), then on as below;
* catalogued: sources perhaps partly removed -> checksum checked again, removal finished (files already gone
  were removed by the killed run);
* sources-removed: done; the manifest stays, restore checks every file against it.
"""

from __future__ import annotations

import glob
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..config import Config
from ..errors import FleetdeckError
from ..store import Store
from .backup import PROJECT_SOURCE, backup_dir, record_backup, utc_stamp
from .dbcopy import sha256_file
from .projectpack import (
    ARCHIVE_SUFFIX,
    MANIFEST_SUFFIX,
    archive_path,
    manifest_path,
    pack,
    read_manifest,
    remove_sources,
    verify,
    write_manifest,
)

DAY = 86400
CRASH_ENV = "FLEETDECK_PROJECT_ARCHIVE_CRASH_AT"  # fault injection for the kill test: a stage name below
STAGES = ("packing", "packed", "verified", "catalogued", "removing", "removed")

ProgressFn = Callable[[float, float | None, str], None]


def _crash_point(stage: str) -> None:
    if os.environ.get(CRASH_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class Item:
    path: Path
    files: int
    size_bytes: int
    newest: float

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "files": self.files, "size_bytes": self.size_bytes,
                "last_modified": int(self.newest)}


@dataclass
class ProjectArchiveReport:
    configured: bool = True
    after_days: int = 0
    items: list[Item] = field(default_factory=list)
    archive: dict[str, Any] | None = None  # the catalogue row of the archive made in this run
    resumed: list[str] = field(default_factory=list)  # what this run finished or discarded of a killed one
    pending: list[str] = field(default_factory=list)  # dry run: unfinished archives a real run would finish
    removed: int = 0
    kept: list[dict[str, str]] = field(default_factory=list)
    folders_kept: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"configured": self.configured, "after_days": self.after_days,
                "items": [i.as_json() for i in self.items], "archive": self.archive, "resumed": self.resumed,
                "pending": self.pending, "removed": self.removed, "kept": self.kept,
                "folders_kept": self.folders_kept, "skipped": self.skipped, "uploaded": self.uploaded,
                "errors": self.errors}

    def message(self, dry_run: bool) -> str:
        if not self.configured:
            return "archive-projects: off ([backup] archive_paths is empty)"
        files = sum(i.files for i in self.items)
        size = _mb(sum(i.size_bytes for i in self.items))
        if dry_run:
            text = (f"archive-projects (dry run): would archive, then remove, {len(self.items)} item(s) "
                    f"({files} files, {size})" if self.items else
                    f"archive-projects (dry run): nothing unmodified for {self.after_days} days")
            if self.pending:
                text += f"; would finish {len(self.pending)} interrupted archive(s)"
            return text
        if self.archive:
            parts = [f"archive-projects: {len(self.items)} item(s) ({files} files, {size}) archived to "
                     f"{Path(self.archive['file']).name}", f"{self.removed} files removed"]
        else:
            parts = [f"archive-projects: nothing unmodified for {self.after_days} days"]
            if self.removed:
                parts.append(f"{self.removed} files removed")
        if self.kept:
            parts.append(f"{len(self.kept)} kept (changed since packing)")
        if self.resumed:
            parts.append(f"{len(self.resumed)} interrupted archive(s) finished or discarded")
        if self.uploaded:
            parts.append(f"{len(self.uploaded)} uploaded")
        if self.errors:
            parts.append(f"{len(self.errors)} error(s): {self.errors[0]}")
        return ", ".join(parts)

    def details(self, dry_run: bool) -> str:
        verb = "would archive" if dry_run else "archived"
        lines = [f"  {verb}: {i.path} ({i.files} files, {_mb(i.size_bytes)}, last modified "
                 f"{_day(i.newest)})" for i in self.items]
        lines += [f"  would finish: {p}" for p in self.pending]
        lines += [f"  {r}" for r in self.resumed]
        lines += [f"  kept: {k['path']}: {k['reason']}" for k in self.kept]
        lines += [f"  skipped: {s['path']}: {s['reason']}" for s in self.skipped]
        return "\n".join(lines)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _day(ts: float) -> str:
    import time

    return time.strftime("%Y-%m-%d", time.localtime(ts))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def protected_paths(store: Store, config: Config, folder: Path) -> list[str]:
    """fleetdeck's own files, the backup folder, and the project dirs of agents still running."""
    paths = config.paths
    mine = [paths.data_dir, paths.state_dir, paths.config_file, folder, store.path]
    live = [r[0] for r in store.query("SELECT DISTINCT project_dir FROM sessions"
                                      " WHERE project_dir IS NOT NULL AND gone_at IS NULL")]
    return [os.path.realpath(os.path.expanduser(str(p))) for p in [*mine, *live]]


def _measure(path: Path, cutoff: float) -> Item | None:
    """Files, bytes and newest mtime under ``path``; None as soon as anything is newer than ``cutoff``."""
    st = os.lstat(path)
    item = Item(path, 0, 0, st.st_mtime)
    stack = [path] if path.is_dir() else []
    if not stack:
        item.files, item.size_bytes = 1, st.st_size
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                est = entry.stat(follow_symlinks=False)
                item.newest = max(item.newest, est.st_mtime)
                if item.newest >= cutoff:
                    return None
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:  # files and links alike: what removal will count
                    item.files += 1
                    item.size_bytes += est.st_size if entry.is_file(follow_symlinks=False) else 0
    return None if item.newest >= cutoff else item


def select_items(patterns: list[str], cutoff: float, protected: list[str],
                 busy: frozenset[str] | set[str] = frozenset()) -> tuple[list[Item], list[dict[str, str]]]:
    """Items due for archiving (outermost first; nothing inside a chosen item twice) and those skipped."""
    candidates: set[str] = set()
    for pattern in patterns:
        candidates.update(os.path.abspath(m) for m in glob.glob(os.path.expanduser(pattern), recursive=True))
    chosen: list[Item] = []
    skipped: list[dict[str, str]] = []
    for path in sorted(candidates, key=lambda p: (p.count("/"), p)):
        if any(_inside(path, str(c.path)) for c in chosen) or any(_inside(path, b) for b in busy):
            continue
        if os.path.islink(path):
            skipped.append({"path": path, "reason": "a symbolic link (list the folder it points to instead)"})
            continue
        real = os.path.realpath(path)
        if any(_inside(real, p) or _inside(p, real) for p in protected):
            skipped.append({"path": path,
                            "reason": "holds fleetdeck's own files or a running agent's project"})
            continue
        try:
            item = _measure(Path(path), cutoff)
        except OSError as exc:
            skipped.append({"path": path, "reason": f"cannot read: {exc.strerror or exc}"})
            continue
        if item is not None:
            chosen.append(item)
    return chosen, skipped


def unfinished_manifests(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob(f"project-data-*{MANIFEST_SUFFIX}")):
        data = read_manifest(path)
        if data["state"] != "sources-removed":
            found.append((path, data))
    return found


def run_project_archive(store: Store, config: Config, now: float, *, dry_run: bool,
                        progress: ProgressFn = lambda d, t=None, m="": None) -> ProjectArchiveReport:
    days = int(config.get("backup", "archive_after_days", 90))
    patterns = [str(p) for p in config.get("backup", "archive_paths", []) or []]
    report = ProjectArchiveReport(after_days=days)
    folder = backup_dir(config, create=not dry_run)
    unfinished = unfinished_manifests(folder)
    if not patterns and not unfinished:
        report.configured = False
        return report
    protected = protected_paths(store, config, folder)
    cutoff = now - days * DAY
    if dry_run:
        report.pending = [f"{archive_path(m).name} ({d['state']})" for m, d in unfinished]
        # Items of an archive a real run would finish are not packed a second time.
        busy = {i for _, d in unfinished if d["state"] != "packing" for i in d.get("items", [])}
        report.items, report.skipped = select_items(patterns, cutoff, protected, busy)
        return report
    for torn in folder.glob(f"project-data-*{MANIFEST_SUFFIX}.tmp"):
        torn.unlink()  # a kill inside write_manifest: the manifest itself still holds the state before
    for manifest, data in unfinished:
        _resume(store, manifest, data, report)
    report.items, report.skipped = select_items(patterns, cutoff, protected)
    if report.items:
        try:
            _archive_new(store, folder, report, now, progress)
        except OSError as exc:
            report.errors.append(f"cannot write the archive: {exc.strerror or exc}")
    remote = str(config.get("backup", "remote", "") or "")
    if remote:
        _upload_pending(store, remote, now, report)
    progress(1, 1, "done")
    return report


def _free_archive(folder: Path, stem: str) -> Path:
    candidate, n = folder / f"{stem}{ARCHIVE_SUFFIX}", 1
    while candidate.exists() or manifest_path(candidate).exists():
        candidate, n = folder / f"{stem}-{n}{ARCHIVE_SUFFIX}", n + 1
    return candidate


def _archive_new(store: Store, folder: Path, report: ProjectArchiveReport, now: float,
                 progress: ProgressFn) -> None:
    archive = _free_archive(folder, f"project-data-{utc_stamp(now)}")
    manifest = manifest_path(archive)
    base = {"version": 1, "archive": archive.name, "created_at": int(now), "after_days": report.after_days,
            "items": [str(i.path) for i in report.items]}
    write_manifest(manifest, {**base, "state": "packing"})
    total = sum(i.files for i in report.items) or 1
    done = 0

    def packed_one(entry: dict[str, Any]) -> None:
        nonlocal done
        if entry["type"] == "file":
            done += 1
            progress(done, total * 2, f"packing {Path(entry['path']).name}")

    try:
        entries, left_out = pack([i.path for i in report.items], archive, on_entry=packed_one,
                                 crash=_crash_point)
    except OSError:
        for leftover in (archive.with_name(archive.name + ".tmp"), archive, manifest):
            leftover.unlink(missing_ok=True)
        raise
    report.skipped += left_out
    _crash_point("packed")
    progress(total, total * 2, "verifying the archive")
    try:
        sha = verify(archive, entries)
    except FleetdeckError as exc:
        archive.unlink(missing_ok=True)
        manifest.unlink(missing_ok=True)
        report.errors.append(str(exc))
        return
    data = {**base, "state": "verified", "sha256": sha, "size_bytes": archive.stat().st_size,
            "entries": entries, "left_out": left_out}
    write_manifest(manifest, data)
    _crash_point("verified")
    removed = 0

    def removed_one() -> None:
        nonlocal removed
        removed += 1
        progress(total + removed, total * 2, "removing archived sources")

    report.archive = _advance(store, manifest, data, report, intact=True, on_removed=removed_one)


def _intact(archive: Path, data: dict[str, Any]) -> bool:
    return archive.is_file() and archive.stat().st_size == data["size_bytes"] and \
        sha256_file(archive) == data["sha256"]


def _advance(store: Store, manifest: Path, data: dict[str, Any], report: ProjectArchiveReport, *,
             intact: bool, on_removed: Callable[[], None] = lambda: None) -> dict[str, Any] | None:
    """Take a verified or catalogued archive on to sources-removed; return its catalogue row."""
    archive = archive_path(manifest)
    if not intact and not _intact(archive, data):
        # Nothing was removed before 'catalogued'; after it, the sources still present are all there is.
        report.errors.append(f"{archive.name} is missing or damaged: the sources it holds are left in place")
        if data["state"] == "verified":
            with store.write() as conn:
                conn.execute("DELETE FROM backups WHERE file = ?", (str(archive),))
            archive.unlink(missing_ok=True)
            manifest.unlink(missing_ok=True)
        return None
    row = store.query_one("SELECT * FROM backups WHERE file = ?", (str(archive),))
    record = dict(row) if row is not None else None
    if record is None:  # sources are only ever removed while the archive is in the catalogue
        record = record_backup(store, "files", PROJECT_SOURCE, archive, data["created_at"],
                               sha256=data["sha256"])
    if data["state"] == "verified":
        _crash_point("catalogued")
        data["state"] = "catalogued"
        write_manifest(manifest, data)
    removed, kept, folders_kept = remove_sources(data["entries"], on_removed=on_removed, crash=_crash_point)
    _crash_point("removed")
    report.removed += removed
    report.kept += kept
    report.folders_kept += folders_kept
    data.update(state="sources-removed", kept=kept)
    write_manifest(manifest, data)
    return {k: record[k] for k in ("kind", "source", "file", "size_bytes", "sha256", "created_at")}


def _resume(store: Store, manifest: Path, data: dict[str, Any], report: ProjectArchiveReport) -> None:
    archive = archive_path(manifest)
    if data["state"] == "packing":
        for leftover in (archive.with_name(archive.name + ".tmp"), archive, manifest):
            leftover.unlink(missing_ok=True)
        report.resumed.append(f"discarded the partial {archive.name} of an interrupted run (packed again)")
        return
    state = data["state"]
    _advance(store, manifest, data, report, intact=False)
    if data["state"] == "sources-removed":
        report.resumed.append(f"finished {archive.name} of an interrupted run (was {state})")


def _upload_pending(store: Store, remote: str, now: float, report: ProjectArchiveReport) -> None:
    """Upload each project-data archive without a remote copy yet (so also what an earlier run failed to)."""
    from .upload import upload

    rows = store.query("SELECT id, file FROM backups WHERE source = ? AND deleted_at IS NULL"
                       " AND remote IS NULL", (PROJECT_SOURCE,))
    for row in rows:
        path = Path(row["file"])
        if not path.exists():
            continue
        try:
            where = upload(path, remote)
        except FleetdeckError as exc:
            report.errors.append(str(exc))
            continue
        with store.write() as conn:
            conn.execute("UPDATE backups SET remote = ?, remote_at = ? WHERE id = ?",
                         (where, int(now), row["id"]))
        report.uploaded.append(where)
