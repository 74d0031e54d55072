"""`fleetdeck ingest`: read new Claude Code / Codex transcript lines into the spend log (the `ingest` job).

Most runs (a user checking, a script polling) find nothing new. Those take a quick path: a scan of the trees and
one query, under the job's lock, answered with the job's own message and summary, without starting the job
machinery (loguru, asyncio, job discovery: several times the cost of the check itself). Like `watch`'s passes
that succeed, such a run is not added to job_runs: that write, and the WAL checkpoint it causes when the
process closes the database, would cost it more wall time than everything else it does (~15 ms of fsyncs).
Anything else, and a dry run, goes through the job as `fleetdeck run ingest` does, and is recorded.
"""

from __future__ import annotations

import argparse

JOB = "ingest"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="read new Claude Code and Codex transcript lines into the spend log",
                       description="Incremental: only lines added since the last run are read. Same as "
                                   "`fleetdeck run ingest`, except that a run finding nothing new is not "
                                   "recorded in the job history.")
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
    """The quick path: when no transcript file has news, print the job's result and return its exit code; None
    when there is work, or the lock is held, for the job to do or report."""
    import fcntl
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
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))  # who holds it, for a run that finds it busy
        lock.flush()
        seen = files_seen_if_nothing_new(store, claude, codex)
        if seen is None:
            return None
    message = run_message(0, 0, seen, 0)
    summary = idle_summary(seen, claude, codex)
    if args.json:
        from fleetdeck.app.output import print_json

        print_json({"job": JOB, "run_id": None, "status": "ok", "message": message, "dry_run": False,
                    "duration_s": round(time.monotonic() - started, 3), "summary": summary, "error": None,
                    "exit_code": 0})
    else:
        print(message, file=sys.stdout)
    return 0
