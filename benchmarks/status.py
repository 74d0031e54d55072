"""Benchmark: `fleetdeck status --json` against a bare `python -c` running the seed's two SELECTs.

Data: a store with 100,000 prompts (mostly completed history, some pending/running/failed) and 100 sessions,
built in a temporary FLEETDECK_HOME. Both commands run as fresh processes with the same interpreter, several
times each; the median wall time of each is compared. Goal: ratio <= 2.

    uv run python benchmarks/status.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = (
    "import sqlite3, sys\n"
    "c = sqlite3.connect(sys.argv[1])\n"
    "pending = c.execute(\"SELECT id, priority, text FROM prompts WHERE status = 'pending'"
    " ORDER BY priority DESC, created_at\").fetchall()\n"
    "idle = c.execute(\"SELECT id, name FROM sessions WHERE state = 'idle'\").fetchall()\n"
    "print(len(pending), len(idle))\n"
)


def build(home: Path, prompts: int, sessions: int) -> Path:
    os.environ["FLEETDECK_HOME"] = str(home)
    from fleetdeck.services.paths import resolve_paths
    from fleetdeck.services.store import Store

    paths = resolve_paths().ensure()
    rng = random.Random(7)
    now = int(time.time())
    store = Store.open(paths.db_file)
    projects = [f"/srv/project-{i}" for i in range(10)]
    kinds = ["claude", "codex", "aider", "gemini"]
    states = ["idle"] * 30 + ["working"] * 55 + ["permission"] * 5 + ["dead"] * 10
    store.executemany(
        "INSERT INTO sessions (key, name, socket, pane_id, agent_kind, project_dir, state, state_since, created_at)"
        " VALUES (?, ?, 'default', ?, ?, ?, ?, ?, ?)",
        [(f"default:%{i}", f"agent-{i}", f"%{i}", kinds[i % 4], projects[i % 10], states[i % len(states)],
          now - 60, now - 86400) for i in range(sessions)])
    workflows = ["review", "fix", "docs", "tests", None]
    rows = []
    pending = max(prompts // 60, 10)
    running = 60
    for i in range(prompts):
        created = now - (prompts - i) * 5
        workflow = workflows[i % 5]
        text = f"prompt {i}: " + "please do the thing carefully " * rng.randint(1, 12)
        if i >= prompts - pending:
            rows.append((text, projects[i % 10] if i % 3 else None, workflow, rng.randint(0, 3), None, "pending",
                         None, created, None, None))
        elif i >= prompts - pending - running:
            busy = [n + 1 for n in range(sessions) if states[n % len(states)] == "working"]
            rows.append((text, projects[i % 10], workflow, 0, None, "running", busy[i % len(busy)], created,
                         now - rng.randint(10, 600), None))
        else:
            start = created + 2
            status = "completed" if i % 50 else "failed"
            rows.append((text, projects[i % 10], workflow, 0, None, status, (i % sessions) + 1, created, start,
                         start + rng.randint(60, 1200)))
    store.executemany(
        "INSERT INTO prompts (text, project_dir, workflow, priority, agent_kind, status, session_id, created_at,"
        " started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    store.close()
    return paths.db_file


def timed(argv: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 prompts and 5 runs")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--prompts", type=int, default=100_000)
    parser.add_argument("--entry", help="run this script instead of `-m fleetdeck.app.cli` (to try a CLI change)")
    args = parser.parse_args()
    prompts = 10_000 if args.quick else args.prompts
    runs = 5 if args.quick else args.runs
    home = Path(tempfile.mkdtemp(prefix="fleetdeck-bench-status-"))
    try:
        db = build(home, prompts, 100)
        env = dict(os.environ, FLEETDECK_HOME=str(home), NO_COLOR="1")
        baseline_argv = [sys.executable, "-c", BASELINE, str(db)]
        entry = [args.entry] if args.entry else ["-m", "fleetdeck.app.cli"]
        status_argv = [sys.executable, *entry, "status", "--json"]
        subprocess.run(status_argv, env=env, check=True, stdout=subprocess.DEVNULL)  # warm the page cache
        subprocess.run(baseline_argv, env=env, check=True, stdout=subprocess.DEVNULL)
        base = timed(baseline_argv, env, runs)
        ours = timed(status_argv, env, runs)
        print(f"ratio={ours / base:.2f} goal=2 status_ms={ours * 1000:.1f} baseline_ms={base * 1000:.1f}"
              f" prompts={prompts} sessions=100 runs={runs}")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
