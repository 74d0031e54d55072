"""The `assign` job: one pass of the assigner (cron, `fleetdeck watch`, the console)."""

from __future__ import annotations

import argparse

from ..jobs import JobContext, JobResult, Progress, job


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prompt", type=int, metavar="ID", help="dispatch only this prompt (now, if a session fits)")


@job(
    "assign",
    description="Hand pending prompts to idle sessions that fit them; mark finished ones completed or failed",
    schedule="* * * * *",
    mutates=True,
    add_arguments=_arguments,
    watch_interval=2,
)
async def assign_job(ctx: JobContext, progress: Progress) -> JobResult:
    from .assigner import Policy, assign_once

    progress(0, 1, "assigning")
    report = assign_once(ctx.store, ctx.clock.now(), Policy.from_config(ctx.config),
                         only=ctx.options.get("prompt"), dry_run=ctx.dry_run)
    progress(1, 1, "done")
    return JobResult(report.message(ctx.dry_run), report.as_json())
