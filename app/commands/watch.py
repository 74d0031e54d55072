"""`fleetdeck watch`: the daemon (poll sessions, assign prompts, ingest spend, triage, sample metrics...)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "watch",
        help="run the daemon: every job with a watch interval, in a loop; stops cleanly on SIGTERM",
    )
    p.add_argument("--only", action="append", metavar="JOB", help="run only this job (repeatable)")
    p.add_argument("--passes", type=int, default=None, help=argparse.SUPPRESS)  # tests: stop after N passes
    p.set_defaults(handler=watch)


def watch(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import signal

    from fleetdeck.services.daemon import Watcher
    from fleetdeck.services.errors import UsageError
    from fleetdeck.services.jobrunner import job_lock
    from fleetdeck.services.jobs import JobContext, get_job

    ctx.setup_logging()
    only = set(args.only) if args.only else None
    for name in sorted(only or ()):
        spec = get_job(name)
        if spec is None:
            raise UsageError(f"unknown job {name!r}")
        if not spec.watch_interval:  # the loop would skip it and idle until stopped
            raise UsageError(f"job {name!r} has no watch interval: run it once with `fleetdeck run {name}`, or "
                             "on its schedule (`fleetdeck schedule --cron`)")
    watcher = Watcher(ctx.config, ctx.store, ctx.clock, ctx.events, only=only)

    def stop(signum: int, frame: object) -> None:
        watcher.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    lock_ctx = JobContext(config=ctx.config, store=ctx.store, clock=ctx.clock, events=ctx.events)
    with job_lock(lock_ctx, "watch"):  # one daemon per data dir; a second exits 75
        names = ", ".join(spec.name for spec in watcher.specs) or "nothing"
        print(f"fleetdeck watch: running {names} (SIGTERM or Ctrl+C to stop)", flush=True)
        stats = watcher.run(max_passes=args.passes)
    print(f"fleetdeck watch: stopped after {stats.passes} passes, {stats.failures} failed", flush=True)
    return 0
