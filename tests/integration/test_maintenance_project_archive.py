"""archive-projects: old project data is packed, verified, catalogued and only then removed; restore gives it
back byte for byte; retention never touches it."""

from __future__ import annotations

import json
import os
import tarfile
import time
from pathlib import Path

import pytest

from fleetdeck.app.cli import main
from fleetdeck.services.config import load_config
from fleetdeck.services.errors import UsageError
from fleetdeck.services.maintenance.backup import backup_dir, run_backup
from fleetdeck.services.maintenance.projectarchive import run_project_archive
from fleetdeck.services.maintenance.projectpack import manifest_path, read_manifest
from fleetdeck.services.maintenance.projectrestore import restore_files
from fleetdeck.services.paths import Paths
from fleetdeck.services.store import Store

DAY = 86400


def make_project(root: Path, files: dict[str, bytes], *, age_days: float | None) -> Path:
    """A folder of files (nested paths allowed); every entry's mtime set ``age_days`` back when given."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    if age_days is not None:
        age(root, age_days)
    return root


def age(root: Path, days: float) -> None:
    when = time.time() - days * DAY
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), (when, when), follow_symlinks=False)
    os.utime(root, (when, when))


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def configure(paths: Paths, *globs: str, after_days: int = 30, extra: str = "") -> None:
    paths.config_file.write_text(f"[backup]\narchive_paths = {json.dumps(list(globs))}\n"
                                 f"archive_after_days = {after_days}\n{extra}")


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    root = tmp_path / "agents"
    make_project(root / "old-api", {"README.md": b"# api\n", "src/main.py": b"print('hi')\n" * 500,
                                    "logs/run.log": os.urandom(70_000)}, age_days=200)
    (root / "old-api" / "link-to-readme").symlink_to("README.md")
    age(root / "old-api", 200)
    make_project(root / "old-notes", {"notes.md": b"remember\n"}, age_days=120)
    make_project(root / "active", {"todo.md": b"doing\n"}, age_days=None)
    return root


def test_old_project_folders_are_archived_then_removed_and_recent_ones_are_untouched(
        store: Store, paths: Paths, projects: Path) -> None:
    configure(paths, f"{projects}/*")
    old_api = snapshot(projects / "old-api")
    report = run_project_archive(store, load_config(paths), time.time(), dry_run=False)

    assert report.errors == [] and report.kept == []
    assert sorted(i.path.name for i in report.items) == ["old-api", "old-notes"]
    assert not (projects / "old-api").exists() and not (projects / "old-notes").exists()
    assert snapshot(projects / "active") == {"todo.md": b"doing\n"}
    row = store.query_one("SELECT * FROM backups WHERE source = 'project-data'")
    assert row["kind"] == "files" and row["verified"] == 1
    archive = Path(row["file"])
    assert archive.stat().st_mode & 0o777 == 0o600
    assert read_manifest(manifest_path(archive))["state"] == "sources-removed"
    with tarfile.open(archive) as tar:
        packed = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    api = str(projects / "old-api").lstrip("/")
    assert {k.removeprefix(api + "/"): v for k, v in packed.items() if k.startswith(api + "/")} == old_api


def test_nothing_is_touched_when_no_archive_paths_are_configured(store: Store, config, projects: Path) -> None:  # noqa: ANN001,E501
    report = run_project_archive(store, config, time.time(), dry_run=False)
    assert not report.configured
    assert report.message(False) == "archive-projects: off ([backup] archive_paths is empty)"
    assert (projects / "old-api" / "README.md").exists()
    assert store.scalar("SELECT count(*) FROM backups") == 0


def test_dry_run_lists_what_would_go_and_changes_nothing(paths: Paths, projects: Path, capsys) -> None:  # noqa: ANN001
    configure(paths, f"{projects}/*")
    before = snapshot(projects)
    assert main(["run", "archive-projects", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("archive-projects (dry run): would archive, then remove, 2 item(s)")
    assert f"would archive: {projects / 'old-api'} (4 files" in out
    assert "active" not in out
    assert snapshot(projects) == before
    assert not backup_dir(load_config(paths), create=False).exists()
    store = Store.open(paths.db_file)
    assert store.scalar("SELECT count(*) FROM backups") == 0
    store.close()


def test_a_file_modified_while_the_run_is_packing_is_kept_and_reported(store: Store, paths: Paths,
                                                                       projects: Path) -> None:
    configure(paths, f"{projects}/*")
    def meanwhile(done: float, total: float | None = None, message: str = "") -> None:
        # old-api is packed first; while the run goes on, someone writes to a file it has packed already.
        if message == "packing notes.md":
            (projects / "old-api" / "README.md").write_bytes(b"# api, edited\n")

    report = run_project_archive(store, load_config(paths), time.time(), dry_run=False, progress=meanwhile)
    assert report.kept == [{"path": str(projects / "old-api" / "README.md"),
                            "reason": "modified since it was packed"}]
    assert (projects / "old-api" / "README.md").read_bytes() == b"# api, edited\n"
    assert not (projects / "old-api" / "src").exists() and not (projects / "old-notes").exists()
    assert "1 kept" in report.message(False)


def test_a_file_rewritten_with_the_same_size_and_mtime_is_still_kept(store: Store, paths: Paths,
                                                                     projects: Path) -> None:
    configure(paths, f"{projects}/old-notes")
    notes = projects / "old-notes" / "notes.md"
    st = notes.stat()

    def meanwhile(done: float, total: float | None = None, message: str = "") -> None:
        if message == "verifying the archive":
            notes.write_bytes(b"REMEMBER\n")
            os.utime(notes, ns=(st.st_atime_ns, st.st_mtime_ns))

    report = run_project_archive(store, load_config(paths), time.time(), dry_run=False, progress=meanwhile)
    assert [k["reason"] for k in report.kept] == ["content changed since it was packed"]
    assert notes.read_bytes() == b"REMEMBER\n"


def test_restore_gives_back_byte_identical_files_and_never_overwrites_different_ones(
        store: Store, paths: Paths, projects: Path, tmp_path: Path) -> None:
    configure(paths, f"{projects}/*")
    original = snapshot(projects / "old-api")
    mtimes = {p.name: p.stat().st_mtime_ns for p in (projects / "old-api").rglob("*") if p.is_file()
              and not p.is_symlink()}
    run_project_archive(store, load_config(paths), time.time(), dry_run=False)
    row = store.query_one("SELECT * FROM backups WHERE source = 'project-data'")

    out = tmp_path / "restored"
    result = restore_files(Path(row["file"]), sha256=row["sha256"], to=str(out))
    back = out / str(projects).lstrip("/") / "old-api"
    assert snapshot(back) == original
    assert {p.name: p.stat().st_mtime_ns for p in back.rglob("*")
            if p.is_file() and not p.is_symlink()} == mtimes
    assert os.readlink(back / "link-to-readme") == "README.md"
    assert result.written == 5

    again = restore_files(Path(row["file"]), sha256=row["sha256"], to=str(out))
    assert again.written == 0 and again.already_there == 5
    (back / "README.md").write_bytes(b"someone else's work\n")
    with pytest.raises(UsageError, match="already exist with other content"):
        restore_files(Path(row["file"]), sha256=row["sha256"], to=str(out))
    assert (back / "README.md").read_bytes() == b"someone else's work\n"

    # Back to where it came from, one project only.
    restore_files(Path(row["file"]), sha256=row["sha256"], only=str(projects / "old-notes"))
    assert snapshot(projects / "old-notes") == {"notes.md": b"remember\n"}
    assert not (projects / "old-api").exists()


def test_backup_retention_never_prunes_project_data_archives(store: Store, paths: Paths,
                                                              projects: Path) -> None:
    configure(paths, f"{projects}/*", extra="keep_daily = 1\nkeep_weekly = 0\nkeep_monthly = 0\n")
    config = load_config(paths)
    now = time.time()
    run_project_archive(store, config, now, dry_run=False)
    make_project(projects / "later", {"x.txt": b"x"}, age_days=100)
    run_project_archive(store, config, now + DAY, dry_run=False)
    for day in range(2, 6):
        assert run_backup(store, config, now + day * DAY, dry_run=False).errors == []
    archives = store.query("SELECT file, deleted_at FROM backups WHERE source = 'project-data'")
    assert len(archives) == 2
    assert all(r["deleted_at"] is None and Path(r["file"]).exists() for r in archives)
    assert store.scalar("SELECT count(*) FROM backups WHERE kind = 'database' AND deleted_at IS NULL") == 1


def test_a_project_archive_does_not_stand_in_for_the_weekly_logs_and_configs(store: Store, paths: Paths,
                                                                              projects: Path) -> None:
    configure(paths, f"{projects}/*")
    config = load_config(paths)
    run_project_archive(store, config, time.time(), dry_run=False)
    report = run_backup(store, config, time.time(), dry_run=False)
    assert sorted(m["source"] for m in report.made if m["kind"] == "files") == ["logs+configs"]


def test_fleetdecks_own_folders_are_never_archived(store: Store, paths: Paths, fleet_home: Path) -> None:
    configure(paths, str(fleet_home), str(paths.data_dir / "*"), after_days=1)
    age(fleet_home, 10)
    report = run_project_archive(store, load_config(paths), time.time(), dry_run=False)
    assert report.items == []
    reasons = {s["reason"] for s in report.skipped}
    assert reasons == {"holds fleetdeck's own files or a running agent's project"}
    assert paths.db_file.exists()


def test_overlapping_globs_archive_each_file_once(store: Store, paths: Paths, projects: Path) -> None:
    configure(paths, f"{projects}/*", f"{projects}/old-api/**", str(projects / "old-notes"))
    report = run_project_archive(store, load_config(paths), time.time(), dry_run=False)
    assert sorted(i.path.name for i in report.items) == ["old-api", "old-notes"]
    with tarfile.open(store.scalar("SELECT file FROM backups WHERE source = 'project-data'")) as tar:
        names = tar.getnames()
    assert len(names) == len(set(names))


def test_backup_list_shows_the_archive_and_restore_by_id_refuses_force(paths: Paths, projects: Path,
                                                                      tmp_path: Path, capsys) -> None:  # noqa: ANN001
    configure(paths, f"{projects}/*")
    assert main(["run", "archive-projects"]) == 0
    assert "archived to project-data-" in capsys.readouterr().out
    assert main(["backup", "list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    archive = [b for b in listing["backups"] if b["source"] == "project-data"]
    assert len(archive) == 1 and archive[0]["kind"] == "files" and archive[0]["local_exists"]
    assert listing["not_in_catalogue"] == []
    assert main(["restore", str(archive[0]["id"]), "--force"]) == 64
    assert "never restored over existing files" in capsys.readouterr().err
    assert main(["restore", str(archive[0]["id"]), "--to", str(tmp_path / "out"), "--dry-run", "--json"]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert planned["written"] == 5 and planned["dry_run"] is True and not (tmp_path / "out").exists()
    assert main(["restore", str(archive[0]["id"]), "--to", str(tmp_path / "out"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == 5
