"""Spike detection: the last hour's spend against the same hours of the previous seven days.

Comparing with the same time of day (±1 hour, 21 samples) means a normal working-hours peak is not a spike,
and median + MAD keeps one odd hour in the baseline from moving it. A spike needs the hour to exceed
``factor`` times the robust baseline and to be at least ``min_usd`` — small absolute amounts are noise.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...services.config import Config
    from ..store import Store

HOUR = 3600
DAY = 86400
MAD_SCALE = 1.4826  # makes MAD comparable to a standard deviation for normal data


@dataclass(frozen=True)
class SpikeCheck:
    last_hour_micros: int
    median_micros: float
    mad_micros: float
    threshold_micros: float
    spike: bool


def _sum(store: "Store", start: int, end: int) -> int:
    return int(store.scalar("SELECT coalesce(sum(cost_micros), 0) FROM api_calls WHERE at > ? AND at <= ?",
                            (start, end)) or 0)


def detect_spike(store: "Store", now: float, *, factor: float, min_usd: float) -> SpikeCheck:
    end = int(now)
    last = _sum(store, end - HOUR, end)
    samples = [_sum(store, end - d * DAY + off * HOUR - HOUR, end - d * DAY + off * HOUR)
               for d in range(1, 8) for off in (-1, 0, 1)]
    median = statistics.median(samples)
    mad = statistics.median(abs(s - median) for s in samples)
    baseline = median + MAD_SCALE * mad
    threshold = max(factor * baseline, min_usd * 1_000_000)
    return SpikeCheck(last, median, mad, threshold, last > threshold)


def check_spike(store: "Store", config: "Config", now: float) -> dict[str, Any] | None:
    """Queue a spike alert (at most one per hour); return what fired, or None."""
    from ..notify.outbox import enqueue

    alerts = config.section("alerts")
    if not alerts.get("spike_enabled", True):
        return None
    check = detect_spike(store, now, factor=float(alerts.get("spike_factor", 3.0)),
                         min_usd=float(alerts.get("spike_min_usd", 2.0)))
    if not check.spike:
        return None
    hour = int(now) // HOUR * HOUR
    with store.write() as conn:
        cur = conn.execute("INSERT OR IGNORE INTO alerts_fired (key, fired_at, detail) VALUES (?, ?, ?)",
                           (f"spike:{hour}", int(now), str(check.last_hour_micros)))
        if not cur.rowcount:
            return None
    rate = check.last_hour_micros / 1_000_000
    usual = check.median_micros / 1_000_000
    title = f"Spend spike: ${rate:,.2f} in the last hour (usually ${usual:,.2f})"
    body = f"Threshold ${check.threshold_micros / 1_000_000:,.2f}/h. Check `fleetdeck report 1 --by session`."
    enqueue(store, source="spike", title=title, body=body, severity="warning", dedupe_key=f"spike:{hour}", now=now)
    return {"last_hour_micros": check.last_hour_micros, "median_micros": check.median_micros,
            "threshold_micros": round(check.threshold_micros)}
