"""Disk thresholds: a mount at or over the configured percentage raises one alert through the outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .host import HostReading

if TYPE_CHECKING:
    from ..store import Store

DEDUPE_WINDOW_S = 6 * 3600


def check_disks(store: "Store", host: HostReading, threshold_percent: float, now: float) -> list[str]:
    """Enqueue an alert per full mount (deduplicated per mount); return the mounts over the threshold."""
    from ..notify.outbox import enqueue

    full = []
    for disk in host.disks:
        if disk.percent < threshold_percent:
            continue
        full.append(disk.mount)
        free_gb = (disk.total_bytes - disk.used_bytes) / 1e9
        enqueue(
            store, source="metrics",
            title=f"disk {disk.mount} is {disk.percent:.0f}% full",
            body=f"{disk.mount}: {disk.percent:.1f}% used, {free_gb:.1f} GB free (threshold {threshold_percent:g}%)",
            severity="critical" if disk.percent >= 98 else "warning",
            dedupe_key=f"metrics.disk:{disk.mount}", dedupe_window_s=DEDUPE_WINDOW_S, now=now,
        )
    return full
