"""How the CLI fails: a database another process holds or that is damaged, options it does not know, files
that are missing or cannot be written. One line on stderr, a sysexits code, nothing lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.helpers import run_cli


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    return lines[0]


def test_a_database_locked_by_another_process_exits_75_and_the_write_can_be_retried(fleet_home: Path) -> None:
    assert run_cli(["task", "add", "first prompt"]).returncode == 0
    holder = sqlite3.connect(fleet_home / "data" / "fleetdeck.db", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        busy = run_cli(["task", "add", "second prompt"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy.returncode == 75
    line = _one_line(busy.stderr)
    assert "busy" in line and "fleetdeck.db" in line
    assert run_cli(["task", "add", "second prompt"]).returncode == 0
    listed = run_cli(["task", "list"]).stdout
    assert "first prompt" in listed and "second prompt" in listed


def test_a_damaged_database_exits_65_naming_the_file_and_is_left_as_it_was(fleet_home: Path) -> None:
    db = fleet_home / "data" / "fleetdeck.db"
    db.parent.mkdir(parents=True)
    junk = b"not a database, whatever it once was " * 200
    db.write_bytes(junk)
    for command in (["task", "list"], ["log", "sonnet", "review", "10", "5"], ["run", "store-check"]):
        result = run_cli(command)
        assert result.returncode == 65, (command, result.stderr)
        line = _one_line(result.stderr)
        assert str(db) in line and "damaged" in line
    assert db.read_bytes() == junk


def test_an_unknown_option_points_to_the_help_of_the_command_it_was_given_to(fleet_home: Path) -> None:
    for command, helps in ((["restore", "1", "--bogus"], "fleetdeck restore --help"),
                           (["archive", "show", "activity_log"], "fleetdeck archive show --help"),
                           (["bugs", "list", "--bogus"], "fleetdeck bugs list --help"),
                           (["--bogus"], "fleetdeck --help")):
        result = run_cli(command)
        assert result.returncode == 64
        assert f"(see `{helps}`)" in _one_line(result.stderr)


def test_a_prompt_file_that_is_not_there_exits_66(fleet_home: Path, tmp_path: Path) -> None:
    for command in (["task", "add", "--file", str(tmp_path / "missing.txt")],
                    ["task", "import", str(tmp_path / "missing.jsonl")],
                    ["task", "add", "--file", str(tmp_path)]):
        result = run_cli(command)
        assert result.returncode == 66, (command, result.stderr)
        assert "missing" in _one_line(result.stderr) or str(tmp_path) in result.stderr
    assert run_cli(["task", "list", "--json"]).stdout.strip() == "[]"


def test_hooks_install_into_a_folder_that_cannot_be_made_exits_73(fleet_home: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = run_cli(["hooks", "install", "--settings", str(blocker / "settings.json")])
    assert result.returncode == 73
    assert str(blocker) in _one_line(result.stderr)
    assert blocker.read_text() == "x"


def test_watch_only_a_job_it_would_never_run_is_a_usage_error(fleet_home: Path) -> None:
    result = run_cli(["watch", "--only", "store-check", "--passes", "1"], timeout=30)
    assert result.returncode == 64  # was: "running nothing", idle until stopped
    assert "fleetdeck run store-check" in _one_line(result.stderr)


def test_an_import_names_every_line_it_skipped(fleet_home: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "prompts.jsonl"
    jsonl.write_text('{"text": "kept"}\nnot json at all\n{"text": ""}\n["a list"]\n{"text": "also kept"}\n')
    result = run_cli(["task", "import", str(jsonl)])
    assert result.returncode == 0, result.stderr
    assert "imported 2 prompts" in result.stdout
    assert result.stderr.splitlines() == ["  line 2: not a JSON object", "  line 3: empty prompt: nothing to send",
                                          "  line 4: not a JSON object"]  # was: "2 torn lines", no numbers


def test_the_console_without_a_terminal_refuses_in_one_line_instead_of_drawing_into_a_pipe(fleet_home: Path) -> None:
    for command in (["console"], ["demo", "--agents", "1"]):
        result = run_cli(command, input="", timeout=30)  # stdin and stdout are pipes
        assert result.returncode == 64, (command, result.stderr)  # was: escape codes on stdout, then a wait
        assert "needs a terminal" in _one_line(result.stderr) and result.stdout == ""


def test_output_that_cannot_be_written_is_one_line_not_a_traceback(fleet_home: Path) -> None:
    import shlex
    import subprocess
    import sys

    cli = f"{shlex.quote(sys.executable)} -m fleetdeck.app.cli"
    for redirect, code in (("> /dev/full", 73), (">&-", 74)):  # a full disk; stdout closed
        for command in ("jobs", "status", "task list --json"):
            result = subprocess.run(["sh", "-c", f"{cli} {command} {redirect}"], capture_output=True, text=True,
                                    timeout=60)
            assert result.returncode == code, (command, redirect, result.stderr)
            _one_line(result.stderr)


def test_dashboard_in_a_home_that_cannot_be_created_exits_73() -> None:
    result = run_cli(["dashboard"], env={"FLEETDECK_HOME": "/proc/fleetdeck-cannot-be-here"})
    assert result.returncode == 73  # was: internal error 70 from the ingest that runs first
    assert "cannot create /proc/fleetdeck-cannot-be-here" in _one_line(result.stderr)


def test_an_internal_error_is_one_line_and_its_traceback_goes_to_the_log(fleet_home: Path) -> None:
    """A bug (here: a stdout that raises something no command expects) is exit 70, one line saying where the
    traceback is, and the traceback in the log file for the bug report."""
    from tests.helpers import run_python

    code = ("import sys\n"
            "from fleetdeck.app.cli import main\n"
            "class Broken:\n"
            "    def write(self, text): raise RuntimeError('the stdout broke')\n"
            "    def flush(self): pass\n"
            "    def isatty(self): return False\n"
            "sys.stdout = Broken()\n"
            "sys.exit(main(['jobs']))\n")
    result = run_python(code)
    assert result.returncode == 70
    line = _one_line(result.stderr.replace("internal error", "bug"))  # (_one_line refuses the words)
    log = fleet_home / "state" / "logs" / "fleetdeck.log"
    assert str(log) in line and "RuntimeError: the stdout broke" in line
    text = log.read_text()
    assert "internal error in `fleetdeck jobs`" in text and "Traceback (most recent call last)" in text


def test_a_backup_folder_that_cannot_be_created_exits_73(fleet_home: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    env = {"FLEETDECK_BACKUP_DIR": str(blocker / "backups")}
    for command in (["run", "backup"], ["backup", "list"]):
        result = run_cli(command, env=env)
        assert result.returncode == 73, (command, result.stderr)  # was 70, FileExistsError
        assert "cannot create the backup folder" in _one_line(result.stderr)


def test_task_add_with_no_prompt_at_all_is_a_usage_error(fleet_home: Path) -> None:
    nothing = run_cli(["task", "add"])
    assert nothing.returncode == 64 and "--file" in _one_line(nothing.stderr)  # was 65 "empty prompt"
    assert run_cli(["task", "add", "  "]).returncode == 65  # given, but empty: bad data


def test_a_spend_report_in_a_home_that_cannot_be_created_exits_73() -> None:
    for command in (["report"], ["ingest"]):  # both look at the ingest's lock folder first
        result = run_cli(command, env={"FLEETDECK_HOME": "/proc/fleetdeck-cannot-be-here"})
        assert result.returncode == 73, result.stderr
        assert "cannot create" in _one_line(result.stderr)
