"""Tiered model router: route a task to the cheapest capable tier, fall back upward, learn, record savings.

    route_task(text, workflow=None) -> {tier, model, est_cost_usd, reasons, decision_id, ...}
    complete(task, messages=None, workflow=None, validate=None) -> Completion (text, tier, model, attempts)
    feedback(decision_id, "good" | "bad") -> what the router now believes for that task type

Each takes optional ``store=`` / ``config=`` (default: the user's config and database).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator


if TYPE_CHECKING:
    from .router import Completion, Router
    from ..config import Config
    from ..store import Store


@contextmanager
def _router(store: "Store | None", config: "Config | None") -> Iterator[Router]:
    """A Router on the given store, or on the user's database (opened here and closed afterwards)."""
    from .router import Router

    from ..config import load_config
    from ..store import Store

    config = config or load_config()
    if store is not None:
        yield Router(store, config)
        return
    own = Store.open(config.paths.db_file)
    try:
        yield Router(own, config)
    finally:
        own.close()


def route_task(text: str, workflow: str | None = None, *, store: "Store | None" = None,
               config: "Config | None" = None) -> dict[str, Any]:
    with _router(store, config) as router:
        return router.route(text, workflow)


def complete(task: str, messages: list[dict[str, Any]] | None = None, workflow: str | None = None,
             validate: Callable[[str], bool] | None = None, *, store: "Store | None" = None,
             config: "Config | None" = None) -> Completion:
    with _router(store, config) as router:
        return router.complete(task, messages=messages, workflow=workflow, validate=validate)


def feedback(decision_id: int, verdict: str, *, store: "Store | None" = None,
             config: "Config | None" = None) -> dict[str, Any]:
    with _router(store, config) as router:
        return router.feedback(decision_id, verdict)


__all__ = ["Attempt", "Completion", "Router", "complete", "feedback", "route_task"]


def __getattr__(name: str) -> Any:
    # Config discovery imports this package for its settings; the router itself loads only when used.
    if name in ("Attempt", "Completion", "Router"):
        from . import router

        return getattr(router, name)
    raise AttributeError(name)
