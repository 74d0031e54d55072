"""Error triage end to end through the CLI: collect, group, file and link bugs, known fixes, alerts, reruns."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from fleetdeck.app.cli import main
from fleetdeck.services.paths import Paths
from fleetdeck.services.store import Store
from fleetdeck.services.config import load_config
from fleetdeck.services.triage.engine import Rules, record_error
from tests.fakes.llm_server import Reply, fake_llm  # noqa: F401

TRACEBACK = """Traceback (most recent call last):
  File "{root}/app/worker.py", line {n}, in run
    step()
KeyError: 'job-{n}'
"""


@pytest.fixture
def setup(paths: Paths, tmp_path: Path) -> tuple[Paths, Path]:
    log = tmp_path / "logs" / "agent.log"
    log.parent.mkdir()
    paths.config_file.write_text(
        "[triage]\n"
        f'log_globs = ["{log.parent}/*.log"]\n'
        "bug_threshold = 3\n"
        'rules = [{ name = "disk", match = "No space left", fix = "Run fleetdeck run cleanup", severity = "critical" }]\n',
        encoding="utf-8",
    )
    lines = ["INFO started", "ERROR upstream timed out after 30s (request 81)", "ERROR upstream timed out after 31s"
             " (request 93)", "ERROR write failed: No space left on device /var/data/x1"]
    text = "\n".join(lines) + "\n" + TRACEBACK.format(root="/home/a", n=10) + TRACEBACK.format(root="/srv/b", n=77)
    log.write_text(text + "INFO done\n", encoding="utf-8")
    store = Store.open(paths.db_file)
    now = int(time.time())
    store.execute("INSERT INTO job_runs (job, started_at, finished_at, status, error) VALUES"
                  " ('backup', ?, ?, 'failed', 'rsync exited with code 23')", (now, now))
    store.execute("INSERT INTO api_calls (at, model, status, error, source) VALUES"
                  " (?, 'claude-x', 'error', 'overloaded_error: Overloaded (request req_8812)', 'sdk')", (now,))
    store.close()
    return paths, log


def _run(paths: Paths, job: str) -> dict:
    """Run a job like cron does; its JSON summary from job_runs."""
    assert main(["run", job]) == 0
    with Store.open(paths.db_file) as store:
        return json.loads(store.scalar("SELECT summary FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT 1", (job,)))


def _json(capsys, argv: list[str]):  # noqa: ANN001,ANN202
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_triage_groups_every_source_files_bugs_and_a_rerun_duplicates_nothing(setup, capsys) -> None:  # noqa: ANN001
    paths, log = setup
    result = _run(paths, "triage")
    capsys.readouterr()
    groups = _json(capsys, ["errors", "--json"])
    by_title = {g["title"]: g for g in groups}
    tb = next(g for g in groups if g["kind"] == "traceback")
    assert tb["count"] == 2 and tb["title"].startswith("KeyError")  # paths and line numbers differ
    timeouts = [g for g in groups if "timed out" in g["title"]]
    assert len(timeouts) == 1 and timeouts[0]["count"] == 2
    assert {"job", "api", "log"} <= {s for g in groups for s in g["sources"]}
    disk = next(g for g in groups if "No space left" in g["title"])
    assert disk["severity"] == "critical" and disk["bug_id"]  # rule: filed at once
    bugs = _json(capsys, ["bugs", "list", "--json"])
    assert any(b["created_by"] == "rule:disk" for b in bugs)
    outbox = Store.open(paths.db_file).query("SELECT title FROM outbox WHERE severity = 'critical'")
    assert len(outbox) == 1 and "No space left" in outbox[0][0]

    assert _run(paths, "triage")["events"] == 0  # nothing read twice
    with log.open("a") as f:
        f.write("ERROR upstream timed out after 5s (request 7)\n")
    assert _run(paths, "triage")["events"] == 1
    capsys.readouterr()
    total = sum(g["count"] for g in _json(capsys, ["errors", "--json"]))
    assert total == result["events"] + 1
    assert by_title  # listing worked


def test_threshold_filing_fix_notes_and_linking_a_new_group_to_an_existing_bug(setup, capsys) -> None:  # noqa: ANN001
    paths, _ = setup
    store = Store.open(paths.db_file)
    rules = Rules.from_config(load_config(paths).section("triage"))
    for i in range(3):
        record_error(store, source="session", text=TRACEBACK.format(root=f"/w{i}", n=i + 5), rules=rules)
    gid, bug_id, sig = store.query_one("SELECT id, bug_id, signature FROM error_groups")
    assert bug_id is not None  # crossed bug_threshold = 3
    assert main(["bugs", "close", str(bug_id), "--fix", "Guard the lookup with .get()"]) == 0
    capsys.readouterr()
    shown = _json(capsys, ["errors", "show", str(gid), "--json"])
    assert shown["fix"] == {"fix": "Guard the lookup with .get()", "source": f"learned from bug {bug_id}"}
    assert shown["status"] == "fixed" and len(shown["samples"]) == 3

    # the group is re-created (e.g. after cleanup): it links to the bug with its signature, no second bug
    store.execute("DELETE FROM error_groups")
    record_error(store, source="session", text=TRACEBACK.format(root="/z", n=99))
    assert store.scalar("SELECT bug_id FROM error_groups WHERE signature = ?", (sig,)) == bug_id
    assert store.scalar("SELECT count(*) FROM bugs") == 1
    store.close()
    assert main(["errors", "show", "999"]) == 65
    assert main(["bugs", "link", str(gid), "999"]) == 65


def test_the_logs_job_rotates_a_big_log_summarizes_the_hour_and_loses_no_error(paths: Paths, tmp_path: Path,
                                                                                capsys) -> None:  # noqa: ANN001
    log = tmp_path / "own.log"
    paths.config_file.write_text(
        f'[triage]\nlog_globs = ["{log}"]\n[logs]\nrotate_globs = ["{log}"]\nrotate_mb = 0.01\n', encoding="utf-8")
    log.write_text("".join(f"ERROR disk {i} is slow\n" for i in range(600)), encoding="utf-8")
    out = _run(paths, "logs")
    assert out["rotated"][0]["method"] == "rename"
    assert log.stat().st_size == 0 and list(tmp_path.glob("own.log.*.gz"))
    assert out["summary_this_hour"]["events"] == 600
    assert Store.open(paths.db_file).scalar("SELECT sum(count) FROM error_groups") == 600


def test_an_llm_fix_suggestion_is_labelled_redacted_and_cached_per_signature(paths: Paths, capsys,
                                                                             fake_llm) -> None:  # noqa: ANN001,F811
    paths.config_file.write_text(
        f'[triage]\nsuggest_with = "model"\nllm_model = "gpt-test"\nllm_base_url = "{fake_llm.openai_url}"\n'
        'llm_api_key = "sk-test"\n', encoding="utf-8")
    store = Store.open(paths.db_file)
    record_error(store, source="api", text="ERROR auth failed with key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123")
    store.close()
    fake_llm.queue(Reply(text="Rotate the API key and retry."))
    first = _json(capsys, ["errors", "suggest", "1", "--json"])
    assert first == {"label": "LLM suggestion (unverified)", "text": "Rotate the API key and retry.",
                     "model": "gpt-test", "cached": False}
    assert "abcdefghijklmnop" not in json.dumps(fake_llm.requests[-1].json)  # redacted before it left
    assert _json(capsys, ["errors", "suggest", "1", "--json"])["cached"] is True
    assert len(fake_llm.requests) == 1
    assert main(["errors", "show", "1"]) == 0
    assert "LLM suggestion (unverified, gpt-test): Rotate the API key" in capsys.readouterr().out
