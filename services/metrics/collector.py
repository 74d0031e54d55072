"""One sampling pass: host readings, per-session process usage and fleet gauges, as a ``Snapshot``.

``Snapshot.points()`` flattens it into (metric, labels, value) with the documented names (docs/metrics.md),
which both the store and the Prometheus exporter use, so the two never disagree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from .fleet import FleetGauges, LatencyRow, SessionRow, fleet_gauges, latency_by_model, live_sessions
from .host import HostReading, HostSampler
from .procs import ProcessTracker, SessionUsage
from .storage import Point

if TYPE_CHECKING:
    from ..store import Store

LATENCY_WINDOW_S = 24 * 3600
MIN_GAP_S = 0.2  # CPU counters tick every 10 ms; a pass right after the last one would read as 0 %


@dataclass(frozen=True)
class SessionSample:
    session: SessionRow
    usage: SessionUsage | None  # None: its pane pid is not a live process on this host


@dataclass(frozen=True)
class Snapshot:
    at: float
    host: HostReading
    sessions: tuple[SessionSample, ...] = ()
    fleet: FleetGauges | None = None
    latency: tuple[LatencyRow, ...] = field(default_factory=tuple)

    def points(self, *, stored: bool = False) -> Iterator[Point]:
        """Every figure as (metric, labels, value). ``stored``: only what is worth keeping as history."""
        h = self.host
        yield "host_cpu_percent", {}, h.cpu_percent
        for core, pct in enumerate(h.cpu_per_core):
            yield "host_cpu_core_percent", {"core": str(core)}, pct
        yield "host_memory_used_bytes", {}, h.mem_used_bytes
        yield "host_memory_percent", {}, h.mem_percent
        yield "host_swap_used_bytes", {}, h.swap_used_bytes
        yield "host_swap_percent", {}, h.swap_percent
        if not stored:
            yield "host_memory_total_bytes", {}, h.mem_total_bytes
            yield "host_swap_total_bytes", {}, h.swap_total_bytes
        for disk in h.disks:
            yield "host_disk_used_bytes", {"mount": disk.mount}, disk.used_bytes
            yield "host_disk_percent", {"mount": disk.mount}, disk.percent
            if not stored:
                yield "host_disk_total_bytes", {"mount": disk.mount}, disk.total_bytes
        for period, value in (("1m", h.load1), ("5m", h.load5), ("15m", h.load15)):
            yield "host_load", {"period": period}, value
        yield "host_network_receive_bytes_per_second", {}, h.net_recv_bytes_per_s
        yield "host_network_transmit_bytes_per_second", {}, h.net_sent_bytes_per_s
        for s in self.sessions:
            labels = {"session": s.session.name, "session_id": str(s.session.id)}
            if stored:
                labels = {"session_id": str(s.session.id)}
            if s.usage is not None:
                if s.usage.cpu_percent is not None:
                    yield "session_cpu_percent", labels, s.usage.cpu_percent
                yield "session_rss_bytes", labels, s.usage.rss_bytes
                if not stored:
                    yield "session_processes", labels, s.usage.processes
            if not stored:
                yield "session_restarts", labels, s.session.restarts
        if self.fleet is not None:
            for state, count in sorted(self.fleet.sessions_by_state.items()):
                yield "sessions", {"state": state}, count
            for status, count in self.fleet.queue_by_status.items():
                yield "queue_prompts", {"status": status}, count
            yield "spend_today_dollars", {}, self.fleet.spend_today_micros / 1_000_000
            if self.fleet.error_groups_open is not None:
                yield "error_groups_open", {}, self.fleet.error_groups_open
        if not stored:
            for row in self.latency:
                for quantile, value in (("0.5", row.p50_ms), ("0.95", row.p95_ms)):
                    if value is not None:
                        yield "api_latency_seconds", {"model": row.model, "quantile": quantile}, value / 1000


class Collector:
    """Keeps the state rates need (CPU, network, per-process CPU times) between passes."""

    def __init__(self, mounts: list[str] | tuple[str, ...] = ("/",)) -> None:
        self.host = HostSampler(mounts)
        self.procs = ProcessTracker()
        self.last_at: float | None = None

    def prime(self, sessions: list[SessionRow]) -> None:
        self.host.prime()
        self.procs.sample({s.id: s.pane_pid for s in sessions})
        self.last_at = time.time()

    def sample_sessions(self, sessions: list[SessionRow], now: float | None = None) -> tuple[SessionSample, ...]:
        usage = self.procs.sample({s.id: s.pane_pid for s in sessions}, now)
        return tuple(SessionSample(s, usage.get(s.id)) for s in sessions)

    def sample(self, store: "Store", *, now: float | None = None, timezone: str = "UTC",
               with_latency: bool = True) -> Snapshot:
        if self.last_at is not None and (gap := time.time() - self.last_at) < MIN_GAP_S:
            time.sleep(MIN_GAP_S - gap)
        wall = time.time() if now is None else now
        sessions = live_sessions(store)
        host = self.host.sample()
        samples = self.sample_sessions(sessions)
        gauges = fleet_gauges(store, wall, timezone)
        latency = tuple(latency_by_model(store, wall - LATENCY_WINDOW_S)) if with_latency else ()
        self.last_at = time.time()
        return Snapshot(wall, host, samples, gauges, latency)
