"""The delivery job: check alerts, then send what the outbox holds."""

from __future__ import annotations

from ..jobs import JobContext, JobResult, Progress, job


@job("deliver-alerts", description="Check budgets/spikes and deliver queued alerts to Slack, Telegram, desktop",
     schedule="*/5 * * * *", mutates=True, watch_interval=10.0)  # it queues alerts and sends messages
async def deliver_alerts(ctx: JobContext, progress: Progress) -> JobResult:
    import asyncio

    from ..alerts.jobs import run_checks

    if ctx.dry_run:
        return JobResult("deliver-alerts: dry run, nothing sent")
    progress(0, 2, "checking budgets and spikes")
    fired = run_checks(ctx)
    progress(1, 2, "delivering")
    # Delivery sleeps between Slack messages; keep it off the event loop.
    report = await asyncio.to_thread(_deliver, ctx)
    progress(2, 2, "done")
    sent = sum(report.sent.values())
    failed = ", ".join(f"{c}: {e}" for c, e in report.failed.items())
    message = f"deliver-alerts: {sent} sent, {report.pending} pending" + (f"; failing {failed}" if failed else "")
    return JobResult(message, {"fired": fired, **report.as_dict()})


def _deliver(ctx: JobContext):  # noqa: ANN202
    from ..store import Store
    from .delivery import deliver_pending

    # The worker thread gets its own connection: sqlite3 connections are not shared across threads here.
    store = Store.open(ctx.store.path)
    try:
        return deliver_pending(store, ctx.config.section("notify"), now_fn=ctx.clock.now)
    finally:
        store.close()
