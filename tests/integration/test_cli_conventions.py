"""The CLI's conventions hold for every command: options where a user puts them, --json that is valid JSON,
counts that must be counts."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli


def test_route_takes_its_options_before_the_task_as_well_as_after(fleet_home: Path) -> None:
    helped = run_cli(["route", "--help"])
    assert helped.returncode == 0 and helped.stdout.startswith("usage: fleetdeck route")
    before = run_cli(["route", "--json", "--workflow", "docs", "fix the typo in the README"])
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout)["tier"]
    after = run_cli(["route", "fix the typo in the README", "--json"])
    assert json.loads(after.stdout)["tier"] == json.loads(before.stdout)["tier"]
    stats = run_cli(["route", "--json", "stats"])
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["calls"] >= 0


def test_json_given_before_the_action_is_kept(fleet_home: Path) -> None:
    for command in (["bugs", "--json", "list"], ["bugs", "list", "--json"], ["errors", "--json"]):
        result = run_cli(command)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == [], command


def test_limits_and_day_counts_must_be_whole_numbers_of_at_least_one(fleet_home: Path) -> None:
    for command in (["errors", "--limit", "-1"], ["task", "list", "--limit", "0"], ["alerts", "list", "--limit", "-5"],
                    ["route", "stats", "--days", "0"], ["errors", "--limit", "many"]):
        result = run_cli(command)
        assert result.returncode == 64, (command, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "--" in result.stderr


def test_scheduled_jobs_use_the_same_files_as_the_shell_that_wrote_the_schedule(fleet_home: Path,
                                                                                 tmp_path: Path) -> None:
    """cron and systemd start jobs with an environment of their own: FLEETDECK_HOME must be in the lines."""
    import subprocess

    cron = run_cli(["schedule", "--cron"])
    line = next(line for line in cron.stdout.splitlines() if " run store-check " in line)
    command = line.split(" ", 5)[5]
    ran = subprocess.run(["sh", "-c", command], env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                         capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert "store ok" in (fleet_home / "state" / "logs" / "cron.log").read_text()
    assert not (tmp_path / ".local").exists()  # it did not start a second fleetdeck under $HOME
    assert run_cli(["schedule", "--systemd", str(tmp_path / "units")]).returncode == 0
    service = (tmp_path / "units" / "fleetdeck-store-check.service").read_text()
    assert f'Environment="FLEETDECK_HOME={fleet_home}"' in service


def test_schedule_json_is_the_schedule_alone(fleet_home: Path, tmp_path: Path) -> None:
    alone = run_cli(["schedule", "--json"])
    assert alone.returncode == 0, alone.stderr
    assert any(entry["job"] == "store-check" for entry in json.loads(alone.stdout))
    both = run_cli(["schedule", "--systemd", str(tmp_path / "units"), "--json"])
    assert both.returncode == 64 and not (tmp_path / "units").exists()  # was: JSON printed, no unit written


def test_report_perf_refuses_windows_no_clock_can_hold(fleet_home: Path) -> None:
    for days in ("inf", "1e308", "nan", "0"):
        result = run_cli(["report", "perf", "--days", days])
        assert result.returncode == 64, (days, result.stderr)
        assert "--days must be positive" in result.stderr and "internal error" not in result.stderr


def test_a_dumb_terminal_gets_the_result_without_escape_codes(fleet_home: Path) -> None:
    """Progress is drawn in place on a terminal, but a terminal with TERM=dumb cannot erase a line."""
    import os

    from tests.helpers import run_in_terminal

    code, out = run_in_terminal(["run", "store-check"], env={**os.environ, "TERM": "dumb"})
    assert code == 0
    assert b"store ok" in out and b"\x1b" not in out


def test_the_log_file_is_readable_by_its_owner_only(fleet_home: Path) -> None:
    assert run_cli(["run", "store-check"]).returncode == 0
    log = fleet_home / "state" / "logs" / "fleetdeck.log"
    assert "store-check" in log.read_text() and log.stat().st_mode & 0o077 == 0


def test_dashboard_open_without_a_browser_says_so_and_still_writes_it(fleet_home: Path, tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")}
    env["PATH"] = str(tmp_path / "empty")  # no browser, graphical or not
    out = tmp_path / "costs.html"
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "fleetdeck.app.cli", "dashboard", "--no-ingest", "--open",
                             "--out", str(out)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and out.exists()
    assert f"open {out.as_uri()} yourself" in result.stderr  # was: silence, as if it had opened


def test_config_init_force_keeps_the_users_file_and_dry_run_writes_nothing(fleet_home: Path) -> None:
    config = fleet_home / "config.toml"
    assert run_cli(["config", "init", "--dry-run"]).returncode == 0 and not config.exists()
    mine = '[general]\ntimezone = "Europe/Paris"\n'
    config.write_text(mine)
    assert run_cli(["config", "init", "--force", "--dry-run"]).returncode == 0
    assert config.read_text() == mine
    replaced = run_cli(["config", "init", "--force"])
    assert replaced.returncode == 0, replaced.stderr
    (kept,) = fleet_home.glob("config.toml.before-init-*")
    assert kept.read_text() == mine and kept.stat().st_mode & 0o077 == 0  # was: overwritten, gone
    assert str(kept) in replaced.stdout and "timezone" in config.read_text()


def test_log_stores_the_project_dir_absolute_as_transcripts_give_it(fleet_home: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    logged = subprocess.run([sys.executable, "-m", "fleetdeck.app.cli", "log", "sonnet", "review", "10", "5",
                             "--project-dir", ".", "--json"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert logged.returncode == 0, logged.stderr
    assert json.loads(logged.stdout)["project_dir"] == str(tmp_path)  # was '.', a project of its own


def test_jobs_that_queue_or_send_messages_say_they_change_data_and_take_a_dry_run(fleet_home: Path) -> None:
    jobs = {row["name"]: row for row in json.loads(run_cli(["jobs", "--json"]).stdout)}
    for name in ("deliver-alerts", "budget-check", "weekly-report"):  # were "changes data: no", no --dry-run
        assert jobs[name]["changes_data"] is True and jobs[name]["dry_run"] is True, name
        planned = run_cli(["run", name, "--dry-run", "--json"])
        assert planned.returncode == 0, planned.stderr
        assert json.loads(planned.stdout)["dry_run"] is True
    assert not (fleet_home / "data" / "reports").exists()
    assert json.loads(run_cli(["alerts", "list", "--json"]).stdout)["outbox"] == []
    after = {row["name"]: row for row in json.loads(run_cli(["jobs", "--json"]).stdout)}
    assert after["weekly-report"]["last_run"] is None  # a dry run is not the job's last run


def test_escape_codes_in_prompts_and_logged_errors_are_shown_not_obeyed(fleet_home: Path) -> None:
    """Prompts and error samples are text from anywhere; a colour code or a title-setting sequence in them
    would act on the reader's terminal (and break NO_COLOR). They are written out as \\x1b instead."""
    hostile = "\x1b[31mDangerError\x1b[0m: \x1b]0;pwned\x07 then \x1b[2J"
    assert run_cli(["task", "add", f"prompt {hostile}"]).returncode == 0
    assert run_cli(["log", "sonnet", "review", "1", "1", "--error", hostile]).returncode == 0
    assert run_cli(["run", "triage"]).returncode == 0
    group = json.loads(run_cli(["errors", "--json"]).stdout)[0]["id"]
    for command in (["task", "list"], ["task", "show", "1"], ["status"], ["errors"], ["errors", "show", str(group)]):
        shown = run_cli(command)
        assert shown.returncode == 0, (command, shown.stderr)
        assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout, command
    assert "\\x1b[31mDangerError" in run_cli(["errors", "show", str(group)]).stdout
    assert json.loads(run_cli(["task", "show", "1", "--json"]).stdout)["text"] == f"prompt {hostile}"  # kept as is


