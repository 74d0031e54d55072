"""`fleetdeck restore` as a user needs it: a dry run first, clear refusals, and a way back from a damaged
database that loses none of its bytes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli


def _backed_up(fleet_home: Path) -> tuple[Path, Path]:
    """A database with one prompt in it and a backup of it: (the database, the backup file)."""
    assert run_cli(["task", "add", "the prompt that must survive"]).returncode == 0
    made = run_cli(["run", "backup"])
    assert made.returncode == 0, made.stderr
    backups = json.loads(run_cli(["backup", "list", "--json"]).stdout)["backups"]
    (database,) = [b for b in backups if b["kind"] == "database"]
    return fleet_home / "data" / "fleetdeck.db", Path(database["file"])


def test_a_dry_run_verifies_and_says_what_would_happen_writing_nothing(fleet_home: Path) -> None:
    db, backup = _backed_up(fleet_home)
    before = sorted(p.name for p in backup.parent.iterdir())
    refused = run_cli(["restore", backup.name, "--dry-run"])
    assert refused.returncode == 64 and "--force" in refused.stderr  # as the real run would
    planned = run_cli(["restore", backup.name, "--dry-run", "--force", "--json"])
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)
    assert plan["dry_run"] is True and plan["restored_to"] == str(db) and plan["safety_copy"]
    assert not Path(plan["safety_copy"]).exists()
    elsewhere = fleet_home / "elsewhere.db"
    assert run_cli(["restore", backup.name, "--dry-run", "--to", str(elsewhere)]).returncode == 0
    assert not elsewhere.exists()
    assert sorted(p.name for p in backup.parent.iterdir()) == before


def test_missing_backups_unknown_ids_and_unwritable_targets_are_one_line_each(fleet_home: Path, tmp_path: Path) -> None:
    _, backup = _backed_up(fleet_home)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for args, code in ((["no-such-backup.db"], 66), (["999"], 65),
                       ([backup.name, "--to", str(blocker / "restored.db")], 73)):
        result = run_cli(["restore", *args])
        assert result.returncode == code, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "internal error" not in result.stderr


def test_a_damaged_database_is_restored_from_a_backup_and_its_bytes_kept_aside(fleet_home: Path) -> None:
    db, backup = _backed_up(fleet_home)
    junk = b"the disk ate this database " * 100
    db.write_bytes(junk)
    by_id = run_cli(["restore", "1", "--force"])
    assert by_id.returncode == 65 and str(backup.parent) in by_id.stderr  # the catalogue is in the damaged file
    restored = run_cli(["restore", backup.name, "--force", "--json"])
    assert restored.returncode == 0, restored.stderr
    kept = Path(json.loads(restored.stdout)["safety_copy"])
    assert kept.read_bytes() == junk and kept.stat().st_mode & 0o077 == 0
    assert "the prompt that must survive" in run_cli(["task", "list"]).stdout


def test_a_folder_as_the_target_is_refused_before_anything_is_read_or_written(fleet_home: Path,
                                                                             tmp_path: Path) -> None:
    _, backup = _backed_up(fleet_home)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = run_cli(["restore", backup.name, "--to", str(folder), "--force"])
    assert result.returncode == 64  # was 74, blaming fleetdeck's own database for a disk I/O error
    assert "is a folder" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(folder.iterdir()) == []
