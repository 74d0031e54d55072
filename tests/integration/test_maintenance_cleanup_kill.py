"""Cleanup killed with SIGKILL at random moments, then rerun, neither loses nor duplicates a row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fleetdeck.services.maintenance.archive import read_archive
from fleetdeck.services.paths import Paths
from fleetdeck.services.store import Store

ROWS = 30_000
DAY = 86400


def _seed(paths: Paths) -> None:
    store = Store.open(paths.db_file)
    old = int(time.time()) - 200 * DAY
    store.executemany("INSERT INTO activity_log (at, source, message) VALUES (?, 'test', ?)",
                      [(old + i, f"row {i}") for i in range(ROWS)])
    store.executemany("INSERT INTO activity_log (at, source, message) VALUES (?, 'test', 'recent')",
                      [(int(time.time()),)] * 10)
    store.close()


def _files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*.gz")) if folder.exists() else 0


def _cleanup_process(home: Path) -> subprocess.Popen:
    env = dict(os.environ, FLEETDECK_HOME=str(home), FLEETDECK_MAINTENANCE_ARCHIVE_BATCH="700",
               FLEETDECK_MAINTENANCE_BATCH_SIZE="100")
    return subprocess.Popen([sys.executable, "-c", "import sys; from fleetdeck.app.cli import main;"
                             " sys.exit(main(['run', 'cleanup']))"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_kill_minus_nine_during_archive_then_rerun_keeps_every_row_exactly_once(paths: Paths,
                                                                               fleet_home: Path) -> None:
    _seed(paths)
    archive = paths.data_dir / "archive"
    killed_mid_way = 0
    # Kill when the archive has grown by a few files, and then a varying moment later: inside the write of
    # a file, between its rename and its catalogue row, or among the deletes of its rows.
    for cycle, extra_delay in enumerate((0.0, 0.003, 0.007, 0.012, 0.02)):
        before = _files(archive)
        proc = _cleanup_process(fleet_home)
        deadline = time.monotonic() + 20
        while proc.poll() is None and _files(archive) < before + 2 + cycle and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(extra_delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed_mid_way += 1
        proc.wait()
    assert killed_mid_way >= 2
    store = Store.open(paths.db_file)
    remaining = store.scalar("SELECT count(*) FROM activity_log WHERE source = 'test'")
    store.close()
    assert 0 < remaining, "the kills landed before the archive finished"
    final = _cleanup_process(fleet_home)
    assert final.wait(timeout=60) == 0

    store = Store.open(paths.db_file)
    left = [r[0] for r in store.query("SELECT message FROM activity_log WHERE source = 'test'")]
    files = [r[0] for r in store.query("SELECT file FROM archive_batches")]
    assert store.scalar("SELECT count(*) FROM archive_batches WHERE state != 'done'") == 0
    store.close()
    archived = [row["message"] for f in files for row in read_archive(Path(f))]
    assert left == ["recent"] * 10
    assert len(archived) == ROWS
    assert sorted(archived) == sorted(f"row {i}" for i in range(ROWS))
    on_disk = {str(p) for p in (paths.data_dir / "archive").rglob("*") if p.is_file()}
    assert on_disk == set(files), "no stray or temporary archive file is left behind"
