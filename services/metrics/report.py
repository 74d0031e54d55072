"""The performance report: uptime and restarts per session, CPU and memory percentiles, API latency
percentiles by model, disk growth per mount, over the last N days.

Percentiles over history mix raw samples (last 48 h by default) with 15-minute rollup means for older time;
a rollup counts once, so long windows are percentiles of quarter-hour means, not of every sample.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from .fleet import latency_by_model, sessions_between, uptime_by_session
from .stats import percentile
from .storage import parse_labels, series

if TYPE_CHECKING:
    from ..store import Store


@dataclass(frozen=True)
class Spread:
    samples: int
    p50: float | None
    p95: float | None
    max: float | None


def spread(means: list[float], maxes: list[float]) -> Spread:
    return Spread(len(means), percentile(means, 50), percentile(means, 95), max(maxes) if maxes else None)


@dataclass(frozen=True)
class SessionPerf:
    id: int
    name: str
    uptime_percent: float | None
    restarts_in_window: int
    restarts_total: int
    cpu_percent: Spread
    rss_bytes: Spread


@dataclass(frozen=True)
class DiskGrowth:
    mount: str
    first_used_bytes: float
    last_used_bytes: float
    growth_bytes: float
    growth_bytes_per_day: float | None


@dataclass(frozen=True)
class PerfReport:
    since: int
    until: int
    days: float
    sessions: list[SessionPerf]
    host_cpu_percent: Spread
    host_memory_percent: Spread
    latency: list[dict[str, Any]]
    disks: list[DiskGrowth]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _by_label(store: "Store", metric: str, key: str, since: float, until: float) -> dict[str, Spread]:
    out: dict[str, Spread] = {}
    for labels, values in series(store, metric, since, until).items():
        label = parse_labels(labels).get(key, "")
        out[label] = spread([v[1] for v in values], [v[2] for v in values])
    return out


def perf_report(store: "Store", now: float, days: float) -> PerfReport:
    until = int(now)
    since = int(now - days * 86400)
    empty = Spread(0, None, None, None)
    uptime = uptime_by_session(store, since, until)
    cpu = _by_label(store, "session_cpu_percent", "session_id", since, until)
    rss = _by_label(store, "session_rss_bytes", "session_id", since, until)
    restarts = {int(r[0]): int(r[1]) for r in store.query(
        "SELECT session_id, count(*) FROM session_states WHERE to_state = 'restarting' AND at >= ? AND at <= ?"
        " GROUP BY session_id", (since, until))}
    sessions = []
    for s in sessions_between(store, since, until):
        up = uptime.get(s.id)
        sessions.append(SessionPerf(
            s.id, s.name, None if up is None else round(100 * up, 2), restarts.get(s.id, 0), s.restarts,
            cpu.get(str(s.id), empty), rss.get(str(s.id), empty),
        ))
    host_cpu = series(store, "host_cpu_percent", since, until).get("", [])
    host_mem = series(store, "host_memory_percent", since, until).get("", [])
    disks = []
    for labels, values in sorted(series(store, "host_disk_used_bytes", since, until).items()):
        first, last = values[0], values[-1]
        span_days = (last[0] - first[0]) / 86400
        growth = last[1] - first[1]
        disks.append(DiskGrowth(parse_labels(labels).get("mount", ""), first[1], last[1], growth,
                                growth / span_days if span_days > 0 else None))
    latency = [asdict(row) for row in latency_by_model(store, since)]
    return PerfReport(
        since, until, days, sessions,
        spread([v[1] for v in host_cpu], [v[2] for v in host_cpu]),
        spread([v[1] for v in host_mem], [v[2] for v in host_mem]),
        latency, disks,
    )
