"""Settings every part of fleetdeck shares."""

from __future__ import annotations

from typing import Any

from .config import Section, Setting


def _valid_timezone(value: Any) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown timezone {value!r}"
    return None


def _valid_log_level(value: Any) -> str | None:
    levels = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
    return None if str(value).upper() in levels else f"expected one of {', '.join(levels)}"


def _valid_cron(value: Any) -> str | None:
    from .schedule import CronError, parse_cron

    if not isinstance(value, str):
        return f"expected a cron expression string, got {value!r}"
    if value.strip().lower() in ("off", ""):
        return None
    try:
        parse_cron(value)
    except CronError as exc:
        return str(exc)
    return None


SECTIONS = [
    Section(
        "general",
        "General settings",
        (
            Setting("timezone", "UTC", "Timezone for daily/weekly/monthly report boundaries (IANA name).",
                    validate=_valid_timezone),
            Setting("log_level", "INFO", "Level of the log file.", validate=_valid_log_level),
            Setting("log_rotation_mb", 10, "Rotate fleetdeck's own log file at this size.", kind="int"),
            Setting("log_retention", 5, "How many rotated log files to keep.", kind="int"),
            Setting("theme", "textual-dark", "Console theme (textual-dark or textual-light)."),
        ),
    ),
    Section(
        "tmux",
        "tmux servers to watch",
        (
            Setting("sockets", ["default"], "Socket names (tmux -L) or socket paths (tmux -S) to poll.", kind="list"),
            Setting("poll_interval", 1.0, "Seconds between polls in the console and in `fleetdeck watch`.",
                    kind="float"),
        ),
    ),
    Section(
        "schedule",
        "Override a job's default schedule: job-name = \"cron expression\" (or \"off\")",
        (),
        open=True,
        open_validate=_valid_cron,
    ),
]
