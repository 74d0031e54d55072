"""Runs one job the way ARCHITECTURE.md says: a lock per job, a job_runs row, progress events, a result.

The same function serves `fleetdeck run NAME` (cron), the console (in a worker thread) and `fleetdeck watch`.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import time
import traceback
from dataclasses import dataclass, field
from typing import IO, Any, Iterator
from contextlib import contextmanager

from .errors import BusyError, FleetdeckError
from .exitcodes import ExitCode
from .jobs import JobContext, JobResult, JobSpec


@dataclass
class JobOutcome:
    job: str
    run_id: int | None
    status: str  # ok, failed, interrupted
    message: str
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    exit_code: ExitCode = ExitCode.OK
    duration_s: float = 0.0
    dry_run: bool = False
    traceback: str | None = None
    details: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "run_id": self.run_id,
            "status": self.status,
            "message": self.message,
            "dry_run": self.dry_run,
            "duration_s": round(self.duration_s, 3),
            "summary": self.summary,
            "error": self.error,
            "exit_code": int(self.exit_code),
        }


@contextmanager
def job_lock(ctx: JobContext, name: str) -> Iterator[IO[str]]:
    """Hold the job's lock, or raise BusyError (exit 75) at once if another run has it."""
    handle = open(ctx.paths.ensure_lock_dir() / f"{name}.lock", "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise BusyError(f"job {name} is already running (pid {holder}); try again later") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield handle
    finally:
        handle.close()  # closing releases the flock


def _start_row(ctx: JobContext, spec: JobSpec) -> int:
    now = int(ctx.clock.now())
    with ctx.store.write() as conn:
        # We hold the lock, so a row still "running" for this job belongs to a run that was killed.
        conn.execute(
            "UPDATE job_runs SET status = 'interrupted', finished_at = ?, error = 'killed before it finished'"
            " WHERE job = ? AND status = 'running'",
            (now, spec.name),
        )
        cur = conn.execute(
            "INSERT INTO job_runs (job, trigger, started_at, status, dry_run, pid) VALUES (?, ?, ?, 'running', ?, ?)",
            (spec.name, ctx.trigger, now, int(ctx.dry_run), os.getpid()),
        )
    return int(cur.lastrowid or 0)


def _finish_row(ctx: JobContext, run_id: int, outcome: JobOutcome) -> None:
    with ctx.store.write() as conn:
        conn.execute(
            "UPDATE job_runs SET finished_at = ?, status = ?, summary = ?, error = ? WHERE id = ?",
            (int(ctx.clock.now()), outcome.status, json.dumps(outcome.summary, default=str, separators=(",", ":")),
             outcome.error, run_id),
        )


def run_job(spec: JobSpec, ctx: JobContext, *, record: bool = True) -> JobOutcome:
    """Run ``spec`` to completion in this thread (it gets its own event loop).

    Raises BusyError when the lock is held. Every other failure is caught and returned as a failed outcome.
    ``record=False`` skips the job_runs row (used by `watch` for high-frequency passes that succeed).
    """
    from loguru import logger

    if ctx.dry_run and not spec.supports_dry_run:
        ctx.dry_run = False  # a read-only job is its own dry run
    with job_lock(ctx, spec.name):
        run_id = _start_row(ctx, spec) if record else None
        started = time.monotonic()

        def progress(done: float, total: float | None = None, message: str = "") -> None:
            ctx.events.publish("job.progress", job=spec.name, run_id=run_id, done=done, total=total, message=message)

        ctx.events.publish("job.started", job=spec.name, run_id=run_id, dry_run=ctx.dry_run)
        # Unrecorded passes (the console's and watch's every few seconds) would fill the log with two lines per
        # pass; like job_runs, the log keeps them only when they fail (or at DEBUG).
        level = "INFO" if record else "DEBUG"
        logger.log(level, "job {} started ({}{})", spec.name, ctx.trigger, ", dry run" if ctx.dry_run else "")
        try:
            result: JobResult = asyncio.run(spec.func(ctx, progress))
            outcome = JobOutcome(
                job=spec.name, run_id=run_id, status="ok" if result.ok else "failed", message=result.message,
                summary=result.summary, exit_code=result.exit_code if not result.ok else ExitCode.OK,
                error=None if result.ok else result.message, dry_run=ctx.dry_run, details=result.details,
            )
            if not result.ok and outcome.exit_code == ExitCode.OK:
                outcome.exit_code = ExitCode.SOFTWARE
        except FleetdeckError as exc:
            outcome = JobOutcome(spec.name, run_id, "failed", f"{spec.name} failed: {exc}", error=str(exc),
                                 exit_code=exc.exit_code, dry_run=ctx.dry_run)
        except (KeyboardInterrupt, SystemExit) as exc:
            outcome = JobOutcome(spec.name, run_id, "interrupted", f"{spec.name} was interrupted",
                                 error=type(exc).__name__, exit_code=ExitCode.TEMPFAIL, dry_run=ctx.dry_run)
            if run_id is not None:
                _finish_row(ctx, run_id, outcome)
            raise
        except Exception as exc:  # noqa: BLE001 - a job's bug becomes a failed run, not a crash of the caller
            tb = traceback.format_exc()
            logger.bind(file_only=True).error("job {} raised:\n{}", spec.name, tb)
            message = f"{type(exc).__name__}: {exc}"
            outcome = JobOutcome(spec.name, run_id, "failed", f"{spec.name} failed: {message}", error=message,
                                 exit_code=ExitCode.SOFTWARE, dry_run=ctx.dry_run, traceback=tb)
        outcome.duration_s = time.monotonic() - started
        if run_id is not None:
            _finish_row(ctx, run_id, outcome)
        elif outcome.status != "ok":
            # watch passes are not recorded when they succeed, but a failure always is.
            outcome.run_id = _start_row(ctx, spec)
            _finish_row(ctx, outcome.run_id, outcome)
        elif not ctx.dry_run:
            _note_pass(ctx, spec, outcome)
        logger.log(level if outcome.status == "ok" else "INFO", "job {} {} in {:.2f}s: {}", spec.name,
                   outcome.status, outcome.duration_s, outcome.message)
        ctx.events.publish("job.finished", job=spec.name, run_id=outcome.run_id, status=outcome.status,
                           message=outcome.message, exit_code=int(outcome.exit_code))
        return outcome


def _note_pass(ctx: JobContext, spec: JobSpec, outcome: JobOutcome) -> None:
    """Keep the latest successful unrecorded pass (one row per job), so "last run" stays true for jobs that
    `watch` and the console run all day without a job_runs row per pass."""
    now = int(ctx.clock.now())
    with ctx.store.write() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO job_passes (job, trigger, started_at, finished_at, status, summary)"
            " VALUES (?, ?, ?, ?, 'ok', ?)",
            (spec.name, ctx.trigger, now - round(outcome.duration_s), now,
             json.dumps(outcome.summary, default=str, separators=(",", ":"))),
        )


