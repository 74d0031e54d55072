"""Deliver the outbox: fan each message out to its channels, group, rate-limit, retry with backoff.

Every (message, channel) pair has its own delivery row, so a channel that keeps failing is retried on its own
schedule and never holds back the others. State lives in the store, so a process killed mid-delivery loses
nothing: the next run sends what is still pending (at worst one group is sent twice, never lost).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..logsetup import redact
from .channels import Channel, DeliveryError, configured_channels, split_text

if TYPE_CHECKING:
    from ..store import Store

SEVERITY_MARK = {"info": "ℹ️", "warning": "⚠️", "critical": "🚨"}
MAX_SENDS_PER_RUN = 30  # per channel; keeps one run short, the next run continues

_last_send: dict[str, float] = {}  # channel -> monotonic time of the last send in this process


@dataclass
class DeliveryReport:
    sent: dict[str, int] = field(default_factory=dict)  # channel -> messages delivered
    failed: dict[str, str] = field(default_factory=dict)  # channel -> last error this run
    deferred: dict[str, float] = field(default_factory=dict)  # channel -> seconds it is blocked for
    pending: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "failed": self.failed, "deferred": self.deferred, "pending": self.pending}


def format_group(rows: list[Any]) -> str:
    """One text for a group of alerts; identical titles collapse into one line with a count."""
    if len(rows) == 1:
        row = rows[0]
        head = f"{SEVERITY_MARK.get(row['severity'], '')} {row['title']}".strip()
        return head + (f"\n{row['body']}" if row["body"] else "")
    counts: dict[str, int] = {}
    first: dict[str, Any] = {}
    for row in rows:
        counts[row["title"]] = counts.get(row["title"], 0) + 1
        first.setdefault(row["title"], row)
    worst = max(rows, key=lambda r: ("info", "warning", "critical").index(r["severity"]))
    lines = [f"{SEVERITY_MARK.get(worst['severity'], '')} fleetdeck: {len(rows)} alerts".strip()]
    for title, row in first.items():
        times = f" (×{counts[title]})" if counts[title] > 1 else ""
        lines.append(f"• {title}{times}")
        if row["body"]:
            lines.extend(f"  {line}" for line in row["body"].splitlines())
    return "\n".join(lines)


def _fan_out(store: "Store", channels: dict[str, Channel], now: int) -> None:
    with store.write() as conn:
        rows = conn.execute(
            "SELECT o.id, o.channel FROM outbox o WHERE o.status = 'pending'"
            " AND NOT EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.outbox_id = o.id)").fetchall()
        for row in rows:
            targets = [row["channel"]] if row["channel"] else list(channels)
            for name in targets:
                if name in channels:
                    conn.execute("INSERT OR IGNORE INTO outbox_deliveries (outbox_id, channel, next_attempt_at)"
                                 " VALUES (?, ?, ?)", (row["id"], name, now))
                else:
                    conn.execute("INSERT OR IGNORE INTO outbox_deliveries (outbox_id, channel, status,"
                                 " next_attempt_at, last_error) VALUES (?, ?, 'failed', ?, ?)",
                                 (row["id"], name, now, f"channel {name} is not configured"))


def _finish_messages(store: "Store") -> None:
    with store.write() as conn:
        conn.execute(
            "UPDATE outbox SET"
            " status = CASE WHEN EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.outbox_id = outbox.id"
            "   AND d.status = 'sent') THEN 'sent' ELSE 'failed' END,"
            " sent_at = (SELECT max(sent_at) FROM outbox_deliveries d WHERE d.outbox_id = outbox.id),"
            " attempts = (SELECT coalesce(max(attempts), 0) FROM outbox_deliveries d WHERE d.outbox_id = outbox.id),"
            " last_error = (SELECT group_concat(channel || ': ' || last_error, '; ') FROM outbox_deliveries d"
            "   WHERE d.outbox_id = outbox.id AND d.status = 'failed')"
            " WHERE status = 'pending' AND EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.outbox_id = outbox.id)"
            " AND NOT EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.outbox_id = outbox.id"
            "   AND d.status = 'pending')")


def _channel_state(store: "Store", name: str) -> dict[str, Any]:
    row = store.query_one("SELECT * FROM notify_channels WHERE channel = ?", (name,))
    return dict(row) if row else {"channel": name, "consecutive_failures": 0, "failing": 0, "blocked_until": None}


def _record_ok(store: "Store", name: str, now: int) -> None:
    store.execute(
        "INSERT INTO notify_channels (channel, consecutive_failures, failing, last_ok_at) VALUES (?, 0, 0, ?)"
        " ON CONFLICT (channel) DO UPDATE SET consecutive_failures = 0, failing = 0, last_ok_at = excluded.last_ok_at,"
        " blocked_until = NULL", (name, now))


def _record_failure(store: "Store", name: str, now: int, error: str, failing_after: int,
                    blocked_until: int | None) -> None:
    counts = 0 if blocked_until else 1  # a rate limit is the channel working as designed, not a failure
    store.execute(
        "INSERT INTO notify_channels (channel, consecutive_failures, failing, blocked_until, last_error,"
        " last_failure_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (channel) DO UPDATE SET consecutive_failures = consecutive_failures + ?,"
        " failing = (consecutive_failures + ?) >= ?, blocked_until = excluded.blocked_until,"
        " last_error = excluded.last_error, last_failure_at = excluded.last_failure_at",
        (name, counts, int(counts >= failing_after), blocked_until, error, now, counts, counts, failing_after))


def _pace(channel: Channel, sleep: Callable[[float], None]) -> None:
    last = _last_send.get(channel.name)
    if last is not None and channel.min_interval > 0:
        wait = channel.min_interval - (time.monotonic() - last)
        if wait > 0:
            sleep(wait)
    _last_send[channel.name] = time.monotonic()


def _deliver_channel(store: "Store", channel: Channel, notify: dict[str, Any], now_fn: Callable[[], float],
                     sleep: Callable[[float], None], report: DeliveryReport) -> None:
    group_max = max(1, int(notify.get("group_max", 10)))
    max_attempts = max(1, int(notify.get("max_attempts", 8)))
    base, cap = float(notify.get("backoff_base", 30.0)), float(notify.get("backoff_max", 3600.0))
    failing_after = max(1, int(notify.get("failing_after", 3)))
    sends = 0
    while sends < MAX_SENDS_PER_RUN:
        now = int(now_fn())
        state = _channel_state(store, channel.name)
        if state.get("blocked_until") and state["blocked_until"] > now:
            report.deferred[channel.name] = state["blocked_until"] - now
            return
        rows = store.query(
            "SELECT o.id, o.severity, o.title, o.body, d.attempts FROM outbox_deliveries d"
            " JOIN outbox o ON o.id = d.outbox_id WHERE d.channel = ? AND d.status = 'pending'"
            " AND d.next_attempt_at <= ? ORDER BY o.id LIMIT ?", (channel.name, now, group_max))
        if not rows:
            return
        ids = [r["id"] for r in rows]
        marks = ",".join("?" * len(ids))
        try:
            for part in split_text(format_group(rows), channel.limit):
                _pace(channel, sleep)
                channel.send(part)
                sends += 1
        except DeliveryError as exc:
            error = redact(str(exc))
            now = int(now_fn())
            report.failed[channel.name] = error
            if exc.retry_after is not None:
                blocked = now + max(1, int(exc.retry_after + 0.999))
                _record_failure(store, channel.name, now, error, failing_after, blocked)
                report.deferred[channel.name] = blocked - now
                return
            attempts = max(r["attempts"] for r in rows) + 1
            delay = min(cap, base * (2 ** (attempts - 1)))
            final = exc.permanent or attempts >= max_attempts
            with store.write() as conn:
                conn.execute(
                    f"UPDATE outbox_deliveries SET attempts = attempts + 1, last_error = ?,"
                    f" status = ?, next_attempt_at = ? WHERE channel = ? AND outbox_id IN ({marks})",
                    (error, "failed" if final else "pending", now + int(delay), channel.name, *ids))
            _record_failure(store, channel.name, now, error, failing_after, None)
            return
        now = int(now_fn())
        with store.write() as conn:
            conn.execute(f"UPDATE outbox_deliveries SET status = 'sent', sent_at = ?, attempts = attempts + 1"
                         f" WHERE channel = ? AND outbox_id IN ({marks})", (now, channel.name, *ids))
        _record_ok(store, channel.name, now)
        report.sent[channel.name] = report.sent.get(channel.name, 0) + len(ids)


def deliver_pending(store: "Store", notify: dict[str, Any], *, now_fn: Callable[[], float] = time.time,
                    sleep: Callable[[float], None] = time.sleep,
                    channels: dict[str, Channel] | None = None) -> DeliveryReport:
    """Send what is due on every configured channel; return what happened."""
    channels = channels if channels is not None else configured_channels(notify)
    report = DeliveryReport()
    _fan_out(store, channels, int(now_fn()))
    for channel in channels.values():
        _deliver_channel(store, channel, notify, now_fn, sleep, report)
    _finish_messages(store)
    report.pending = int(store.scalar("SELECT count(*) FROM outbox WHERE status = 'pending'") or 0)
    return report


def outbox_rows(store: "Store", limit: int = 50) -> list[dict[str, Any]]:
    """Recent messages with their per-channel delivery state, newest first."""
    rows = [dict(r) for r in store.query(
        "SELECT id, created_at, severity, source, title, status, sent_at, channel FROM outbox"
        " ORDER BY id DESC LIMIT ?", (limit,))]
    if rows:
        marks = ",".join("?" * len(rows))
        deliveries: dict[int, dict[str, str]] = {}
        for d in store.query(f"SELECT outbox_id, channel, status, attempts, last_error FROM outbox_deliveries"
                             f" WHERE outbox_id IN ({marks})", [r["id"] for r in rows]):
            deliveries.setdefault(d["outbox_id"], {})[d["channel"]] = d["status"]
        for row in rows:
            row["channels"] = deliveries.get(row["id"], {})
    return rows


def channel_health(store: "Store", notify: dict[str, Any]) -> list[dict[str, Any]]:
    """Each configured channel with failing state and its last error (already redacted)."""
    result = []
    for name in configured_channels(notify):
        state = _channel_state(store, name)
        pending = store.scalar("SELECT count(*) FROM outbox_deliveries WHERE channel = ? AND status = 'pending'",
                               (name,))
        result.append({"channel": name, "failing": bool(state.get("failing")),
                       "consecutive_failures": int(state.get("consecutive_failures") or 0),
                       "last_error": state.get("last_error"), "last_ok_at": state.get("last_ok_at"),
                       "blocked_until": state.get("blocked_until"), "pending": int(pending or 0)})
    return result
