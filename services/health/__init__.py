"""Session health: poll every agent pane, keep the sessions table current, and act on what it shows.

``poll_once(store, config, clock)`` is the entry point others call (the queue assigner reads the idle rows it
writes); the ``health`` job adds the policies (restart with handoff, crash restart, usage-limit resume).
"""

from __future__ import annotations

from .poller import Poller, PollResult, SessionSnapshot, default_poller, poll_once

__all__ = ["Poller", "PollResult", "SessionSnapshot", "default_poller", "poll_once"]
