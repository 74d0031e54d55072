"""`fleetdeck report` reads what the transcripts gained since the last ingest before it reports."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest
from fleetdeck.app.cli import main


def assistant_line(request: str, output_tokens: int) -> str:
    return json.dumps({"type": "assistant", "sessionId": "s1", "requestId": request, "cwd": "/work/p",
                       "timestamp": "2026-11-01T10:00:00Z",
                       "message": {"id": f"m-{request}", "model": "claude-haiku-4-5",
                                   "usage": {"input_tokens": 10, "output_tokens": output_tokens}}}) + "\n"


@pytest.fixture
def transcript(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One Claude Code transcript where `report` looks by default ($CLAUDE_CONFIG_DIR/projects)."""
    claude = tmp_path / "claude"
    f = claude / "projects" / "-work-p" / "s1.jsonl"
    f.parent.mkdir(parents=True)
    f.write_text(assistant_line("r1", 7))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(claude))
    return f


def report(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[dict, str]:
    assert main(["report", "36500", "--json", *extra]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def test_report_includes_calls_no_ingest_has_read_yet(paths, transcript: Path, capsys) -> None:
    data, err = report(capsys)
    assert data["total"]["calls"] == 1 and data["total"]["output_tokens"] == 7
    assert err.startswith("ingest: 1 new calls from 1 changed files"), "the ingest's result goes to stderr"


def test_report_reads_only_the_new_lines_and_says_nothing_when_there_are_none(paths, transcript: Path,
                                                                              capsys) -> None:
    report(capsys)
    data, err = report(capsys)
    assert data["total"]["calls"] == 1 and err == ""
    with transcript.open("a") as f:
        f.write(assistant_line("r2", 5))
    data, err = report(capsys)
    assert data["total"]["calls"] == 2 and data["total"]["output_tokens"] == 12
    assert err.startswith("ingest: 1 new calls")


def test_no_ingest_reports_the_store_as_it_is(paths, transcript: Path, capsys) -> None:
    data, err = report(capsys, "--no-ingest")
    assert data["total"]["calls"] == 0 and err == ""


def test_the_config_can_turn_the_refresh_off(paths, transcript: Path, capsys) -> None:
    paths.config_file.write_text("[spend]\ningest_on_report = false\n")
    data, _ = report(capsys)
    assert data["total"]["calls"] == 0


def test_a_running_ingest_is_not_waited_for_and_the_report_says_so(paths, transcript: Path, capsys) -> None:
    paths.lock_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.lock_dir / "ingest.lock", "a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # as another ingest holds it
        data, err = report(capsys)
    assert data["total"]["calls"] == 0
    assert "another run is ingesting transcripts; this report may miss the newest calls" in err
    data, _ = report(capsys)
    assert data["total"]["calls"] == 1, "the next report catches up"


def test_the_dashboard_charts_new_calls_too_unless_told_not_to(paths, transcript: Path, tmp_path: Path,
                                                               capsys) -> None:
    out = tmp_path / "costs.html"
    assert main(["dashboard", "--out", str(out), "--json", "--no-ingest"]) == 0
    assert json.loads(capsys.readouterr().out)["calls"] == 0
    assert main(["dashboard", "--out", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["calls"] == 1 and captured.err.startswith("ingest: 1 new calls")
