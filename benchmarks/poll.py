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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--panes", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="30 panes, 3 rounds")
    args = parser.parse_args()
    panes, rounds = (30, 3) if args.quick else (args.panes, args.rounds)
    socket = f"fdbench-{uuid.uuid4().hex[:8]}"
    try:
        start_fleet(socket, panes)
        time.sleep(2.0)
        ours, seen, captured = asyncio.run(fleetdeck_polls(socket, rounds))
        anchor = libtmux_polls(socket, rounds)
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False)
    fd_ms, lt_ms = statistics.median(ours) * 1000, statistics.median(anchor) * 1000
    print(f"panes={seen} fleetdeck_poll_ms={fd_ms:.2f} captured_per_poll={captured} "
          f"libtmux_enumerate_capture_ms={lt_ms:.1f}")
    print(f"ratio={lt_ms / fd_ms:.1f} goal=20")
    return 0


if __name__ == "__main__":
    sys.exit(main())
