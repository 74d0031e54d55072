"""Jobs: budget and spike checks, and the weekly report."""

from __future__ import annotations

from ..jobs import JobContext, JobResult, Progress, job


def run_checks(ctx: JobContext) -> dict:
    from .budgets import check_budgets
    from .spike import check_spike

    now = ctx.clock.now()
    return {"budgets": check_budgets(ctx.store, ctx.config, now), "spike": check_spike(ctx.store, ctx.config, now)}


# Not scheduled on its own: deliver-alerts runs the same checks before every delivery.
@job("budget-check", description="Check budgets and spend spikes now; queue alerts for thresholds crossed",
     mutates=True)  # queueing an alert is a change: it is sent later
async def budget_check(ctx: JobContext, progress: Progress) -> JobResult:
    if ctx.dry_run:
        return JobResult("budget-check: dry run, nothing checked")
    fired = run_checks(ctx)
    count = len(fired["budgets"]) + (1 if fired["spike"] else 0)
    return JobResult(f"budget-check: {count} alert(s) queued", fired)


@job("weekly-report", description="Write the week's spend report (Markdown + JSON) and send its summary",
     schedule="0 18 * * 0", mutates=True)  # it writes two files and queues a message
async def weekly_report(ctx: JobContext, progress: Progress) -> JobResult:
    from ..notify.outbox import enqueue
    from .weekly import build_report, summary_text, write_report

    if ctx.dry_run:
        return JobResult(f"weekly-report (dry run): would write the week's report under "
                         f"{ctx.paths.data_dir / 'reports'} and queue its summary; nothing written")

    progress(0, 2, "summing the week")
    report = build_report(ctx.store, ctx.config, ctx.clock.now())
    md, js = write_report(report, ctx.paths.data_dir)
    progress(1, 2, "queueing the summary")
    enqueue(ctx.store, source="weekly-report", title=f"Weekly spend {report['from']} to {report['to']}",
            body=summary_text(report), severity="info", dedupe_key=f"weekly:{report['to']}",
            dedupe_window_s=7 * 86400, now=ctx.clock.now())
    progress(2, 2, "done")
    return JobResult(f"weekly-report: {md}", {"markdown": str(md), "json": str(js),
                                              "cost_micros": report["totals"]["cost_micros"]})
