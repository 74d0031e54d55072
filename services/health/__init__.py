"""Session health: poll every agent pane, keep the sessions table current, and act on what it shows.

``poll_once(store, config, clock)`` is the entry point others call (the queue assigner reads the idle rows it
writes); the ``health`` job adds the policies (restart with handoff, crash restart, usage-limit resume).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .poller import Poller, PollResult, SessionSnapshot, default_poller, poll_once

__all__ = ["Poller", "PollResult", "SessionSnapshot", "default_poller", "poll_once"]


def __getattr__(name: str) -> Any:
    # Config discovery imports this package for its settings; the poller (and asyncio, loguru) load only when used.
    if name in __all__:
        from . import poller

        return getattr(poller, name)
    raise AttributeError(name)
