"""`fleetdeck ingest` as a user runs it: the job's result, the quick path when nothing is new, a terminal's
progress line, and directories named on the command line."""

from __future__ import annotations

import json
import os
import re

from fleetdeck.services.store import Store

from tests.integration.test_spend_ingest import generate


def test_cli_ingest_runs_the_ingest_job_and_reports_counts(tmp_path, paths, capsys) -> None:
    from fleetdeck.app.cli import main

    f = tmp_path / "c" / "projects" / "p" / "s.jsonl"
    f.parent.mkdir(parents=True)
    f.write_text(json.dumps({"type": "assistant", "sessionId": "s", "requestId": "r", "cwd": "/p",
                             "timestamp": "2026-11-01T10:00:00Z",
                             "message": {"id": "m", "model": "claude-haiku-4-5", "usage": {"output_tokens": 9}}})
                 + "\n" + '{"type":"assistant","message":{"usage":' + "\n")
    argv = ["ingest", "--claude-dir", str(tmp_path / "c"), "--codex-dir", str(tmp_path / "none"), "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["summary"]["rows_added"] == 1 and result["summary"]["torn_lines"] == 1
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["rows_added"] == 0


def test_cli_ingest_with_nothing_new_answers_and_records_like_the_job(tmp_path, paths, capsys) -> None:
    """`fleetdeck ingest` answers a run with nothing new without the job machinery: it prints what `fleetdeck
    run ingest` prints for the same run, and like watch's successful passes it is not added to job_runs."""
    from fleetdeck.app.cli import main

    tree = generate(tmp_path / "c", 0.3)
    (tmp_path / "c" / "projects" / "bin.jsonl").write_bytes(b"\x00\x01 not text")  # skipped for good
    dirs = ["--claude-dir", str(tree), "--codex-dir", str(tmp_path / "none"), "--json"]
    assert main(["ingest", *dirs]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["summary"]["rows_added"] > 0 and first["summary"]["skipped_files"]

    assert main(["run", "ingest", *dirs]) == 0
    job = json.loads(capsys.readouterr().out)
    assert main(["ingest", *dirs]) == 0
    quick = json.loads(capsys.readouterr().out)
    assert quick["run_id"] is None and job["run_id"]
    for answer in (job, quick):
        answer.pop("run_id"), answer.pop("duration_s")
    assert quick == job and quick["summary"]["files_seen"] == first["summary"]["files_seen"]
    with Store.open(paths.db_file) as store:
        runs = store.query("SELECT status, summary FROM job_runs WHERE job = 'ingest' ORDER BY id")
    assert [r["status"] for r in runs] == ["ok", "ok"]
    assert json.loads(runs[1]["summary"]) == job["summary"]

    victim = next(tree.rglob("*-*.jsonl"))
    with victim.open("a") as f:  # news: the job path reads it
        f.write(json.dumps({"type": "assistant", "sessionId": "s", "requestId": "r9", "cwd": "/p",
                            "timestamp": "2026-11-01T10:00:00Z",
                            "message": {"id": "m9", "model": "claude-haiku-4-5", "usage": {"output_tokens": 9}}})
                + "\n")
    assert main(["ingest", *dirs]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["rows_added"] == 1


def test_in_a_terminal_the_result_starts_a_clean_line_after_the_progress(tmp_path) -> None:
    """Progress is drawn on stderr in place; the job's last step need not be reported, so the line is cleared
    before the result is printed (it used to run on after 'ingest:  89.3% some-file.jsonl')."""
    from tests.helpers import run_in_terminal

    tree = generate(tmp_path / "claude", 0.5, seed=4)
    env = {**os.environ, "FLEETDECK_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    code, out = run_in_terminal(["ingest", "--claude-dir", str(tree), "--codex-dir", str(tmp_path / "none")], env=env)
    assert code == 0
    text = out.decode()
    assert "ingest:   0.0% " in text, "progress is shown in a terminal"
    assert re.search(r"\r\x1b\[Kingest: [\d,]+ new calls from ", text), "the result starts on a cleared line"


def test_a_named_transcript_dir_that_does_not_exist_is_said_in_the_result(tmp_path, paths, capsys) -> None:
    from fleetdeck.app.cli import main

    typo = tmp_path / "typo"
    assert main(["ingest", "--claude-dir", str(typo)]) == 0  # quick path: nothing to read
    assert capsys.readouterr().out.strip().endswith(f"; no such directory: --claude-dir {typo}")
    assert main(["run", "ingest", "--codex-dir", str(typo), "--json"]) == 0  # the job
    result = json.loads(capsys.readouterr().out)
    assert result["message"].endswith(f"; no such directory: --codex-dir {typo}")
    assert f"--codex-dir {typo}: no such directory" in result["summary"]["warnings"]
