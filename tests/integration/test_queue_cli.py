"""`fleetdeck task ...` and `fleetdeck status` as a user runs them: exit codes, verbatim text, JSON."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fleetdeck.app.cli import main


class Done:
    def __init__(self, returncode: int, stdout: bytes, stderr: bytes) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def fleetdeck(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run the real CLI entry point in this process (subprocesses cost a second each on a busy machine)."""

    streams: list[io.TextIOWrapper] = []  # kept alive: a collected wrapper closes the buffer under it

    def run(home: Path, *args: str, stdin: bytes | None = None) -> Done:
        monkeypatch.setenv("FLEETDECK_HOME", str(home))
        streams.append(io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8"))
        monkeypatch.setattr(sys, "stdin", streams[-1])
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Done(code, out.encode(), err.encode())

    return run


def test_bad_input_is_one_line_and_exit_65(fleetdeck, fleet_home: Path, tmp_path: Path) -> None:
    for args in (["task", "add", "  "], ["task", "add", "x", "--project", str(tmp_path / "missing")],
                 ["task", "add", "x", "--session", "nobody"], ["task", "cancel", "42"],
                 ["task", "add", "x", "--workflow", "bad name"]):  # the name `log` refuses too
        done = fleetdeck(fleet_home, *args)
        assert done.returncode == 65, (args, done.stderr)
        assert done.stderr.decode().count("\n") == 1 and done.stderr.startswith(b"fleetdeck: ")
    listing = fleetdeck(fleet_home, "task", "list", "--json")
    assert json.loads(listing.stdout) == []


def test_a_prompt_from_stdin_is_kept_byte_for_byte(fleetdeck, fleet_home: Path) -> None:
    text = ("\x00\x01\x1b[31mred\x1b[0m\r\n\ttab 🚀 " * 3000)[:100_000].replace("\x00", "")
    added = fleetdeck(fleet_home, "task", "add", "-", "--priority", "3", "--workflow", "docs", "--json",
                      stdin=text.encode())
    assert added.returncode == 0, added.stderr
    prompt_id = json.loads(added.stdout)["id"]
    shown = json.loads(fleetdeck(fleet_home, "task", "show", str(prompt_id), "--json").stdout)
    assert shown["text"] == text and shown["priority"] == 3 and shown["workflow"] == "docs"


def test_cancel_retry_and_import_from_the_command_line(fleetdeck, fleet_home: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "tasks.jsonl"
    jsonl.write_text('{"text": "a", "priority": 1}\n{"text": "b"\n{"text": "c", "workflow": "w"}\n')
    done = fleetdeck(fleet_home, "task", "import", str(jsonl), "--json")
    assert json.loads(done.stdout)["added"] == 2 and json.loads(done.stdout)["torn"] == 1
    assert json.loads(fleetdeck(fleet_home, "task", "import", str(jsonl), "--json").stdout)["added"] == 0
    assert fleetdeck(fleet_home, "task", "cancel", "1", "--dry-run").returncode == 0
    assert fleetdeck(fleet_home, "task", "cancel", "1").returncode == 0
    assert fleetdeck(fleet_home, "task", "retry", "1").returncode == 0
    rows = json.loads(fleetdeck(fleet_home, "task", "list", "--status", "pending", "--json").stdout)
    assert [r["id"] for r in rows] == [1, 2]


def test_status_reports_the_queue_and_says_unknown_without_history(fleetdeck, fleet_home: Path) -> None:
    fleetdeck(fleet_home, "task", "add", "first thing", "--priority", "2")
    fleetdeck(fleet_home, "task", "add", "second thing")
    # As cron or a shell prompt runs it: its own process.
    env = dict(os.environ, FLEETDECK_HOME=str(fleet_home))
    done = subprocess.run([sys.executable, "-m", "fleetdeck.app.cli", "status", "--json"], env=env,
                          capture_output=True, timeout=30)
    snap = json.loads(done.stdout)
    assert snap["pending"] == 2 and snap["queue_depth"] == 2 and snap["idle_sessions"] == 0
    assert snap["eta_drain"] == "unknown" and snap["eta_drain_s"] is None
    assert [n["preview"] for n in snap["next"]] == ["first thing", "second thing"]
    text = fleetdeck(fleet_home, "status").stdout.decode()
    assert "2 pending" in text and "unknown" in text