def test_debug_may_come_after_the_command_as_people_add_it_to_one_that_failed(fleet_home: Path) -> None:
    listed = run_cli(["task", "list", "--json", "--debug"])
    assert listed.returncode == 0, listed.stderr  # was 64: unrecognized arguments: --debug
    assert json.loads(listed.stdout) == []
    verbose = run_cli(["run", "store-check", "--debug"])
    assert verbose.returncode == 0 and "job store-check started" in verbose.stderr
    literal = run_cli(["task", "add", "--", "--debug"])  # after `--` it is the prompt's text
    assert literal.returncode == 0, literal.stderr
    assert json.loads(run_cli(["task", "show", "1", "--json"]).stdout)["text"] == "--debug"


def test_hooks_edit_a_linked_settings_file_in_place_and_keep_every_backup(fleet_home: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles" / "settings.json"
    dotfiles.parent.mkdir()
    mine = '{"theme": "dark"}\n'
    dotfiles.write_text(mine)
    link = tmp_path / "claude" / "settings.json"
    link.parent.mkdir()
    link.symlink_to(dotfiles)
    assert run_cli(["hooks", "install", "--settings", str(link)]).returncode == 0
    assert run_cli(["hooks", "uninstall", "--settings", str(link)]).returncode == 0
    assert link.is_symlink()  # was: replaced by a file, the dotfiles copy left without the change
    assert json.loads(dotfiles.read_text()) == {"theme": "dark"}
    backups = sorted(dotfiles.parent.glob("settings.json.fleetdeck-backup-*"))
    assert mine in [b.read_text() for b in backups] and len(backups) == 2  # (one second apart or not)


def test_config_init_force_writes_through_a_linked_config_file(fleet_home: Path, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "config.toml"
    real.parent.mkdir()
    real.write_text('[general]\ntimezone = "UTC"\n')
    (fleet_home / "config.toml").symlink_to(real)
    assert run_cli(["config", "init", "--force"]).returncode == 0
    assert (fleet_home / "config.toml").is_symlink() and "log_level" in real.read_text()
    assert len(list(real.parent.glob("config.toml.before-init-*"))) == 1
