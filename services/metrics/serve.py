"""`fleetdeck metrics serve`: /metrics on 127.0.0.1 only, a fresh sample on every scrape."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from prometheus_client import CollectorRegistry, make_wsgi_app

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
    """Serve /metrics on the loopback interface in a thread; ``port`` 0 picks a free one (see
    server.server_port). Any other path is 404, as exporters do (prometheus_client's own server answers every
    path with the metrics, so a mistyped scrape path looked right)."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from prometheus_client.exposition import ThreadingWSGIServer

    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(take))
    metrics = make_wsgi_app(registry)

    def app(environ: dict, start_response: Callable) -> list[bytes]:
        if environ.get("PATH_INFO") == "/metrics":
            return metrics(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found: fleetdeck serves its metrics at /metrics\n"]

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
            pass  # a line on stderr per scrape is noise; fleetdeck's log has what matters

    server = make_server(LOOPBACK, port, app, ThreadingWSGIServer, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, name="metrics-server", daemon=True).start()
    return server
