"""Settings of the maintenance jobs: cleanup, git sync, backups."""

from __future__ import annotations

from typing import Any

from ..config import Section, Setting


def _positive(value: Any) -> str | None:
    return None if value > 0 else f"must be positive, got {value}"


def _vacuum_mode(value: Any) -> str | None:
    modes = ("auto", "incremental", "full", "off")
    return None if value in modes else f"expected one of {', '.join(modes)}"


def _databases(value: Any) -> str | None:
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            return f"item {i}: expected a table with a path, e.g. {{ path = \"~/x.db\", rules = [...] }}"
        for j, rule in enumerate(item.get("rules", [])):
            if not isinstance(rule, dict) or not isinstance(rule.get("table"), str):
                return f"item {i} rule {j}: expected a table with at least table = \"name\""
    return None


def _globs(value: Any) -> str | None:
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            return f"item {i}: expected a path or glob, e.g. \"~/agents/done/*\""
        if not item.startswith(("/", "~")):
            # Relative to what? cron, the console and a shell all start in different folders.
            return f"item {i}: {item!r} must be absolute or start with ~"
    return None


SECTIONS = [
    Section(
        "maintenance",
        "Database cleanup (`fleetdeck run cleanup`)",
        (
            Setting("prompt_days", 30, "Delete completed prompts finished more than this many days ago.",
                    kind="int", validate=_positive),
            Setting("activity_days", 90, "Archive, then delete, activity-log rows older than this many days.",
                    kind="int", validate=_positive),
            Setting("job_run_days", 90, "Delete job_runs rows older than this many days.", kind="int",
                    validate=_positive),
            Setting("outbox_days", 30, "Delete sent/suppressed/failed notifications older than this many days.",
                    kind="int", validate=_positive),
            Setting("batch_size", 2000, "Rows per short write transaction.", kind="int", validate=_positive),
            Setting("archive_batch", 20000, "Rows per archive file.", kind="int", validate=_positive),
            Setting("vacuum", "auto", "Reclaim space: auto/incremental (PRAGMA incremental_vacuum in small steps when the\n"
                    "database uses auto_vacuum=INCREMENTAL, else only reported), full (VACUUM: blocks writers\n"
                    "while it runs), or off.", validate=_vacuum_mode),
            Setting("vacuum_min_mb", 32, "Reclaim only when at least this many MB are free inside the file.",
                    kind="int"),
            Setting("databases", [], "Other SQLite databases to clean: a list of { path = \"...\", rules = [\n"
                    "{ table = \"t\", time_column = \"ts\", older_than_days = 30, where = \"status = 'done'\",\n"
                    "archive = false } ] }. time_column holds UTC epoch seconds.", kind="list",
                    validate=_databases),
        ),
    ),
    Section(
        "git_sync",
        "Git auto-sync (`fleetdeck run git-sync`)",
        (
            Setting("repos", [], "Globs of repository folders to sync (besides the project dirs of sessions).",
                    kind="list"),
            Setting("include_session_dirs", True, "Also sync the project dirs of known sessions.", kind="bool"),
            Setting("commit_patterns", [], "Paths (globs) that may be committed automatically, e.g. \"notes/**\".",
                    kind="list"),
            Setting("commit_message", "chore(notes): sync {date}", "Message of automatic commits ({date}, {files})."),
            Setting("push", True, "Push automatic commits (and anything ahead of upstream).", kind="bool"),
            Setting("push_schedule", "", "Cron expression: push only in runs that start in a matching minute\n"
                    "(empty: every run).", ),
            Setting("timeout_s", 60, "Seconds allowed per git network operation.", kind="int", validate=_positive),
        ),
    ),
    Section(
        "backup",
        "Backups (`fleetdeck run backup`, `fleetdeck run archive-projects`, `fleetdeck restore`)",
        (
            Setting("dir", "", "Where backups go (empty: <data dir>/backups).", kind="path"),
            Setting("databases", [], "Other SQLite databases to back up (paths).", kind="list"),
            Setting("keep_daily", 7, "Daily backups to keep.", kind="int"),
            Setting("keep_weekly", 4, "Weekly backups to keep.", kind="int"),
            Setting("keep_monthly", 12, "Monthly backups to keep.", kind="int"),
            Setting("weekly_day", 6, "Weekday of the weekly archive of logs and configs (0 Monday .. 6 Sunday).",
                    kind="int"),
            Setting("extra_paths", [], "Further config/log files or folders for the weekly archive.", kind="list"),
            Setting("remote", "", "Upload target: a directory (mounted disk), rsync:DEST or rclone:REMOTE:PATH.\n"
                    "Empty: no upload."),
            Setting("archive_paths", [], "Project data for `fleetdeck run archive-projects`: globs; each\n"
                    "match (a folder or a file) is archived whole once nothing in it changed for\n"
                    "archive_after_days, then removed. e.g. [\"~/agents/done/*\", \"~/agent-logs/*.log\"].\n"
                    "Empty: off.",
                    kind="list", validate=_globs),
            Setting("archive_after_days", 90, "Archive project data not modified for this many days.",
                    kind="int", validate=_positive),
        ),
    ),
]
