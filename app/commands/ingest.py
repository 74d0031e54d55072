"""`fleetdeck ingest`: read new Claude Code / Codex transcript lines into the spend log (the `ingest` job).

Most runs (cron, `watch`, a user checking) find nothing new. Those take a quick path: a scan of the trees and one
query, under the job's lock, recorded in job_runs like any run, and answered with the job's own message and
summary, without starting the job machinery (loguru, asyncio, job discovery: several times the cost of the
check itself). Anything else, and a dry run, goes through the job as `fleetdeck run ingest` does.
"""

from __future__ import annotations

import argparse

JOB = "ingest"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="read new Claude Code and Codex transcript lines into the spend log",
                       description="Incremental: only lines added since the last run are read. Same as "
                                   "`fleetdeck run ingest`.")
    p.add_argument("--claude-dir", action="append", metavar="DIR",
                   help="Claude Code config dir or its projects/ dir (repeatable; default $CLAUDE_CONFIG_DIR or "
                        "~/.claude)")
    p.add_argument("--codex-dir", action="append", metavar="DIR",
                   help="Codex home or its sessions/ dir (repeatable; default $CODEX_HOME or ~/.codex)")
    p.add_argument("--dry-run", action="store_true", help="only count the files that would be checked")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    if not args.dry_run:
        done = _nothing_new(args, ctx)
        if done is not None:
            return done
    from fleetdeck.app.commands.jobs import execute
    from fleetdeck.services.jobs import get_job

    spec = get_job(JOB)
    assert spec is not None
    args.debug = getattr(args, "debug", False)
    return execute(spec, args, ctx)


def _nothing_new(args: argparse.Namespace, ctx) -> int | None:  # noqa: ANN001
    """The quick path: when no transcript file has news, record the run and print its result (the exit code);
    None when there is work, or the lock is held, for the job to do or report."""
    import fcntl
    import json
    import os
    import sys
    import time

    from fleetdeck.services.spend.scan import (claude_roots, codex_roots, files_seen_if_nothing_new, idle_summary,
                                               run_message)

    started = time.monotonic()
    config = ctx.config
    spend = config.section("spend")
    claude = claude_roots(args.claude_dir, spend.get("claude_dir") or "")
    codex = codex_roots(args.codex_dir, spend.get("codex_dir") or "")
    store = ctx.store
    lock_dir = config.paths.lock_dir
    lock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(lock_dir / f"{JOB}.lock", "a+", encoding="utf-8") as lock:  # the job's lock, as jobrunner takes it
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # another run holds it: the job path says so (exit 75)
        seen = files_seen_if_nothing_new(store, claude, codex)
        if seen is None:
            return None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        message = run_message(0, 0, seen, 0)
        summary = idle_summary(seen, claude, codex)
        now = int(ctx.clock.now())
        with store.write() as conn:
            # What jobrunner does around every run: a row still "running" under our lock was killed.
            conn.execute("UPDATE job_runs SET status = 'interrupted', finished_at = ?, error = 'killed before it"
                         " finished' WHERE job = ? AND status = 'running'", (now, JOB))
            run_id = conn.execute(
                "INSERT INTO job_runs (job, trigger, started_at, finished_at, status, dry_run, pid, summary)"
                " VALUES (?, 'cli', ?, ?, 'ok', 0, ?, ?)",
                (JOB, now, now, os.getpid(), json.dumps(summary, separators=(",", ":")))).lastrowid
    if args.json:
        from fleetdeck.app.output import print_json

        print_json({"job": JOB, "run_id": run_id, "status": "ok", "message": message, "dry_run": False,
                    "duration_s": round(time.monotonic() - started, 3), "summary": summary, "error": None,
                    "exit_code": 0})
    else:
        print(message, file=sys.stdout)
    return 0
