"""The nightly `optimize` job."""

from __future__ import annotations

from ..jobs import JobContext, JobResult, Progress, job


@job(
    "optimize",
    description="Review the agents' instruction files with an LLM and apply safe improvements as git commits",
    schedule="0 2 * * *",
    mutates=True,
)
async def optimize(ctx: JobContext, progress: Progress) -> JobResult:
    import asyncio

    from .run import run_optimizer

    progress(0, 1, "reviewing")
    summary = await asyncio.to_thread(run_optimizer, ctx.config, ctx.store, now=ctx.clock.now(),
                                      dry_run=ctx.dry_run)
    progress(1, 1, "done")
    not_reviewed = sum(f["status"] != "reviewed" for f in summary["files"])
    done = (f"would apply {summary['would_apply']}" if ctx.dry_run or summary["note"]
            else f"applied {summary['applied']}")
    score = summary["score"] if summary["score"] is not None else "?"
    message = (f"optimizer: score {score}/100, {done}, {summary['suggested']} suggestions, "
               f"{summary['rejected']} rejected, {not_reviewed} files not reviewed")
    return JobResult(message, summary)
