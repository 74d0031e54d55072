"""What the Maintenance view shows: each maintenance job's last run and next run, git-sync results, backups
(project-data archives included)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..config import Config
from ..store import Store

JOBS = ("cleanup", "git-sync", "backup", "archive-projects")


def next_run(expression: str | None, now: float) -> int | None:
    """Epoch seconds of the next run of a cron schedule (cron reads local time), or None when unscheduled."""
    if not expression:
        return None
    from ..schedule import CronError, parse_cron

    try:
        local = dt.datetime.fromtimestamp(now).replace(tzinfo=None)
        return int(parse_cron(expression).next_after(local).timestamp())
    except CronError:
        return None


def _summary(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def overview(store: Store, config: Config, now: float) -> dict[str, Any]:
    from ..jobs import effective_schedule, get_job

    jobs = []
    for name in JOBS:
        spec = get_job(name)
        if spec is None:
            continue
        last = store.query_one("SELECT * FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT 1", (name,))
        schedule = effective_schedule(spec, config)
        result = ""
        if last is not None:
            result = last["error"] or _summary(last["summary"]).get("message", "") or last["status"]
        jobs.append({"name": name, "description": spec.description, "schedule": schedule,
                     "last_started": last["started_at"] if last else None,
                     "last_status": last["status"] if last else None,
                     "last_dry_run": bool(last["dry_run"]) if last else False,
                     "last_summary": _brief(name, _summary(last["summary"]) if last else {}) or result,
                     "next_run": next_run(schedule, now)})
    git_run = store.query_one("SELECT summary, started_at, dry_run FROM job_runs WHERE job = 'git-sync'"
                              " AND status IN ('ok', 'failed') ORDER BY id DESC LIMIT 1")
    repos = _summary(git_run["summary"]).get("repos", []) if git_run else []
    backups = [dict(r) for r in store.query(
        "SELECT id, kind, source, file, size_bytes, created_at, remote FROM backups WHERE deleted_at IS NULL"
        " ORDER BY created_at DESC, id DESC LIMIT 20")]
    return {"jobs": jobs, "repos": repos, "repos_at": git_run["started_at"] if git_run else None,
            "backups": backups}


def _brief(name: str, summary: dict[str, Any]) -> str:
    """One line from a run's summary for the table."""
    if not summary:
        return ""
    if name == "cleanup":
        return f"{summary.get('rows_changed', 0):,} rows changed of {summary.get('rows_matched', 0):,} matched"
    if name == "git-sync":
        repos = summary.get("repos", [])
        counts = {s: sum(1 for r in repos if r.get("status") == s) for s in ("ok", "skipped", "error")}
        return f"{counts['ok']} synced, {counts['skipped']} skipped, {counts['error']} failed"
    if name == "backup":
        made, errors = summary.get("made", []), summary.get("errors", [])
        return f"{len(made)} file(s), {len(summary.get('uploaded', []))} uploaded" + (
            f", {len(errors)} error(s)" if errors else "")
    if name == "archive-projects":
        if not summary.get("configured", True):
            return "off: [backup] archive_paths is empty"
        items, kept, errors = summary.get("items", []), summary.get("kept", []), summary.get("errors", [])
        return (f"{len(items)} item(s) archived, {summary.get('removed', 0)} files removed"
                + (f", {len(kept)} kept" if kept else "") + (f", {len(errors)} error(s)" if errors else ""))
    return ""
