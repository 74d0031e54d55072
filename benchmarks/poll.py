"""Benchmark: one fleetdeck poll of 100 simulated agent panes vs libtmux enumerating and capturing each pane.

    uv run python benchmarks/poll.py [--panes 100] [--rounds 10] [--quick]

A private tmux server runs the simulated agents (most idle, one in ten working, as in a real fleet). The
fleetdeck figure is a steady-state poll: one control-mode ``list-panes -a``, capture of the panes whose
activity changed, hash, detect. The anchor is what a libtmux-based watcher does each tick: enumerate the
panes and ``capture_pane()`` every one. Prints ``ratio=<anchor/fleetdeck> goal=20``.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import statistics
import subprocess
import sys
import time
import uuid


def start_fleet(socket: str, panes: int) -> None:
    for i in range(panes):
        scenario = "working" if i % 10 == 0 else "idle"
        kind = ("claude", "codex", "gemini", "aider")[i % 4]
        cmd = shlex.join([sys.executable, "-m", "fleetdeck.services.agents.sim", "--kind", kind,
                          "--scenario", scenario])
        verb = ["new-session", "-d", "-s", f"a{i}", "-x", "120", "-y", "40"]
        subprocess.run(["tmux", "-L", socket, *verb, cmd], check=True)


async def fleetdeck_polls(socket: str, rounds: int) -> tuple[list[float], int, int]:
    from fleetdeck.services.health.poller import Poller

    poller = Poller()
    first = await poller.scan([socket], now=time.time())  # cold: captures everything once
    times, captured = [], 0
    for _ in range(rounds):
        await asyncio.sleep(0.2)
        t0 = time.perf_counter()
        result = await poller.scan([socket], now=time.time())
        times.append(time.perf_counter() - t0)
        captured += result.captured
        assert len(result.sessions) == len(first.sessions)
    await poller.close()
    return times, len(first.sessions), captured // max(1, rounds)


def libtmux_polls(socket: str, rounds: int) -> list[float]:
    import libtmux

    server = libtmux.Server(socket_name=socket)
    times = []
    for _ in range(rounds):
        time.sleep(0.2)
        t0 = time.perf_counter()
        for pane in server.panes:
            pane.capture_pane()
        times.append(time.perf_counter() - t0)
    return times


SETTLE_S = 12.0


async def _idle_cpu(app, seconds: float, zoom_sessions: bool = False) -> float:  # noqa: ANN001
    """Percent of one core the app's process uses while it sits open for ``seconds``."""
    async with app.run_test(size=(160, 45)) as pilot:
        if zoom_sessions:  # only the sessions pane visible: the other panes stop refreshing
            await pilot.press("1")
            await pilot.press("z")
        # Steady state: the first loads (every pane, every session's first capture, the first metrics sample of
        # the session trees) are start-up work, which benchmarks/startup.py measures.
        await pilot.pause(SETTLE_S)
        t0, c0 = time.perf_counter(), time.process_time()
        await asyncio.sleep(seconds)
        return (time.process_time() - c0) / (time.perf_counter() - t0) * 100


def console_cpu(socket: str, seconds: float) -> tuple[float, float, float]:
    """CPU % of a bare Textual app, of the console on the fleet (1 s refresh), and of the console with only
    the sessions pane shown; measured one after the other."""
    import os
    import tempfile

    from textual.app import App
    from textual.widgets import Static

    class Bare(App[None]):
        def compose(self):  # noqa: ANN201
            yield Static("bare")

    bare = asyncio.run(_idle_cpu(Bare(), seconds))
    home = tempfile.mkdtemp(prefix="fdbench-home-")
    os.environ["FLEETDECK_HOME"] = home
    from fleetdeck.app.console import FleetdeckApp
    from fleetdeck.app.console_env import ConsoleEnv
    from fleetdeck.services.clock import SystemClock
    from fleetdeck.services.config import load_config
    from fleetdeck.services.events import EventBus
    from fleetdeck.services.logsetup import setup_logging
    from fleetdeck.services.paths import resolve_paths
    from fleetdeck.services.store.async_store import AsyncStore

    paths = resolve_paths().ensure()
    config = load_config(paths)
    config.values.setdefault("tmux", {}).update(sockets=[socket], poll_interval=1.0)
    setup_logging(config)  # as `fleetdeck console` does: the log file, nothing on the screen

    async def run(zoom: bool) -> float:
        env = ConsoleEnv(config=config, astore=AsyncStore(paths.db_file).open_sync(), clock=SystemClock(),
                         events=EventBus())
        try:
            return await _idle_cpu(FleetdeckApp(env), seconds, zoom)
        finally:
            await env.astore.close()

    return bare, asyncio.run(run(False)), asyncio.run(run(True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--panes", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--console-seconds", type=float, default=60.0, help="console CPU window (0: skip)")
    parser.add_argument("--quick", action="store_true", help="30 panes, 3 rounds, 10 s console window")
    args = parser.parse_args()
    panes, rounds = (30, 3) if args.quick else (args.panes, args.rounds)
    window = min(args.console_seconds, 10.0) if args.quick else args.console_seconds
    socket = f"fdbench-{uuid.uuid4().hex[:8]}"
    try:
        start_fleet(socket, panes)
        time.sleep(2.0)
        ours, seen, captured = asyncio.run(fleetdeck_polls(socket, rounds))
        anchor = libtmux_polls(socket, rounds)
        if window > 0:
            for i in range(50, panes):  # the 50 sessions (one in ten working)
                subprocess.run(["tmux", "-L", socket, "kill-session", "-t", f"a{i}"], capture_output=True)
            bare_cpu, console, sessions_only = console_cpu(socket, window)
            print(f"console_cpu_pct={console:.2f} sessions_pane_only_cpu_pct={sessions_only:.2f} "
                  f"bare_textual_cpu_pct={bare_cpu:.2f} sessions={min(panes, 50)} window_s={window:.0f} "
                  f"refresh_s=1 goal_pct=2", flush=True)
    finally:
        from fleetdeck.services.tmux.server import kill_server

        kill_server(socket)
    fd_ms, lt_ms = statistics.median(ours) * 1000, statistics.median(anchor) * 1000
    print(f"panes={seen} fleetdeck_poll_ms={fd_ms:.2f} captured_per_poll={captured} "
          f"libtmux_enumerate_capture_ms={lt_ms:.1f}")
    print(f"ratio={lt_ms / fd_ms:.1f} goal=20")
    return 0


if __name__ == "__main__":
    sys.exit(main())
