"""Pane controllers: the app-layer half of a pane.

A controller loads the pane's view model from services (``load``) and performs the pane's actions; the widget
half (``widgets/<pane>.py``) only renders what it is given and calls its controller for actions. The console
calls ``load`` on a self-pacing loop: the next load starts ``interval`` seconds after the last one finished,
and only while the pane is visible.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from fleetdeck.app.console_env import ConsoleEnv


class PaneController:
    name: ClassVar[str] = "pane"
    title: ClassVar[str] = "Pane"
    interval: ClassVar[float] = 2.0  # seconds between loads while visible

    # Jobs this pane keeps running while the console is open: (job name, seconds between passes). They run
    # like `fleetdeck watch` runs them (the job's lock, failures recorded), so console, watch and cron never
    # run one twice at once.
    background_jobs: ClassVar[tuple[tuple[str, float], ...]] = ()

    def __init__(self, env: "ConsoleEnv") -> None:
        self.env = env
        self._background: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Called once when the console starts (open clients, start background services)."""
        self.start_background_jobs()

    async def stop(self) -> None:
        """Called once when the console exits."""
        self.stop_background_jobs()

    def start_background_jobs(self) -> None:
        for name, every in self.background_jobs:
            self._background.append(asyncio.create_task(self._job_loop(name, every)))

    def stop_background_jobs(self) -> None:
        for task in self._background:
            task.cancel()
        self._background.clear()

    async def _job_loop(self, name: str, every: float) -> None:
        from fleetdeck.services.errors import FleetdeckError

        delay = min(every, 2.0)  # the first pass soon after start, then at the job's pace
        while True:
            await asyncio.sleep(delay)
            delay = every
            try:
                await asyncio.to_thread(self.env.run_job_blocking, name, trigger="console", record=False)
            except FleetdeckError:
                pass  # busy: `fleetdeck watch` or cron is running it right now

    async def load(self) -> Any:
        """Return the pane's view model (plain data: dataclasses, lists, numbers)."""
        raise NotImplementedError
