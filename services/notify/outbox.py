"""The entry point every service uses to tell people something: put it in the persistent outbox.

Delivery (Slack, Telegram, desktop, the console) is the notify service's job; it reads pending rows, groups,
rate-limits and retries them, so an alert raised while the network is down or the process restarts still goes
out later. Enqueueing is deduplicated on ``dedupe_key`` within a window.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import Store

SEVERITIES = ("info", "warning", "critical")


def enqueue(
    store: "Store",
    *,
    source: str,
    title: str,
    body: str = "",
    severity: str = "info",
    dedupe_key: str | None = None,
    dedupe_window_s: int = 3600,
    now: float | None = None,
    channel: str | None = None,
) -> int | None:
    """Queue a notification; return its id, or None when an identical one is already queued or recent.

    ``channel`` limits delivery to one channel (``fleetdeck alerts test``); by default every configured one.
    """
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, not {severity!r}")
    from ..logsetup import redact

    at = int(now if now is not None else time.time())
    title, body = redact(title), redact(body)
    with store.write() as conn:
        if dedupe_key:
            dup = conn.execute(
                "SELECT id FROM outbox WHERE dedupe_key = ? AND created_at >= ? LIMIT 1",
                (dedupe_key, at - dedupe_window_s),
            ).fetchone()
            if dup:
                return None
        cur = conn.execute(
            "INSERT INTO outbox (created_at, severity, source, title, body, dedupe_key, status, next_attempt_at,"
            " channel) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            (at, severity, source, title, body, dedupe_key, at, channel),
        )
        level = {"info": "info", "warning": "warning", "critical": "critical"}[severity]
        conn.execute(
            "INSERT INTO activity_log (at, level, source, message) VALUES (?, ?, ?, ?)",
            (at, level, source, title),
        )
    return int(cur.lastrowid or 0)
