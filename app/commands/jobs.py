"""`fleetdeck jobs` and `fleetdeck run JOB`."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("jobs", help="list every job with its schedule and whether it changes data")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=list_jobs)

    p = sub.add_parser(
        "run",
        help="run one job now (cron-safe)",
        description="Run one job. Options after JOB are the job's own (see `fleetdeck run JOB --help`).",
    )
    p.add_argument("job", nargs="?", help="job name (see `fleetdeck jobs`)")
    p.add_argument("job_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(handler=run_job_command)


def list_jobs(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import time

    from fleetdeck.app.output import print_json, print_table
    from fleetdeck.services.jobrunner import last_runs
    from fleetdeck.services.jobs import all_jobs, effective_schedule

    config = ctx.config
    last = last_runs(ctx.store)
    rows = []
    for spec in all_jobs():
        run = last.get(spec.name)
        rows.append({
            "name": spec.name,
            "schedule": effective_schedule(spec, config),
            "default_schedule": spec.schedule,
            "changes_data": spec.mutates,
            "dry_run": spec.supports_dry_run,
            "watch_interval_s": spec.watch_interval,
            "description": spec.description,
            # The latest run: a job_runs row, or a pass of `watch` or the console (those record only failures).
            "last_run": None if run is None else {
                "started_at": run["started_at"], "finished_at": run["finished_at"], "status": run["status"],
                "trigger": run["trigger"], "run_id": run["id"]},
        })
    if args.json:
        print_json(rows)
    else:
        def when(r: dict) -> str:
            run = r["last_run"]
            if run is None:
                return "never"
            return time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(run["started_at"])) + f" {run['status']}"

        print_table(
            [(r["name"], r["schedule"] or "manual", "yes" if r["changes_data"] else "no", when(r), r["description"])
             for r in rows],
            ("JOB", "SCHEDULE", "CHANGES DATA", "LAST RUN", "DESCRIPTION"),
            align="lllll",
        )
    return 0


def run_job_command(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.services.errors import UsageError
    from fleetdeck.services.jobs import all_jobs, get_job

    if not args.job:
        names = ", ".join(spec.name for spec in all_jobs())
        raise UsageError(f"which job? one of: {names}")
    spec = get_job(args.job)
    if spec is None:
        names = ", ".join(s.name for s in all_jobs())
        raise UsageError(f"unknown job {args.job!r} (jobs: {names})")

    from fleetdeck.app.cli import _Parser

    jp = _Parser(prog=f"fleetdeck run {spec.name}", description=spec.description)
    jp.add_argument("--json", action="store_true", help="print the result as JSON")
    # A job that changes nothing takes --dry-run too (it runs as it always does), so a cron line or script can
    # pass it to every job.
    jp.add_argument("--dry-run", action="store_true",
                    help="show what would change, change nothing" if spec.supports_dry_run else
                    "accepted for uniformity: this job changes nothing, so it runs as usual")
    jp.add_argument("--debug", action="store_true", help="show tracebacks and debug logs on stderr")
    if spec.add_arguments:
        spec.add_arguments(jp)
    job_args = jp.parse_args(args.job_args)
    if job_args.debug:
        ctx.debug = True
    return execute(spec, job_args, ctx)


def execute(spec, job_args: argparse.Namespace, ctx, trigger: str = "cli", ok_stream=None) -> int:  # noqa: ANN001
    """Run the job and print its result: on stdout when it succeeds (``ok_stream`` instead, for a job run
    ahead of another command's output), else on stderr; its exit code."""
    from fleetdeck.app.output import print_json, redraws, visible
    from fleetdeck.services.jobrunner import run_job
    from fleetdeck.services.jobs import JobContext

    ctx.setup_logging()
    options = {k: v for k, v in vars(job_args).items() if k not in ("json", "dry_run", "debug")}
    job_ctx = JobContext(
        config=ctx.config, store=ctx.store, clock=ctx.clock, events=ctx.events,
        dry_run=bool(getattr(job_args, "dry_run", False)), trigger=trigger, options=options,
    )
    progress = not job_args.json and redraws(sys.stderr)
    if progress:
        job_ctx.events.subscribe(_stderr_progress, ("job.progress",))
    outcome = run_job(spec, job_ctx)
    if progress:  # a job need not report its last step: the result must not land on its progress line
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()
    if job_args.json:
        print_json(outcome.as_json())
    else:
        stream = (ok_stream or sys.stdout) if outcome.status == "ok" else sys.stderr
        prefix = "" if outcome.status == "ok" else "fleetdeck: "
        print(f"{prefix}{visible(outcome.message)}", file=stream)
        if outcome.details:
            print(visible(outcome.details), file=stream)
    if outcome.traceback and ctx.debug:
        print(outcome.traceback, file=sys.stderr)
    return int(outcome.exit_code)


def _stderr_progress(event) -> None:  # noqa: ANN001
    data = event.data
    total = data.get("total")
    pct = f"{100 * data['done'] / total:5.1f}% " if total else ""
    sys.stderr.write(f"\r\033[K{data['job']}: {pct}{data.get('message', '')}")
    if total and data["done"] >= total:
        sys.stderr.write("\r\033[K")
    sys.stderr.flush()
