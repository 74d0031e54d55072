"""Tiered model router: route a task to the cheapest capable tier, fall back upward, learn, record savings.

    route_task(text, workflow=None) -> {tier, model, est_cost_usd, reasons, decision_id, ...}
    complete(task, messages=None, workflow=None, validate=None) -> Completion (text, tier, model, attempts)
    feedback(decision_id, "good" | "bad") -> what the router now believes for that task type

Each takes optional ``store=`` / ``config=`` (default: the user's config and database).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .router import Attempt, Completion, Router

if TYPE_CHECKING:
    from ..config import Config
    from ..store import Store


def _router(store: "Store | None", config: "Config | None") -> Router:
    from ..config import load_config
    from ..store import Store

    config = config or load_config()
    if store is None:
        store = Store.open(config.paths.db_file)
    return Router(store, config)


def route_task(text: str, workflow: str | None = None, *, store: "Store | None" = None,
               config: "Config | None" = None) -> dict[str, Any]:
    return _router(store, config).route(text, workflow)


def complete(task: str, messages: list[dict[str, Any]] | None = None, workflow: str | None = None,
             validate: Callable[[str], bool] | None = None, *, store: "Store | None" = None,
             config: "Config | None" = None) -> Completion:
    return _router(store, config).complete(task, messages=messages, workflow=workflow, validate=validate)


def feedback(decision_id: int, verdict: str, *, store: "Store | None" = None,
             config: "Config | None" = None) -> dict[str, Any]:
    return _router(store, config).feedback(decision_id, verdict)


__all__ = ["Attempt", "Completion", "Router", "complete", "feedback", "route_task"]
