"""Full-screen views beyond the five panes (Jobs, Maintenance, Optimizer, ...).

A view module in this package declares ``VIEW = ViewSpec(...)``; the console finds it, binds its key, and
lists it in the command palette. The screen class takes the ConsoleEnv as its only argument.
"""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class ViewSpec:
    name: str
    title: str
    key: str  # a key not used by the panes; shown in the footer
    screen: str  # "module:Class" of a Screen taking (env)
    description: str = ""

    def load(self) -> Any:
        module, _, cls = self.screen.partition(":")
        return getattr(import_module(module), cls)


def discover_views() -> list[ViewSpec]:
    views: list[ViewSpec] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = import_module(f"{__name__}.{info.name}")
        spec = getattr(module, "VIEW", None)
        if isinstance(spec, ViewSpec):
            views.append(spec)
    return views
