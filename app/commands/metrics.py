"""`fleetdeck metrics serve`: Prometheus /metrics on 127.0.0.1."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("metrics", help="Prometheus export (`metrics serve`)")
    msub = p.add_subparsers(dest="metrics_command", metavar="ACTION")
    serve = msub.add_parser("serve", help="serve /metrics on 127.0.0.1 (host, per-session and fleet gauges)")
    serve.add_argument("--port", type=int, default=None, help="TCP port (default [metrics] serve_port, 9464)")
    serve.set_defaults(handler=serve_metrics)
    p.set_defaults(handler=_need_action)


def _need_action(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fleetdeck.services.errors import UsageError

    raise UsageError("which action? `fleetdeck metrics serve [--port N]`")


def serve_metrics(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import threading

    from fleetdeck.services.errors import UnavailableError, UsageError
    from fleetdeck.services.metrics.serve import LOOPBACK, snapshot_source, start_server

    port = args.port if args.port is not None else int(ctx.config.get("metrics", "serve_port", 9464))
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be 0-65535, got {port}")
    ctx.setup_logging()
    take = snapshot_source(ctx.store, ctx.config, ctx.clock.now)
    try:
        server = start_server(take, port)
    except OSError as exc:
        raise UnavailableError(f"cannot listen on {LOOPBACK}:{port}: {exc.strerror or exc}") from None
    print(f"serving http://{LOOPBACK}:{server.server_port}/metrics (Ctrl+C to stop)", flush=True)
    try:
        threading.Event().wait()
    finally:
        server.shutdown()
    return 0
