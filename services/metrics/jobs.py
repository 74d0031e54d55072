"""The collect-metrics job: one sample into the store, rollups and pruning, disk alerts, optional textfile."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..jobs import JobContext, JobResult, Progress, job

if TYPE_CHECKING:
    from .collector import Collector

PRIME_SECONDS = 0.5  # first pass of a process: CPU rates need two readings this far apart
STALE_AFTER_S = 600  # a kept collector older than this is re-primed (its rates would average too long)

_kept: dict[tuple[str, ...], "Collector"] = {}  # `fleetdeck watch` reruns the job in one process: keep state


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--textfile", metavar="DIR", help="also write DIR/fleetdeck.prom for node_exporter")


@job(
    "collect-metrics",
    description="Sample host, per-session and fleet metrics into the store; roll up and prune old samples",
    schedule="*/15 * * * *",
    mutates=True,
    add_arguments=_arguments,
    watch_interval=60.0,
)
async def collect_metrics(ctx: JobContext, progress: Progress) -> JobResult:
    import asyncio
    import time

    from .alerts import check_disks
    from .collector import Collector
    from .fleet import live_sessions
    from .storage import roll_up, store_points

    cfg: dict[str, Any] = ctx.config.section("metrics")
    mounts = tuple(cfg.get("disk_mounts") or ["/"])
    collector = _kept.get(mounts)
    if collector is None or collector.last_at is None or time.time() - collector.last_at > STALE_AFTER_S:
        collector = _kept[mounts] = Collector(mounts)
        progress(0, 4, "priming CPU counters")
        collector.prime(live_sessions(ctx.store))
        await asyncio.sleep(PRIME_SECONDS)
    progress(1, 4, "sampling")
    now = ctx.clock.now()
    snapshot = collector.sample(ctx.store, now=now, timezone=str(ctx.config.get("general", "timezone", "UTC")))
    summary: dict[str, Any] = {
        "at": int(now),
        "sessions": len(snapshot.sessions),
        "cpu_percent": round(snapshot.host.cpu_percent, 1),
        "memory_percent": round(snapshot.host.mem_percent, 1),
        "disks": {d.mount: round(d.percent, 1) for d in snapshot.host.disks},
    }
    textfile = ctx.options.get("textfile") or cfg.get("textfile_dir") or None
    if ctx.dry_run:
        summary["would_store"] = sum(1 for _ in snapshot.points(stored=True))
        return JobResult(f"metrics (dry run): would store {summary['would_store']} values", summary)

    progress(2, 4, "storing")
    summary["stored"] = store_points(ctx.store, now, snapshot.points(stored=True))
    progress(3, 4, "rolling up")
    result = roll_up(
        ctx.store, now,
        raw_retention_s=int(cfg["raw_retention_hours"]) * 3600,
        bucket_s=int(cfg["rollup_minutes"]) * 60,
        rollup_retention_s=int(cfg["rollup_retention_days"]) * 86400,
    )
    summary.update(rolled_up=result.raw_rolled, buckets=result.buckets, rollups_pruned=result.rollups_pruned)
    summary["disks_full"] = check_disks(ctx.store, snapshot.host, float(cfg["disk_alert_percent"]), now)
    if textfile:
        from ..errors import CantCreateError
        from .prometheus import write_textfile

        try:
            summary["textfile"] = str(write_textfile(textfile, snapshot))
        except OSError as exc:
            raise CantCreateError(f"cannot write textfile in {textfile}: {exc.strerror or exc}") from None
    progress(4, 4, "done")
    message = (f"metrics: {summary['stored']} values, {len(snapshot.sessions)} sessions, "
               f"cpu {snapshot.host.cpu_percent:.0f}%, mem {snapshot.host.mem_percent:.0f}%")
    if result.raw_rolled:
        message += f", {result.raw_rolled} samples rolled up"
    if summary["disks_full"]:
        message += f", disk over {cfg['disk_alert_percent']:g}%: {', '.join(summary['disks_full'])}"
    return JobResult(message, summary)
