"""`fleetdeck metrics serve`: /metrics on 127.0.0.1 only, a fresh sample on every scrape."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from prometheus_client import CollectorRegistry, start_http_server

from .collector import Collector, Snapshot
from .prometheus import SnapshotCollector

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from ..config import Config
    from ..store import Store

LOOPBACK = "127.0.0.1"


def snapshot_source(store: "Store", config: "Config", clock_now: Callable[[], float] = time.time) -> Callable[[], Snapshot]:
    mounts = tuple(config.get("metrics", "disk_mounts") or ["/"])
    collector = Collector(mounts)
    from .fleet import live_sessions

    collector.prime(live_sessions(store))  # the first scrape then has real CPU figures
    timezone = str(config.get("general", "timezone", "UTC"))
    return lambda: collector.sample(store, now=clock_now(), timezone=timezone)


def start_server(take: Callable[[], Snapshot], port: int) -> "WSGIServer":
    """Serve /metrics on the loopback interface; ``port`` 0 picks a free one (see server.server_port)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(take))
    server, _thread = start_http_server(port, addr=LOOPBACK, registry=registry)
    return server
