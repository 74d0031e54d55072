"""`fleetdeck watch`: one long-running loop that runs every job declaring a ``watch_interval``.

The daemon is deliberately nothing but the job runner on a timer, so everything it does is also a job a person
can run by hand or from cron. Passes that succeed are not recorded in job_runs (a 2-second poll would flood it);
failures are. A job whose lock is held elsewhere (a cron run, the console) is skipped for that tick.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from .errors import BusyError
from .jobs import JobContext, JobSpec, all_jobs

if TYPE_CHECKING:
    from .clock import Clock
    from .config import Config
    from .events import EventBus
    from .store import Store


@dataclass
class WatchStats:
    passes: int = 0
    failures: int = 0
    busy_skips: int = 0
    last_status: dict[str, str] = field(default_factory=dict)


class Watcher:
    def __init__(self, config: "Config", store: "Store", clock: "Clock", events: "EventBus",
                 *, only: set[str] | None = None) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.events = events
        self.stop_event = threading.Event()
        self.specs: list[JobSpec] = [
            spec for spec in all_jobs()
            if spec.watch_interval and (only is None or spec.name in only)
        ]
        self.stats = WatchStats()

    def stop(self) -> None:
        self.stop_event.set()

    def run(self, *, max_passes: int | None = None, on_pass: Callable[[str, str], None] | None = None) -> WatchStats:
        """Run until stop() (or SIGTERM via the caller); returns counters for the log."""
        from loguru import logger

        from .jobrunner import run_job

        due = {spec.name: 0.0 for spec in self.specs}
        logger.info("watch started: {}", ", ".join(f"{s.name}/{s.watch_interval:g}s" for s in self.specs))
        while not self.stop_event.is_set():
            now = time.monotonic()
            for spec in self.specs:
                if self.stop_event.is_set() or now < due[spec.name]:
                    continue
                ctx = JobContext(config=self.config, store=self.store, clock=self.clock, events=self.events,
                                 trigger="watch")
                try:
                    outcome = run_job(spec, ctx, record=False)
                except BusyError:
                    self.stats.busy_skips += 1
                    status = "busy"
                else:
                    status = outcome.status
                    if status != "ok":
                        self.stats.failures += 1
                        logger.warning("watch: {} {}: {}", spec.name, status, outcome.message)
                self.stats.passes += 1
                self.stats.last_status[spec.name] = status
                if on_pass:
                    on_pass(spec.name, status)
                # Pace from the end of the pass, so a slow pass never causes a pile-up.
                due[spec.name] = time.monotonic() + float(spec.watch_interval or 60)
                if max_passes is not None and self.stats.passes >= max_passes:
                    self.stop_event.set()
            if not self.specs:
                if max_passes is not None:
                    break
                self.stop_event.wait(1.0)
                continue
            wait = max(0.05, min(due.values()) - time.monotonic())
            self.stop_event.wait(wait)
        logger.info("watch stopped after {} passes ({} failed)", self.stats.passes, self.stats.failures)
        return self.stats
