"""Spend: pricing, the cost log, SDK wrappers, transcript ingest and reports.

Public API (cheap to import; SDKs are imported only when ``track`` wraps a client):

    log_api_call(model=, workflow=, input_tokens=, output_tokens=, ..., store=None) -> LoggedCall
    price_call(model, input, output, cache_read=0, cache_write=0) -> int | None   # micro-dollars
    baseline_cost(input, output, cache_read=0, cache_write=0) -> int | None
    resolve_model(name) -> str
    track(client, workflow=...) -> the same client, logging every call
    flush() -> write whatever the background writer still holds
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .pricing import Pricer, baseline_cost, default_pricer, price_call, pricer_for, resolve_model
    from .record import LoggedCall, log_api_call

_LAZY = {"Pricer": "pricing", "baseline_cost": "pricing", "default_pricer": "pricing", "price_call": "pricing",
         "pricer_for": "pricing", "resolve_model": "pricing", "LoggedCall": "record", "log_api_call": "record"}


def __getattr__(name: str) -> Any:
    # Config discovery imports this package for its settings (every CLI command and the console's start):
    # pricing and the cost log load only when used.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)


def track(client: Any, workflow: str, **kwargs: Any) -> Any:
    from .wrappers import track as _track

    return _track(client, workflow, **kwargs)


def flush(timeout: float = 10.0) -> None:
    from .writer import flush_all

    flush_all(timeout)


__all__ = ["LoggedCall", "Pricer", "baseline_cost", "default_pricer", "flush", "log_api_call", "price_call",
           "pricer_for", "resolve_model", "track"]
