"""The job runner: one run per job at a time, failures recorded, one-line errors for people."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from fleetdeck.services.jobs import JobContext, JobResult, job

# A tiny program that registers test jobs and then runs the real CLI entry point.
PROGRAM = """
import asyncio, sys, time
from fleetdeck.services.jobs import JobResult, job

@job("test-sleep", description="sleeps", mutates=True)
async def sleeper(ctx, progress):
    progress(0, 1, "sleeping")
    await asyncio.sleep(float(ctx.options.get("seconds") or 3))
    return JobResult("slept", {"slept": True})

@job("test-boom", description="raises", mutates=False)
async def boom(ctx, progress):
    raise RuntimeError("the flux capacitor is empty")

from fleetdeck.app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_program(*args: str, background: bool = False):  # noqa: ANN201
    command = [sys.executable, "-c", PROGRAM, *args]
    if background:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def job_runs(home: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(home / "data" / "fleetdeck.db")
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM job_runs ORDER BY id").fetchall()
    conn.close()
    return rows


def test_a_second_concurrent_run_of_the_same_job_exits_75_at_once(fleet_home: Path) -> None:
    first = run_program("run", "test-sleep", background=True)
    try:
        deadline = time.time() + 20
        while time.time() < deadline and not (fleet_home / "state" / "locks" / "test-sleep.lock").exists():
            time.sleep(0.05)
        time.sleep(0.5)
        started = time.monotonic()
        second = run_program("run", "test-sleep")
        assert second.returncode == 75, second.stderr
        assert time.monotonic() - started < 10
        assert "already running" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
    finally:
        out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert [r["status"] for r in job_runs(fleet_home)] == ["ok"]


def test_a_job_that_raises_exits_nonzero_records_the_failure_and_prints_one_line(fleet_home: Path) -> None:
    result = run_program("run", "test-boom")
    assert result.returncode == 70
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "the flux capacitor is empty" in lines[0]
    assert "Traceback" not in result.stderr
    (row,) = job_runs(fleet_home)
    assert row["status"] == "failed" and "flux capacitor" in row["error"] and row["finished_at"]


def test_debug_shows_the_traceback(fleet_home: Path) -> None:
    result = run_program("run", "test-boom", "--debug")
    assert result.returncode == 70
    assert "Traceback" in result.stderr


def test_a_run_killed_mid_way_is_marked_interrupted_by_the_next_run(fleet_home: Path) -> None:
    victim = run_program("run", "test-sleep", background=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if job_runs(fleet_home):
                break
        except sqlite3.OperationalError:
            pass  # the database is still being created
        time.sleep(0.05)
    victim.kill()
    victim.wait()
    assert [r["status"] for r in job_runs(fleet_home)] == ["running"]
    result = run_program("run", "test-sleep", "--json")
    assert result.returncode == 0, result.stderr
    assert [r["status"] for r in job_runs(fleet_home)] == ["interrupted", "ok"]


def test_progress_and_results_are_published_as_events(store, config, clock) -> None:  # noqa: ANN001
    from fleetdeck.services.events import EventBus
    from fleetdeck.services.jobrunner import run_job
    from fleetdeck.services.jobs import get_job

    @job("test-progress", description="reports progress")
    async def progressing(ctx: JobContext, progress) -> JobResult:  # noqa: ANN001
        for i in range(3):
            progress(i + 1, 3, f"step {i + 1}")
        return JobResult("done", {"steps": 3})

    bus = EventBus()
    seen: list[str] = []
    bus.subscribe(lambda e: seen.append(f"{e.topic}:{e.data.get('done', '')}"))
    outcome = run_job(get_job("test-progress"), JobContext(config, store, clock, bus))
    assert outcome.status == "ok" and outcome.summary == {"steps": 3}
    assert seen == ["job.started:", "job.progress:1", "job.progress:2", "job.progress:3", "job.finished:"]


def test_unrecorded_passes_log_only_their_failures_at_info(store, config, clock) -> None:  # noqa: ANN001
    from loguru import logger

    from fleetdeck.services.events import EventBus
    from fleetdeck.services.jobrunner import run_job
    from fleetdeck.services.jobs import get_job

    @job("test-pass", description="a background pass")
    async def passing(ctx: JobContext, progress) -> JobResult:  # noqa: ANN001
        return JobResult("nothing to do")

    @job("test-pass-fails", description="a background pass that fails")
    async def failing(ctx: JobContext, progress) -> JobResult:  # noqa: ANN001
        raise RuntimeError("no route to host")

    lines: list[str] = []
    sink = logger.add(lambda message: lines.append(message.record["message"]), level="INFO")
    try:
        for _ in range(3):  # the console runs its passes every few seconds: none of them may reach the log
            run_job(get_job("test-pass"), JobContext(config, store, clock, EventBus()), record=False)
        run_job(get_job("test-pass-fails"), JobContext(config, store, clock, EventBus()), record=False)
        run_job(get_job("test-pass"), JobContext(config, store, clock, EventBus()))  # a run someone asked for
    finally:
        logger.remove(sink)
    ours = [line for line in lines if "test-pass " in line]
    assert len(ours) == 2 and ours[0] == "job test-pass started (cli)"
    assert ours[1].startswith("job test-pass ok in") and ours[1].endswith(": nothing to do")
    assert any(line.startswith("job test-pass-fails failed") for line in lines)


def test_the_last_run_of_a_job_run_only_by_watch_or_the_console_is_its_latest_pass(store, config, clock) -> None:  # noqa: ANN001
    import json

    from fleetdeck.services.events import EventBus
    from fleetdeck.services.jobrunner import last_runs, run_job
    from fleetdeck.services.jobs import get_job

    def ctx(trigger: str) -> JobContext:
        context = JobContext(config, store, clock, EventBus())
        context.trigger = trigger
        return context

    for _ in range(3):  # passes every few seconds: no job_runs row each, one row that keeps the latest
        clock.advance(60)
        run_job(get_job("store-check"), ctx("watch"), record=False)
    assert store.query("SELECT count(*) FROM job_runs")[0][0] == 0
    last = last_runs(store)["store-check"]
    assert (last["status"], last["trigger"], last["id"]) == ("ok", "watch", None)
    assert last["started_at"] == int(clock.now())

    listed = json.loads(run_program("jobs", "--json").stdout)  # what `fleetdeck jobs` says, from cron's side
    [row] = [r for r in listed if r["name"] == "store-check"]
    assert row["last_run"]["trigger"] == "watch" and row["last_run"]["started_at"] == int(clock.now())

    clock.advance(60)
    run_job(get_job("store-check"), ctx("cli"))  # a run someone asked for is newer, and has its row
    last = last_runs(store)["store-check"]
    assert last["trigger"] == "cli" and last["id"] is not None


def test_a_job_that_changes_nothing_takes_dry_run_too_and_runs_as_usual(fleet_home: Path) -> None:
    result = run_program("run", "store-check", "--dry-run")  # a script passing --dry-run to every job
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("store ok")
