"""archive-projects killed with SIGKILL at each stage, then rerun: every file exists exactly once, either
where it was or in a catalogued archive, and nothing half-made is left behind."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from fleetdeck.services.maintenance.projectarchive import CRASH_ENV, STAGES
from fleetdeck.services.maintenance.projectpack import manifest_path, read_manifest
from fleetdeck.services.paths import Paths
from fleetdeck.services.store import Store

DAY = 86400


def _old_projects(root: Path) -> dict[str, str]:
    """Three old project folders with a few dozen files; returns path -> sha256 of every file."""
    files: dict[str, str] = {}
    for p in range(3):
        for i in range(12):
            path = root / f"project-{p}" / ("logs" if i % 3 else "src") / f"file-{i}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            content = f"project {p} file {i}\n".encode() * (50 + 400 * i)
            path.write_bytes(content)
            files[str(path)] = hashlib.sha256(content).hexdigest()
    when = time.time() - 200 * DAY
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), (when, when))
    return files


def _run(home: Path, crash_at: str | None) -> int:
    env = dict(os.environ, FLEETDECK_HOME=str(home))
    env.pop(CRASH_ENV, None)
    if crash_at:
        env[CRASH_ENV] = crash_at
    proc = subprocess.run([sys.executable, "-c", "import sys; from fleetdeck.app.cli import main;"
                           " sys.exit(main(['run', 'archive-projects']))"], env=env, capture_output=True,
                          text=True, timeout=120)
    return proc.returncode


def _catalogued_members(paths: Paths) -> list[tuple[str, str]]:
    """(original path, sha256) of every file in every catalogued project-data archive."""
    store = Store.open(paths.db_file)
    archives = [Path(r[0]) for r in store.query("SELECT file FROM backups WHERE source = 'project-data'")]
    store.close()
    found = []
    for archive in archives:
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if member.isfile():
                    content = tar.extractfile(member).read()
                    found.append(("/" + member.name, hashlib.sha256(content).hexdigest()))
    return found


@pytest.mark.parametrize("stage", STAGES)
def test_a_kill_at_any_stage_then_a_rerun_keeps_every_file_exactly_once(
        stage: str, paths: Paths, fleet_home: Path, tmp_path: Path) -> None:
    projects = tmp_path / "agents"
    files = _old_projects(projects)
    paths.config_file.write_text(f'[backup]\narchive_paths = ["{projects}/*"]\narchive_after_days = 30\n')

    assert _run(fleet_home, stage) == -9, f"the run was not killed at {stage}"
    backups = paths.data_dir / "backups"
    still_there = sum(os.path.exists(path) for path in files)
    if stage == "packing":
        assert list(backups.glob("*.tar.gz.tmp")), "killed with a partial archive on disk"
    if stage == "removing":
        assert 0 < still_there < len(files), "killed with some sources removed and others not"
    if STAGES.index(stage) < STAGES.index("removing"):
        assert still_there == len(files), "nothing is removed before the archive is catalogued"
    assert _run(fleet_home, None) == 0

    in_archives = _catalogued_members(paths)
    counts = {path: sum(1 for p, _ in in_archives if p == path) for path in files}
    left = {path for path in files if os.path.exists(path)}
    assert left == set(), "every old file ends up archived and removed"
    assert counts == {path: 1 for path in files}, "each file is in exactly one catalogued archive"
    assert sorted(in_archives) == sorted(files.items()), "with the content it had"
    on_disk = sorted(p.name for p in backups.iterdir())
    store = Store.open(paths.db_file)
    catalogued = [Path(r[0]).name
                  for r in store.query("SELECT file FROM backups WHERE source = 'project-data'")]
    store.close()
    assert on_disk == sorted([*catalogued, *(manifest_path(Path(c)).name for c in catalogued)]), \
        "no partial, temporary or uncatalogued archive is left"
    assert [read_manifest(manifest_path(backups / c))["state"] for c in catalogued] == ["sources-removed"]
