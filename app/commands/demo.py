"""`fleetdeck demo`: the console on a simulated fleet in a private tmux server, with a seeded store."""

from __future__ import annotations

import argparse

TYPE_CHECKING = False  # typing's own import is ~5 ms of `fleetdeck --help`, which imports every command module
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="open the console on a simulated fleet (private tmux server, temporary data)")
    p.add_argument("--keep", action="store_true",
                   help="leave the demo fleet running after the console exits and print how to attach")
    p.add_argument("--agents", type=int, default=None, help="how many simulated agents (default: all 8)")
    p.add_argument("--no-console", action="store_true",
                   help="start and seed the fleet, print where it is, and exit (implies --keep)")
    p.set_defaults(handler=demo)


def demo(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    import os
    import tempfile
    import time
    from pathlib import Path

    from fleetdeck.services.demo.fleet import require_tmux, start_fleet
    from fleetdeck.services.demo.seed import seed_activity, seed_logs, seed_queue, seed_spend, write_demo_config
    from fleetdeck.services.errors import UsageError

    if args.agents is not None and not 1 <= args.agents <= 8:
        raise UsageError("--agents must be between 1 and 8")
    if not args.no_console:
        from fleetdeck.app.commands.console import require_terminal

        require_terminal()  # before a fleet is started for a console that cannot open
    require_tmux()
    home = Path(tempfile.mkdtemp(prefix="fleetdeck-demo-"))
    home.chmod(0o700)
    keep = args.keep or args.no_console
    demo_fleet = _DemoFleet(home)
    try:
        os.environ["FLEETDECK_HOME"] = str(home)
        if not keep:
            _stop_on_signals(demo_fleet)
        fleet = demo_fleet.fleet = start_fleet(home, agents=args.agents)
        log_file = seed_logs(home / "app-logs", time.time())
        write_demo_config(home / "config.toml", fleet.socket, log_file)
        # Re-read paths and config now that FLEETDECK_HOME points at the demo.
        for attr in ("paths", "config"):
            ctx.__dict__.pop(attr, None)
        store = ctx.store
        now = time.time()
        seed_spend(store, now, fleet.projects, fleet.sessions)
        seed_queue(store, now, fleet.projects)
        seed_activity(store, now, fleet.sessions)
        ctx.close()
        if args.no_console:
            _print_where(fleet)
            return 0
        from fleetdeck.app.commands.console import run_console

        run_console(ctx, demo_socket=fleet.socket)
        if keep:
            _print_where(fleet)
        return 0
    finally:
        if not keep:
            demo_fleet.stop()


class _DemoFleet:
    """What the demo started, to stop once: on the way out, or from a signal handler."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.fleet: Any = None

    def stop(self) -> None:
        if self.fleet is not None:
            self.fleet.stop(remove_home=True)
        else:
            import shutil

            shutil.rmtree(self.home, ignore_errors=True)


def _stop_on_signals(demo_fleet: _DemoFleet) -> None:
    """Without handlers, closing the terminal (SIGHUP) or `kill` (SIGTERM) ends the process without running
    `finally`, and the simulated agents and their tmux server run on for good.

    SIGHUP: the terminal is gone, so there is nothing to restore: stop the fleet and leave at once. (Unwinding
    through the console instead proved fragile: a hangup arrives twice, tmux's and the terminal's, and an exit
    raised into Textual's shutdown could leave its loop running.) SIGTERM: unwind like q, so the terminal is
    restored; a hangup meanwhile still stops the fleet."""
    import os
    import signal

    def hangup(signum: int, _frame: object) -> None:
        for other in (signal.SIGHUP, signal.SIGTERM):
            signal.signal(other, signal.SIG_IGN)
        try:
            demo_fleet.stop()
        finally:
            os._exit(128 + signum)

    def terminate(signum: int, _frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGHUP, hangup)
    signal.signal(signal.SIGTERM, terminate)


def _print_where(fleet) -> None:  # noqa: ANN001
    print("the demo fleet is still running:")
    print(f"  attach to it:        {fleet.attach_command()}")
    print(f"  use its data:        export FLEETDECK_HOME={fleet.home}")
    from fleetdeck.services.tmux.server import socket_path

    print(f"  stop it:             tmux -L {fleet.socket} kill-server; rm -f {socket_path(fleet.socket)}; "
          f"rm -rf {fleet.home}")
