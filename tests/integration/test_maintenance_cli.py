"""The maintenance commands headless: cleanup's dry run, archive show, backup list and restore's refusal."""

from __future__ import annotations

import json
import time

import pytest

from fleetdeck.app.cli import main
from fleetdeck.services.paths import Paths
from fleetdeck.services.store import Store

DAY = 86400


@pytest.fixture
def seeded(paths: Paths) -> Paths:
    store = Store.open(paths.db_file)
    old = int(time.time()) - 100 * DAY
    store.executemany("INSERT INTO activity_log (at, source, message) VALUES (?, 'agent', ?)",
                      [(old + i, f"old event {i}") for i in range(3)])
    store.execute("INSERT INTO prompts (text, status, created_at, finished_at) VALUES ('x', 'completed', ?, ?)",
                  (old, old))
    store.close()
    return paths


def test_cleanup_dry_run_prints_every_rule_with_its_count_and_changes_nothing(seeded: Paths, capsys) -> None:  # noqa: ANN001,E501
    assert main(["run", "cleanup", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("cleanup (dry run): 4 rows would go")
    assert "prompts completed > 30 days ago" in out and ": 1 rows (delete)" in out
    assert "activity_log older than 90 days" in out and ": 3 rows (archive)" in out
    store = Store.open(seeded.db_file)
    assert store.scalar("SELECT count(*) FROM activity_log") == 3
    store.close()


def test_cleanup_dry_run_as_json_has_a_one_line_message_and_the_rules_as_data(seeded: Paths, capsys) -> None:  # noqa: ANN001,E501
    assert main(["run", "cleanup", "--dry-run", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["message"] == "cleanup (dry run): 4 rows would go"
    assert {r["matched"] for r in result["summary"]["rules"]} >= {1, 3}


def test_archived_rows_are_readable_with_archive_show(seeded: Paths, capsys) -> None:  # noqa: ANN001
    assert main(["run", "cleanup"]) == 0
    capsys.readouterr()
    assert main(["archive", "show", "--grep", "event 2", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["message"] for r in rows] == ["old event 2"]
    assert main(["archive", "show"]) == 0
    assert capsys.readouterr().out.count("old event") == 3


def test_backup_list_and_restore_refusing_the_live_database(seeded: Paths, capsys) -> None:  # noqa: ANN001
    assert main(["run", "backup"]) == 0
    capsys.readouterr()
    assert main(["backup", "list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    database = [b for b in listing["backups"] if b["kind"] == "database"]
    assert len(database) == 1 and database[0]["local_exists"]
    assert main(["restore", str(database[0]["id"])]) == 64
    assert "--force" in capsys.readouterr().err
    assert main(["restore", "nope.db"]) == 66  # no input
