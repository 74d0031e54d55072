"""Jobs: `triage` (collect and group new errors) and `logs` (rotate, extract patterns, summarize, alert)."""

from __future__ import annotations

from ..jobs import JobContext, JobResult, Progress, job


def _engine(ctx: JobContext):  # noqa: ANN202
    from .engine import Engine, Rules

    return Engine(ctx.store, Rules.from_config(ctx.config.section("triage")))


def run_triage(ctx: JobContext):  # noqa: ANN201 - CollectResult
    from .collect import CollectResult, collect_logs, collect_table

    section = ctx.config.section("triage")
    engine = _engine(ctx)
    result = CollectResult()
    collect_logs(engine, ctx.store, list(section.get("log_globs") or []), section.get("error_pattern"), result)
    collect_table(engine, ctx.store, result)
    return result


@job(
    "triage",
    description="Collect new errors (logs, failed jobs, failed API calls), group them, file and link bugs",
    schedule="*/15 * * * *",
    mutates=True,
    watch_interval=30,
)
async def triage(ctx: JobContext, progress: Progress) -> JobResult:
    if ctx.dry_run:
        pending = ctx.store.scalar("SELECT count(*) FROM error_groups")
        return JobResult(f"triage (dry run): would collect new errors; {pending} groups so far", {"dry_run": True})
    progress(0, 1, "collecting")
    r = run_triage(ctx)
    from .analyzer import alert_new_critical

    alerts = alert_new_critical(ctx.store, now=ctx.clock.now())
    progress(1, 1, "done")
    summary = {"files": r.files, "lines": r.lines, "truncated_lines": r.truncated, "events": r.ingest.events,
               "duplicates": r.ingest.duplicates, "new_groups": r.ingest.new_groups,
               "bugs_filed": sorted(set(r.ingest.bugs_filed)), "linked": r.ingest.linked, "critical_alerts": alerts}
    return JobResult(f"triage: {r.ingest.events} errors, {len(r.ingest.new_groups)} new groups,"
                     f" {len(set(r.ingest.bugs_filed))} bugs filed", summary)


@job(
    "logs",
    description="Rotate big logs (no line lost), extract error patterns, write the hourly summary, alert",
    schedule="7 * * * *",
    mutates=True,
)
async def logs(ctx: JobContext, progress: Progress) -> JobResult:
    from .analyzer import analyze

    progress(0, 1, "analyzing")
    out = analyze(ctx, collect=run_triage)
    progress(1, 1, "done")
    return JobResult(out.pop("message"), out)
