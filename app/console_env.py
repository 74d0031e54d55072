"""What the console's controllers and screens share: config, the async store, the clock, the event bus, and
a way to run jobs. Nothing here imports Textual, so controllers can be exercised without a screen."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fleetdeck.services.clock import Clock
    from fleetdeck.services.config import Config
    from fleetdeck.services.events import EventBus
    from fleetdeck.services.jobrunner import JobOutcome
    from fleetdeck.services.store.async_store import AsyncStore


@dataclass
class ConsoleEnv:
    config: "Config"
    astore: "AsyncStore"
    clock: "Clock"
    events: "EventBus"
    # Set when the console runs on the demo fleet (socket name of the private tmux server).
    demo_socket: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    # One store connection per worker thread, reused across job runs: background jobs run every few seconds.
    _thread_stores: threading.local = field(default_factory=threading.local, repr=False)
    _opened: list[Any] = field(default_factory=list, repr=False)

    @property
    def paths(self):  # noqa: ANN201
        return self.config.paths

    def run_job_blocking(self, name: str, *, dry_run: bool = False, options: dict[str, Any] | None = None,
                         trigger: str = "console", record: bool = True) -> "JobOutcome":
        """Run a job to completion on the calling thread, on that thread's own store connection.

        The console calls this from a worker thread; it raises BusyError when the job is already running.
        Background passes (the console's own assigner every few seconds) pass ``record=False``: like `watch`,
        only their failures go to job_runs.
        """
        from fleetdeck.services.jobrunner import run_job
        from fleetdeck.services.jobs import JobContext, get_job

        spec = get_job(name)
        if spec is None:
            raise KeyError(name)
        ctx = JobContext(config=self.config, store=self._thread_store(), clock=self.clock, events=self.events,
                         dry_run=dry_run, trigger=trigger, options=dict(options or {}))
        return run_job(spec, ctx, record=record)

    def _thread_store(self) -> Any:
        store = getattr(self._thread_stores, "store", None)
        if store is None:
            from fleetdeck.services.store import Store

            store = Store.open(self.paths.db_file)
            self._thread_stores.store = store
            self._opened.append(store)
        return store

    def close(self) -> None:
        """Close the job connections (the console calls this once it has exited)."""
        for store in self._opened:
            try:
                store.close()
            except Exception:  # noqa: BLE001 - a connection of a thread that is gone; nothing to keep
                pass
        self._opened.clear()
