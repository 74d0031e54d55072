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
    return _execute(args, ctx)


def refresh_before_report(ctx) -> None:  # noqa: ANN001
    """What `fleetdeck report` and `dashboard` do first, unless [spend] ingest_on_report is off: read the lines
    the transcripts gained since the last ingest, so the report is current, as one that reads the transcripts
    itself would be. Silent when there is nothing new (the quick path's cost); otherwise the ingest job runs,
    with its progress and its one-line result on stderr, leaving stdout to the report. A run already ingesting
    elsewhere is not waited for: the report says it may miss the newest calls."""
    import sys

    if not ctx.config.section("spend").get("ingest_on_report", True):
        return
    seen, busy, _, _ = _check(ctx, None, None)
    if seen is not None:
        return
    if busy:
        print("fleetdeck: another run is ingesting transcripts; this report may miss the newest calls",
              file=sys.stderr)
        return
    _execute(argparse.Namespace(claude_dir=None, codex_dir=None, dry_run=False, json=False), ctx,
             ok_stream=sys.stderr)


def _execute(args: argparse.Namespace, ctx, ok_stream=None) -> int:  # noqa: ANN001
    from fleetdeck.app.commands.jobs import execute
    from fleetdeck.services.jobs import get_job

    spec = get_job(JOB)
    assert spec is not None
    args.debug = getattr(args, "debug", False)
    return execute(spec, args, ctx, ok_stream=ok_stream)


def _nothing_new(args: argparse.Namespace, ctx) -> int | None:  # noqa: ANN001
    """The quick path: when no transcript file has news, print the job's result and return its exit code; None
    when there is work, or the lock is held, for the job to do or report."""
    import sys
    import time

    from fleetdeck.services.spend.scan import idle_summary, note_missing_dirs, run_message

    started = time.monotonic()
    seen, _, claude, codex = _check(ctx, args.claude_dir, args.codex_dir)
    if seen is None:
        return None  # news, or another run holds the lock: the job path says so (exit 75)
    message = run_message(0, 0, seen, 0)
    summary = idle_summary(seen, claude, codex)
    message = note_missing_dirs(message, summary["warnings"], args.claude_dir, args.codex_dir)
    if args.json:
        from fleetdeck.app.output import print_json

        print_json({"job": JOB, "run_id": None, "status": "ok", "message": message, "dry_run": False,
                    "duration_s": round(time.monotonic() - started, 3), "summary": summary, "error": None,
                    "exit_code": 0})
    else:
        print(message, file=sys.stdout)
    return 0


def _check(ctx, claude_dirs: list[str] | None, codex_dirs: list[str] | None) -> tuple[int | None, bool, list, list]:  # noqa: ANN001
    """(files seen when none has news else None, whether another run holds the job's lock, the Claude roots,
    the Codex roots), checked under the job's lock as jobrunner takes it."""
    import fcntl
    import os

    from fleetdeck.services.spend.scan import claude_roots, codex_roots, files_seen_if_nothing_new

    config = ctx.config
    spend = config.section("spend")
    claude = claude_roots(claude_dirs, spend.get("claude_dir") or "")
    codex = codex_roots(codex_dirs, spend.get("codex_dir") or "")
    with open(config.paths.ensure_lock_dir() / f"{JOB}.lock", "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None, True, claude, codex
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))  # who holds it, for a run that finds it busy
        lock.flush()
        return files_seen_if_nothing_new(ctx.store, claude, codex), False, claude, codex
