"""The [sessions] config section."""

from __future__ import annotations

from typing import Any

from ..config import Section, Setting


def _valid_policy(value: Any) -> str | None:
    return None if value in ("off", "ask", "auto") else "expected off, ask or auto"


SECTIONS = [
    Section(
        "sessions",
        "Agent sessions: restart policies and thresholds",
        (
            Setting("restart_policy", "ask", "Default policy for new sessions: off, ask (notify) or auto.",
                    validate=_valid_policy),
            Setting("context_threshold", 5, "Restart with a handoff note at or below this % of context left.",
                    kind="int"),
            Setting("max_crash_restarts_per_hour", 3, "Crash restarts per session per hour before giving up.",
                    kind="int"),
            Setting("crash_backoff_s", 10, "First wait before a crash restart; doubles each time.", kind="int"),
            Setting("idle_after_s", 1.5, "A shell pane whose screen has not changed this long is idle.",
                    kind="float"),
            Setting("resume_prompt",
                    "You were restarted to free context. Read the handoff note at {note} and continue the task.",
                    "Prompt pasted after a restart; {note} is the handoff note's path."),
            Setting("usage_resume_prompt", "continue", "Prompt pasted when a usage limit has reset."),
        ),
    ),
]
