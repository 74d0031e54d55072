"""The [metrics] section: retention of samples, disk alert thresholds, Prometheus export."""

from __future__ import annotations

from typing import Any

from ..config import Section, Setting


def _positive(value: Any) -> str | None:
    return None if value > 0 else f"must be positive, got {value!r}"


def _percent(value: Any) -> str | None:
    return None if 0 < value <= 100 else f"expected a percentage in (0, 100], got {value!r}"


def _port(value: Any) -> str | None:
    return None if 0 <= value <= 65535 else f"expected a TCP port 0-65535, got {value!r}"


SECTIONS = [
    Section(
        "metrics",
        "System metrics: sampling, retention, disk alerts, Prometheus export",
        (
            Setting("raw_retention_hours", 48, "Keep raw samples this long; older ones become rollups.",
                    kind="int", validate=_positive),
            Setting("rollup_minutes", 15, "Width of a rollup bucket (mean and max of the raw samples it replaces).",
                    kind="int", validate=_positive),
            Setting("rollup_retention_days", 90, "Keep rollups this long.", kind="int", validate=_positive),
            Setting("disk_mounts", ["/"], "Mount points whose usage is sampled and alerted on.", kind="list"),
            Setting("disk_alert_percent", 90.0, "Raise an alert when a mount is at least this full.",
                    kind="float", validate=_percent),
            Setting("serve_port", 9464, "Port of `fleetdeck metrics serve` (always bound to 127.0.0.1).",
                    kind="int", validate=_port),
            Setting("textfile_dir", "", "Write a node_exporter textfile here on every collect-metrics run "
                    "(empty: only with --textfile).", kind="path"),
        ),
    ),
]