def recent_runs(store, limit: int = 50, job: str | None = None) -> list[dict[str, Any]]:  # noqa: ANN001
    sql = "SELECT * FROM job_runs"
    params: tuple[Any, ...] = ()
    if job:
        sql += " WHERE job = ?"
        params = (job,)
    sql += " ORDER BY id DESC LIMIT ?"
    rows = store.query(sql, params + (limit,))
    return [dict(r) for r in rows]


def last_runs(store) -> dict[str, dict[str, Any]]:  # noqa: ANN001
    """The most recent run of every job, keyed by job name: its latest job_runs row, or its latest unrecorded
    pass (`watch`, the console) when that started later; a pass has ``id`` None. A dry run changed nothing, so
    it is not the job's last run."""
    rows = store.query(
        "SELECT r.* FROM job_runs r JOIN (SELECT job, max(id) AS id FROM job_runs WHERE dry_run = 0 GROUP BY job) m"
        " ON m.id = r.id"
    )
    last = {r["job"]: dict(r) for r in rows}
    for p in store.query("SELECT * FROM job_passes"):
        run = last.get(p["job"])
        if run is None or p["started_at"] > run["started_at"]:
            last[p["job"]] = {**dict(p), "id": None, "error": None, "dry_run": 0, "pid": None}
    return last
