"""The hourly log analyzer: rotation, error extraction (via triage), summary, critical alerts."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from ..jobs import JobContext
    from ..store import Store


def alert_new_critical(store: "Store", *, now: float | None = None) -> list[int]:
    """Queue one critical notification per new critical group (never twice for a group)."""
    from ..notify.outbox import enqueue

    at = int(now if now is not None else time.time())
    rows = store.query("SELECT id, signature, title, count, representative FROM error_groups"
                       " WHERE severity = 'critical' AND alerted_at IS NULL AND status != 'muted'")
    sent = []
    for gid, sig, title, count, sample in rows:
        enqueue(store, source="triage", title=f"New critical error: {title[:150]}",
                body=f"group {gid}, seen {count}x\n{sample[:1500]}", severity="critical",
                dedupe_key=f"triage:critical:{sig}"[:500], now=at)
        store.execute("UPDATE error_groups SET alerted_at = ? WHERE id = ?", (at, gid))
        sent.append(int(gid))
    return sent


def hourly_summary(store: "Store", hour_start: int) -> dict[str, Any]:
    """New groups, top groups and rates of one hour; saved in triage_summaries (rewritten if rerun)."""
    end = hour_start + 3600
    new = [dict(r) for r in store.query(
        "SELECT id, title, severity, count FROM error_groups WHERE first_seen >= ? AND first_seen < ?"
        " ORDER BY first_seen", (hour_start, end))]
    top = [dict(r) for r in store.query(
        "SELECT g.id, g.title, count(*) AS events FROM error_events e JOIN error_groups g ON g.id = e.group_id"
        " WHERE e.at >= ? AND e.at < ? GROUP BY g.id ORDER BY events DESC LIMIT 10", (hour_start, end))]
    by_source = {r[0]: r[1] for r in store.query(
        "SELECT source, count(*) FROM error_events WHERE at >= ? AND at < ? GROUP BY source", (hour_start, end))}
    total = sum(by_source.values())
    data = {"hour": hour_start, "events": total, "events_per_min": round(total / 60, 2), "by_source": by_source,
            "new_groups": new, "top_groups": top}
    store.execute("INSERT INTO triage_summaries (hour, data) VALUES (?, ?) ON CONFLICT (hour) DO UPDATE SET"
                  " data = excluded.data", (hour_start, json.dumps(data)))
    return data


def _archived(store: "Store", path: Path) -> int:
    return int(store.scalar("SELECT archived FROM triage_cursors WHERE name = ?", (f"archive:{path}",)) or 0)


def _save_archived(store: "Store", path: Path, archived: int) -> None:
    store.execute("INSERT INTO triage_cursors (name, archived, updated_at) VALUES (?,?,?) ON CONFLICT (name)"
                  " DO UPDATE SET archived = excluded.archived, updated_at = excluded.updated_at",
                  (f"archive:{path}", archived, int(time.time())))


def rotate_logs(ctx: "JobContext", collect: Callable[["JobContext"], Any]) -> list[dict[str, Any]]:
    from .collect import expand_globs
    from .rotate import archive_foreign, disk_bytes, rotate_owned

    section = ctx.config.section("logs")
    limit = int(float(section.get("rotate_mb", 10.0)) * 1_000_000)
    keep = int(section.get("retention", 5))
    done: list[dict[str, Any]] = []
    for owned, patterns in ((True, section.get("rotate_globs") or []), (False, section.get("foreign_globs") or [])):
        for path in expand_globs(list(patterns)):
            try:
                used = disk_bytes(path)
            except OSError:
                continue
            if used <= limit:
                continue
            entry: dict[str, Any] = {"path": str(path), "bytes": used, "method": "rename" if owned else "hole-punch"}
            if not ctx.dry_run:
                try:
                    if owned:
                        collect(ctx)  # the tailer must know the file before it is renamed, to finish it after
                        entry["archive"] = str(rotate_owned(path, keep=keep,
                                                            before_compress=lambda _p: collect(ctx)))
                    else:
                        archived, archive, freed = archive_foreign(path, _archived(ctx.store, path), keep=keep)
                        _save_archived(ctx.store, path, archived)
                        entry.update(archive=str(archive) if archive else None, space_freed=freed)
                except OSError as exc:  # one unwritable log must not stop the others
                    entry["error"] = f"{exc.strerror or exc}"
            done.append(entry)
    return done


def analyze(ctx: "JobContext", collect: Callable[["JobContext"], Any]) -> dict[str, Any]:
    now = ctx.clock.now()
    rotated = rotate_logs(ctx, collect)
    if ctx.dry_run:
        return {"message": f"logs (dry run): would rotate {len(rotated)} files", "rotate": rotated}
    collected = collect(ctx)
    hour = int(now) // 3600 * 3600
    summaries = [hourly_summary(ctx.store, hour - 3600), hourly_summary(ctx.store, hour)]
    alerts = alert_new_critical(ctx.store, now=now)
    pruned = prune_events(ctx.store, int(ctx.config.get("triage", "event_days", 30)), now=now)
    return {
        "message": f"logs: rotated {len(rotated)}, {collected.ingest.events} errors,"
                   f" {len(summaries[0]['new_groups'])} new groups last hour, {len(alerts)} critical alerts",
        "rotated": rotated, "summary_last_hour": summaries[0], "summary_this_hour": summaries[1],
        "alerts": alerts, "events_pruned": pruned,
    }


def prune_events(store: "Store", days: int, *, now: float, batch: int = 5000) -> int:
    """Drop error events older than ``days`` in short transactions; groups keep their counts."""
    cutoff = int(now) - days * 86400
    total = 0
    while True:
        with store.write() as conn:
            n = conn.execute("DELETE FROM error_events WHERE id IN (SELECT id FROM error_events WHERE at < ?"
                             " LIMIT ?)", (cutoff, batch)).rowcount
        total += n
        if n < batch:
            return total
