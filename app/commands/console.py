"""`fleetdeck console`: the Textual console (also what plain `fleetdeck` opens in a terminal)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("console", help="open the console (the default in a terminal)")
    p.set_defaults(handler=console)


def console(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    require_terminal()
    run_console(ctx)
    return 0


def require_terminal() -> None:
    """Refuse before drawing: without a terminal on both ends the console would write its screen into a pipe or
    file and wait for keys that never come."""
    import sys

    from fleetdeck.services.errors import UsageError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the console needs a terminal on stdin and stdout; every action also runs headless "
                         "(see `fleetdeck --help`)")


def build_env(ctx, demo_socket: str | None = None):  # noqa: ANN001, ANN201
    from fleetdeck.app.console_env import ConsoleEnv
    from fleetdeck.services.store.async_store import AsyncStore

    config = ctx.config
    config.paths.ensure()
    astore = AsyncStore(config.paths.db_file).open_sync()
    return ConsoleEnv(config=config, astore=astore, clock=ctx.clock, events=ctx.events, demo_socket=demo_socket)


def run_console(ctx, demo_socket: str | None = None) -> None:  # noqa: ANN001
    from fleetdeck.services.logsetup import setup_logging

    env = build_env(ctx, demo_socket)
    setup_logging(env.config)  # the log file only: nothing may write onto the console's screen
    from fleetdeck.app.console import FleetdeckApp

    app = FleetdeckApp(env)
    try:
        app.run()
    finally:
        import asyncio

        env.close()
        asyncio.run(env.astore.close())
