"""Prometheus export with prometheus_client: a node_exporter textfile and a loopback /metrics server.

Names and labels are stable and documented in docs/metrics.md; every name is ``fleetdeck_`` + the metric name
of ``Snapshot.points``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterator

from prometheus_client import CollectorRegistry, write_to_textfile
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector as PromCollector

from .collector import Snapshot

PREFIX = "fleetdeck_"
TEXTFILE_NAME = "fleetdeck.prom"

HELP = {
    "host_cpu_percent": "Host CPU use, percent of all cores",
    "host_cpu_core_percent": "CPU use of one core, percent",
    "host_memory_used_bytes": "Memory in use (total - available)",
    "host_memory_total_bytes": "Physical memory",
    "host_memory_percent": "Memory in use, percent",
    "host_swap_used_bytes": "Swap in use",
    "host_swap_total_bytes": "Swap size",
    "host_swap_percent": "Swap in use, percent",
    "host_disk_used_bytes": "Disk space used on a configured mount",
    "host_disk_total_bytes": "Disk size of a configured mount",
    "host_disk_percent": "Disk space used on a configured mount, percent",
    "host_load": "Load average",
    "host_network_receive_bytes_per_second": "Network bytes received per second, all interfaces",
    "host_network_transmit_bytes_per_second": "Network bytes sent per second, all interfaces",
    "session_cpu_percent": "CPU of an agent's process tree, percent of one core",
    "session_rss_bytes": "Resident memory of an agent's process tree",
    "session_processes": "Processes in an agent's process tree",
    "session_restarts": "Times fleetdeck restarted the agent",
    "sessions": "Live agent sessions by state",
    "queue_prompts": "Prompts in the queue by status",
    "spend_today_dollars": "API spend since midnight (configured timezone), US dollars",
    "error_groups_open": "Open error groups",
    "api_latency_seconds": "API response time by model over the last 24 h (quantile 0.5 and 0.95)",
    "sample_timestamp_seconds": "When this sample was taken, UTC epoch seconds",
}


def families(snapshot: Snapshot) -> list[GaugeMetricFamily]:
    found: dict[str, GaugeMetricFamily] = {}
    for metric, labels, value in snapshot.points():
        family = found.get(metric)
        if family is None:
            family = GaugeMetricFamily(PREFIX + metric, HELP.get(metric, metric), labels=sorted(labels))
            found[metric] = family
        family.add_metric([labels[k] for k in sorted(labels)], float(value))
    stamp = GaugeMetricFamily(PREFIX + "sample_timestamp_seconds", HELP["sample_timestamp_seconds"])
    stamp.add_metric([], snapshot.at)
    return [*found.values(), stamp]


class SnapshotCollector(PromCollector):
    """A prometheus_client collector that takes a fresh snapshot on every scrape."""

    def __init__(self, take: Callable[[], Snapshot]) -> None:
        self._take = take
        self._lock = threading.Lock()  # scrapes may overlap; the sampler's state is not thread-safe

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            snapshot = self._take()
        yield from families(snapshot)


class _Fixed(PromCollector):
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from families(self.snapshot)


def registry_for(snapshot: Snapshot) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Fixed(snapshot))
    return registry


def write_textfile(directory: Path | str, snapshot: Snapshot) -> Path:
    """Write the snapshot for node_exporter's textfile collector; readers see the old or the new file, whole."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TEXTFILE_NAME
    # write_to_textfile writes a temp file beside the target and renames it over (atomic on one filesystem).
    write_to_textfile(str(path), registry_for(snapshot))
    return path
