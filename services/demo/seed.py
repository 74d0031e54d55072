"""Seed a demo store with a believable month: API calls, a task queue with history, activity, and error logs.

Everything is generated from a fixed random seed and goes through the same code paths as real data (spend
rows are priced by the spend service; prompts are plain queue rows), so the demo's numbers are computed, not
typed in.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import Store

MODELS = [("claude-sonnet-4-5", 0.55), ("claude-haiku-4-5", 0.25), ("claude-opus-4-5", 0.07),
          ("gpt-4o-mini", 0.08), ("gpt-5", 0.05)]
WORKFLOWS = ["task-generation", "code-review", "summarize", "triage", "planning", "refactor"]
PROMPTS = [
    ("Add pagination to the /orders endpoint and cover it with tests", "api", "feature", 5),
    ("Fix the flaky test in test_checkout.py (timeouts under load)", "web", "bugfix", 8),
    ("Write the migration guide for v2 of the CLI", "docs", "docs", 2),
    ("Profile the nightly ETL job and cut its runtime", "etl", "perf", 3),
    ("Review the terraform plan for the staging VPC change", "infra", "review", 6),
    ("Summarize yesterday's incident channel into a postmortem draft", "docs", "docs", 1),
    ("Upgrade the ML feature store client and fix deprecations", "ml", "chore", 0),
]


def _weighted(rng: random.Random, items: list[tuple[str, float]]) -> str:
    return rng.choices([m for m, _ in items], weights=[w for _, w in items])[0]


def seed_spend(store: "Store", now: float, projects: dict[str, Path], sessions: list[str], *, days: int = 30,
               seed: int = 7) -> int:
    from ..spend.pricing import default_pricer
    from ..spend.record import insert_rows, rows_from

    rng = random.Random(seed)
    items = []
    project_dirs = [str(p) for p in projects.values()] or [None]
    for day in range(days, 0, -1):
        # Weekdays are busier; a slow ramp makes the month trend upwards.
        base = 60 + 2 * (days - day)
        calls = int(base * (0.45 if (int(now // 86400) - day) % 7 in (2, 3) else 1.0))
        for _ in range(calls):
            at = now - day * 86400 + rng.uniform(0, 86400)
            model = _weighted(rng, MODELS)
            output = int(rng.lognormvariate(6.2, 0.8))
            items.append({
                "model": model,
                "workflow": rng.choice(WORKFLOWS),
                "input_tokens": int(rng.lognormvariate(7.4, 0.9)),
                "output_tokens": output,
                "cache_read_tokens": int(rng.lognormvariate(9.0, 1.0)) if model.startswith("claude") else 0,
                "cache_write_tokens": int(rng.lognormvariate(6.5, 1.0)) if model.startswith("claude") else 0,
                "latency_ms": int(400 + output * rng.uniform(8, 20)),
                "status": "error" if rng.random() < 0.015 else "ok",
                "error": None,
                "session": rng.choice(sessions) if sessions else None,
                "project_dir": rng.choice(project_dirs),
                "source": "demo",
                "at": at,
                "now": now,
            })
    for item in items:
        if item["status"] == "error":
            item["error"] = "RateLimitError: 429 rate_limit_error"
    rows = rows_from(items, default_pricer())
    insert_rows(store, rows)
    return len(rows)


def seed_queue(store: "Store", now: float, projects: dict[str, Path], *, seed: int = 11) -> int:
    rng = random.Random(seed)
    with store.write() as conn:
        # History: completed prompts with known durations, so the ETA has something to learn from.
        for i in range(40):
            text, project, workflow, _ = PROMPTS[i % len(PROMPTS)]
            started = now - rng.uniform(3600, 6 * 86400)
            duration = rng.uniform(120, 900) if workflow != "docs" else rng.uniform(60, 300)
            conn.execute(
                "INSERT INTO prompts (text, project_dir, workflow, priority, status, attempts, created_at,"
                " assigned_at, started_at, finished_at, updated_at, source)"
                " VALUES (?, ?, ?, 0, 'completed', 1, ?, ?, ?, ?, ?, 'demo')",
                (text, str(projects.get(project, "")) or None, workflow, int(started - 60), int(started),
                 int(started), int(started + duration), int(started + duration)),
            )
        for text, project, workflow, priority in PROMPTS:
            conn.execute(
                "INSERT INTO prompts (text, project_dir, workflow, priority, status, created_at, updated_at, source)"
                " VALUES (?, ?, ?, ?, 'pending', ?, ?, 'demo')",
                (text, str(projects[project]) if project in projects else None, workflow, priority,
                 int(now - rng.uniform(60, 7200)), int(now)),
            )
    return 40 + len(PROMPTS)


def seed_logs(log_dir: Path, now: float, *, seed: int = 5) -> Path:
    """An application log with the kinds of errors agents' projects produce."""
    import time

    rng = random.Random(seed)
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "app.log"
    lines = []
    for i in range(120):
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now - (120 - i) * 300))
        roll = rng.random()
        if roll < 0.08:
            user = rng.randint(1000, 9999)
            lines += [
                f"{stamp} ERROR worker: job {rng.randint(1, 99999)} failed",
                "Traceback (most recent call last):",
                f'  File "/srv/app/worker.py", line {rng.randint(10, 400)}, in run',
                "    result = handler(payload)",
                f'  File "/srv/app/billing.py", line {rng.randint(10, 400)}, in charge',
                f"    customer = customers[{user}]",
                f"KeyError: {user}",
            ]
        elif roll < 0.2:
            lines.append(f"{stamp} ERROR db: connection to 10.0.{rng.randint(0, 9)}.{rng.randint(1, 250)}:5432 "
                         f"timed out after {rng.randint(3, 30)}s")
        elif roll < 0.26:
            lines.append(f"{stamp} WARNING api: upstream returned HTTP 503 for /v1/orders/{rng.randint(1, 5000)}")
        elif roll < 0.3:
            lines.append(f"{stamp} CRITICAL disk: /var/lib/postgres is 97% full")
        else:
            lines.append(f"{stamp} INFO request served in {rng.randint(5, 400)}ms")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def seed_activity(store: "Store", now: float, agents: list[str]) -> None:
    store.log_activity("demo", f"demo fleet started: {len(agents)} simulated agents", at=now)
    store.log_activity("demo", "seeded 30 days of API calls, a task queue and an application log", at=now)


def write_demo_config(path: Path, socket: str, log_file: Path) -> None:
    """The demo's config: watch only its private tmux server and its own log; restart agents automatically."""
    text = (
        "# fleetdeck demo configuration (temporary)\n"
        "[tmux]\n"
        f"sockets = [\"{socket}\"]\n"
        "poll_interval = 1.0\n\n"
        "[sessions]\n"
        "restart_policy = \"auto\"\n\n"
        "[triage]\n"
        f"log_globs = [\"{log_file}\"]\n"
    )
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
