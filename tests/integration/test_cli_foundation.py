"""The `fleetdeck` command as a user meets it: help, version, jobs, run, schedule, config, and its errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fleetdeck import __version__
from tests.helpers import run_cli


def test_help_lists_the_commands_and_exit_codes() -> None:
    result = run_cli(["--help"])
    assert result.returncode == 0
    for command in ("jobs", "run", "schedule", "console", "demo", "config", "watch"):
        assert command in result.stdout
    assert "sysexits" in result.stdout


def test_version() -> None:
    result = run_cli(["--version"])
    assert result.returncode == 0 and result.stdout.strip() == f"fleetdeck {__version__}"


def test_a_usage_error_is_one_line_with_exit_64() -> None:
    result = run_cli(["no-such-command"])
    assert result.returncode == 64
    assert len(result.stderr.strip().splitlines()) == 1


def test_jobs_lists_every_job_with_schedule_and_whether_it_changes_data() -> None:
    result = run_cli(["jobs", "--json"])
    assert result.returncode == 0
    jobs = {row["name"]: row for row in json.loads(result.stdout)}
    assert jobs["store-check"]["changes_data"] is False
    assert jobs["store-check"]["schedule"]
    table = run_cli(["jobs"]).stdout
    assert "store-check" in table and "CHANGES DATA" in table


def test_run_store_check_prints_a_json_summary_and_records_the_run(fleet_home: Path) -> None:
    result = run_cli(["run", "store-check", "--json"])
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] == "ok"
    assert summary["summary"]["integrity"] == ["ok"]
    assert summary["summary"]["schema_version"] == summary["summary"]["latest_version"]
    assert "job_runs" in summary["summary"]["rows"]
    again = json.loads(run_cli(["run", "store-check", "--json"]).stdout)
    assert again["summary"]["rows"]["job_runs"] >= 1


def test_run_an_unknown_job_is_a_usage_error() -> None:
    result = run_cli(["run", "no-such-job"])
    assert result.returncode == 64
    assert "store-check" in result.stderr


def test_schedule_cron_prints_a_line_per_scheduled_job() -> None:
    result = run_cli(["schedule", "--cron"])
    assert result.returncode == 0
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    assert any(line.startswith("30 4 * * * ") and "run store-check" in line for line in lines)


def test_schedule_respects_overrides_from_config(fleet_home: Path) -> None:
    (fleet_home / "config.toml").write_text('[schedule]\nstore-check = "off"\n')
    result = run_cli(["schedule", "--cron"])
    assert "run store-check" not in result.stdout


def test_schedule_systemd_writes_persistent_timers(tmp_path: Path) -> None:
    result = run_cli(["schedule", "--systemd", str(tmp_path / "units")])
    assert result.returncode == 0, result.stderr
    timer = (tmp_path / "units" / "fleetdeck-store-check.timer").read_text()
    service = (tmp_path / "units" / "fleetdeck-store-check.service").read_text()
    assert "Persistent=true" in timer and "OnCalendar=*-*-* 04:30:00" in timer
    assert "run store-check" in service and "Type=oneshot" in service


def test_config_init_writes_a_commented_file_that_config_show_reads(fleet_home: Path) -> None:
    assert run_cli(["config", "init"]).returncode == 0
    path = fleet_home / "config.toml"
    assert path.exists() and path.stat().st_mode & 0o077 == 0
    assert run_cli(["config", "init"]).returncode == 64  # refuses to overwrite
    shown = run_cli(["config", "show", "--json"])
    data = json.loads(shown.stdout)
    assert data["file_loaded"] is True
    assert {"key": "general.timezone", "value": "UTC", "source": "default"} in data["settings"]


def test_config_show_cuts_long_values_so_the_table_stays_readable(fleet_home: Path) -> None:
    shown = run_cli(["config", "show"])
    assert shown.returncode == 0
    table = shown.stdout.splitlines()[1:]  # (the first line names the config file, a long tmp path here)
    assert max(len(line) for line in table) <= 120
    tiers = next(line for line in shown.stdout.splitlines() if line.startswith("router.tiers "))
    assert "…" in tiers and shown.stdout.rstrip().endswith("shown whole by `fleetdeck config show --json`)")
    whole = {s["key"]: s["value"] for s in json.loads(run_cli(["config", "show", "--json"]).stdout)["settings"]}
    assert len(str(whole["router.tiers"])) > 120


def test_invalid_config_exits_78_with_one_line_naming_file_and_key(fleet_home: Path) -> None:
    (fleet_home / "config.toml").write_text("[general]\nlog_level = 'LOUD'\n")
    result = run_cli(["run", "store-check"])
    assert result.returncode == 78
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "config.toml" in line and "general.log_level" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_an_unwritable_data_directory_exits_73(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = run_cli(["run", "store-check"], env={"FLEETDECK_HOME": str(locked / "home")})
    assert result.returncode == 73
    assert "cannot create" in result.stderr


def test_an_unwritable_data_directory_exits_73_even_as_root(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    result = run_cli(["run", "store-check"], env={"FLEETDECK_HOME": str(blocker)})
    assert result.returncode == 73
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_script_exits_quickly_without_losing_its_output(fleet_home: Path) -> None:
    """The installed script skips the interpreter's teardown when nothing needs it; what it printed still
    arrives whole through a pipe (block-buffered): a small report still in the buffer, and a daily report of
    ~200 KB, more than a pipe holds."""
    from fleetdeck.app.cli import main

    buffered = {"PYTHONUNBUFFERED": ""}
    small = run_cli(["report", "7", "--json", "--no-ingest"], env=buffered)
    assert small.returncode == 0 and json.loads(small.stdout)["total"]["calls"] == 0
    for day in range(1, 301):
        at = f"2026-{1 + (day - 1) // 28:02d}-{1 + (day - 1) % 28:02d}T12:00:00Z"
        assert main(["log", "sonnet", "bulk", "100", "50", "--at", at]) == 0
    big = run_cli(["report", "--since", "2026-01-01", "--daily", "--json", "--no-ingest"], env=buffered)
    assert big.returncode == 0, big.stderr
    assert len(big.stdout) > 65536 and len(json.loads(big.stdout)["rows"]) == 300
    assert run_cli(["report", "--bogus"], env=buffered).returncode == 64
