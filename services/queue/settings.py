"""The [queue] config section: retries, timeouts and how the assigner reconciles after a crash."""

from __future__ import annotations

from typing import Any

from ..config import Section, Setting


def _positive(value: Any) -> str | None:
    return None if value > 0 else f"must be positive, got {value!r}"


SECTIONS = [
    Section(
        "queue",
        "The task queue and its assigner",
        (
            Setting("max_attempts", 3, "How many times a prompt is sent before it is marked failed.", kind="int",
                    validate=_positive),
            Setting("timeout_minutes", 120.0, "A running prompt that takes longer than this counts as failed.",
                    kind="float", validate=_positive),
            Setting("reconcile_grace_s", 10.0,
                    "An 'assigning' prompt left by a crashed assigner is checked against its pane only after this "
                    "many seconds, so the agent has had time to show it got the text.", kind="float",
                    validate=_positive),
            Setting("enter_delay", 0.15, "Seconds between pasting a prompt and pressing Enter.", kind="float"),
            Setting("console_assign", True, "Run the assigner while the console is open.", kind="bool"),
            Setting("history", 200, "Completed prompts per workflow the ETA learns durations from.", kind="int",
                    validate=_positive),
        ),
    ),
]
