"""Write api_calls rows straight into a store, for alert, dashboard and spend-pane tests."""

from __future__ import annotations

from typing import Iterable

from fleetdeck.services.store import Store

COLUMNS = ("at", "model", "workflow", "session", "project_dir", "input_tokens", "output_tokens",
           "cache_read_tokens", "cache_write_tokens", "cost_micros", "baseline_cost_micros", "latency_ms",
           "status", "source")


def add_call(store: Store, at: float, cost_usd: float | None, *, model: str = "claude-sonnet-4-5",
             workflow: str | None = "review", session: str | None = "s1", project: str | None = "/src/app",
             input_tokens: int = 1000, output_tokens: int = 500, cache_read: int = 0, cache_write: int = 0,
             baseline_usd: float | None = None) -> None:
    add_calls(store, [(int(at), model, workflow, session, project, input_tokens, output_tokens, cache_read,
                       cache_write, None if cost_usd is None else int(round(cost_usd * 1_000_000)),
                       int(round((baseline_usd if baseline_usd is not None else (cost_usd or 0)) * 1_000_000)),
                       800, "ok", "log")])


def add_calls(store: Store, rows: Iterable[tuple]) -> None:
    marks = ", ".join("?" * len(COLUMNS))
    store.executemany(f"INSERT INTO api_calls ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
