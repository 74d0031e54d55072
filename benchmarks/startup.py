"""Start-up cost: the console's first frame and `fleetdeck --help`, each against its anchor, in one run.

    uv run python benchmarks/startup.py [--runs N]

1. Time to first frame of the fleetdeck console on a seeded demo store vs a bare Textual App with one Static
   (both headless, in fresh interpreters, from spawn to Textual's Ready event, which is sent when the first frame
   has been displayed; each exits there). Goal: ratio <= 1.5. The console's panes fill in after the first frame;
   the time until every pane has made its first load is printed beside it.
2. `fleetdeck --help` wall time vs `python -c pass`. Goal: ratio <= 4.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import os

from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello")

    def on_ready(self):
        os._exit(0)

Bare().run(headless=True, size=(160, 45))
"""

CONSOLE = """
import os

from fleetdeck.app.console import FleetdeckApp
from fleetdeck.app.console_env import ConsoleEnv
from fleetdeck.services.clock import SystemClock
from fleetdeck.services.config import load_config
from fleetdeck.services.events import EventBus
from fleetdeck.services.store.async_store import AsyncStore

config = load_config()
env = ConsoleEnv(config=config, astore=AsyncStore(config.paths.db_file).open_sync(), clock=SystemClock(),
                 events=EventBus())
"""

# Exits on Ready: the first frame is on the screen.
FLEETDECK = CONSOLE + """
FleetdeckApp.on_ready = lambda self: os._exit(0)
FleetdeckApp(env).run(headless=True, size=(160, 45))
"""

# Exits once the app is idle after the first frame: every pane has made its first load.
FLEETDECK_LOADED = CONSOLE + """
async def loaded(pilot):
    await pilot.pause()
    os._exit(0)

FleetdeckApp(env).run(headless=True, size=(160, 45), auto_pilot=loaded)
"""


CPU: dict[str, list[float]] = {}


def timed(command: list[str], env: dict[str, str], runs: int) -> float:
    """Median wall time of ``runs`` runs; each run's CPU time (user + system) is kept in CPU by command."""
    return interleaved([command], env, runs)[0]


def interleaved(commands: list[list[str]], env: dict[str, str], runs: int) -> list[float]:
    """Median wall time of each command over ``runs`` rounds that run every command once in turn, so a burst of
    load on the shared machine lands on both sides of a ratio rather than on one."""
    samples: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, kept in zip(commands, samples):
            started = time.perf_counter()
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(process.pid, 0)
            kept.append(time.perf_counter() - started)
            if os.waitstatus_to_exitcode(status) != 0:
                error = process.stderr.read().decode()[-800:] if process.stderr else ""
                raise SystemExit(f"{command[1:3]} failed: {error}")
            CPU.setdefault(" ".join(command), []).append(usage.ru_utime + usage.ru_stime)
    return [statistics.median(kept) for kept in samples]


def cpu(command: list[str]) -> float:
    return statistics.median(CPU[" ".join(command)])


def seed_demo_store(home: Path) -> None:
    from fleetdeck.services.demo.seed import seed_activity, seed_queue, seed_spend
    from fleetdeck.services.paths import resolve_paths
    from fleetdeck.services.store import Store

    os.environ["FLEETDECK_HOME"] = str(home)
    paths = resolve_paths().ensure()
    projects = {name: home / "projects" / name for name in ("api", "web", "docs", "etl", "infra", "ml")}
    with Store.open(paths.db_file) as store:
        now = time.time()
        seed_spend(store, now, projects, ["api-claude", "web-claude", "docs-claude"])
        seed_queue(store, now, projects)
        seed_activity(store, now, ["api-claude", "web-claude", "docs-claude"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        seed_demo_store(home)
        env = {**os.environ, "FLEETDECK_HOME": str(home), "FLEETDECK_TMUX_SOCKETS": "fleetdeck-bench-none"}
        # Measure what users get: a bytecode cache (some sandboxes set PYTHONDONTWRITEBYTECODE, which makes every
        # start recompile every module and says more about the sandbox than about either app).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        py = sys.executable
        # Warm the file and bytecode caches once so neither side pays for cold disk reads or compiling.
        timed([py, "-c", BARE], env, 1)
        timed([py, "-c", FLEETDECK], env, 1)
        bare, ours = interleaved([[py, "-c", BARE], [py, "-c", FLEETDECK]], env, args.runs)
        loaded = timed([py, "-c", FLEETDECK_LOADED], env, args.runs)
        print(f"first frame: fleetdeck console {ours * 1000:.0f} ms, bare Textual app {bare * 1000:.0f} ms "
              f"(median of {args.runs}); every pane loaded at {loaded * 1000:.0f} ms")
        bare_cpu, ours_cpu = cpu([py, "-c", BARE]), cpu([py, "-c", FLEETDECK])
        print(f"CPU time to first frame (steadier on a shared machine): fleetdeck {ours_cpu * 1000:.0f} ms, "
              f"bare {bare_cpu * 1000:.0f} ms, cpu ratio {ours_cpu / bare_cpu:.2f}")
        print(f"startup ratio={ours / bare:.2f} goal=<=1.5")
        baseline, helped = interleaved([[py, "-c", "pass"], [py, "-m", "fleetdeck.app.cli", "--help"]], env,
                                       args.runs * 2)
        print(f"--help: fleetdeck {helped * 1000:.0f} ms, python -c pass {baseline * 1000:.0f} ms")
        print(f"help ratio={helped / baseline:.2f} goal=<=4")


if __name__ == "__main__":
    main()
