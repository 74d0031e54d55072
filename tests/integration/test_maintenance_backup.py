"""Backups of databases being written, their verification, upload, retention and restore."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from fleetdeck.services.config import load_config
from fleetdeck.services.errors import DataError, UnavailableError, UsageError
from fleetdeck.services.maintenance.backup import backup_dir, run_backup
from fleetdeck.services.maintenance.dbcopy import integrity_ok
from fleetdeck.services.maintenance.restore import resolve, restore
from fleetdeck.services.maintenance.upload import upload
from fleetdeck.services.paths import Paths
from fleetdeck.services.store import Store

NOW = 1_767_225_600.0


def test_a_database_being_written_is_copied_consistently_and_verified(store: Store, config, paths: Paths) -> None:  # noqa: ANN001,E501
    stop = threading.Event()

    def writer() -> None:
        other = Store.open(paths.db_file)
        n = 0
        while not stop.is_set():
            other.log_activity("writer", f"line {n}")
            n += 1
        other.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.2)
        report = run_backup(store, config, NOW, dry_run=False)
    finally:
        stop.set()
        thread.join()
    assert report.errors == []
    db_copy = Path(next(m["file"] for m in report.made if m["kind"] == "database"))
    assert integrity_ok(db_copy) is None
    assert db_copy.stat().st_mode & 0o777 == 0o600
    copied = sqlite3.connect(db_copy).execute("SELECT count(*) FROM activity_log").fetchone()[0]
    assert copied > 0
    assert not list(backup_dir(config).glob("*.tmp"))


def test_the_first_run_also_archives_logs_and_configs(store: Store, config, paths: Paths) -> None:  # noqa: ANN001
    paths.config_file.write_text("[general]\n")
    (paths.log_dir / "fleetdeck.log").write_text("a log line\n")
    report = run_backup(store, load_config(paths), NOW, dry_run=False)
    kinds = sorted(m["kind"] for m in report.made)
    assert kinds == ["database", "files"]
    files = Path(next(m["file"] for m in report.made if m["kind"] == "files"))
    assert files.stat().st_mode & 0o777 == 0o600
    import tarfile

    names = tarfile.open(files).getnames()
    assert "config.toml" in names and "logs/fleetdeck.log" in names


def test_backups_upload_to_a_directory_target_and_retention_thins_them(store: Store, paths: Paths,
                                                                      tmp_path: Path) -> None:
    target = tmp_path / "mounted"
    target.mkdir()
    paths.config_file.write_text(f'[backup]\nremote = "{target}"\nkeep_daily = 2\nkeep_weekly = 0\n'
                                 'keep_monthly = 0\n')
    config = load_config(paths)
    for day in range(4):
        report = run_backup(store, config, NOW + day * 86400, dry_run=False)
        assert report.errors == []
    live = store.query("SELECT file, remote FROM backups WHERE deleted_at IS NULL AND kind = 'database'")
    assert len(live) == 2
    assert sorted(Path(r["remote"]).name for r in live) == sorted(p.name for p in target.glob("fleetdeck-*.db"))
    assert all(Path(r["file"]).exists() for r in live)


def test_an_interrupted_upload_never_replaces_the_good_remote_copy(tmp_path: Path) -> None:
    target = tmp_path / "mounted"
    target.mkdir()
    good = tmp_path / "backup.db"
    good.write_bytes(b"good backup" * 1000)
    upload(good, str(target))
    # A later upload of the same name dies half-way: only the .part file is touched.
    (target / "backup.db.part").write_bytes(b"torn")
    assert (target / "backup.db").read_bytes() == good.read_bytes()
    good.write_bytes(b"newer backup" * 1000)
    upload(good, str(target))
    assert (target / "backup.db").read_bytes() == good.read_bytes()
    assert not (target / "backup.db.part").exists()


def test_a_missing_target_directory_is_reported_as_unavailable(tmp_path: Path) -> None:
    src = tmp_path / "b.db"
    src.write_bytes(b"x")
    with pytest.raises(UnavailableError, match="not a directory"):
        upload(src, str(tmp_path / "not-mounted"))


def test_restore_refuses_a_live_database_without_force_and_restores_with_it(store: Store, config) -> None:  # noqa: ANN001,E501
    store.log_activity("test", "before backup")
    report = run_backup(store, config, NOW, dry_run=False)
    backup_id = str(store.scalar("SELECT id FROM backups WHERE kind = 'database'"))
    store.log_activity("test", "after backup")
    folder = backup_dir(config)
    plan = resolve(store, folder, backup_id, None)
    assert plan.target == store.path.resolve() or plan.target == store.path
    with pytest.raises(UsageError, match="--force"):
        restore(plan, force=False, safety_dir=folder, stamp="x")
    safety = restore(plan, force=True, safety_dir=folder, stamp="x")
    assert safety is not None and integrity_ok(safety) is None
    messages = [r[0] for r in store.query("SELECT message FROM activity_log")]
    assert messages == ["before backup"]
    assert report.errors == []


def test_restore_to_a_new_path_and_refuse_a_damaged_backup(store: Store, config, tmp_path: Path) -> None:  # noqa: ANN001,E501
    run_backup(store, config, NOW, dry_run=False)
    folder = backup_dir(config)
    row = store.query_one("SELECT * FROM backups WHERE kind = 'database'")
    plan = resolve(store, folder, Path(row["file"]).name, str(tmp_path / "copy.db"))
    restore(plan, force=False, safety_dir=folder, stamp="x")
    assert integrity_ok(tmp_path / "copy.db") is None
    assert (tmp_path / "copy.db").stat().st_mode & 0o777 == 0o600

    with open(row["file"], "r+b") as f:
        f.seek(200)
        f.write(os.urandom(64))
    with pytest.raises(DataError, match="checksum"):
        restore(resolve(store, folder, str(row["id"]), str(tmp_path / "other.db")), force=False,
                safety_dir=folder, stamp="y")
