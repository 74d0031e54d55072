"""Controller of the metrics pane: host gauges with history, per-session usage, API latency by model.

Sampling (psutil) runs in a worker thread so the console never waits on /proc. Host figures are read on every
load (every 2 s); the agents' process trees, which cost most (a read of every process on the host to find
children, then each tree's processes), every ``SESSIONS_EVERY_S``, the table showing the last values between;
the slower fleet figures (uptime, latency percentiles) every ``SLOW_EVERY_S``. Nothing runs while the pane is
hidden: the console only calls ``load`` for visible panes.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field

from .base import PaneController

HISTORY = 60  # points per sparkline (two minutes at the pane's interval)
SESSIONS_EVERY_S = 10.0
SLOW_EVERY_S = 15.0
UPTIME_WINDOW_S = 24 * 3600
LATENCY_WINDOW_S = 24 * 3600


@dataclass(frozen=True)
class HostLine:
    key: str
    label: str
    value: str
    history: tuple[float, ...]


@dataclass(frozen=True)
class SessionLine:
    key: str
    name: str
    state: str
    cpu: str
    rss: str
    uptime: str
    restarts: int


@dataclass(frozen=True)
class LatencyLine:
    model: str
    calls: int
    p50: str
    p95: str


@dataclass(frozen=True)
class MetricsView:
    host: list[HostLine] = field(default_factory=list)
    cores: str = ""
    sessions: list[SessionLine] = field(default_factory=list)
    latency: list[LatencyLine] = field(default_factory=list)


def _bytes(n: float) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.1f}{unit}"
    return f"{n:.0f}"


def _session_bytes(n: float) -> str:
    """A session's memory to the megabyte (to 0.1 GB from a gigabyte up)."""
    return f"{n / 1e9:.1f}GB" if n >= 1e9 else f"{n / 1e6:.0f}MB"


class MetricsController(PaneController):
    name = "metrics"
    title = "Metrics"
    interval = 2.0

    def __init__(self, env) -> None:  # noqa: ANN001
        super().__init__(env)
        self._collector = None
        self._history: dict[str, deque[float]] = {}
        self._slow_at = 0.0
        self._uptime: dict[int, float | None] = {}
        self._latency: list[LatencyLine] = []
        self._sessions_at = 0.0
        self._session_lines: list[SessionLine] = []

    def _collector_for(self):  # noqa: ANN202
        if self._collector is None:
            from fleetdeck.services.metrics.collector import Collector

            mounts = tuple(self.env.config.get("metrics", "disk_mounts") or ["/"])
            self._collector = Collector(mounts)
        return self._collector

    def _sample(self, sessions):  # noqa: ANN001, ANN202 - runs in a worker thread
        collector = self._collector_for()
        if not collector.host.primed:
            collector.prime(sessions or [])
            time.sleep(0.2)
        return collector.host.sample(), None if sessions is None else collector.sample_sessions(sessions)

    async def _refresh_slow(self, now: float) -> None:
        from fleetdeck.services.metrics.fleet import latency_by_model, uptime_by_session

        self._uptime = await self.env.astore.call(uptime_by_session, now - UPTIME_WINDOW_S, now)
        rows = await self.env.astore.call(latency_by_model, now - LATENCY_WINDOW_S)
        self._latency = [
            LatencyLine(r.model, r.calls, f"{r.p50_ms:.0f} ms" if r.p50_ms is not None else "-",
                        f"{r.p95_ms:.0f} ms" if r.p95_ms is not None else "-")
            for r in rows
        ]
        self._slow_at = time.monotonic()

    def _line(self, key: str, label: str, value: float, text: str) -> HostLine:
        history = self._history.setdefault(key, deque(maxlen=HISTORY))
        history.append(float(value))
        return HostLine(key, label, text, tuple(history))

    def _session_lines_for(self, samples) -> list[SessionLine]:  # noqa: ANN001
        rows = []
        for s in samples:
            usage, up = s.usage, self._uptime.get(s.session.id)
            # Whole percents and megabytes: an idle agent's CPU flickers between 0.0 and 0.3 % and its RSS by a
            # few hundred kB from one sample to the next, and every changed cell repaints the table.
            cpu = "-" if usage is None or usage.cpu_percent is None else f"{usage.cpu_percent:.0f}%"
            rows.append(SessionLine(
                str(s.session.id), s.session.name, s.session.state, cpu,
                "-" if usage is None else _session_bytes(usage.rss_bytes),
                "-" if up is None else f"{100 * up:.1f}%", s.session.restarts,
            ))
        return rows

    async def load(self) -> MetricsView:
        from fleetdeck.services.metrics.fleet import live_sessions

        started = time.monotonic()
        sessions = None
        if started - self._sessions_at >= SESSIONS_EVERY_S or not self._sessions_at:
            sessions = await self.env.astore.call(live_sessions)
        host, samples = await asyncio.to_thread(self._sample, sessions)
        if time.monotonic() - self._slow_at >= SLOW_EVERY_S or not self._slow_at:
            await self._refresh_slow(self.env.clock.now())
        if samples is not None:
            self._session_lines = self._session_lines_for(samples)
            self._sessions_at = started
        lines = [
            self._line("cpu", "CPU", host.cpu_percent, f"{host.cpu_percent:5.1f}%"),
            self._line("mem", "Memory", host.mem_percent,
                       f"{host.mem_percent:5.1f}% {_bytes(host.mem_used_bytes)}/{_bytes(host.mem_total_bytes)}"),
            self._line("swap", "Swap", host.swap_percent, f"{host.swap_percent:5.1f}% {_bytes(host.swap_used_bytes)}"),
        ]
        for disk in host.disks:
            lines.append(self._line(f"disk:{disk.mount}", f"Disk {disk.mount}", disk.percent,
                                    f"{disk.percent:5.1f}% {_bytes(disk.used_bytes)}/{_bytes(disk.total_bytes)}"))
        lines.append(self._line("load", "Load", host.load1, f"{host.load1:.2f} {host.load5:.2f} {host.load15:.2f}"))
        net = host.net_recv_bytes_per_s + host.net_sent_bytes_per_s
        lines.append(self._line("net", "Network", net, f"↓{_bytes(host.net_recv_bytes_per_s)}B/s "
                                                        f"↑{_bytes(host.net_sent_bytes_per_s)}B/s"))
        cores = " ".join(f"{i}:{pct:3.0f}%" for i, pct in enumerate(host.cpu_per_core))
        return MetricsView(lines, cores, list(self._session_lines), list(self._latency))
